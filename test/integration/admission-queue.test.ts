/**
 * The FIFO admission of policed executions (stack/executor/admission/fifo.ts) against the real schema: an execution
 * whose request reaches the executor before older requests of its queue enqueues those older ones first, and the
 * next admission looks only from the queue's high-water mark on, so a request that arrived after it is still found.
 * The acceptance drills see requests arrive in order; here the arrival order is made on purpose. Everything runs in
 * one transaction that is rolled back, so the running itest executor never sees these rows.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type pg from 'pg';
import { openDb } from './lib/db';
import { useItestStack } from './lib/itest-stack';
import type { Client } from '../../stack/common/db';
import type { ConcurrencyPolicy } from '../../stack/executor/admission/effective-policy';

useItestStack();

// The admission runs in this process: a fault under verification (ATTUNE_ITEST_FAULTS, scripts/verify-faults.js)
// applies to it as it does to the itest stack's services.
if (process.env.ATTUNE_ITEST_FAULTS) process.env.ATTUNE_FAULTS = process.env.ATTUNE_ITEST_FAULTS;

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { admitInQueue } = require('../../stack/executor/admission/fifo') as typeof import('../../stack/executor/admission/fifo');

const ONE_AT_A_TIME: ConcurrencyPolicy = { id: 0, ref: 'itest.one_at_a_time', threshold: 1, method: 'enqueue', parameters: [] };

describe('FIFO admission when requests arrive out of order', () => {
  let db: pg.Client;

  before(async () => {
    db = await openDb();
  });
  after(async () => {
    await db?.end();
  });

  test('older requests go first, and a request newer than the last admission is still found', async () => {
    await db.query('BEGIN');
    try {
      const action = (await db.query(`SELECT id, ref FROM action WHERE ref = 'core.noop'`)).rows[0] as { id: number; ref: string };
      assert.ok(action, 'core.noop is registered');
      const request = async (): Promise<number> =>
        Number((await db.query(`INSERT INTO execution (action, action_ref, status, config) VALUES ($1, $2, 'requested', '{}') RETURNING id`, [action.id, action.ref])).rows[0].id);
      const [first, second, third] = [await request(), await request(), await request()];
      const admit = (id: number) => admitInQueue(db as unknown as Client, { id, action: Number(action.id), config: {} }, ONE_AT_A_TIME);
      // the queue entries of these executions, in queue order
      const entries = async (ids: number[]) =>
        (await db.query(
          `SELECT execution_id AS id, status FROM execution_admission_entry WHERE execution_id = ANY($1::bigint[]) ORDER BY queue_order`,
          [ids],
        )).rows.map((r) => ({ id: Number(r.id), status: String(r.status) }));

      // the third request arrives first: the two older ones are enqueued ahead of it and the oldest takes the slot
      assert.deepEqual(await admit(third), { kind: 'wait', activated: [first] });
      assert.deepEqual((await entries([first, second, third])).map((e) => `${e.id}:${e.status}`), [`${first}:active`, `${second}:queued`, `${third}:queued`]);

      // the older ones' own requests arrive late: they hold their places already
      assert.deepEqual(await admit(second), { kind: 'wait', activated: [] });
      assert.deepEqual(await admit(first), { kind: 'admit', activated: [] });

      // two more requests; the newer arrives first and the one between the high-water mark and it is found
      const fourth = await request();
      const fifth = await request();
      assert.deepEqual(await admit(fifth), { kind: 'wait', activated: [] });
      const all = [first, second, third, fourth, fifth];
      assert.deepEqual((await entries(all)).map((e) => e.id), all);
    } finally {
      await db.query('ROLLBACK');
    }
  });
});
