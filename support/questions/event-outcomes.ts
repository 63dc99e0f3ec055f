/**
 * What one event set off on its trigger, read as the admin so that no permission rule can hide an enforcement or an
 * execution that should not exist: exactly one enforcement by a rule and its one completed execution, or nothing at all
 * over a quiet window.
 */
import { expect } from 'chai';
import { consistently } from '../eventually';
import type { RememberedRule } from '../tasks/rules';
import type { AttuneWorld } from '../world';
import { followEvent, type ChainLink } from './fire-chain';
import { enforcementsOfTrigger, executionsOfTrigger } from './triggers';

/** The event's one enforcement by `rule` and that enforcement's one execution (completed); nothing else on the trigger. */
export async function actedOnOnce(world: AttuneWorld, eventId: number, rule: RememberedRule): Promise<ChainLink> {
  const link = await followEvent(world, eventId, rule.row, rule.spec.action_ref, 'completed');
  const triggerRef = rule.spec.trigger_ref;
  const enforcements = await enforcementsOfTrigger(world, triggerRef, world.admin);
  const executions = await executionsOfTrigger(world, triggerRef, world.admin);
  expect(
    { enforcements: enforcements.map((e) => e.id), executions: executions.map((e) => e.id) },
    `everything the trigger ${triggerRef} set off (event ${eventId}, rule ${rule.row.ref})`,
  ).to.deep.equal({ enforcements: [link.enforcement.id], executions: [link.execution.id] });
  return link;
}

/** No enforcement and no execution on the trigger, for the whole window. */
export async function setsOffNothing(world: AttuneWorld, triggerRef: string, windowMs: number, why: string): Promise<void> {
  await consistently(
    `the trigger ${triggerRef} has no enforcement and no execution (${why})`,
    windowMs,
    async () => ({
      enforcements: (await enforcementsOfTrigger(world, triggerRef, world.admin)).map((e) => `enforcement #${e.id} of ${e.rule_ref} (event ${e.event}, ${e.status})`),
      executions: (await executionsOfTrigger(world, triggerRef, world.admin)).map((e) => `execution #${e.id} of ${e.action_ref} (${e.status})`),
    }),
    (seen) => {
      expect(seen, `what the trigger ${triggerRef} set off`).to.deep.equal({ enforcements: [], executions: [] });
    },
  );
}
