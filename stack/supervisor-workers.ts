/**
 * Worker slots of the supervisor: the first worker is the service `worker` (configured worker name); further ones are
 * `worker-2` … `worker-8`, each its own process named `<worker name>-<n>` (ATTUNE_WORKER_NAME), so each registers
 * its own `worker` row and queue.
 */
import * as os from 'node:os';
import type { AttuneConfig } from './common/config';

export const MAX_WORKER_SLOTS = 8;

export interface WorkerSlot {
  service: string;
  workerName: string;
}

function baseWorkerName(cfg?: Pick<AttuneConfig, 'worker'>): string {
  return process.env.ATTUNE_WORKER_NAME?.trim() || cfg?.worker.name || `worker-${os.hostname()}`;
}

let base: string | undefined;

/** `worker-<n>` for 2 ≤ n ≤ MAX_WORKER_SLOTS; undefined for any other name. */
export function workerSlotName(service: string, cfg?: Pick<AttuneConfig, 'worker'>): WorkerSlot | undefined {
  const m = /^worker-([2-9]|[1-9]\d+)$/.exec(service);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (n > MAX_WORKER_SLOTS) return undefined;
  base ??= baseWorkerName(cfg);
  return { service, workerName: `${base}-${n}` };
}

/** The further slots started at boot for `count` workers in all (the first is the service `worker`). */
export function workerSlotNames(count: number, cfg?: Pick<AttuneConfig, 'worker'>): WorkerSlot[] {
  const out: WorkerSlot[] = [];
  for (let n = 2; n <= count; n++) out.push(workerSlotName(`worker-${n}`, cfg)!);
  return out;
}

/** `--workers N` on the command line, else config `supervisor.workers`; 1 ≤ N ≤ MAX_WORKER_SLOTS. */
export function requestedWorkerCount(argv: readonly string[], cfg: Pick<AttuneConfig, 'supervisor' | 'worker'>): number {
  base ??= baseWorkerName(cfg);
  const i = argv.findIndex((a) => a === '--workers' || a.startsWith('--workers='));
  const raw = i < 0 ? cfg.supervisor?.workers ?? 1 : argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1];
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_WORKER_SLOTS) {
    throw new Error(`--workers / supervisor.workers must be an integer from 1 to ${MAX_WORKER_SLOTS}, got ${JSON.stringify(raw)}`);
  }
  return n;
}
