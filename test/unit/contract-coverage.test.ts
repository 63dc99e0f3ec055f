import { strict as assert } from 'node:assert';
import { test } from 'node:test';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const coverage = require('../../scripts/coverage.js') as {
  templateRegex(template: string): RegExp;
  compare(
    operations: { method: string; path: string; area: string }[],
    api: Map<string, Map<string, number>>,
  ): { ops: { path: string; calls: number }[]; unmatched: { call: string }[] };
};

test('a path template matches one segment per placeholder', () => {
  const re = coverage.templateRegex('/api/v1/packs/{ref}/actions');
  assert.equal(re.test('/api/v1/packs/p_1/actions'), true);
  assert.equal(re.test('/api/v1/packs/a/b/actions'), false);
});

test('a concrete call counts for its operation, a literal route wins over a templated one, others are kept apart', () => {
  const operations = [
    { method: 'GET', path: '/api/v1/actions/{ref}', area: 'actions' },
    { method: 'GET', path: '/api/v1/actions/search', area: 'actions' },
    { method: 'POST', path: '/api/v1/actions', area: 'actions' },
  ];
  const api = new Map([
    ['GET /api/v1/actions/search', new Map([['200', 2]])],
    ['GET /api/v1/actions/p.echo', new Map([['200', 1], ['404', 1]])],
    ['GET /health', new Map([['200', 1]])],
  ]);
  const { ops, unmatched } = coverage.compare(operations, api);
  assert.deepEqual(ops.map((o) => [o.path, o.calls]), [['/api/v1/actions/{ref}', 2], ['/api/v1/actions/search', 2], ['/api/v1/actions', 0]]);
  assert.deepEqual(unmatched.map((u) => u.call), ['GET /health']);
});
