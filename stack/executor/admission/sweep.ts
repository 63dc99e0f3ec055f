/**
 * The admission sweep: the FIFO queue must never stall because one message went missing (a handler that failed
 * after its commit, a re-publish lost with a broker blip, a completion never delivered). Every few seconds it
 *  - re-publishes runs that hold a slot but are still `requested` a while after they got it;
 *  - gives back the slot or queue place of runs that ended a while ago (their release never happened);
 *  - hands free slots to waiting runs (a release that activated nobody) and re-publishes them.
 * Each repair is logged at warn: in a healthy run the sweep finds nothing.
 */
import { withRetriedTransaction } from '../../common/db';
import type { ExecutorContext } from '../context';
import { releaseSlot, republish } from './index';
import { fillFreeSlots } from './fifo';

const SWEEP_MS = 5_000;
/** how long a state may look stuck before the sweep repairs it (a healthy hand-over takes milliseconds) */
const GRACE_SECONDS = 3;

export async function sweepAdmission(ctx: ExecutorContext): Promise<void> {
  const stalled = await ctx.pool.query(
    `SELECT en.execution_id FROM execution_admission_entry en JOIN execution ex ON ex.id = en.execution_id
      WHERE en.status = 'active' AND ex.status = 'requested' AND en.activated_at < now() - make_interval(secs => $1)`,
    [GRACE_SECONDS],
  );
  const ids = stalled.rows.map((r) => Number(r.execution_id));
  if (ids.length) {
    ctx.log.warn({ executions: ids }, 'runs holding a slot were never scheduled; requested again');
    await republish(ctx, ids);
  }

  const ended = await ctx.pool.query(
    `SELECT en.execution_id FROM execution_admission_entry en JOIN execution ex ON ex.id = en.execution_id
      WHERE ex.status IN ('completed', 'failed', 'timeout', 'cancelled', 'abandoned')
        AND ex.updated < now() - make_interval(secs => $1)`,
    [GRACE_SECONDS],
  );
  for (const row of ended.rows) {
    ctx.log.warn({ execution_id: row.execution_id }, 'a finished run still held its admission entry; released');
    await releaseSlot(ctx, Number(row.execution_id));
  }

  const states = await ctx.pool.query(
    `SELECT s.id FROM execution_admission_state s
      WHERE EXISTS (SELECT 1 FROM execution_admission_entry q WHERE q.state_id = s.id AND q.status = 'queued'
                       AND q.enqueued_at < now() - make_interval(secs => $1))
        AND (SELECT count(*) FROM execution_admission_entry a WHERE a.state_id = s.id AND a.status = 'active') < s.max_concurrent`,
    [GRACE_SECONDS],
  );
  for (const row of states.rows) {
    const activated = await withRetriedTransaction(ctx.pool, (c) => fillFreeSlots(c, Number(row.id)));
    if (activated.length) {
      ctx.log.warn({ executions: activated }, 'free slots were left to waiting runs; they start now');
      await republish(ctx, activated);
    }
  }
}

export function startAdmissionSweeper(ctx: ExecutorContext): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = sweepAdmission(ctx).catch((err) => ctx.log.warn({ err: (err as Error).message }, 'admission sweep failed; next round retries'));
  }, SWEEP_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
