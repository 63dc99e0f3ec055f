/**
 * One link of a webhook chain (features/tier3/chained-webhooks.feature): the single event a webhook recorded, the
 * single enforcement of the link's rule for it, and the single top-level run that enforcement started (for a workflow,
 * the run without a parent: its task executions inherit the enforcement), once that run has ended.
 */
import { expect } from 'chai';
import { eventually } from '../eventually';
import { isTerminal, type ExecutionStatus } from '../status';
import type { RememberedRule } from '../tasks/rules';
import { timeouts } from '../timeouts';
import type { AttuneWorld } from '../world';
import { enforcementsOf, type EnforcementSummary } from './enforcements';
import { event as readEvent, eventsOf, type Event } from './events';
import { execution, executionsOf, type Execution } from './executions';

export interface ChainLinkSeen {
  event: Event;
  enforcement: EnforcementSummary;
  run: Execution;
}

/** The link through `triggerRef` and `rule`: waits for what the previous links produce (they may run a workflow first). */
export async function chainLink(world: AttuneWorld, triggerRef: string, rule: RememberedRule): Promise<ChainLinkSeen> {
  const events = await eventually(
    `an event of the webhook ${triggerRef}`,
    () => eventsOf(world, { trigger_ref: triggerRef }),
    (rows) => rows.length >= 1,
    { timeoutMs: timeouts.workflowTerminal },
  );
  expect(events.map((e) => e.id), `events of the webhook ${triggerRef}: exactly one`).to.have.lengthOf(1);
  const event = await readEvent(world, events[0].id);
  const enforcements = await eventually(
    `the enforcement of event ${event.id} by the rule ${rule.row.ref} to leave "created"`,
    () => enforcementsOf(world, { event: event.id }),
    (rows) => rows.length >= 1 && rows.every((row) => row.status !== 'created'),
    { timeoutMs: timeouts.enforcementResolved },
  );
  expect(
    enforcements.map((e) => ({ rule_ref: e.rule_ref, status: e.status })),
    `enforcements of event ${event.id} (webhook ${triggerRef})`,
  ).to.deep.equal([{ rule_ref: rule.row.ref, status: 'processed' }]);
  const enforcement = enforcements[0];
  const topLevel = await eventually(
    `the run started by enforcement ${enforcement.id}`,
    async () => (await executionsOf(world, { enforcement: enforcement.id })).filter((row) => row.parent === null || row.parent === undefined),
    (rows) => rows.length >= 1,
    { timeoutMs: timeouts.enforcementResolved },
  );
  expect(topLevel.map((row) => row.action_ref), `top-level runs of enforcement ${enforcement.id}`).to.deep.equal([rule.spec.action_ref]);
  const run = await eventually(
    `run ${topLevel[0].id} of ${rule.spec.action_ref} to end`,
    () => execution(world, topLevel[0].id),
    (row) => isTerminal(row.status as ExecutionStatus),
    { timeoutMs: timeouts.workflowTerminal },
  );
  return { event, enforcement, run };
}
