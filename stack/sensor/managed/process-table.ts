/** The `sensor_process` row of a managed sensor: its live state, written only by the sensor service. */
import type { Queryable } from '../../common/db';
import type { Logger } from '../../common/log';

export type SensorProcessStatus = 'starting' | 'running' | 'stopped' | 'failed' | 'backoff';

export interface ProcessRowUpdate {
  status: SensorProcessStatus;
  pid?: number | null;
  consecutiveFailures?: number;
  started?: boolean;
  exited?: boolean;
  exitCode?: number | null;
  nextRestartAt?: Date | null;
  stderrExcerpt?: string | null;
}

export class ProcessTable {
  constructor(
    private readonly db: Queryable,
    private readonly workerId: number,
    private readonly log: Logger,
  ) {}

  async write(sensorId: number, sensorRef: string, u: ProcessRowUpdate): Promise<void> {
    try {
      await this.db.query(
        `INSERT INTO sensor_process (sensor, sensor_ref, worker, status, pid, consecutive_failures, last_started_at, last_exited_at,
                                     last_exit_code, next_restart_at, stderr_excerpt)
         VALUES ($1, $2, $3, $4, $5, coalesce($6, 0), CASE WHEN $7 THEN now() END, CASE WHEN $8 THEN now() END, $9, $10, $11)
         ON CONFLICT (sensor_ref) DO UPDATE SET
           sensor = EXCLUDED.sensor, worker = EXCLUDED.worker, status = EXCLUDED.status,
           pid = CASE WHEN $12 THEN EXCLUDED.pid ELSE sensor_process.pid END,
           consecutive_failures = coalesce($6, sensor_process.consecutive_failures),
           last_started_at = CASE WHEN $7 THEN now() ELSE sensor_process.last_started_at END,
           last_exited_at = CASE WHEN $8 THEN now() ELSE sensor_process.last_exited_at END,
           last_exit_code = CASE WHEN $8 THEN EXCLUDED.last_exit_code ELSE sensor_process.last_exit_code END,
           next_restart_at = EXCLUDED.next_restart_at,
           stderr_excerpt = coalesce(EXCLUDED.stderr_excerpt, sensor_process.stderr_excerpt)`,
        [
          sensorId, sensorRef, this.workerId, u.status, u.pid ?? null, u.consecutiveFailures ?? null, !!u.started, !!u.exited,
          u.exitCode ?? null, u.nextRestartAt ?? null, u.stderrExcerpt ?? null, u.pid !== undefined,
        ],
      );
    } catch (err) {
      this.log.warn({ sensor_ref: sensorRef, err: (err as Error).message }, 'could not write the sensor_process row');
    }
  }

  /** Marks a stopped sensor's row (an update only: the sensor row may be gone with its pack, and the row with it). */
  async markStopped(sensorRef: string): Promise<void> {
    await this.db
      .query(`UPDATE sensor_process SET status = 'stopped', pid = NULL, next_restart_at = NULL, last_exited_at = now() WHERE sensor_ref = $1`, [sensorRef])
      .catch((err) => this.log.warn({ sensor_ref: sensorRef, err: (err as Error).message }, 'could not mark the sensor process stopped'));
  }

  /** Rows this sensor service left in a live state (a previous run that did not stop cleanly). */
  async leftovers(): Promise<Array<{ sensor_ref: string; pid: number }>> {
    const { rows } = await this.db.query(
      `SELECT sensor_ref, pid FROM sensor_process WHERE worker = $1 AND pid IS NOT NULL AND status IN ('starting', 'running')`,
      [this.workerId],
    );
    return rows.map((r) => ({ sensor_ref: r.sensor_ref as string, pid: Number(r.pid) }));
  }

  async markAllStopped(): Promise<void> {
    await this.db
      .query(`UPDATE sensor_process SET status = 'stopped', pid = NULL, next_restart_at = NULL WHERE worker = $1 AND status <> 'stopped'`, [this.workerId])
      .catch((err) => this.log.warn({ err: (err as Error).message }, 'could not mark the sensor processes stopped'));
  }
}
