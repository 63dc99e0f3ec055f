/**
 * Child executions of a workflow run: reading them, creating them, and the `workflow_task`
 * metadata the executor keeps on them (Attune's field names).
 */
import type { Queryable } from '../../common/db';
import type { ExecutionStatus } from '../../common/models';
import { stringifyExact } from '../../common/exact-json';

export interface WorkflowTaskMeta {
  workflow_execution: number;
  task_name: string;
  triggered_by: string | null;
  task_index: number | null;
  task_batch: number | null;
  retry_count: number;
  max_retries: number;
  next_retry_at: string | null;
  timeout_seconds: number | null;
  timed_out: boolean;
  duration_ms: number | null;
  started_at: string | null;
  completed_at: string | null;
}

export interface ChildRow {
  id: number;
  action_ref: string;
  status: ExecutionStatus;
  result: unknown;
  config: Record<string, unknown> | null;
  worker: number | null;
  workflow_task: WorkflowTaskMeta;
  created: Date;
  updated: Date;
  started_at: Date | null;
  retry_count: number;
  original_execution: number | null;
  /** Set when the child is itself a running workflow: its workflow_execution id. */
  nested_run: number | null;
}

export async function loadChildren(db: Queryable, parentId: number): Promise<ChildRow[]> {
  const { rows } = await db.query<ChildRow>(
    `SELECT e.id, e.action_ref, e.status, e.result, e.config, e.worker, e.workflow_task, e.created, e.updated, e.started_at,
            e.retry_count, e.original_execution, we.id AS nested_run
       FROM execution e
       LEFT JOIN workflow_execution we ON we.execution = e.id
      WHERE e.parent = $1 AND e.workflow_task IS NOT NULL
      ORDER BY e.id`,
    [parentId],
  );
  return rows.map((r) => ({ ...r, id: Number(r.id), nested_run: r.nested_run === null ? null : Number(r.nested_run) }));
}

export interface NewChild {
  parent: number;
  actionRef: string;
  config: Record<string, unknown>;
  enforcement: number | null;
  executor: number | null;
  envVars: unknown;
  meta: WorkflowTaskMeta;
  timeoutSeconds: number | null;
  originalExecution: number | null;
  retryReason: string | null;
}

export interface CreatedChild {
  id: number;
  action: number | null;
  action_ref: string;
  config: Record<string, unknown>;
}

/**
 * Inserts a `requested` child. The action is looked up by ref (a missing action leaves `action`
 * NULL, and the scheduler then fails the child with "Action not found"); the timeout is the
 * task's, else the action's default.
 */
export async function insertChild(db: Queryable, c: NewChild, defaultTimeout: number): Promise<CreatedChild> {
  const { rows } = await db.query<CreatedChild>(
    `INSERT INTO execution (action, action_ref, config, env_vars, parent, enforcement, executor, status,
                            timeout_seconds, workflow_task, retry_count, max_retries, retry_reason, original_execution)
     SELECT a.id, $1, $2::jsonb, $3::jsonb, $4, $5, $6, 'requested',
            coalesce($7::int, a.timeout_seconds, $8::int), $9::jsonb, $10, $11, $12, $13
       FROM (SELECT 1) one
       LEFT JOIN action a ON a.ref = $1
     RETURNING id, action, action_ref, config`,
    [
      c.actionRef,
      stringifyExact(c.config),
      c.envVars === null || c.envVars === undefined ? null : stringifyExact(c.envVars),
      c.parent,
      c.enforcement,
      c.executor,
      c.timeoutSeconds,
      defaultTimeout,
      stringifyExact(c.meta),
      c.meta.retry_count,
      c.meta.max_retries,
      c.retryReason,
      c.originalExecution,
    ],
  );
  const row = rows[0];
  return { ...row, id: Number(row.id) };
}

/** Marks a finished child as taken into account (completed_at etc.); false when it already was. */
export async function markApplied(db: Queryable, child: ChildRow): Promise<boolean> {
  const started = child.started_at ? child.started_at.toISOString() : null;
  const durationMs = child.started_at ? Math.max(0, child.updated.getTime() - child.started_at.getTime()) : null;
  const res = await db.query(
    `UPDATE execution
        SET workflow_task = workflow_task || jsonb_build_object(
              'completed_at', $2::text, 'started_at', $3::text, 'duration_ms', $4::bigint, 'timed_out', $5::boolean)
      WHERE id = $1 AND (workflow_task ->> 'completed_at') IS NULL`,
    [child.id, child.updated.toISOString(), started, durationMs, child.status === 'timeout'],
  );
  return (res.rowCount ?? 0) > 0;
}

export function isApplied(child: ChildRow): boolean {
  return typeof child.workflow_task?.completed_at === 'string' && child.workflow_task.completed_at !== '';
}
