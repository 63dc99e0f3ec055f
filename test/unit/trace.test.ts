import { strict as assert } from 'node:assert';
import { test } from 'node:test';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const trace = require('../../scripts/trace.js') as {
  catalogParagraph(description: string): string | undefined;
  claimedIds(paragraph: string): { ids: string[]; none: boolean };
  sameOutline(reported: string, outline: string): boolean;
};

test('the Catalog paragraph ends at the first blank line', () => {
  const text = 'A rule in MUST language.\n\n  Catalog: T1.5 (one rule\n  per item), T3.4\n\n  More prose: T2.1';
  assert.equal(trace.catalogParagraph(text), 'T1.5 (one rule per item), T3.4');
  assert.equal(trace.catalogParagraph('no ids here'), undefined);
});

test('only claimed ids count: parentheses and text after the first full stop are commentary', () => {
  assert.deepEqual(trace.claimedIds('T1.5 (the catalog imitates it; as T2.10 does), T3.4').ids, ['T1.5', 'T3.4']);
  assert.deepEqual(trace.claimedIds('T3.7 (created over the API). The refusals are T9.9-like prose').ids, ['T3.7']);
  assert.deepEqual(trace.claimedIds('T2.8; README example 6 (retried twice). More.').ids, ['T2.8', 'README 6']);
  assert.deepEqual(trace.claimedIds('README examples 3 and 7, T3.21′').ids, ['T3.21′', 'README 3', 'README 7']);
});

test('"no catalog id" claims nothing even when it mentions ids', () => {
  assert.deepEqual(trace.claimedIds("no catalog id (the catalog's T3.12 has no source)"), { ids: [], none: true });
});

test('an outline row is matched to its outline by the placeholders', () => {
  assert.equal(trace.sameOutline('A cron expression with 5 fields is refused', 'A cron expression with <problem> is refused'), true);
  assert.equal(trace.sameOutline('Another scenario', 'A cron expression with <problem> is refused'), false);
});
