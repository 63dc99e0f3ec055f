/**
 * Follows one event down the automation chain: its single enforcement (processed) by the rule, that enforcement's
 * single execution of the action, and the execution's outcome. Also renders a rule's action parameters from an event,
 * to compare with what the execution received.
 */
import { expect } from 'chai';
import { eventually } from '../eventually';
import type { ExecutionStatus } from '../status';
import { renderFromEvent, type EventContext } from '../templates';
import { timeouts } from '../timeouts';
import type { AttuneWorld } from '../world';
import { enforcementsOf, type EnforcementSummary } from './enforcements';
import { awaitOutcome, executionsOf, type Execution, type ExecutionSummary } from './executions';

export interface ChainLink {
  enforcement: EnforcementSummary;
  summary: ExecutionSummary;
  execution: Execution;
}

/** The event's one enforcement by the rule, its one execution of the action, once that execution ended `outcome`. */
export async function followEvent(
  world: AttuneWorld,
  eventId: number,
  rule: { id: number; ref: string },
  actionRef: string,
  outcome: ExecutionStatus,
): Promise<ChainLink> {
  const enforcements = await eventually(
    `the enforcement of event ${eventId} (rule ${rule.ref}) to leave "created"`,
    () => enforcementsOf(world, { event: eventId }),
    (rows) => rows.length >= 1 && rows.every((row) => row.status !== 'created'),
    { timeoutMs: timeouts.enforcementResolved },
  );
  expect(enforcements, `enforcements of event ${eventId}`).to.have.lengthOf(1);
  const [enforcement] = enforcements;
  expect(
    { rule: enforcement.rule, rule_ref: enforcement.rule_ref, event: enforcement.event, status: enforcement.status },
    `enforcement ${enforcement.id} of event ${eventId}`,
  ).to.deep.equal({ rule: rule.id, rule_ref: rule.ref, event: eventId, status: 'processed' });

  const executions = await eventually(
    `the execution of enforcement ${enforcement.id}`,
    () => executionsOf(world, { enforcement: enforcement.id }),
    (rows) => rows.length >= 1,
    { timeoutMs: timeouts.enforcementResolved },
  );
  expect(executions, `executions of enforcement ${enforcement.id}`).to.have.lengthOf(1);
  const [summary] = executions;
  expect(summary.action_ref, `execution ${summary.id}: action_ref`).to.equal(actionRef);
  const execution = await awaitOutcome(world, summary.id, outcome);
  world.markAsserted(summary.id);
  return { enforcement, summary, execution };
}

/**
 * A rule's action parameters as the target should render them for `event`: `{{ event.… }}` placeholders inside
 * strings are filled in; other values stay as they are. A whole-string placeholder keeps its value's type in Attune,
 * which this helper does not model, so it refuses one rather than guess.
 */
export function renderParameters(params: Record<string, unknown>, event: EventContext): Record<string, unknown> {
  const rendered: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(params)) {
    if (typeof value !== 'string') {
      rendered[name] = value;
      continue;
    }
    if (/^\s*\{\{[^}]*\}\}\s*$/.test(value)) {
      throw new Error(`parameter "${name}" is a whole-string placeholder (${value}); write it inside text to compare it as text`);
    }
    rendered[name] = renderFromEvent(value, event);
  }
  return rendered;
}
