/**
 * The `core.ask` gate: an execution of core.ask never goes to a worker. The executor creates its
 * inquiry and keeps it `running` until the inquiry ends, then ends the execution like a worker
 * would (ExecutionCompleted), so a workflow takes the child's end like any other.
 *
 * Every change is one transaction. Lock order, the same as the workflow engine's: the child's
 * workflow_execution row (when it is a workflow child) → the execution → the inquiry.
 */
import { withTransaction, type Client } from '../../common/db';
import { fault } from '../../common/faults';
import {
  askAnsweredResult, askCancelledResult, askTimedOutResult, ASK_ACTION_REF, readAskInput,
} from '../../common/inquiries';
import type { ExecutorContext } from '../context';
import { publishCompleted, TerminalRow } from '../execution-outcomes';
import { stringifyExact } from '../../common/exact-json';

const TERMINAL_COLUMNS = 'id, action, action_ref, status, result, updated';

export function isAskExecution(actionRef: string | null | undefined): boolean {
  return actionRef === ASK_ACTION_REF;
}

export interface InquiryRow {
  id: number;
  execution: number;
  prompt: string;
  response_schema: unknown;
  assigned_to: number | null;
  status: string;
  response: unknown;
  timeout_at: Date | null;
}

/** The workflow run a child belongs to, from its `workflow_task` (null for a top-level execution). */
function runOf(workflowTask: unknown): number | null {
  const id = Number((workflowTask as { workflow_execution?: unknown } | null)?.workflow_execution);
  return Number.isInteger(id) && id > 0 ? id : null;
}

/** Locks the execution's workflow run (if any), then the execution; returns the execution's row. */
async function lockAsk(c: Client, executionId: number): Promise<{ id: number; status: string; config: unknown; run: number | null } | undefined> {
  const peek = await c.query<{ workflow_task: unknown }>('SELECT workflow_task FROM execution WHERE id = $1', [executionId]);
  if (!peek.rows[0]) return undefined;
  const run = runOf(peek.rows[0].workflow_task);
  if (run !== null) await c.query('SELECT id FROM workflow_execution WHERE id = $1 FOR UPDATE', [run]);
  const { rows } = await c.query<{ id: number; status: string; config: unknown }>(
    'SELECT id, status, config FROM execution WHERE id = $1 FOR UPDATE',
    [executionId],
  );
  return rows[0] ? { ...rows[0], id: Number(rows[0].id), run } : undefined;
}

/** The run waits while any of its children has a pending inquiry; otherwise it is not paused. */
async function refreshPause(c: Client, run: number | null): Promise<void> {
  if (run === null) return;
  const { rows } = await c.query<{ id: number }>(
    `SELECT i.id FROM inquiry i JOIN execution e ON e.id = i.execution
      WHERE i.status = 'pending' AND (e.workflow_task ->> 'workflow_execution')::bigint = $1
      ORDER BY i.id LIMIT 1`,
    [run],
  );
  if (rows[0]) {
    await c.query(`UPDATE workflow_execution SET paused = true, pause_reason = $2 WHERE id = $1`, [run, `waiting for inquiry ${rows[0].id}`]);
  } else {
    await c.query(`UPDATE workflow_execution SET paused = false, pause_reason = NULL WHERE id = $1 AND paused`, [run]);
  }
}

async function endAsk(c: Client, executionId: number, from: string[], status: string, result: Record<string, unknown>): Promise<TerminalRow | undefined> {
  const { rows } = await c.query<TerminalRow>(
    `UPDATE execution SET status = $2::execution_status_enum, result = $3::jsonb
      WHERE id = $1 AND status = ANY($4::execution_status_enum[]) RETURNING ${TERMINAL_COLUMNS}`,
    [executionId, status, stringifyExact(result), from],
  );
  return rows[0];
}

/**
 * A `requested` core.ask execution: create its inquiry, set it `running`, pause its workflow run.
 * Returns the inquiry (to arm its timeout) or null when nothing was started.
 */
export async function openInquiry(ctx: ExecutorContext, executionId: number, correlationId?: string): Promise<InquiryRow | null> {
  let ended: TerminalRow | undefined;
  const inquiry = await withTransaction(ctx.pool, async (c) => {
    const ex = await lockAsk(c, executionId);
    if (!ex || ex.status !== 'requested') return null; // cancelled, or started by another delivery
    const read = readAskInput(ex.config);
    let problem = 'problem' in read ? read.problem : null;
    if ('input' in read && read.input.assigned_to !== null) {
      const who = await c.query('SELECT 1 FROM identity WHERE id = $1', [read.input.assigned_to]);
      if (!who.rowCount) problem = `core.ask: assigned_to names no identity (${read.input.assigned_to})`;
    }
    if (problem !== null || !('input' in read)) {
      ended = await endAsk(c, ex.id, ['requested'], 'failed', { succeeded: false, error: problem ?? 'core.ask: invalid input' });
      return null;
    }
    const input = read.input;
    await c.query(`UPDATE execution SET status = 'running', started_at = now() WHERE id = $1`, [ex.id]);
    const { rows } = await c.query<InquiryRow>(
      `INSERT INTO inquiry (execution, prompt, response_schema, assigned_to, status, timeout_at)
       VALUES ($1, $2, $3::jsonb, $4, 'pending',
               CASE WHEN $5::float8 IS NULL THEN NULL ELSE now() + make_interval(secs => $5::float8) END)
       RETURNING id, execution, prompt, response_schema, assigned_to, status, response, timeout_at`,
      [ex.id, input.prompt, input.response_schema === null ? null : stringifyExact(input.response_schema), input.assigned_to, input.timeout_seconds],
    );
    const row = { ...rows[0], id: Number(rows[0].id), execution: Number(rows[0].execution) };
    await refreshPause(c, ex.run);
    return row;
  });
  if (ended) {
    ctx.log.warn({ execution_id: executionId, result: ended.result }, 'core.ask could not ask');
    await publishCompleted(ctx, ended, correlationId);
    return null;
  }
  if (!inquiry) return null;
  ctx.log.info({ execution_id: executionId, inquiry_id: inquiry.id, timeout_at: inquiry.timeout_at }, 'inquiry created');
  await ctx.mq.publish(
    'InquiryCreated',
    {
      inquiry_id: inquiry.id,
      execution_id: inquiry.execution,
      prompt: inquiry.prompt,
      response_schema: inquiry.response_schema ?? null,
      assigned_to: inquiry.assigned_to === null ? null : Number(inquiry.assigned_to),
      timeout_at: inquiry.timeout_at ? inquiry.timeout_at.toISOString() : null,
    },
    { correlationId },
  );
  return inquiry;
}

/** An inquiry was answered: its running core.ask execution completes with the response. */
export async function closeAnswered(ctx: ExecutorContext, inquiryId: number, correlationId?: string): Promise<boolean> {
  const ended = await withTransaction(ctx.pool, async (c) => {
    const inq = (await c.query<InquiryRow>('SELECT id, execution, status, response FROM inquiry WHERE id = $1', [inquiryId])).rows[0];
    if (!inq || inq.status !== 'responded') return undefined;
    const ex = await lockAsk(c, Number(inq.execution));
    if (!ex || ex.status !== 'running') return undefined;
    const action = (await c.query<{ action_ref: string }>('SELECT action_ref FROM execution WHERE id = $1', [ex.id])).rows[0];
    if (!isAskExecution(action?.action_ref)) return undefined; // an inquiry some other action asked: not ours to end
    // fault inquiry-response-lost: the ask completes, but its result does not carry the answer
    const row = await endAsk(c, ex.id, ['running'], 'completed', askAnsweredResult(inquiryId, inq.response, !fault('inquiry-response-lost')));
    await refreshPause(c, ex.run);
    return row;
  });
  if (!ended) return false;
  ctx.log.info({ execution_id: ended.id, inquiry_id: inquiryId }, 'inquiry answered; core.ask completed');
  await publishCompleted(ctx, ended, correlationId);
  return true;
}

/**
 * A pending inquiry past its timeout_at becomes `timeout`; its core.ask execution (still running)
 * ends `timeout`. Also finishes the execution of an inquiry the api already flipped to timeout.
 */
export async function closeTimedOut(ctx: ExecutorContext, inquiryId: number, correlationId?: string): Promise<boolean> {
  const ended = await withTransaction(ctx.pool, async (c) => {
    const inq = (await c.query<InquiryRow>('SELECT id, execution, status FROM inquiry WHERE id = $1', [inquiryId])).rows[0];
    if (!inq || (inq.status !== 'pending' && inq.status !== 'timeout')) return undefined;
    const ex = await lockAsk(c, Number(inq.execution));
    if (!ex) return undefined;
    const flipped = await c.query<{ status: string }>(
      `UPDATE inquiry SET status = 'timeout' WHERE id = $1 AND status = 'pending' AND timeout_at <= now() RETURNING status`,
      [inquiryId],
    );
    const now = flipped.rowCount ? 'timeout' : (await c.query<{ status: string }>('SELECT status FROM inquiry WHERE id = $1', [inquiryId])).rows[0]?.status;
    if (now !== 'timeout') return undefined;
    let row: TerminalRow | undefined;
    const action = (await c.query<{ action_ref: string }>('SELECT action_ref FROM execution WHERE id = $1', [ex.id])).rows[0];
    if (ex.status === 'running' && isAskExecution(action?.action_ref)) {
      row = await endAsk(c, ex.id, ['running'], 'timeout', askTimedOutResult(inquiryId));
    }
    await refreshPause(c, ex.run);
    return { row, flipped: (flipped.rowCount ?? 0) > 0 };
  });
  if (!ended) return false;
  if (ended.flipped) ctx.log.info({ inquiry_id: inquiryId }, 'inquiry timed out');
  if (ended.row) await publishCompleted(ctx, ended.row, correlationId);
  return !!ended.row || ended.flipped;
}

/**
 * A core.ask execution is being cancelled (its workflow was cancelled, or POST …/cancel): its
 * pending inquiry becomes `cancelled` and the execution ends `cancelled`.
 */
export async function cancelAsk(ctx: ExecutorContext, executionId: number, correlationId?: string): Promise<boolean> {
  const ended = await withTransaction(ctx.pool, async (c) => {
    const ex = await lockAsk(c, executionId);
    if (!ex || (ex.status !== 'canceling' && ex.status !== 'running')) return undefined;
    const action = (await c.query<{ action_ref: string }>('SELECT action_ref FROM execution WHERE id = $1', [ex.id])).rows[0];
    if (!isAskExecution(action?.action_ref)) return undefined;
    const cancelled = await c.query<{ id: number }>(
      `UPDATE inquiry SET status = 'cancelled' WHERE execution = $1 AND status = 'pending' RETURNING id`,
      [ex.id],
    );
    const last = (await c.query<{ id: number }>('SELECT id FROM inquiry WHERE execution = $1 ORDER BY id DESC LIMIT 1', [ex.id])).rows[0];
    const inquiryId = cancelled.rows[0]?.id ?? last?.id ?? null;
    const row = await endAsk(c, ex.id, ['canceling', 'running'], 'cancelled', askCancelledResult(inquiryId === null ? null : Number(inquiryId)));
    await refreshPause(c, ex.run);
    return row;
  });
  if (!ended) return false;
  ctx.log.info({ execution_id: executionId }, 'core.ask cancelled; its inquiry is cancelled');
  await publishCompleted(ctx, ended, correlationId);
  return true;
}
