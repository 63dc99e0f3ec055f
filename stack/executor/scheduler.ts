/**
 * ExecutionRequested (execution.requested) → a worker.
 *
 * Reloads the execution with its action and runtime (workers are read in parallel), skips unless
 * still `requested`, checks its parameters against the action's schema (defaults filled in; a bad one → `failed`,
 * see parameters.ts), runs the tier-2 hooks, then: requested → scheduling → (worker chosen)
 * scheduled + worker id, and dispatches an ExecutionRequested-typed message to
 * `execution.dispatch.worker.<id>`. No eligible worker: `failed` + ExecutionCompleted.
 */
import { config } from '../common/config';
import { fault } from '../common/faults';
import type { Envelope } from '../common/envelope';
import { requireId } from '../common/envelope';
import { EXCHANGES, workerDispatchKey } from '../common/models';
import type { ExecutorContext } from './context';
import { terminateExecution } from './execution-outcomes';
import { resolveExecutionParameters } from './parameters';
import { admissionPreviewColumns, previewFromRow } from './admission';
import { admitExecution, orchestrateInquiry, orchestrateWorkflow, SchedulableExecution } from './tier2-hooks';
import { candidateWorkers, noWorkerError, RoundRobin, WorkerRow } from './worker-selection';
import { stringifyExact } from '../common/exact-json';

const roundRobin = new RoundRobin();

const LOAD_WORKERS = `
  SELECT id, name, worker_role, status, cordoned, capabilities,
         EXTRACT(EPOCH FROM (now() - last_heartbeat))::float8 AS heartbeat_age_seconds
    FROM worker
   WHERE worker_role IN ('action', 'hybrid') AND status = 'active'`;

// One statement for everything scheduling reads: the execution with its action and runtime, the candidate workers (as
// JSON) and what admission needs to know first (its governing policy, whether the run holds a queue place).
const loadExecution = (): string => `
  SELECT e.id, e.action, e.action_ref, e.config, e.parent, e.enforcement, e.status,
         a.id AS action_id, a.workflow_def, a.runtime, a.param_schema,
         r.name AS runtime_name, r.aliases AS runtime_aliases,
         (SELECT coalesce(json_agg(w), '[]'::json) FROM (${LOAD_WORKERS}) w) AS workers,
         ${admissionPreviewColumns()}
    FROM execution e
    LEFT JOIN action a ON a.id = e.action
    LEFT JOIN runtime r ON r.id = a.runtime
   WHERE e.id = $1`;

type LoadedExecution = SchedulableExecution & {
  action_id: number | null;
  runtime: number | null;
  param_schema: unknown;
  workers: WorkerRow[];
  admission_policy: unknown;
  admission_placed: boolean;
};

/**
 * `slotGranted`: the caller (the admission of this executor, handing over a slot it has just released) has made this
 * run the active holder of its policy slot in a committed transaction, so admission need not be asked again.
 */
export async function handleExecutionRequested(ctx: ExecutorContext, env: Envelope, opts: { slotGranted?: boolean } = {}): Promise<void> {
  const executionId = requireId(env.payload, 'execution_id');
  const loaded = await ctx.pool.query<LoadedExecution>(loadExecution(), [executionId]);
  const execution = loaded.rows[0];
  if (!execution) {
    ctx.log.warn({ execution_id: executionId }, 'ExecutionRequested for an unknown execution; ignored');
    return;
  }
  if (execution.status !== 'requested') {
    ctx.log.debug({ execution_id: executionId, status: execution.status }, 'execution is not requested any more; skipped');
    return;
  }
  const correlationId = env.correlation_id;

  if (execution.action_id === null) {
    await terminateExecution(ctx, execution.id, 'requested', 'failed', `Action '${execution.action_ref}' not found`, correlationId);
    return;
  }

  // a workflow's own input is the engine's business (it applies the defaults itself); every other execution has its
  // parameters checked, and its defaults filled in, before it may take a policy slot or a worker
  if (execution.workflow_def === null || execution.workflow_def === undefined) {
    const verdict = resolveExecutionParameters(execution.action_ref, execution.param_schema, execution.config);
    if (!verdict.ok) {
      await terminateExecution(ctx, execution.id, 'requested', 'failed', verdict.error, correlationId);
      return;
    }
    if (verdict.filled.length) {
      const updated = await ctx.pool.query(`UPDATE execution SET config = $2::jsonb WHERE id = $1 AND status = 'requested'`, [
        execution.id,
        stringifyExact(verdict.config),
      ]);
      if (!updated.rowCount) return; // cancelled meanwhile
      execution.config = verdict.config;
    }
  }

  const admission = opts.slotGranted ? { admit: true as const } : await admitExecution(ctx, execution, previewFromRow(execution));
  if (!admission.admit) {
    ctx.log.info({ execution_id: execution.id, reason: admission.reason }, 'execution held back by policy');
    return;
  }

  if (execution.workflow_def !== null && execution.workflow_def !== undefined) {
    await orchestrateWorkflow(ctx, execution, correlationId);
    return;
  }

  if (await orchestrateInquiry(ctx, execution, correlationId)) return;

  const claimed = await ctx.pool.query(`UPDATE execution SET status = 'scheduling' WHERE id = $1 AND status = 'requested'`, [execution.id]);
  if (!claimed.rowCount) return; // cancelled or claimed by another delivery meanwhile

  const runtime = execution.runtime_name ? { name: execution.runtime_name, aliases: execution.runtime_aliases } : null;
  const candidates = candidateWorkers(execution.workers, runtime, config().worker.heartbeat_interval);
  // fault dispatch-round-robin-off: always the first eligible worker
  const worker = fault('dispatch-round-robin-off') ? candidates[0] : roundRobin.pick(runtime ? runtime.name.toLowerCase() : '*', candidates);
  if (!worker) {
    await terminateExecution(ctx, execution.id, 'scheduling', 'failed', noWorkerError(execution.action_ref, execution.runtime_name), correlationId);
    return;
  }

  const scheduled = await ctx.pool.query(
    `UPDATE execution SET status = 'scheduled', worker = $2 WHERE id = $1 AND status = 'scheduling'`,
    [execution.id, worker.id],
  );
  if (!scheduled.rowCount) return; // cancelled between the two updates
  await ctx.mq.publish(
    'ExecutionRequested',
    { execution_id: execution.id, worker_id: worker.id, action_ref: execution.action_ref, config: execution.config },
    { exchange: EXCHANGES.executions, routingKey: workerDispatchKey(worker.id), correlationId },
  );
  ctx.log.debug({ execution_id: execution.id, worker_id: worker.id }, 'execution scheduled');
}
