/**
 * The workflow engine's entry points for the executor: start a workflow execution, advance a run
 * after one of its children ended or it was cancelled, wake runs up when a retry or deadline is
 * due, and recover every unfinished run when the executor starts.
 *
 * Each entry point is one transaction around a `Run` (run.ts), then the messages it decided on.
 */
import { config } from '../../common/config';
import { withRetriedTransaction } from '../../common/db';
import { EXCHANGES, workerCancelKey } from '../../common/models';
import type { ExecutorContext } from '../context';
import { publishCompleted, TerminalRow } from '../execution-outcomes';
import { cancelAskExecutions } from '../inquiries';
import type { SchedulableExecution } from '../tier2-hooks';
import { loadChildren } from './children';
import { render, withDefaults } from './context';
import { DefinitionError, readWorkflow } from './definition';
import { emptyOutbox, Outbox, Run } from './run';
import { activeRunIds, lockRun, runIdOfExecution } from './run-store';
import { Wakeups } from './wakeups';
import { stringifyExact } from '../../common/exact-json';

const wakeups = new Wakeups();

function defaultTimeout(): number {
  return config().default_execution_timeout_seconds;
}

/** Sends what a step decided, after its transaction committed. */
async function deliver(ctx: ExecutorContext, runId: number | null, outbox: Outbox, correlationId?: string): Promise<void> {
  for (const child of outbox.requested) {
    await ctx.mq.publish(
      'ExecutionRequested',
      { execution_id: child.id, action_ref: child.action_ref, parent_id: child.parent, config: child.config },
      { correlationId },
    );
  }
  for (const row of outbox.completed) await publishCompleted(ctx, row, correlationId);
  for (const c of outbox.cancelOnWorker) {
    await ctx.mq.publish('ExecutionCancelRequested', c, { exchange: EXCHANGES.executions, routingKey: workerCancelKey(c.worker_id), correlationId });
  }
  if (outbox.cancelInquiries.length) await cancelAskExecutions(ctx, outbox.cancelInquiries, correlationId);
  for (const nested of outbox.stepRuns) await stepRun(ctx, nested, { correlationId });
  if (runId !== null && outbox.wakeAt !== null) wakeups.at(runId, outbox.wakeAt, () => stepRun(ctx, runId).catch((err) => ctx.log.error({ err, run: runId }, 'workflow wake-up failed')));
}

async function failStart(ctx: ExecutorContext, c: import('../../common/db').Client, executionId: number, error: string, outbox: Outbox): Promise<void> {
  const { rows } = await c.query<TerminalRow>(
    `UPDATE execution SET status = 'failed', result = $2::jsonb WHERE id = $1 RETURNING id, action, action_ref, status, result, updated`,
    [executionId, stringifyExact({ succeeded: false, error })],
  );
  if (rows[0]) outbox.completed.push(rows[0]);
  ctx.log.warn({ execution_id: executionId, error }, 'workflow could not start');
}

/**
 * Starts a workflow execution (status `requested`): parent → running, a workflow_execution row
 * with the rendered `vars`, and the entry tasks' children. Called by the scheduler instead of
 * sending the execution to a worker.
 */
export async function startWorkflow(ctx: ExecutorContext, execution: SchedulableExecution, correlationId?: string): Promise<void> {
  let outbox = emptyOutbox();
  let runId: number | null = null;
  await withRetriedTransaction(ctx.pool, async (c) => {
    outbox = emptyOutbox(); // a retried transaction starts its messages afresh
    runId = null;
    const claimed = await c.query(
      `UPDATE execution SET status = 'running', started_at = now(), workflow_def = $2 WHERE id = $1 AND status = 'requested' RETURNING id`,
      [execution.id, execution.workflow_def],
    );
    if (!claimed.rowCount) return; // cancelled, or started by another delivery
    const def = (await c.query<{ definition: unknown; param_schema: unknown }>('SELECT definition, param_schema FROM workflow_definition WHERE id = $1', [execution.workflow_def])).rows[0];
    if (!def) return failStart(ctx, c, execution.id, `Workflow definition ${execution.workflow_def} not found`, outbox);
    let spec;
    try {
      spec = readWorkflow(def.definition);
    } catch (err) {
      if (!(err instanceof DefinitionError)) throw err;
      return failStart(ctx, c, execution.id, `Invalid workflow definition: ${err.message}`, outbox);
    }
    const parameters = withDefaults(def.param_schema, execution.config);
    const vars = render(spec.vars, { parameters, variables: {}, tasks: {}, system: { execution_id: execution.id, workflow: execution.action_ref } });
    const inserted = await c.query<{ id: number }>(
      `INSERT INTO workflow_execution (execution, workflow_def, variables, task_graph, status)
       VALUES ($1, $2, $3::jsonb, $4::jsonb, 'running') RETURNING id`,
      [execution.id, execution.workflow_def, stringifyExact(vars ?? {}), stringifyExact(def.definition)],
    );
    runId = Number(inserted.rows[0].id);
    const row = await lockRun(c, runId);
    if (!row) return;
    const run = new Run(c, row, spec, [], outbox, defaultTimeout());
    await run.begin();
    await run.save();
  });
  ctx.log.info({ execution_id: execution.id, run: runId, children: outbox.requested.length }, 'workflow started');
  await deliver(ctx, runId, outbox, correlationId);
}

/**
 * Advances one run from what the database says. `republish` (recovery) also announces again
 * children that were created but may never have been sent.
 */
export async function stepRun(ctx: ExecutorContext, runId: number, opts: { republish?: boolean; correlationId?: string } = {}): Promise<void> {
  let outbox = emptyOutbox();
  await withRetriedTransaction(ctx.pool, async (c) => {
    outbox = emptyOutbox(); // a retried transaction starts its messages afresh
    const row = await lockRun(c, runId);
    if (!row) return;
    const children = await loadChildren(c, row.parent_id);
    let spec;
    try {
      spec = readWorkflow(row.task_graph);
    } catch (err) {
      if (!(err instanceof DefinitionError)) throw err;
      return failStart(ctx, c, row.parent_id, `Invalid workflow definition: ${err.message}`, outbox);
    }
    const run = new Run(c, row, spec, children, outbox, defaultTimeout());
    if (opts.republish) await run.recover();
    await run.advance();
    await run.save();
  });
  await deliver(ctx, runId, outbox, opts.correlationId);
}

/** A workflow child ended (ExecutionCompleted with `workflow_task`). */
export async function childEnded(ctx: ExecutorContext, workflowTask: unknown, correlationId?: string): Promise<void> {
  const runId = Number((workflowTask as { workflow_execution?: unknown } | null)?.workflow_execution);
  if (!Number.isInteger(runId) || runId <= 0) return;
  await stepRun(ctx, runId, { correlationId });
}

/** A workflow parent changed status (the API's cancel: running → canceling). */
export async function parentStatusChanged(ctx: ExecutorContext, executionId: number, correlationId?: string): Promise<void> {
  const runId = await runIdOfExecution(ctx.pool, executionId);
  if (runId !== undefined) await stepRun(ctx, runId, { correlationId });
}

/**
 * Looks at every unfinished run: at start-up with `republish` (the executor may have died
 * between a commit and its messages), then periodically as a safety net for lost messages.
 */
export async function sweepRuns(ctx: ExecutorContext, opts: { republish?: boolean } = {}): Promise<number> {
  const ids = await activeRunIds(ctx.pool);
  for (const id of ids) {
    try {
      await stepRun(ctx, id, opts);
    } catch (err) {
      ctx.log.error({ err, run: id }, 'workflow sweep step failed');
    }
  }
  return ids.length;
}

/**
 * Recovery at start-up, then a periodic sweep (every executor.timeout_check_interval seconds).
 * Returns a stopper.
 */
export function startWorkflowSweeper(ctx: ExecutorContext): () => Promise<void> {
  let running: Promise<unknown> | undefined = sweepRuns(ctx, { republish: true })
    .then((n) => n && ctx.log.info({ runs: n }, 'unfinished workflow runs recovered'))
    .catch((err) => ctx.log.error({ err }, 'workflow recovery failed'))
    .finally(() => (running = undefined));
  const intervalMs = Math.max(1, config().executor.timeout_check_interval) * 1000;
  const timer = setInterval(() => {
    if (running) return;
    running = sweepRuns(ctx)
      .catch((err) => ctx.log.error({ err }, 'workflow sweep failed'))
      .finally(() => (running = undefined));
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    wakeups.clear();
    await running;
  };
}
