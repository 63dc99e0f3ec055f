/**
 * The persisted state of one workflow run: the `workflow_execution` row joined with its parent
 * execution, read under a row lock, and written back in the same transaction.
 */
import type { Queryable } from '../../common/db';
import type { ExecutionStatus } from '../../common/models';
import type { TerminalRow } from '../execution-outcomes';
import { stringifyExact } from '../../common/exact-json';

export interface EngineState {
  /** Failed or timed-out tasks whose failure a firing transition handled. */
  handled: string[];
  /** with_items task → how many items have been dispatched (in index order). */
  dispatched: Record<string, number>;
}

export interface RunRow {
  id: number;
  status: ExecutionStatus;
  variables: Record<string, unknown>;
  task_graph: unknown;
  current_tasks: string[];
  completed_tasks: string[];
  failed_tasks: string[];
  engine_state: Partial<EngineState>;
  workflow_def: number;
  parent_id: number;
  parent_status: ExecutionStatus;
  parent_config: Record<string, unknown> | null;
  parent_env_vars: unknown;
  parent_executor: number | null;
  parent_enforcement: number | null;
  parent_started_at: Date | null;
  parent_timeout_seconds: number | null;
  parent_action_ref: string;
  param_schema: unknown;
}

const SELECT_RUN = `
  SELECT we.id, we.status, we.variables, we.task_graph, we.current_tasks, we.completed_tasks, we.failed_tasks,
         we.engine_state, we.workflow_def,
         e.id AS parent_id, e.status AS parent_status, e.config AS parent_config, e.env_vars AS parent_env_vars,
         e.executor AS parent_executor, e.enforcement AS parent_enforcement, e.started_at AS parent_started_at,
         e.timeout_seconds AS parent_timeout_seconds, e.action_ref AS parent_action_ref,
         wd.param_schema
    FROM workflow_execution we
    JOIN execution e ON e.id = we.execution
    LEFT JOIN workflow_definition wd ON wd.id = we.workflow_def`;

function normalize(row: RunRow): RunRow {
  return { ...row, id: Number(row.id), parent_id: Number(row.parent_id), workflow_def: Number(row.workflow_def) };
}

/** Locks the run and its parent execution for the rest of the transaction. */
export async function lockRun(db: Queryable, runId: number): Promise<RunRow | undefined> {
  const { rows } = await db.query<RunRow>(`${SELECT_RUN} WHERE we.id = $1 FOR UPDATE OF we, e`, [runId]);
  return rows[0] ? normalize(rows[0]) : undefined;
}

export async function runIdOfExecution(db: Queryable, executionId: number): Promise<number | undefined> {
  const { rows } = await db.query<{ id: number }>('SELECT id FROM workflow_execution WHERE execution = $1', [executionId]);
  return rows[0] ? Number(rows[0].id) : undefined;
}

export async function saveRun(
  db: Queryable,
  run: { id: number; variables: Record<string, unknown>; current: string[]; completed: string[]; failed: string[]; state: EngineState },
): Promise<void> {
  await db.query(
    `UPDATE workflow_execution
        SET variables = $2::jsonb, current_tasks = $3, completed_tasks = $4, failed_tasks = $5, engine_state = $6::jsonb
      WHERE id = $1`,
    [run.id, stringifyExact(run.variables), run.current, run.completed, run.failed, stringifyExact(run.state)],
  );
}

/** Ends the run: the workflow_execution row and the parent execution get the same status. */
export async function endRun(
  db: Queryable, runId: number, parentId: number, status: ExecutionStatus, result: Record<string, unknown>, error: string | null,
): Promise<TerminalRow> {
  await db.query(`UPDATE workflow_execution SET status = $2, error_message = $3 WHERE id = $1`, [runId, status, error]);
  const { rows } = await db.query<TerminalRow>(
    `UPDATE execution SET status = $2, result = $3::jsonb WHERE id = $1 RETURNING id, action, action_ref, status, result, updated`,
    [parentId, status, stringifyExact(result)],
  );
  return rows[0];
}

/** Ids of runs still in progress (for recovery and the periodic sweep). */
export async function activeRunIds(db: Queryable): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>(
    `SELECT we.id FROM workflow_execution we JOIN execution e ON e.id = we.execution
      WHERE we.status IN ('requested', 'scheduling', 'scheduled', 'running', 'canceling')
        AND e.status IN ('running', 'canceling')
      ORDER BY we.id`,
  );
  return rows.map((r) => Number(r.id));
}
