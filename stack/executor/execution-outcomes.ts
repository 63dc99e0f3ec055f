/**
 * Terminal outcomes the executor itself writes (no worker, unsupported workflow, scheduled too
 * long, worker lost): one conditional UPDATE … RETURNING, then an ExecutionCompleted message.
 */
import type { ExecutionStatus } from '../common/models';
import type { ExecutorContext } from './context';
import { stringifyExact } from '../common/exact-json';

export interface TerminalRow {
  id: number;
  action: number | null;
  action_ref: string;
  status: ExecutionStatus;
  result: unknown;
  updated: Date;
}

/** ExecutionCompleted payload: execution_id, action_id (0 when unknown), action_ref, status, result, completed_at. */
export function completedPayload(row: TerminalRow): Record<string, unknown> {
  return {
    execution_id: row.id,
    action_id: row.action ?? 0,
    action_ref: row.action_ref,
    status: row.status,
    result: row.result ?? null,
    completed_at: (row.updated instanceof Date ? row.updated : new Date()).toISOString(),
  };
}

export async function publishCompleted(ctx: ExecutorContext, row: TerminalRow, correlationId?: string): Promise<void> {
  await ctx.mq.publish('ExecutionCompleted', completedPayload(row), { correlationId });
}

/**
 * Moves an execution from `expected` to a terminal status with `{succeeded:false, error}` and
 * announces it. Returns false (and publishes nothing) when the row was no longer in `expected`.
 */
export async function terminateExecution(
  ctx: ExecutorContext,
  executionId: number,
  expected: ExecutionStatus | readonly ExecutionStatus[],
  status: ExecutionStatus,
  error: string,
  correlationId?: string,
): Promise<boolean> {
  const expectedList = Array.isArray(expected) ? expected : [expected];
  const { rows } = await ctx.pool.query<TerminalRow>(
    `UPDATE execution SET status = $2, result = $3
      WHERE id = $1 AND status = ANY($4::execution_status_enum[])
      RETURNING id, action, action_ref, status, result, updated`,
    [executionId, status, stringifyExact({ succeeded: false, error }), expectedList],
  );
  if (rows.length === 0) return false;
  ctx.log.info({ execution_id: executionId, status, error }, 'execution ended by the executor');
  await publishCompleted(ctx, rows[0], correlationId);
  return true;
}
