import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Grant } from '../../stack/common/authz-model';
import { mayReceive, subjectOf, subjectSql, type Subject } from '../../stack/notifier/visibility';

const ME = 7;
const OTHER = 8;

/** The scenario persona's run-related grants: own things only, plus core reads. */
const TENANT: Grant[] = [
  { resource: 'executions', actions: ['read', 'cancel'], constraints: { owner: 'self' } },
  { resource: 'events', actions: ['read'], constraints: { owner: 'self' } },
  { resource: 'enforcements', actions: ['read'], constraints: { owner: 'self' } },
  { resource: 'actions', actions: ['read', 'execute'], constraints: { pack_refs: ['core'] } },
];
const ADMIN: Grant[] = [{ resource: '*', actions: ['*'] }];

const run = (owner: number | null, pack = 'mine'): Subject => ({
  kind: 'owned',
  resource: 'executions',
  target: { owner, pack_ref: pack, ref: `${pack}.greeter`, id: 42 },
});

test('an owner-scoped client receives frames about its own executions, events and enforcements only', () => {
  assert.equal(mayReceive(TENANT, ME, run(ME)), true);
  assert.equal(mayReceive(TENANT, ME, run(OTHER)), false);
  assert.equal(mayReceive(TENANT, ME, run(null)), false, 'a row without owner (or one that is gone) is not own');
  assert.equal(mayReceive(TENANT, ME, { kind: 'owned', resource: 'events', target: { owner: ME, id: 1 } }), true);
  assert.equal(mayReceive(TENANT, ME, { kind: 'owned', resource: 'enforcements', target: { owner: OTHER, id: 1 } }), false);
  assert.equal(mayReceive(TENANT, ME, { kind: 'owned', resource: 'inquiries', target: { owner: ME, id: 1 } }), false, 'no inquiry grant');
});

test('a grant on core actions does not open core runs of another tenant', () => {
  assert.equal(mayReceive(TENANT, ME, run(OTHER, 'core')), false);
  const coreRuns: Grant[] = [{ resource: 'executions', actions: ['read'], constraints: { pack_refs: ['core'] } }];
  assert.equal(mayReceive(coreRuns, ME, run(OTHER, 'core')), true);
  assert.equal(mayReceive(coreRuns, ME, run(OTHER, 'mine')), false);
});

test('unowned entity types reach only unconstrained readers; unknown ones reach nobody', () => {
  const artifact: Subject = { kind: 'unconstrained-only', resource: 'artifacts' };
  assert.equal(mayReceive(ADMIN, 1, artifact), true);
  assert.equal(mayReceive([{ resource: 'artifacts', actions: ['read'] }], ME, artifact), true);
  assert.equal(mayReceive([{ resource: 'artifacts', actions: ['read'], constraints: { owner: 'self' } }], ME, artifact), false);
  assert.equal(mayReceive(TENANT, ME, artifact), false);
  assert.equal(mayReceive(ADMIN, 1, { kind: 'nobody' }), false);
});

test('no grants, no frames; the wildcard admin sees everything owned', () => {
  assert.equal(mayReceive([], ME, run(ME)), false);
  assert.equal(mayReceive(ADMIN, 1, run(OTHER)), true);
  assert.equal(mayReceive([{ resource: 'executions', actions: ['cancel'], constraints: { owner: 'self' } }], ME, run(ME)), false, 'read is needed');
});

test('the subject is read with one query using the ownership expression of the entity type', async () => {
  const queries: Array<{ sql: string; params: unknown[] }> = [];
  const db = {
    query: async (sql: string, params: unknown[]) => {
      queries.push({ sql, params });
      return { rows: [{ owner: ME, pack_ref: 'mine', ref: 'mine.greeter' }] };
    },
  } as never;
  const s = await subjectOf(db, { entity_type: 'execution', entity_id: 42 });
  assert.deepEqual(s, { kind: 'owned', resource: 'executions', target: { owner: ME, pack_ref: 'mine', ref: 'mine.greeter', id: 42 } });
  assert.equal(queries.length, 1);
  assert.match(queries[0].sql, /execution\.executor AS owner/);
  assert.deepEqual(queries[0].params, [42]);
  assert.deepEqual(await subjectOf(db, { entity_type: 'artifact', entity_id: 1 }), { kind: 'unconstrained-only', resource: 'artifacts' });
  assert.deepEqual(await subjectOf(db, { entity_type: 'mystery', entity_id: 1 }), { kind: 'nobody' });
  assert.equal(queries.length, 1, 'no query for entity types without owners');
  for (const t of ['event', 'enforcement', 'inquiry']) assert.match(subjectSql(t)!, new RegExp(`FROM ${t} WHERE ${t}\\.id = \\$1`));
});

test('an execution frame whose payload names its executor and action is judged from the payload, with no query', async () => {
  let queries = 0;
  const db = {
    query: async () => {
      queries++;
      return { rows: [{ owner: 999, pack_ref: 'other', ref: 'other.x' }] };
    },
  } as never;
  const payload = { id: 7, executor: ME, action_ref: 'mine.greeter', status: 'running' };
  assert.deepEqual(await subjectOf(db, { entity_type: 'execution', entity_id: 7, payload }), {
    kind: 'owned',
    resource: 'executions',
    target: { owner: ME, pack_ref: 'mine', ref: 'mine.greeter', id: 7 },
  });
  assert.equal(queries, 0);
  // a payload without the executor (workflow_execution_status_changed) is looked up
  await subjectOf(db, { entity_type: 'execution', entity_id: 7, payload: { id: 7, action_ref: 'mine.flow' } });
  assert.equal(queries, 1);
});

test('subscriptions: user:<id> only for oneself, entity types only with a read grant on their resource', async () => {
  const { maySubscribe } = await import('../../stack/notifier/visibility');
  const reader = [{ resource: 'executions', actions: ['read'], constraints: { owner: 'self' } }];
  assert.equal(maySubscribe(reader, ME, { kind: 'user', userId: ME }), true);
  assert.equal(maySubscribe(reader, ME, { kind: 'user', userId: ME + 10_000 }), false);
  assert.equal(maySubscribe(reader, ME, { kind: 'entity_type', entityType: 'execution' }), true);
  assert.equal(maySubscribe([], ME, { kind: 'entity_type', entityType: 'execution' }), false);
  assert.equal(maySubscribe([], ME, { kind: 'entity', entityType: 'inquiry' }), false);
  assert.equal(maySubscribe([], ME, { kind: 'all' }), true);
  assert.equal(maySubscribe([{ resource: 'identities', actions: ['read'] }], ME, { kind: 'user', userId: 1 }), true);
});
