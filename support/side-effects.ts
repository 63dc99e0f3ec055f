/**
 * The After guard against unverified side effects: a passing scenario fails when an execution it caused ended
 * `failed` and no step asserted on that execution.
 */
import { listItems, unwrapBody } from './api/envelopes';
import type { RememberedRule } from './tasks/rules';
import type { AttuneWorld } from './world';

interface ExecutionLike {
  id: number;
  action_ref?: string;
  status?: string;
}

async function executionsOfRule(world: AttuneWorld, ruleRef: string): Promise<ExecutionLike[]> {
  const response = await world.admin.raw('GET', `/api/v1/executions?rule_ref=${encodeURIComponent(ruleRef)}&per_page=100`);
  return response.ok ? listItems<ExecutionLike>(response.body as never) : [];
}

async function executionById(world: AttuneWorld, id: number): Promise<ExecutionLike | undefined> {
  const response = await world.admin.raw('GET', `/api/v1/executions/${id}`);
  return response.ok ? (unwrapBody(response.body) as ExecutionLike) : undefined;
}

/** Failed executions of this scenario that no step looked at (an empty list means the scenario is clean). */
export async function unassertedFailures(world: AttuneWorld): Promise<ExecutionLike[]> {
  const seen = new Map<number, ExecutionLike>();
  for (const [, rule] of world.recallAll<RememberedRule>('rule')) {
    for (const row of await executionsOfRule(world, rule.row.ref)) {
      seen.set(row.id, row);
      world.trackExecution(row.id);
    }
  }
  for (const id of world.executionIds) {
    if (!seen.has(id)) {
      const row = await executionById(world, id);
      if (row) seen.set(id, row);
    }
  }
  return [...seen.values()].filter((row) => row.status === 'failed' && !world.asserted.has(row.id));
}
