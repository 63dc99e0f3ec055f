/** Periodic heartbeat (every worker.heartbeat_interval s): last_heartbeat = now, status = active. */
import type { Logger } from '../common/log';
import type { Pool } from '../common/db';
import { heartbeat } from './registration';

export function startHeartbeat(pool: Pool, workerId: number, intervalSeconds: number, log: Logger): () => void {
  let busy = false;
  const beat = async () => {
    if (busy) return;
    busy = true;
    try {
      if (!(await heartbeat(pool, workerId))) log.warn({ worker_id: workerId }, 'heartbeat: worker row is gone');
    } catch (err) {
      log.error({ err }, 'heartbeat failed');
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void beat(), Math.max(1, intervalSeconds) * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
