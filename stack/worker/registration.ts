/**
 * The worker's row in `worker` (by name): upsert at start (active, fresh heartbeat, capabilities),
 * heartbeat, inactive at stop; plus crash recovery of executions a previous incarnation of this
 * worker left `running`.
 */
import * as os from 'node:os';
import { config } from '../common/config';
import type { Pool } from '../common/db';
import { stringifyExact } from '../common/exact-json';

export const WORKER_VERSION = '0.1.0';

export interface WorkerCapabilities {
  runtimes: string[];
  max_concurrent_executions: number;
  worker_version: string;
  /** languages whose actions can import the worker's secret helper (docs/runtimes.md) */
  action_helpers?: string[];
  /** the container runtime's sandbox: {available, tool, reason} (stack/worker/sandbox/probe.ts) */
  container?: { available: boolean; tool: string; reason: string };
}

export function workerName(env: NodeJS.ProcessEnv = process.env): string {
  return env.ATTUNE_WORKER_NAME?.trim() || config().worker.name || `worker-${os.hostname()}`;
}

export async function registerWorker(pool: Pool, name: string, capabilities: WorkerCapabilities): Promise<number> {
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO worker (name, worker_type, worker_role, host, status, capabilities, last_heartbeat)
     VALUES ($1, 'local', 'action', $2, 'active', $3, now())
     ON CONFLICT (name) DO UPDATE
        SET worker_type = 'local', worker_role = 'action', host = EXCLUDED.host, status = 'active',
            capabilities = EXCLUDED.capabilities, last_heartbeat = now()
     RETURNING id`,
    [name, os.hostname(), stringifyExact(capabilities)],
  );
  return rows[0].id;
}

export async function heartbeat(pool: Pool, workerId: number): Promise<boolean> {
  const res = await pool.query(`UPDATE worker SET last_heartbeat = now(), status = 'active' WHERE id = $1`, [workerId]);
  return (res.rowCount ?? 0) > 0;
}

export async function markInactive(pool: Pool, workerId: number): Promise<void> {
  await pool.query(`UPDATE worker SET status = 'inactive' WHERE id = $1`, [workerId]);
}

export interface EndedExecution {
  id: number;
  action: number | null;
  action_ref: string;
  status: string;
  previous_status: string;
  result: unknown;
  updated: Date;
}

/**
 * Executions this worker was running but no longer is (a previous process of the same worker died,
 * or this one is stopping): running → abandoned, canceling → cancelled.
 */
export async function endOrphanedExecutions(pool: Pool, workerId: number, why: string, onlyIds?: number[]): Promise<EndedExecution[]> {
  const { rows } = await pool.query<EndedExecution>(
    `WITH prev AS (
       SELECT id, status FROM execution
        WHERE worker = $1 AND status IN ('running', 'canceling') AND ($3::bigint[] IS NULL OR id = ANY($3::bigint[]))
        FOR UPDATE
     )
     UPDATE execution e
        SET status = CASE WHEN prev.status = 'canceling' THEN 'cancelled'::execution_status_enum ELSE 'abandoned'::execution_status_enum END,
            result = coalesce(e.result, '{}'::jsonb) || jsonb_build_object('succeeded', false, 'error', $2::text)
       FROM prev
      WHERE e.id = prev.id AND e.status IN ('running', 'canceling')
      RETURNING e.id, e.action, e.action_ref, e.status, prev.status AS previous_status, e.result, e.updated`,
    [workerId, why, onlyIds ?? null],
  );
  return rows;
}
