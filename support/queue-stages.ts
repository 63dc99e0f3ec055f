/**
 * What a policed action's queue looks like at one moment (its gated runs and its queue statistics) and how a scenario's
 * expectation of it is compared: pure data, no I/O (unit-tested).
 */

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

export interface RunsSnapshot {
  /** the runs of the action that reached their gate, in arrival order ("run 1", …) */
  started: string[];
  /** every run of the action in submission order with its status */
  statuses: Record<string, string>;
  stats: QueueStats | null;
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
