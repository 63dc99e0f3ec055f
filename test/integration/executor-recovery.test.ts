/**
 * (f) What a dead executor leaves half done is taken back by the next one. While the executor is stopped, three
 * executions are put in the states a crash can leave behind (their messages lost with the process): one `requested`
 * whose ExecutionRequested never went out, one `scheduling` (claimed, no worker chosen yet), one `scheduled` to the
 * worker whose dispatch never went out. The new executor process must bring all three to `completed`
 * (stack/executor/recovery.ts). The acceptance drill (features/tier3/service-restarts.feature) restarts the executor
 * in the middle of real traffic, where catching an execution in one of these states is a matter of luck; here the
 * states are made on purpose, so the recovery is proven every run.
 *
 * (g) A RUNNING executor takes back an execution whose handler was lost mid-scheduling (the database went away between
 * its two writes, so the redelivered message finds the row no longer `requested`): the scheduling sweeper
 * (startSchedulingSweeper) requests it again once it has sat in `scheduling` longer than a handler ever takes. The
 * row is made on purpose, with no message anywhere and an `updated` a minute old, while every service runs; without
 * the sweeper it waits forever. The outage drills hit this race only by luck, so this test is its proof.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type pg from 'pg';
import { closeConnection, connect } from './lib/amqp';
import { openDb } from './lib/db';
import { control, execute, login, settled } from './lib/http';
import { useItestStack } from './lib/itest-stack';

useItestStack();

const REQUESTS_QUEUE = 'attune.execution.requests.queue';

describe('a new executor takes back the executions a dead one left half done', () => {
  let db: pg.Client;
  let token: string;

  before(async () => {
    db = await openDb();
    token = (await login()).access_token;
  });
  after(async () => {
    await control('executor', 'start'); // whatever happened above, the stack is left running
    await db?.end();
  });

  test('requested (message lost), scheduling and scheduled (dispatch lost) all complete after the executor starts', async () => {
    assert.equal((await control('executor', 'stop')).status, 200);
    const requested = await execute(token, 'core.echo', { message: 'requested, message lost' });
    const scheduling = await execute(token, 'core.echo', { message: 'left scheduling' });
    const scheduled = await execute(token, 'core.echo', { message: 'scheduled, dispatch lost' });

    // the messages go down with the dead executor
    const conn = await connect();
    try {
      const ch = await conn.createChannel();
      await ch.purgeQueue(REQUESTS_QUEUE);
      await ch.close();
    } finally {
      await closeConnection(conn);
    }
    const worker = (await db.query(`SELECT id FROM worker WHERE status = 'active' AND worker_role = 'action' ORDER BY last_heartbeat DESC NULLS LAST, id DESC LIMIT 1`)).rows[0];
    assert.ok(worker, 'no active worker');
    await db.query(`UPDATE execution SET status = 'scheduling' WHERE id = $1`, [scheduling]);
    await db.query(`UPDATE execution SET status = 'scheduled', worker = $2 WHERE id = $1`, [scheduled, worker.id]);
    const before = (await db.query(`SELECT id, status::text AS status FROM execution WHERE id = ANY($1) ORDER BY id`, [[requested, scheduling, scheduled]])).rows;
    assert.deepEqual(before.map((r) => r.status), ['requested', 'scheduling', 'scheduled']);

    assert.equal((await control('executor', 'start')).status, 200);
    for (const id of [requested, scheduling, scheduled]) {
      const ended = await settled(token, id);
      assert.equal(ended.status, 'completed', `execution ${id}: ${JSON.stringify(ended)}`);
    }
    // each ran once: one worker claim each (a second dispatch of the same execution is ignored by the worker)
    const runs = (await db.query(`SELECT id, status::text AS status FROM execution WHERE id = ANY($1) ORDER BY id`, [[requested, scheduling, scheduled]])).rows;
    assert.deepEqual(runs.map((r) => r.status), ['completed', 'completed', 'completed']);
  });

  test('a running executor requests again an execution left in scheduling by a lost handler', async () => {
    const template = await execute(token, 'core.echo', { message: 'template row' });
    assert.equal((await settled(token, template)).status, 'completed');
    const made = await db.query<{ id: string }>(
      `INSERT INTO execution (action, action_ref, config, executor, status, created, updated)
       SELECT action, action_ref, jsonb_build_object('message', 'left in scheduling by a lost handler'), executor, 'scheduling', now() - interval '1 minute', now() - interval '1 minute'
         FROM execution WHERE id = $1
       RETURNING id`,
      [template],
    );
    const lost = Number(made.rows[0].id);
    const ended = await settled(token, lost);
    assert.equal(ended.status, 'completed', `execution ${lost}: ${JSON.stringify(ended)}`);
    assert.deepEqual((ended as { result?: { stdout?: string } }).result?.stdout?.trim(), 'left in scheduling by a lost handler');
  });
});
