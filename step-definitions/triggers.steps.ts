/**
 * Steps about triggers and what their events set off: the trigger itself (created, disabled), the events it recorded,
 * the rules on it acting on one event (one enforcement and one execution per rule), and the quiet of a trigger that
 * must set off nothing.
 */
import { Given, Then, type DataTable } from '@cucumber/cucumber';
import { expect } from 'chai';
import { consistently } from '../support/eventually';
import { focusedEvents, focusedExecutions } from '../support/focus';
import type { RefArg } from '../support/parameter-types';
import { enforcement as readEnforcement } from '../support/questions/enforcements';
import { event as readEvent, eventsOf } from '../support/questions/events';
import { execution as readExecution, executionsOf, type ExecutionSummary } from '../support/questions/executions';
import { oneEnforcementPerRule, oneExecutionOf, rulesOnTrigger } from '../support/questions/fan-out';
import { followEvent } from '../support/questions/fire-chain';
import { stdoutOf } from '../support/questions/outcomes';
import { enforcementsOfTrigger, executionsOfTrigger, trigger as readTrigger } from '../support/questions/triggers';
import type { RememberedRule } from '../support/tasks/rules';
import { createTrigger, disableTrigger, type Trigger } from '../support/tasks/webhooks';
import type { EnforcementSummary } from '../support/questions/enforcements';
import { timeouts } from '../support/timeouts';
import type { AttuneWorld } from '../support/world';
import { parseJson } from '../support/json-text';

function theOnlyEvent(world: AttuneWorld): { id: number } {
  const events = focusedEvents(world);
  expect(events.map((e) => e.id), 'the events in focus (one post, one event)').to.have.lengthOf(1);
  return events[0];
}


// ---- the trigger itself --------------------------------------------------------------------------------------------

Given('a trigger {ref} in my pack', async function (this: AttuneWorld, trigger: RefArg) {
  await createTrigger(this, trigger.name);
});

Given('the trigger {ref} is disabled', async function (this: AttuneWorld, trigger: RefArg) {
  const answer = await disableTrigger(this, trigger.ref);
  expect(answer.enabled, `trigger ${trigger.ref} after the disable call`).to.equal(false);
});

Then('the trigger {ref} still has its webhook enabled with the same key', async function (this: AttuneWorld, trigger: RefArg) {
  const readBack = await readTrigger(this, trigger.ref);
  expect(
    { enabled: readBack.enabled, webhook_enabled: readBack.webhook_enabled, webhook_key: readBack.webhook_key },
    `trigger ${trigger.ref} read back`,
  ).to.deep.equal({ enabled: false, webhook_enabled: true, webhook_key: this.recall<string>('webhook', trigger.ref) });
});

// ---- the events it recorded ----------------------------------------------------------------------------------------

Then('the event belongs to the trigger {ref} and came in through its webhook', async function (this: AttuneWorld, trigger: RefArg) {
  const owner = this.recall<Trigger>('trigger', trigger.name);
  const full = await readEvent(this, theOnlyEvent(this).id);
  const config = (full.config ?? {}) as Record<string, unknown>;
  expect(
    {
      trigger: full.trigger,
      trigger_ref: full.trigger_ref,
      source_ref: full.source_ref,
      rule: full.rule ?? null,
      'config.source': config.source,
      'config.webhook_key': config.webhook_key,
    },
    `event ${full.id}`,
  ).to.deep.equal({
    trigger: owner.id,
    trigger_ref: trigger.ref,
    source_ref: 'webhook',
    rule: null,
    'config.source': 'webhook',
    'config.webhook_key': this.recall<string>('webhook', trigger.ref),
  });
});

Then(
  'the trigger {ref} recorded exactly those {int} events, each with the payload posted',
  async function (this: AttuneWorld, trigger: RefArg, count: number) {
    const owner = this.recall<Trigger>('trigger', trigger.name);
    const posted = this.scratch.webhookPayloads as unknown[];
    const focused = focusedEvents(this);
    expect(posted, 'payloads posted').to.have.lengthOf(count);
    const listed = await eventsOf(this, { trigger_ref: trigger.ref });
    expect(listed.map((e) => e.id), `events of ${trigger.ref}: exactly the ${count} posts' events`).to.deep.equal(focused.map((e) => e.id));
    for (const [i, summary] of focused.entries()) {
      const full = await readEvent(this, summary.id);
      expect(
        { trigger: full.trigger, source_ref: full.source_ref, payload: full.payload },
        `event ${full.id} (post ${i + 1})`,
      ).to.deep.equal({ trigger: owner.id, source_ref: 'webhook', payload: posted[i] });
    }
  },
);

Then('the trigger {ref} recorded exactly that one event', async function (this: AttuneWorld, trigger: RefArg) {
  const only = theOnlyEvent(this);
  const listed = await eventsOf(this, { trigger_ref: trigger.ref });
  expect(listed.map((e) => e.id), `events of ${trigger.ref}`).to.deep.equal([only.id]);
});

Then('the trigger {ref} records no event', async function (this: AttuneWorld, trigger: RefArg) {
  await consistently(
    `the trigger ${trigger.ref} has no event`,
    timeouts.consistently.refusedPostQuiet,
    () => eventsOf(this, { trigger_ref: trigger.ref }, this.admin),
    (events) => events.length === 0,
  );
});

// ---- what the rules on the trigger did with the event --------------------------------------------------------------

Then(
  'the rule {ref} ran {ref} once for that event, which succeeded with exactly the parameters:',
  async function (this: AttuneWorld, rule: RefArg, action: RefArg, json: string) {
    const expected = parseJson(json, 'the expected parameters');
    const remembered = this.recall<RememberedRule>('rule', rule.name);
    const link = await followEvent(this, theOnlyEvent(this).id, remembered.row, action.ref, 'completed');
    const enforcement = await readEnforcement(this, link.enforcement.id);
    expect(enforcement.config, `config of enforcement ${enforcement.id} (the rendered parameters)`).to.deep.equal(expected);
    expect(link.execution.config, `config of execution ${link.execution.id} (the parameters the action received)`).to.deep.equal(expected);
    const all = await executionsOf(this, { rule_ref: rule.ref });
    expect(all.map((e) => e.id), `executions of the rule ${rule.ref}, after the run ended`).to.deep.equal([link.execution.id]);
    this.remember('execution', 'last', link.execution);
  },
);

Then('those are the only executions of the rule {ref}', async function (this: AttuneWorld, rule: RefArg) {
  const focused = [...focusedExecutions(this).values()].map((e) => e.id).sort((a, b) => a - b);
  const all = (await executionsOf(this, { rule_ref: rule.ref })).map((e) => e.id).sort((a, b) => a - b);
  expect(all, `executions of the rule ${rule.ref}: exactly one per event, no more`).to.deep.equal(focused);
});

Then(
  'the event led to exactly {int} processed enforcements, one for each rule on {ref}',
  async function (this: AttuneWorld, count: number, trigger: RefArg) {
    const rules = rulesOnTrigger(this, trigger.ref);
    expect(rules.map(([name]) => name), `rules created on ${trigger.ref}`).to.have.lengthOf(count);
    const byRule = await oneEnforcementPerRule(this, theOnlyEvent(this).id, rules);
    for (const [name, row] of byRule) this.remember('enforcement of rule', name, row);
  },
);

Then("each rule's enforcement led to exactly one execution of {ref}", async function (this: AttuneWorld, action: RefArg) {
  const byEnforcement = new Map<number, ExecutionSummary>();
  for (const [name, row] of this.recallAll<EnforcementSummary>('enforcement of rule')) {
    const run = await oneExecutionOf(this, row.id, action.ref);
    this.remember('execution of rule', name, run);
    byEnforcement.set(row.id, run);
  }
  this.focus.executions = byEnforcement;
});

Then("each rule's execution received and printed its own message:", async function (this: AttuneWorld, table: DataTable) {
  const rows = table.hashes();
  expect(rows.map((r) => r.rule).sort(), 'the rules named in the table').to.deep.equal(
    this.recallAll<ExecutionSummary>('execution of rule').map(([name]) => name).sort(),
  );
  for (const row of rows) {
    const rule = this.recall<RememberedRule>('rule', row.rule);
    const run = this.recall<ExecutionSummary>('execution of rule', row.rule);
    const details = await readExecution(this, run.id);
    this.markAsserted(run.id);
    const ofRule = (await executionsOf(this, { rule_ref: rule.row.ref })).map((e) => e.id);
    expect(
      { executions_of_rule: ofRule, config: details.config, stdout: stdoutOf(details) },
      `rule ${rule.row.ref}: its executions, the parameters and the output of execution ${run.id}`,
    ).to.deep.equal({ executions_of_rule: [run.id], config: { message: row.message }, stdout: `${row.message}\n` });
  }
});

Then('nothing is enforced or run for the trigger {ref}', async function (this: AttuneWorld, trigger: RefArg) {
  // read as the admin, so that no permission rule can hide an enforcement or execution that should not exist
  await consistently(
    `the trigger ${trigger.ref} has no enforcement and no execution`,
    timeouts.consistently.unruledEventQuiet,
    async () => ({
      enforcements: await enforcementsOfTrigger(this, trigger.ref, this.admin),
      executions: await executionsOfTrigger(this, trigger.ref, this.admin),
    }),
    (seen) => seen.enforcements.length === 0 && seen.executions.length === 0,
  );
});
