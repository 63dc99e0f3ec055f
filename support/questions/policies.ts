/**
 * Questions about policed runs: an action's queue statistics (GET /api/v1/actions/{ref}/queue-stats, 404 until the
 * first policed run) and a snapshot of one action's gated runs — which reached their gate (started), in which order,
 * and the status of each.
 */
import { ApiError } from '../api/envelopes';
import { SlotGate } from '../slot-gate';
import type { AttuneWorld } from '../world';
import { execution } from './executions';
import { gatedActionRef, gatedRuns, slotGate } from '../tasks/policies';
import type { QueueStats, RunsSnapshot } from '../queue-stages';

export type { QueueStats, RunsSnapshot };

/** The action's queue statistics, or null while the target has none for it (404). */
export async function queueStats(world: AttuneWorld, action: string): Promise<QueueStats | null> {
  const ref = gatedActionRef(world, action);
  const result = await world.api.GET('/api/v1/actions/{ref}/queue-stats', { params: { path: { ref } } });
  if (result.response.status === 404) return null;
  if (!result.response.ok || !result.data) {
    throw new ApiError('GET', result.response.url, result.response.status, result.error ?? result.data, `queue stats of ${ref}`);
  }
  return (result.data as { data: QueueStats }).data;
}

function startedRuns(gate: SlotGate, world: AttuneWorld, action: string): string[] {
  const byLabel = new Map(gatedRuns(world, action).map((r) => [r.label, r.name]));
  return gate.arrivals().filter((label) => byLabel.has(label)).map((label) => byLabel.get(label)!);
}

export async function runsSnapshot(world: AttuneWorld, action: string): Promise<RunsSnapshot> {
  const gate = await slotGate(world);
  const runs = gatedRuns(world, action);
  const rows = await Promise.all(runs.map((r) => execution(world, r.id)));
  const statuses: Record<string, string> = {};
  runs.forEach((r, i) => (statuses[r.name] = rows[i].status));
  const [stats] = await Promise.all([queueStats(world, action)]);
  return { started: startedRuns(gate, world, action), statuses, stats };
}

export { stageProblems, type QueueStage } from '../queue-stages';
