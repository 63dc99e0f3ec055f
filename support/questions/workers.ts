/**
 * Questions about the target's workers, read from its database (`attune.worker`; the REST API of Attune 0.2.1 has no
 * worker listing every deployment serves): which are active, how many executions each takes at once
 * (`capabilities.max_concurrent_executions`), and which worker ran an execution (`execution.worker`).
 */
import { db } from '../database';

export interface WorkerInfo {
  id: number;
  name: string;
  status: string | null;
  /** executions the worker takes at once (`capabilities.max_concurrent_executions`), when it reports it */
  capacity: number | undefined;
}

function info(row: { id: number; name: string; status: string | null; capabilities: Record<string, unknown> }): WorkerInfo {
  const capacity = row.capabilities.max_concurrent_executions;
  return { id: Number(row.id), name: row.name, status: row.status, capacity: typeof capacity === 'number' ? capacity : undefined };
}

export async function allWorkers(): Promise<WorkerInfo[]> {
  return (await db.workerRows()).map(info);
}

/** Workers the scheduler would pick now: active, role action, heartbeat within 90 s. */
export async function activeWorkers(): Promise<WorkerInfo[]> {
  const active = new Set((await db.activeWorkerCapabilities()).map((w) => w.name));
  return (await allWorkers()).filter((w) => active.has(w.name));
}

/** The one active worker; a clear error when there are none or several (the step then says which). */
export async function theOnlyActiveWorker(): Promise<WorkerInfo> {
  const active = await activeWorkers();
  if (active.length !== 1) {
    throw new Error(`expected exactly one active worker, found ${active.length}: ${JSON.stringify(active)}`);
  }
  return active[0];
}
