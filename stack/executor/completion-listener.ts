/**
 * ExecutionStatusChanged (logged; a workflow parent's cancel is handed to its engine) and ExecutionCompleted (reload the row, log, then
 * the tier-2 hook for slot release / workflow advance / retries). Neither writes execution status.
 */
import type { Envelope } from '../common/envelope';
import { requireId } from '../common/envelope';
import { TERMINAL_EXECUTION_STATUSES, ExecutionStatus } from '../common/models';
import type { ExecutorContext } from './context';
import { onExecutionTerminal, TerminalExecution } from './tier2-hooks';
import { askStatusChanged } from './inquiries';
import { parentStatusChanged } from './workflow/engine';

export async function handleExecutionStatusChanged(ctx: ExecutorContext, env: Envelope): Promise<void> {
  const p = env.payload;
  ctx.log.debug(
    { execution_id: p.execution_id, action_ref: p.action_ref, previous_status: p.previous_status, new_status: p.new_status },
    'execution status changed',
  );
  // a cancel request for a running workflow reaches its engine (the worker handles the others)
  if (String(p.new_status ?? '').toLowerCase() === 'canceling') {
    await parentStatusChanged(ctx, requireId(p, 'execution_id'), env.correlation_id);
    // a running core.ask has no worker either: its inquiry is cancelled and it ends cancelled
    await askStatusChanged(ctx, requireId(p, 'execution_id'), p.action_ref, 'canceling', env.correlation_id);
  }
}

export async function handleExecutionCompleted(ctx: ExecutorContext, env: Envelope): Promise<void> {
  const executionId = requireId(env.payload, 'execution_id');
  const { rows } = await ctx.pool.query<TerminalExecution>(
    `SELECT e.id, e.action, e.action_ref, e.status, e.parent, e.enforcement, e.workflow_task, e.retry_count, e.max_retries, e.result,
            EXISTS (SELECT 1 FROM execution_admission_entry x WHERE x.execution_id = e.id) AS admission_placed
       FROM execution e WHERE e.id = $1`,
    [executionId],
  );
  const execution = rows[0];
  if (!execution) {
    ctx.log.warn({ execution_id: executionId }, 'ExecutionCompleted for an unknown execution; ignored');
    return;
  }
  if (!TERMINAL_EXECUTION_STATUSES.has(execution.status as ExecutionStatus)) {
    ctx.log.warn({ execution_id: executionId, status: execution.status }, 'ExecutionCompleted but the row is not terminal');
    return;
  }
  // debug, not info: the worker (or whoever ended it) already logged the end of the run at info; a second line per run
  // cost the executor and the supervisor's log pipe a write each
  ctx.log.debug({ execution_id: execution.id, action_ref: execution.action_ref, status: execution.status }, 'execution finished');
  await onExecutionTerminal(ctx, execution, env);
}
