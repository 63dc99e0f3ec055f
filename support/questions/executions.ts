/**
 * Questions about executions: one execution, the executions of a rule / action / enforcement, and waiting for an
 * execution's outcome (aborting early when it ended otherwise).
 */
import type { ApiClient } from '../api/client';
import type { Execution, ExecutionSummary } from '../api/models';
import { unwrap } from '../api/envelopes';
import { eventually } from '../eventually';
import { isTerminal, type ExecutionStatus } from '../status';
import { timeouts } from '../timeouts';
import type { AttuneWorld } from '../world';
import { allPages, PAGE_SIZE } from './pages';

export type { Execution, ExecutionSummary };

export async function execution(world: AttuneWorld, id: number, as: ApiClient = world.api): Promise<Execution> {
  world.trackExecution(id);
  return unwrap(await as.GET('/api/v1/executions/{id}', { params: { path: { id } } }), `reading execution ${id}`);
}

export interface ExecutionFilter {
  rule_ref?: string;
  action_ref?: string;
  enforcement?: number;
  parent?: number;
}

/** Executions matching a filter, oldest first. Never call it without a filter: a scenario lists only its own runs. */
export async function executionsOf(world: AttuneWorld, filter: ExecutionFilter, as: ApiClient = world.api): Promise<ExecutionSummary[]> {
  if (Object.values(filter).every((v) => v === undefined)) throw new Error('executionsOf needs a filter (rule, action or enforcement)');
  const rows = await allPages<ExecutionSummary>(`listing executions of ${JSON.stringify(filter)}`, (page) =>
    as.GET('/api/v1/executions', { params: { query: { ...filter, page, per_page: PAGE_SIZE } } }),
  );
  rows.forEach((row) => world.trackExecution(row.id));
  return rows.sort((a, b) => Date.parse(a.created) - Date.parse(b.created) || a.id - b.id);
}

function outcomeSummary(value: Execution): string {
  const result = value.result as Record<string, unknown> | null | undefined;
  const detail = result ? ` (error: ${String(result.error ?? '-')}, exit code: ${String(result.exit_code ?? '-')})` : '';
  return `execution ${value.id} of ${value.action_ref} ended "${value.status}"${detail}`;
}

/** Waits until the execution reaches `wanted`; stops early when it reaches another terminal status. */
export async function awaitOutcome(
  world: AttuneWorld,
  id: number,
  wanted: ExecutionStatus,
  timeoutMs: number = timeouts.executionTerminal,
): Promise<Execution> {
  return eventually(
    `execution ${id} to end "${wanted}"`,
    () => execution(world, id),
    (value) => value.status === wanted,
    {
      timeoutMs,
      failFast: (value) => (isTerminal(value.status) && value.status !== wanted ? outcomeSummary(value) : undefined),
    },
  );
}

/** Waits until the execution reaches any terminal status. */
export async function awaitTerminal(world: AttuneWorld, id: number, timeoutMs: number = timeouts.executionTerminal): Promise<Execution> {
  return eventually(`execution ${id} to reach a terminal status`, () => execution(world, id), (value) => isTerminal(value.status), {
    timeoutMs,
  });
}
