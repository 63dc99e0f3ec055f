/**
 * Steps about rule criteria (`conditions`): rules that act only on the events their conditions hold for, what one
 * event set off (exactly one enforcement and execution, or nothing), and conditions refused when a rule is created.
 */
import { Given, Then, When, type DataTable } from '@cucumber/cucumber';
import { expect } from 'chai';
import type { RefArg } from '../support/parameter-types';
import { consistently, eventually } from '../support/eventually';
import { enforcementsOf } from '../support/questions/enforcements';
import { actedOnOnce, setsOffNothing } from '../support/questions/event-outcomes';
import { awaitOutcome, executionsOf } from '../support/questions/executions';
import { stdoutOf } from '../support/questions/outcomes';
import { focusedEvents } from '../support/focus';
import { attemptRuleCreation, createRule, type RememberedRule } from '../support/tasks/rules';
import { createWebhookTrigger } from '../support/tasks/webhooks';
import { timeouts } from '../support/timeouts';
import type { AttuneWorld } from '../support/world';

type Conditions = Record<string, unknown> | unknown[];

function parseConditions(text: string): Conditions {
  try {
    return JSON.parse(text) as Conditions;
  } catch (error) {
    throw new Error(`The conditions are not valid JSON (${(error as Error).message}): ${text}`);
  }
}

/** The one event in focus and the one rule the scenario made on its trigger. */
function theEventAndItsRule(world: AttuneWorld): { eventId: number; rule: RememberedRule } {
  const events = focusedEvents(world);
  expect(events.map((e) => e.id), 'the events in focus (one post, one event)').to.have.lengthOf(1);
  const rules = world.recallAll<RememberedRule>('rule').filter(([, r]) => r.spec.trigger_ref === events[0].trigger_ref);
  expect(rules.map(([name]) => name), `rules of this scenario on ${events[0].trigger_ref}`).to.have.lengthOf(1);
  return { eventId: events[0].id, rule: rules[0][1] };
}

Given(
  'a webhook {ref} whose rule {ref} runs {ref} with the conditions:',
  async function (this: AttuneWorld, trigger: RefArg, rule: RefArg, action: RefArg, conditions: string) {
    const created = await createWebhookTrigger(this, trigger.name);
    await createRule(this, {
      name: rule.name,
      trigger_ref: created.ref,
      action_ref: action.ref,
      action_params: { message: `${rule.name}: conditions held` },
      conditions: parseConditions(conditions),
    });
  },
);

When(
  'I try to create a rule {ref} on a webhook {ref} that runs {ref} with the conditions:',
  async function (this: AttuneWorld, rule: RefArg, trigger: RefArg, action: RefArg, conditions: string) {
    const created = await createWebhookTrigger(this, trigger.name);
    this.scratch.lastResponse = await attemptRuleCreation(this, {
      name: rule.name,
      trigger_ref: created.ref,
      action_ref: action.ref,
      action_params: { message: 'never' },
      conditions: parseConditions(conditions),
    });
  },
);

Then("the event runs the rule's action exactly once", async function (this: AttuneWorld) {
  const { eventId, rule } = theEventAndItsRule(this);
  const link = await actedOnOnce(this, eventId, rule);
  this.log(`event ${eventId}: enforcement ${Date.parse(link.enforcement.created) - Date.parse(focusedEvents(this)[0].created)} ms after the event`);
});

Then('the event sets off nothing: no enforcement, no execution', async function (this: AttuneWorld) {
  const { rule } = theEventAndItsRule(this);
  await setsOffNothing(this, rule.spec.trigger_ref, timeouts.consistently.criteriaMissQuiet, `the conditions of ${rule.row.ref} do not hold`);
});

// ---- several rules with criteria on one webhook (features/tier3/rule-criteria-filtering.feature) -------------------

Given(
  'a webhook {ref} with these rules, each running {ref} with its message when its conditions hold:',
  async function (this: AttuneWorld, trigger: RefArg, action: RefArg, table: DataTable) {
    const created = await createWebhookTrigger(this, trigger.name);
    for (const row of table.hashes()) {
      await createRule(this, {
        name: row.rule,
        trigger_ref: created.ref,
        action_ref: action.ref,
        action_params: { message: row.message },
        conditions: parseConditions(row.conditions),
      });
    }
  },
);

Then(
  'each of those events ran only the rule it matches, which printed its message:',
  async function (this: AttuneWorld, table: DataTable) {
    const events = focusedEvents(this);
    const expected = table.hashes();
    expect(expected, 'one expected outcome per event posted').to.have.lengthOf(events.length);
    for (const [i, event] of events.entries()) {
      const row = expected[i];
      const what = `event ${event.id} (post ${i + 1})`;
      if (row.rule === 'none') {
        await consistently(
          `${what} has no enforcement`,
          timeouts.consistently.criteriaMissQuiet,
          () => enforcementsOf(this, { event: event.id }, this.admin),
          (rows) => {
            expect(rows.map((e) => `enforcement #${e.id} of ${e.rule_ref}`), `enforcements of ${what}`).to.deep.equal([]);
          },
        );
        continue;
      }
      const rule = this.recall<RememberedRule>('rule', row.rule);
      const enforcements = await eventually(
        `the enforcement of ${what} to leave "created"`,
        () => enforcementsOf(this, { event: event.id }, this.admin),
        (rows) => rows.length >= 1 && rows.every((e) => e.status !== 'created'),
        { timeoutMs: timeouts.enforcementResolved },
      );
      expect(
        enforcements.map((e) => ({ rule_ref: e.rule_ref, status: e.status })),
        `enforcements of ${what}: only the rule "${row.rule}"`,
      ).to.deep.equal([{ rule_ref: rule.row.ref, status: 'processed' }]);
      const runs = await eventually(
        `the execution of enforcement ${enforcements[0].id}`,
        () => executionsOf(this, { enforcement: enforcements[0].id }),
        (rows) => rows.length >= 1,
        { timeoutMs: timeouts.enforcementResolved },
      );
      expect(runs.map((r) => r.action_ref), `executions of enforcement ${enforcements[0].id} (${what})`).to.deep.equal([rule.spec.action_ref]);
      const run = await awaitOutcome(this, runs[0].id, 'completed');
      this.markAsserted(run.id);
      expect(stdoutOf(run), `what execution ${run.id} of the rule "${row.rule}" printed (${what})`).to.equal(`${row.printed}\n`);
    }
  },
);

Then('the rules ran exactly this often, and no more:', async function (this: AttuneWorld, table: DataTable) {
  const expected = Object.fromEntries(table.hashes().map((row) => [row.rule, { enforcements: Number(row.runs), executions: Number(row.runs) }]));
  await consistently(
    `the rules ${Object.keys(expected).join(', ')} keep exactly their counts of enforcements and executions`,
    timeouts.consistently.criteriaMissQuiet,
    async () => {
      const counts: Record<string, { enforcements: number; executions: number }> = {};
      for (const name of Object.keys(expected)) {
        const ref = this.recall<RememberedRule>('rule', name).row.ref;
        counts[name] = {
          enforcements: (await enforcementsOf(this, { rule_ref: ref })).length,
          executions: (await executionsOf(this, { rule_ref: ref })).length,
        };
      }
      return counts;
    },
    (counts) => {
      expect(counts, 'enforcements and executions per rule').to.deep.equal(expected);
    },
  );
});
