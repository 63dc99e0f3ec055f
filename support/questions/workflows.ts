/**
 * Questions about workflow runs (contract §13.4, docs/workflows.md): the children of a run and the task each one
 * belongs to, waiting for a run's outcome (with its children in the message), the attempts of a task, the tree of a
 * nested run, and the time arithmetic the ordering, concurrency and backoff scenarios assert on.
 */
import { eventually } from '../eventually';
import { isTerminal, type ExecutionStatus } from '../status';
import { timeouts } from '../timeouts';
import type { AttuneWorld } from '../world';
import { execution, executionsOf, type Execution, type ExecutionSummary } from './executions';

/** The `workflow_task` object of a child execution (contract §13.4); only the fields the suite reads. */
export interface WorkflowTaskInfo {
  workflow_execution?: number;
  task_name?: string;
  triggered_by?: string | null;
  task_index?: number | null;
  retry_count?: number;
  max_retries?: number;
  timeout_seconds?: number | null;
  timed_out?: boolean;
  completed_at?: string | null;
}

type Row = ExecutionSummary | Execution;

export function workflowTaskOf(row: Row): WorkflowTaskInfo {
  const info = (row as { workflow_task?: unknown }).workflow_task;
  return info && typeof info === 'object' ? (info as WorkflowTaskInfo) : {};
}

export function taskNameOf(row: Row): string {
  return workflowTaskOf(row).task_name ?? '(no workflow_task.task_name)';
}

/** A compact line per child for failure messages: `#12 task b (core.echo) failed [index 0, retry 1]`. */
export function describeChild(row: Row): string {
  const info = workflowTaskOf(row);
  const extras = [
    info.task_index !== undefined && info.task_index !== null ? `index ${info.task_index}` : '',
    info.retry_count ? `retry ${info.retry_count}` : '',
  ].filter(Boolean);
  return `#${row.id} task ${taskNameOf(row)} (${row.action_ref}) ${row.status}${extras.length ? ` [${extras.join(', ')}]` : ''}`;
}

export function describeChildren(rows: Row[]): string {
  return rows.length === 0 ? '(no children)' : rows.map(describeChild).join('\n');
}

/** The direct children of an execution (summaries), oldest first. */
export function childrenOf(world: AttuneWorld, parentId: number): Promise<ExecutionSummary[]> {
  return executionsOf(world, { parent: parentId });
}

/** The direct children of an execution, each read in full (result, config, original_execution …), oldest first. */
export async function fullChildrenOf(world: AttuneWorld, parentId: number): Promise<Execution[]> {
  const summaries = await childrenOf(world, parentId);
  const rows: Execution[] = [];
  for (const summary of summaries) rows.push(await execution(world, summary.id));
  return rows;
}

/** Children grouped by task name (each group oldest first). */
export function byTask<T extends Row>(rows: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const name = taskNameOf(row);
    groups.set(name, [...(groups.get(name) ?? []), row]);
  }
  return groups;
}

/** The executions of one task of a run, in full, oldest first (retries are further attempts of the same task). */
export async function attemptsOf(world: AttuneWorld, parentId: number, task: string): Promise<Execution[]> {
  return (await fullChildrenOf(world, parentId)).filter((row) => taskNameOf(row) === task);
}

export interface RunSnapshot {
  run: Execution;
  children: ExecutionSummary[];
}

async function snapshot(world: AttuneWorld, id: number): Promise<RunSnapshot> {
  const [run, children] = await Promise.all([execution(world, id), childrenOf(world, id)]);
  return { run, children };
}

function describeSnapshot(value: RunSnapshot): string {
  return (
    `workflow run #${value.run.id} (${value.run.action_ref}) is "${value.run.status}", result ${JSON.stringify(value.run.result)}\n` +
    `its children:\n${describeChildren(value.children)}`
  );
}

/**
 * Waits until a workflow run reaches `wanted`; stops at once when it ended otherwise. The failure message shows the
 * run, its result and every child with its task and status.
 */
export async function awaitRunOutcome(
  world: AttuneWorld,
  id: number,
  wanted: ExecutionStatus,
  timeoutMs: number = timeouts.workflowTerminal,
): Promise<Execution> {
  const found = await eventually(
    `workflow run #${id} to end "${wanted}"`,
    () => snapshot(world, id),
    (value) => value.run.status === wanted,
    {
      timeoutMs,
      failFast: (value) =>
        isTerminal(value.run.status) && value.run.status !== wanted ? `it ended otherwise: ${describeSnapshot(value)}` : undefined,
    },
  );
  world.markAsserted(id);
  return found.run;
}

/** Waits until some child of task `task` is in status `status` (e.g. running), and returns it. */
export async function awaitTaskInStatus(world: AttuneWorld, parentId: number, task: string, status: ExecutionStatus): Promise<ExecutionSummary> {
  const children = await eventually(
    `a child of task "${task}" of workflow run #${parentId} to be "${status}"`,
    () => childrenOf(world, parentId),
    (rows) => rows.some((row) => taskNameOf(row) === task && row.status === status),
    { timeoutMs: timeouts.executionTerminal },
  );
  return children.find((row) => taskNameOf(row) === task && row.status === status)!;
}

// ---- time arithmetic ------------------------------------------------------------------------------------------------

export function ms(stamp: string | null | undefined, what: string): number {
  const value = stamp ? Date.parse(stamp) : NaN;
  if (!Number.isFinite(value)) throw new Error(`${what} is not a timestamp: ${JSON.stringify(stamp)}`);
  return value;
}

/** [start, end) of a child's run: `started_at` to `updated` (the row's last write is its end). */
export interface Interval {
  id: number;
  start: number;
  end: number;
}

export function runInterval(row: Row): Interval {
  return { id: row.id, start: ms(row.started_at, `started_at of execution ${row.id}`), end: ms(row.updated, `updated of execution ${row.id}`) };
}

/**
 * The largest number of half-open intervals [start, end) that overlap at one instant: a sweep over the boundaries in
 * time order where, at equal instants, ends are taken before starts (one run ending as the next begins is no overlap).
 */
export function maxOverlap(intervals: Interval[]): number {
  const points = intervals.flatMap((i) => [
    { at: i.start, delta: 1 },
    { at: i.end, delta: -1 },
  ]);
  points.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let current = 0;
  let max = 0;
  for (const point of points) {
    current += point.delta;
    max = Math.max(max, current);
  }
  return max;
}

// ---- the tree of a nested run ---------------------------------------------------------------------------------------

/** One line of a run tree: depth, and what the execution at that place is. */
export interface TreeLine {
  depth: number;
  /** the child's task name ('' for the root) */
  task: string;
  /** the ref the execution ran */
  actionRef: string;
  status: string;
}

/** Walks a run and all its descendants (depth first, children oldest first), checking every `parent` link. */
export async function runTree(world: AttuneWorld, rootId: number): Promise<{ lines: TreeLine[]; ids: number[]; problems: string[] }> {
  const lines: TreeLine[] = [];
  const ids: number[] = [];
  const problems: string[] = [];
  const visit = async (row: Execution, depth: number): Promise<void> => {
    ids.push(row.id);
    lines.push({ depth, task: depth === 0 ? '' : taskNameOf(row), actionRef: row.action_ref, status: row.status });
    for (const child of await fullChildrenOf(world, row.id)) {
      if (child.parent !== row.id) problems.push(`execution ${child.id} is listed under ${row.id} but its parent is ${String(child.parent)}`);
      await visit(child, depth + 1);
    }
  };
  await visit(await execution(world, rootId), 0);
  return { lines, ids, problems };
}

/** Waits until a workflow run reaches any terminal status (whichever), and returns it. */
export async function awaitRunTerminal(world: AttuneWorld, id: number, timeoutMs: number = timeouts.workflowTerminal): Promise<Execution> {
  const found = await eventually(`workflow run #${id} to end`, () => snapshot(world, id), (value) => isTerminal(value.run.status), {
    timeoutMs,
  });
  return found.run;
}
