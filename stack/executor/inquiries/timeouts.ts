/**
 * When inquiries time out: a precise in-memory timer per inquiry with a timeout_at (armed when the
 * executor creates one, re-armed for every pending inquiry at executor start), and a periodic
 * sweep (every executor.timeout_check_interval seconds) as the safety net — it also picks up
 * inquiries created through the API, answers whose message was lost and core.ask executions left
 * `canceling` by a restart.
 */
import { config } from '../../common/config';
import { fault } from '../../common/faults';
import { msUntil } from '../../common/inquiries';
import type { ExecutorContext } from '../context';
import { cancelAsk, closeAnswered, closeTimedOut } from './gate';

export class InquiryTimers {
  private readonly timers = new Map<number, NodeJS.Timeout>();

  constructor(private readonly onDue: (inquiryId: number) => Promise<void>) {}

  /** (Re-)arms the timer of one inquiry; a timer that can only wait ~24 days re-arms itself. */
  arm(inquiryId: number, timeoutAt: Date): void {
    this.disarm(inquiryId);
    const wait = msUntil(timeoutAt);
    const t = setTimeout(() => {
      this.timers.delete(inquiryId);
      if (timeoutAt.getTime() > Date.now()) return this.arm(inquiryId, timeoutAt);
      void this.onDue(inquiryId);
    }, wait + 5);
    t.unref();
    this.timers.set(inquiryId, t);
  }

  disarm(inquiryId: number): void {
    const t = this.timers.get(inquiryId);
    if (t) clearTimeout(t);
    this.timers.delete(inquiryId);
  }

  clear(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  get size(): number {
    return this.timers.size;
  }
}

/** One pass of the safety net. Returns how many inquiries/executions it changed. */
export async function sweepInquiries(ctx: ExecutorContext): Promise<number> {
  let changed = 0;
  const step = async (what: string, id: number, fn: () => Promise<boolean>) => {
    try {
      if (await fn()) changed++;
    } catch (err) {
      ctx.log.error({ err, id }, `inquiry sweep: ${what} failed`);
    }
  };
  // fault inquiry-timeout-never-fires: pending inquiries stay pending past timeout_at (the sweep skips them)
  if (!fault('inquiry-timeout-never-fires')) {
    const due = await ctx.pool.query<{ id: number }>(
      `SELECT i.id FROM inquiry i
         LEFT JOIN execution e ON e.id = i.execution
        WHERE (i.status = 'pending' AND i.timeout_at <= now())
           OR (i.status = 'timeout' AND e.status = 'running' AND e.action_ref = 'core.ask')
        ORDER BY i.id`,
    );
    for (const r of due.rows) await step('timeout', Number(r.id), () => closeTimedOut(ctx, Number(r.id)));
  }
  const answered = await ctx.pool.query<{ id: number }>(
    `SELECT i.id FROM inquiry i JOIN execution e ON e.id = i.execution
      WHERE i.status = 'responded' AND e.status = 'running' AND e.action_ref = 'core.ask' ORDER BY i.id`,
  );
  for (const r of answered.rows) await step('answer', Number(r.id), () => closeAnswered(ctx, Number(r.id)));
  const canceling = await ctx.pool.query<{ id: number }>(
    `SELECT id FROM execution WHERE status = 'canceling' AND action_ref = 'core.ask' AND updated < now() - interval '5 seconds' ORDER BY id`,
  );
  for (const r of canceling.rows) await step('cancel', Number(r.id), () => cancelAsk(ctx, Number(r.id)));
  return changed;
}

/** Arms a timer for every pending inquiry with a timeout (executor start). */
export async function rearmPending(ctx: ExecutorContext, timers: InquiryTimers): Promise<number> {
  const { rows } = await ctx.pool.query<{ id: number; timeout_at: Date }>(
    `SELECT id, timeout_at FROM inquiry WHERE status = 'pending' AND timeout_at IS NOT NULL`,
  );
  for (const r of rows) timers.arm(Number(r.id), r.timeout_at);
  return rows.length;
}

/** Timers and sweep; returns a stopper. Sweeps never overlap. */
export function startInquiryTimeouts(ctx: ExecutorContext, timers: InquiryTimers): () => Promise<void> {
  let running: Promise<unknown> | undefined;
  const sweep = () => {
    if (running) return;
    running = sweepInquiries(ctx)
      .then((n) => n && ctx.log.info({ changed: n }, 'inquiry sweep'))
      .catch((err) => ctx.log.error({ err }, 'inquiry sweep failed'))
      .finally(() => (running = undefined));
  };
  if (!fault('inquiry-timeout-never-fires')) {
    rearmPending(ctx, timers)
      .then((n) => n && ctx.log.info({ inquiries: n }, 'inquiry timeouts re-armed'))
      .catch((err) => ctx.log.error({ err }, 'could not re-arm inquiry timeouts'));
  }
  sweep();
  const intervalMs = Math.max(1, config().executor.timeout_check_interval) * 1000;
  const timer = setInterval(sweep, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    timers.clear();
    await running;
  };
}
