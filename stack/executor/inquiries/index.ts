/**
 * Inquiries in the executor (docs/inquiries.md): the `core.ask` gate (gate.ts) and inquiry
 * timeouts (timeouts.ts). Entry points for the scheduler, the inquiry-responses consumer, the
 * workflow engine's cancellation and the executor's start-up.
 */
import type { Envelope } from '../../common/envelope';
import { fault } from '../../common/faults';
import type { ExecutorContext } from '../context';
import { cancelAsk, closeAnswered, closeTimedOut, isAskExecution, openInquiry } from './gate';
import { InquiryTimers, startInquiryTimeouts } from './timeouts';

export { isAskExecution } from './gate';

let timerCtx: ExecutorContext | undefined;
const timers = new InquiryTimers(async (inquiryId) => {
  if (!timerCtx) return;
  try {
    await closeTimedOut(timerCtx, inquiryId);
  } catch (err) {
    timerCtx.log.error({ err, inquiry_id: inquiryId }, 'inquiry timeout failed');
  }
});

/** Scheduler: a `requested` core.ask execution is asked here instead of going to a worker. */
export async function askInquiry(ctx: ExecutorContext, executionId: number, correlationId?: string): Promise<void> {
  const inquiry = await openInquiry(ctx, executionId, correlationId);
  // fault inquiry-timeout-never-fires: no timer is armed
  if (inquiry?.timeout_at && !fault('inquiry-timeout-never-fires')) {
    timerCtx ??= ctx;
    timers.arm(inquiry.id, inquiry.timeout_at);
  }
}

/** InquiryResponded (attune.inquiry.responses.queue): complete the waiting core.ask execution. */
export async function inquiryResponded(ctx: ExecutorContext, env: Envelope): Promise<void> {
  const id = Number((env.payload as { inquiry_id?: unknown }).inquiry_id);
  if (!Number.isInteger(id) || id <= 0) {
    ctx.log.warn({ payload: env.payload }, 'InquiryResponded without an inquiry_id; ignored');
    return;
  }
  timers.disarm(id);
  await closeAnswered(ctx, id, env.correlation_id);
}

/** A core.ask execution set `canceling` (workflow cancelled, or POST …/cancel): cancel its inquiry and end it. */
export async function cancelAskExecutions(ctx: ExecutorContext, executionIds: number[], correlationId?: string): Promise<void> {
  for (const id of executionIds) {
    try {
      await cancelAsk(ctx, id, correlationId);
    } catch (err) {
      ctx.log.error({ err, execution_id: id }, 'cancelling a core.ask execution failed');
    }
  }
}

/** A status change announced by the api: a core.ask execution going `canceling` is ours to end. */
export async function askStatusChanged(ctx: ExecutorContext, executionId: number, actionRef: unknown, newStatus: string, correlationId?: string): Promise<void> {
  if (newStatus !== 'canceling') return;
  if (typeof actionRef === 'string' && !isAskExecution(actionRef)) return;
  await cancelAsk(ctx, executionId, correlationId);
}

/** Executor start: re-arm the timers of pending inquiries, then sweep periodically. Returns a stopper. */
export function startInquiries(ctx: ExecutorContext): () => Promise<void> {
  timerCtx = ctx;
  return startInquiryTimeouts(ctx, timers);
}
