/**
 * notifier.priority: the notifier's scheduling priority. At 100 runs/s on two cores the frames waited for the CPU
 * behind the rest of the platform (delay p99 35 to 71 ms); at nice -5 the same load gave 9 to 10 ms.
 */
import * as os from 'node:os';
import type { Logger } from '../common/log';

export function applyPriority(priority: number | undefined, log: Logger): void {
  if (priority === undefined || priority === null) return;
  if (!Number.isInteger(priority) || priority < -20 || priority > 19) {
    log.warn({ priority }, 'notifier.priority must be an integer from -20 to 19; left as it is');
    return;
  }
  try {
    os.setPriority(priority);
    log.info({ priority }, 'notifier scheduling priority set');
  } catch (err) {
    log.warn({ priority, err: (err as Error).message }, 'notifier.priority could not be applied (raising a priority needs CAP_SYS_NICE); left as it is');
  }
}
