/**
 * Start-up recovery of the executor: what a previous executor process may have left half done when it died (or was
 * stopped in the middle of a message), so that no execution waits forever for a message nobody will send again.
 *
 *  - `scheduling`: the previous process had claimed the execution and was choosing a worker. Only one executor
 *    runs at a time, so nobody is working on it now: back to `requested`, and requested again.
 *  - `requested`: its ExecutionRequested may have been lost with the previous process (created, not yet
 *    published); it is published again. A duplicate is harmless: the scheduler only takes an execution that is still
 *    `requested`, with a conditional update.
 *  - `scheduled`: the worker's dispatch may never have been published; it is published again to the same worker.
 *    The worker claims a dispatch only while the execution is `scheduled`, so a second copy is ignored.
 * (Attune Mid's supervisor re-publishes old `requested` executions at start, internals §4.11.)
 * Proven by test/integration/executor-recovery.test.ts, which makes those states on purpose.
 */
import { fault } from '../common/faults';
import { EXCHANGES, workerDispatchKey } from '../common/models';
import type { ExecutorContext } from './context';

interface Pending {
  id: number;
  action_ref: string;
  config: unknown;
  worker: number | null;
  status: string;
}

export async function recoverPendingExecutions(ctx: ExecutorContext): Promise<{ requested: number; scheduled: number; reclaimed: number }> {
  const reclaimed = (await ctx.pool.query(`UPDATE execution SET status = 'requested' WHERE status = 'scheduling'`)).rowCount ?? 0;
  const { rows } = await ctx.pool.query<Pending>(
    `SELECT id, action_ref, config, worker, status::text AS status FROM execution
      WHERE status IN ('requested', 'scheduled') ORDER BY id`,
  );
  let requested = 0;
  let scheduled = 0;
  for (const row of rows) {
    if (row.status === 'requested') {
      await ctx.mq.publish('ExecutionRequested', { execution_id: row.id, action_ref: row.action_ref });
      requested++;
    } else if (row.worker !== null) {
      await ctx.mq.publish(
        'ExecutionRequested',
        { execution_id: row.id, worker_id: row.worker, action_ref: row.action_ref, config: row.config },
        { exchange: EXCHANGES.executions, routingKey: workerDispatchKey(row.worker) },
      );
      scheduled++;
    }
  }
  if (reclaimed || requested || scheduled) {
    ctx.log.info({ reclaimed_scheduling: reclaimed, requested_again: requested, dispatched_again: scheduled }, 'recovered executions a previous executor left pending');
  }
  return { requested, scheduled, reclaimed };
}

/** A `scheduling` row older than this has lost its handler (the process went, or the database went mid-handler). */
// A handler holds `scheduling` for the few milliseconds it takes to choose a worker (under the suite's heaviest load,
// well under a second); a real database restart left rows there that waited 10 s for the first version's bound.
const STALE_SCHEDULING_MS = 3_000;
const SCHEDULING_SWEEP_MS = 1_000;

/**
 * While running: `scheduling` is held only for the instant a handler chooses a worker, so a row that stays in it
 * lost its handler (a database outage in the middle of it: the message went back to its queue, but finds the row no
 * longer `requested`). It goes back to `requested` and is requested again. A handler that was merely slow finds the
 * row `requested` at its own conditional update and stands down; the new request schedules it once.
 */
export async function reclaimStaleScheduling(ctx: ExecutorContext, olderThanMs = STALE_SCHEDULING_MS): Promise<number> {
  const { rows } = await ctx.pool.query<{ id: number; action_ref: string }>(
    `UPDATE execution SET status = 'requested'
      WHERE status = 'scheduling' AND updated < now() - make_interval(secs => $1::float8 / 1000)
      RETURNING id, action_ref`,
    [olderThanMs],
  );
  for (const row of rows) await ctx.mq.publish('ExecutionRequested', { execution_id: row.id, action_ref: row.action_ref });
  if (rows.length) ctx.log.warn({ executions: rows.map((r) => r.id) }, 'executions left in scheduling by a lost handler were requested again');
  return rows.length;
}

/** Runs reclaimStaleScheduling every few seconds; returns the stop function. */
export function startSchedulingSweeper(ctx: ExecutorContext): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    // fault scheduling-never-reclaimed: an execution whose handler was lost mid-scheduling waits forever
    if (fault('scheduling-never-reclaimed')) return;
    running = reclaimStaleScheduling(ctx).catch((err) => ctx.log.warn({ err: (err as Error).message }, 'scheduling sweep failed; next round retries'));
  }, SCHEDULING_SWEEP_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
