/**
 * Questions about one event that several rules act on ("fan-out"): the event's enforcements once every rule on the
 * trigger has had its turn, and each enforcement's execution. The checks are exact: one enforcement per rule, linked
 * to the event and processed, nothing else; one execution per enforcement.
 */
import { expect } from 'chai';
import { eventually } from '../eventually';
import type { RememberedRule } from '../tasks/rules';
import { timeouts } from '../timeouts';
import type { AttuneWorld } from '../world';
import { enforcementsOf, type EnforcementSummary } from './enforcements';
import { executionsOf, type ExecutionSummary } from './executions';

/** The rules the scenario created on trigger `triggerRef`, in the order they were created. */
export function rulesOnTrigger(world: AttuneWorld, triggerRef: string): Array<[string, RememberedRule]> {
  return world.recallAll<RememberedRule>('rule').filter(([, rule]) => rule.spec.trigger_ref === triggerRef);
}

/**
 * Waits until event `eventId` has as many settled enforcements as there are `rules`, then asserts that they are
 * exactly one processed enforcement per rule, each linked to the event. Returns rule name → its enforcement.
 */
export async function oneEnforcementPerRule(
  world: AttuneWorld,
  eventId: number,
  rules: Array<[string, RememberedRule]>,
): Promise<Map<string, EnforcementSummary>> {
  const found = await eventually(
    `${rules.length} enforcement(s) of event ${eventId} (one per rule: ${rules.map(([, r]) => r.row.ref).join(', ')}) to leave "created"`,
    () => enforcementsOf(world, { event: eventId }),
    (rows) => rows.length >= rules.length && rows.every((row) => row.status !== 'created'),
    { timeoutMs: timeouts.enforcementResolved },
  );
  const shown = (row: EnforcementSummary) => ({ rule: row.rule, rule_ref: row.rule_ref, event: row.event, status: row.status });
  expect(
    found.map(shown).sort((a, b) => Number(a.rule) - Number(b.rule)),
    `enforcements of event ${eventId}: exactly one per rule on its trigger, each processed`,
  ).to.deep.equal(
    rules
      .map(([, r]) => ({ rule: r.row.id, rule_ref: r.row.ref, event: eventId, status: 'processed' }))
      .sort((a, b) => a.rule - b.rule),
  );
  return new Map(rules.map(([name, r]) => [name, found.find((row) => row.rule === r.row.id)!]));
}

/** The single execution of `actionRef` that enforcement `enforcementId` led to. */
export async function oneExecutionOf(world: AttuneWorld, enforcementId: number, actionRef: string): Promise<ExecutionSummary> {
  const found = await eventually(
    `the execution of enforcement ${enforcementId}`,
    () => executionsOf(world, { enforcement: enforcementId }),
    (rows) => rows.length >= 1,
    { timeoutMs: timeouts.enforcementResolved },
  );
  expect(
    found.map((row) => ({ enforcement: row.enforcement, action_ref: row.action_ref })),
    `executions of enforcement ${enforcementId}: exactly one, of ${actionRef}`,
  ).to.deep.equal([{ enforcement: enforcementId, action_ref: actionRef }]);
  return found[0];
}
