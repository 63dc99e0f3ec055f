import { fault } from '../common/faults';
import { canonicalRuntimeName } from '../common/runtimes';

/**
 * Worker selection for the scheduler (pure): which registered workers may run an action, and
 * which one of them gets it (round-robin).
 *
 * A worker is a candidate when its role is `action` (or `hybrid`), its status is `active`, it is
 * not cordoned, its last heartbeat is at most 3 heartbeat intervals old (a missing heartbeat is
 * stale), and, when the action has a runtime, the runtime appears in `capabilities.runtimes`.
 * Runtime names compare case-insensitively through alias groups (shell/bash/sh, python/python3,
 * node/nodejs/node.js, native/builtin/standalone).
 */

export interface WorkerRow {
  id: number;
  name?: string;
  worker_role: string;
  status: string | null;
  cordoned?: boolean | null;
  capabilities: unknown;
  /** seconds since last_heartbeat, computed by the database clock; null when never seen */
  heartbeat_age_seconds: number | null;
}

export interface RuntimeRequirement {
  name: string;
  aliases?: readonly string[] | null;
}

export { canonicalRuntimeName };

/** The runtime names a worker advertises, canonicalised (non-strings ignored). */
export function workerRuntimes(capabilities: unknown): Set<string> {
  const out = new Set<string>();
  if (typeof capabilities !== 'object' || capabilities === null) return out;
  const list = (capabilities as { runtimes?: unknown }).runtimes;
  if (!Array.isArray(list)) return out;
  for (const r of list) if (typeof r === 'string' && r.trim()) out.add(canonicalRuntimeName(r));
  return out;
}

export function workerSupportsRuntime(capabilities: unknown, runtime: RuntimeRequirement | null): boolean {
  if (!runtime) return true;
  const offered = workerRuntimes(capabilities);
  const wanted = [runtime.name, ...(runtime.aliases ?? [])].filter((n) => typeof n === 'string' && n.trim());
  return wanted.some((n) => offered.has(canonicalRuntimeName(n)));
}

export function isWorkerFresh(w: WorkerRow, heartbeatIntervalSeconds: number): boolean {
  if (w.heartbeat_age_seconds === null || w.heartbeat_age_seconds === undefined) return false;
  return w.heartbeat_age_seconds <= 3 * heartbeatIntervalSeconds;
}

/** Candidates in ascending id order (stable order makes round-robin fair). */
export function candidateWorkers(workers: readonly WorkerRow[], runtime: RuntimeRequirement | null, heartbeatIntervalSeconds: number): WorkerRow[] {
  return workers
    .filter((w) => w.worker_role === 'action' || w.worker_role === 'hybrid')
    .filter((w) => w.status === 'active')
    // fault cordoned-worker-dispatched: a cordoned worker still gets new executions
    .filter((w) => !w.cordoned || fault('cordoned-worker-dispatched'))
    .filter((w) => isWorkerFresh(w, heartbeatIntervalSeconds))
    .filter((w) => workerSupportsRuntime(w.capabilities, runtime))
    .sort((a, b) => a.id - b.id);
}

/** Round-robin over whatever candidate list it is given; one cursor per runtime. */
export class RoundRobin {
  private readonly cursors = new Map<string, number>();

  pick<T>(key: string, candidates: readonly T[]): T | undefined {
    if (candidates.length === 0) return undefined;
    const next = this.cursors.get(key) ?? 0;
    this.cursors.set(key, (next + 1) % 1_000_000_007);
    return candidates[next % candidates.length];
  }
}

export function noWorkerError(actionRef: string, runtimeName: string | null): string {
  return `No worker available to run action '${actionRef}' (runtime ${runtimeName ?? 'any'})`;
}
