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

export interface QueueStats {
  action_ref: string;
  queue_length: number;
  active_count: number;
  max_concurrent: number;
  oldest_enqueued_at: string | null;
  total_enqueued: number;
  total_completed: number;
  last_updated: string;
}

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

export interface RunsSnapshot {
  /** the runs of the action that reached their gate, in arrival order ("run 1", …) */
  started: string[];
  /** every run of the action in submission order with its status */
  statuses: Record<string, string>;
  stats: QueueStats | null;
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

/** What a scenario expects of one action's queue at one moment. */
export interface QueueStage {
  /** runs that reached their gate; in arrival order unless `startedInAnyOrder` */
  started: string[];
  startedInAnyOrder?: boolean;
  /** run name → status */
  statuses: Record<string, string>;
  /** exact values of queue_stats fields; oldest_enqueued_at as 'set' or 'none' */
  stats: Partial<Record<'queue_length' | 'active_count' | 'max_concurrent' | 'total_enqueued' | 'total_completed', number>> & {
    oldest_enqueued_at?: 'set' | 'none';
  };
}

/** Every way the snapshot differs from the stage (empty when it matches exactly). */
export function stageProblems(snapshot: RunsSnapshot, stage: QueueStage): string[] {
  const problems: string[] = [];
  const started = stage.startedInAnyOrder ? [...snapshot.started].sort() : snapshot.started;
  const wanted = stage.startedInAnyOrder ? [...stage.started].sort() : stage.started;
  if (JSON.stringify(started) !== JSON.stringify(wanted)) {
    problems.push(`started ${JSON.stringify(snapshot.started)}, expected ${JSON.stringify(stage.started)}`);
  }
  for (const [run, status] of Object.entries(stage.statuses)) {
    if (snapshot.statuses[run] !== status) problems.push(`${run} is "${snapshot.statuses[run]}", expected "${status}"`);
  }
  if (!snapshot.stats) {
    problems.push('no queue statistics (404)');
    return problems;
  }
  for (const [field, value] of Object.entries(stage.stats)) {
    if (field === 'oldest_enqueued_at') {
      const actual = snapshot.stats.oldest_enqueued_at === null ? 'none' : 'set';
      if (actual !== value) problems.push(`oldest_enqueued_at is ${JSON.stringify(snapshot.stats.oldest_enqueued_at)}, expected ${value}`);
    } else if ((snapshot.stats as unknown as Record<string, unknown>)[field] !== value) {
      problems.push(`${field} is ${JSON.stringify((snapshot.stats as unknown as Record<string, unknown>)[field])}, expected ${value}`);
    }
  }
  return problems;
}
