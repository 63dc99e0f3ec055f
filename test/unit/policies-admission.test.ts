import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { groupKey, policyFromRow } from '../../stack/executor/admission/effective-policy';
import { previewFromRow } from '../../stack/executor/admission';
import { stageProblems, type RunsSnapshot } from '../../support/queue-stages';

test('a policy without group-by paths puts every run of the action in one queue', () => {
  assert.equal(groupKey([], { customer: 'a' }), null);
});

test('the group key is the JSON of the named paths, sorted by path, missing values null', () => {
  assert.equal(groupKey(['region', 'customer.id'], { customer: { id: 7 }, region: 'eu', other: 1 }), '{"customer.id":7,"region":"eu"}');
  assert.equal(groupKey(['customer.id'], { customer: 'flat' }), '{"customer.id":null}');
  assert.equal(groupKey(['x'], null), '{"x":null}');
});

const snapshot = (over: Partial<RunsSnapshot> = {}): RunsSnapshot => ({
  started: ['run 1'],
  statuses: { 'run 1': 'running', 'run 2': 'requested' },
  stats: {
    action_ref: 'p.a', queue_length: 1, active_count: 1, max_concurrent: 1, oldest_enqueued_at: '2026-12-07T14:00:00Z',
    total_enqueued: 2, total_completed: 0, last_updated: '2026-12-07T14:00:00Z',
  },
  ...over,
});

test('a queue stage matches only when starts, statuses and statistics are all exact', () => {
  const stage = {
    started: ['run 1'],
    statuses: { 'run 1': 'running', 'run 2': 'requested' },
    stats: { queue_length: 1, active_count: 1, total_enqueued: 2, oldest_enqueued_at: 'set' as const },
  };
  assert.deepEqual(stageProblems(snapshot(), stage), []);
  assert.equal(stageProblems(snapshot({ started: ['run 2'] }), stage).length, 1);
  assert.equal(stageProblems(snapshot({ stats: null }), stage)[0], 'no queue statistics (404)');
  assert.match(stageProblems(snapshot({ statuses: { 'run 1': 'running', 'run 2': 'running' } }), stage)[0], /run 2 is "running"/);
});

test('runs started together may reach their gates in either order when the stage says so', () => {
  const stage = { started: ['run 1', 'run 2'], startedInAnyOrder: true, statuses: {}, stats: {} };
  assert.deepEqual(stageProblems(snapshot({ started: ['run 2', 'run 1'] }), stage), []);
  assert.equal(stageProblems(snapshot({ started: ['run 2', 'run 1'] }), { ...stage, startedInAnyOrder: false }).length, 1);
});

test('the policy the scheduler reads with its execution (row_to_json) becomes the same policy as a direct read', () => {
  const row = { id: 12, ref: 'p.limit', threshold: 2, method: 'enqueue', parameters: ['customer.id'] };
  assert.deepEqual(policyFromRow(row), { id: 12, ref: 'p.limit', threshold: 2, method: 'enqueue', parameters: ['customer.id'] });
  assert.deepEqual(policyFromRow({ ...row, parameters: null }), { id: 12, ref: 'p.limit', threshold: 2, method: 'enqueue', parameters: [] });
});

test('no policy, or a winning policy without a concurrency limit, governs nothing', () => {
  assert.equal(policyFromRow(null), null);
  assert.equal(policyFromRow(undefined), null);
  assert.equal(policyFromRow({ id: 1, ref: 'p.x', threshold: null, method: 'enqueue', parameters: [] }), null);
  assert.equal(policyFromRow({ id: 1, ref: 'p.x', threshold: 3, method: null, parameters: [] }), null);
});

test('the admission preview read with the execution: policy and queue place', () => {
  assert.deepEqual(previewFromRow({ admission_policy: null, admission_placed: false }), { governing: null, placed: false });
  assert.deepEqual(previewFromRow({ admission_policy: { id: 3, ref: 'p.c', threshold: 1, method: 'cancel', parameters: [] }, admission_placed: true }), {
    governing: { id: 3, ref: 'p.c', threshold: 1, method: 'cancel', parameters: [] },
    placed: true,
  });
});
