/**
 * The sensor service's row in table `worker` (role sensor): registered at start, heartbeat while
 * running, marked inactive on stop.
 */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import type { Pool } from '../common/db';
import type { Logger } from '../common/log';
import { TIMER_SENSOR_REF } from '../common/models';

export interface SensorRegistration {
  id: number;
  name: string;
  stop(): Promise<void>;
}

/** The runtimes pack sensors can use here: shell, node (this very process) and native always, python when python3 runs. */
export function managedSensorRuntimes(): string[] {
  let python = false;
  try {
    python = spawnSync('python3', ['--version'], { timeout: 5000, stdio: 'ignore' }).status === 0;
  } catch {
    python = false;
  }
  return python ? ['shell', 'python', 'node', 'native'] : ['shell', 'node', 'native'];
}

export function sensorWorkerName(hostname = os.hostname()): string {
  return `sensor-${hostname}`;
}

export async function registerSensor(pool: Pool, log: Logger, heartbeatSeconds: number): Promise<SensorRegistration> {
  const name = sensorWorkerName();
  // managed_sensors: this service also runs the packs' own sensors (managed/), with these runtimes
  const capabilities = { sensors: [TIMER_SENSOR_REF], managed_sensors: { runtimes: managedSensorRuntimes() } };
  const meta = { pid: process.pid, started_at: new Date().toISOString() };
  const res = await pool.query(
    `INSERT INTO worker (name, worker_type, worker_role, host, status, capabilities, meta, last_heartbeat)
     VALUES ($1, 'local', 'sensor', $2, 'active', $3::jsonb, $4::jsonb, now())
     ON CONFLICT (name) DO UPDATE SET worker_type = 'local', worker_role = 'sensor', host = EXCLUDED.host, status = 'active',
       capabilities = EXCLUDED.capabilities, meta = EXCLUDED.meta, last_heartbeat = now()
     RETURNING id`,
    [name, os.hostname(), JSON.stringify(capabilities), JSON.stringify(meta)],
  );
  const id = Number(res.rows[0].id);
  log.info({ worker_id: id, name }, 'sensor registered');

  let beating = false;
  const timer = setInterval(() => {
    if (beating) return;
    beating = true;
    pool
      .query(`UPDATE worker SET last_heartbeat = now(), status = 'active' WHERE id = $1`, [id])
      .catch((err) => log.warn({ err: (err as Error).message }, 'sensor heartbeat failed'))
      .finally(() => {
        beating = false;
      });
  }, Math.max(1, heartbeatSeconds) * 1000);
  timer.unref();

  return {
    id,
    name,
    async stop() {
      clearInterval(timer);
      await pool
        .query(`UPDATE worker SET status = 'inactive', last_heartbeat = now() WHERE id = $1`, [id])
        .catch((err) => log.warn({ err: (err as Error).message }, 'could not mark the sensor inactive'));
    },
  };
}
