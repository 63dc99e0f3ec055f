/**
 * Periodic sweep (every executor.timeout_check_interval s, when enabled):
 *  - `scheduled` longer than executor.scheduled_timeout s → failed ("not picked up");
 *  - `running` on a worker whose status is inactive or whose heartbeat is older than 3 intervals → abandoned;
 *    `canceling` on such a worker → cancelled (nobody is left to finish the cancel).
 * Each change is one UPDATE … RETURNING followed by ExecutionCompleted per row.
 */
import { config } from '../common/config';
import { fault } from '../common/faults';
import type { ExecutorContext } from './context';
import { publishCompleted, TerminalRow } from './execution-outcomes';

export function notPickedUpError(workerId: number | null, seconds: number): string {
  return `Execution was not picked up by worker ${workerId ?? 'unknown'} within ${seconds} seconds`;
}

export async function failStuckScheduled(ctx: ExecutorContext, scheduledTimeoutSeconds: number): Promise<number> {
  const { rows } = await ctx.pool.query<TerminalRow>(
    `UPDATE execution
        SET status = 'failed',
            result = jsonb_build_object('succeeded', false, 'error',
              'Execution was not picked up by worker ' || coalesce(worker::text, 'unknown') || ' within ' || $1::int || ' seconds')
      WHERE status = 'scheduled' AND updated < now() - make_interval(secs => $1::int)
      RETURNING id, action, action_ref, status, result, updated`,
    [scheduledTimeoutSeconds],
  );
  for (const row of rows) {
    ctx.log.warn({ execution_id: row.id }, 'scheduled execution timed out');
    await publishCompleted(ctx, row);
  }
  return rows.length;
}

export async function abandonLostExecutions(ctx: ExecutorContext, heartbeatIntervalSeconds: number): Promise<number> {
  const { rows } = await ctx.pool.query<TerminalRow>(
    `UPDATE execution e
        SET status = CASE WHEN e.status = 'canceling' THEN 'cancelled'::execution_status_enum ELSE 'abandoned'::execution_status_enum END,
            result = coalesce(e.result, '{}'::jsonb) || jsonb_build_object('succeeded', false, 'error',
              CASE WHEN e.status = 'canceling' THEN 'Execution cancelled: worker ' || w.name || ' is no longer available'
                   ELSE 'Execution abandoned: worker ' || w.name || ' is no longer available' END)
       FROM worker w
      WHERE e.worker = w.id
        AND e.status IN ('running', 'canceling')
        AND (w.status = 'inactive'
             OR w.last_heartbeat IS NULL
             OR w.last_heartbeat < now() - make_interval(secs => $1::float8 * 3))
      RETURNING e.id, e.action, e.action_ref, e.status, e.result, e.updated`,
    [heartbeatIntervalSeconds],
  );
  for (const row of rows) {
    ctx.log.warn({ execution_id: row.id, status: row.status }, 'execution on a lost worker ended');
    await publishCompleted(ctx, row);
  }
  return rows.length;
}

/** Starts the sweep; returns a stopper. Sweeps never overlap. */
export function startTimeoutMonitor(ctx: ExecutorContext): () => Promise<void> {
  const cfg = config();
  if (!cfg.executor.enable_timeout_monitor) {
    ctx.log.info('timeout monitor disabled');
    return async () => undefined;
  }
  const intervalMs = Math.max(1, cfg.executor.timeout_check_interval) * 1000;
  let running: Promise<void> | undefined;
  const sweep = () => {
    if (running) return;
    running = (async () => {
      try {
        await failStuckScheduled(ctx, cfg.executor.scheduled_timeout);
        // fault lost-worker-never-noticed: running executions of a dead worker stay running
        if (!fault('lost-worker-never-noticed')) await abandonLostExecutions(ctx, cfg.worker.heartbeat_interval);
      } catch (err) {
        ctx.log.error({ err }, 'timeout sweep failed');
      } finally {
        running = undefined;
      }
    })();
  };
  const timer = setInterval(sweep, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
