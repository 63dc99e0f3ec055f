/**
 * Questions about policed runs: an action's queue statistics (GET /api/v1/actions/{ref}/queue-stats, 404 until the
 * first policed run) and a snapshot of one action's gated runs — which reached their gate (started), in which order,
 * and the status of each.
 */
import { ApiError, list, unwrap } from '../api/envelopes';
import { SlotGate } from '../slot-gate';
import type { AttuneWorld } from '../world';
import { execution } from './executions';
import { gatedActionRef, gatedRuns, slotGate, type Policy } from '../tasks/policies';
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

/** One policed run as the serial-order check needs it: when it started and when its row last changed (its end). */
export interface RunSpan {
  id: number;
  status: string;
  started_at?: string | null;
  updated: string;
}

/**
 * Problems with runs that must have run strictly one at a time in submission order (`ids` in that order): each must
 * have `completed`, started, and started no earlier than the run before it ended. Empty when all holds.
 */
export function serialOrderProblems(ids: number[], spans: RunSpan[]): string[] {
  const byId = new Map(spans.map((s) => [s.id, s]));
  const problems: string[] = [];
  ids.forEach((id, i) => {
    const span = byId.get(id);
    if (!span) return void problems.push(`run ${i + 1} (execution ${id}) is missing from the action's executions`);
    if (span.status !== 'completed') problems.push(`run ${i + 1} (execution ${id}) ended "${span.status}"`);
    if (!span.started_at) return void problems.push(`run ${i + 1} (execution ${id}) never started`);
    const previous = i > 0 ? byId.get(ids[i - 1]) : undefined;
    if (previous && Date.parse(span.started_at) < Date.parse(previous.updated)) {
      problems.push(`run ${i + 1} (execution ${id}) started at ${span.started_at}, before run ${i} (execution ${previous.id}) ended at ${previous.updated}`);
    }
  });
  if (spans.length !== ids.length) problems.push(`the action has ${spans.length} executions, ${ids.length} were requested`);
  return problems;
}

/** A policy as three reads show it: the list filtered to the pack, the policy by its ref, the policies of its action. */
export interface PolicyReads {
  listOfPack: Policy[];
  byRef: Policy;
  ofAction: Policy[];
}

export async function policyReads(world: AttuneWorld, ref: string, packRef: string, actionRef: string): Promise<PolicyReads> {
  const [listOfPack, byRef, ofAction] = await Promise.all([
    world.api.GET('/api/v1/policies', { params: { query: { pack_ref: packRef } } }).then((r) => list(r, `the policies of pack ${packRef}`)),
    world.api.GET('/api/v1/policies/{ref}', { params: { path: { ref } } }).then((r) => unwrap(r, `policy ${ref}`)),
    world.api
      .GET('/api/v1/actions/{action_ref}/policies', { params: { path: { action_ref: actionRef } } })
      .then((r) => list(r, `the policies of action ${actionRef}`)),
  ]);
  return { listOfPack: listOfPack as Policy[], byRef: byRef as Policy, ofAction: ofAction as Policy[] };
}
