/**
 * Steps about date timers (core.datetimetimer) and cron timers (core.crontimer): arranging them, when their events
 * were due and when they came.
 */
import { Given, Then, When, type DataTable } from '@cucumber/cucumber';
import { expect } from 'chai';
import { focusedEvents } from '../support/focus';
import type { RefArg } from '../support/parameter-types';
import { ruleByRef } from '../support/questions/rules';
import { describeFires, timerFires } from '../support/questions/timer-fires';
import type { RememberedRule } from '../support/tasks/rules';
import { attemptRule, createCronTimerRule, createDateTimerRule, CRON_TIMER, DATE_TIMER, timerPlan } from '../support/tasks/timers';
import { timeouts } from '../support/timeouts';
import type { AttuneWorld } from '../support/world';

Given(
  'a rule {ref} that runs {ref} once, {duration} from now, with the parameters:',
  async function (this: AttuneWorld, rule: RefArg, action: RefArg, offsetMs: number, parameters: DataTable) {
    await createDateTimerRule(this, { name: rule.name, action_ref: action.ref, action_params: parameters.rowsHash() }, offsetMs);
  },
);

Given(
  'a rule {ref} that runs {ref} once, {duration} ago, with the parameters:',
  async function (this: AttuneWorld, rule: RefArg, action: RefArg, offsetMs: number, parameters: DataTable) {
    await createDateTimerRule(this, { name: rule.name, action_ref: action.ref, action_params: parameters.rowsHash() }, -offsetMs);
  },
);

Given(
  'a rule {ref} that runs {ref} on the cron schedule {string} with the parameters:',
  async function (this: AttuneWorld, rule: RefArg, action: RefArg, expression: string, parameters: DataTable) {
    const spec = { name: rule.name, action_ref: action.ref, action_params: parameters.rowsHash() };
    await createCronTimerRule(this, spec, expression, timeouts.cronRelativeSecondsLead);
  },
);

When(
  'I try to create a rule {ref} that runs {ref} on the cron schedule {string}',
  async function (this: AttuneWorld, rule: RefArg, action: RefArg, expression: string) {
    this.scratch.lastResponse = await attemptRule(this, {
      name: rule.name,
      trigger_ref: CRON_TIMER,
      trigger_params: { expression },
      action_ref: action.ref,
    });
  },
);

Then('the rule {ref} is kept, enabled, with its date as given', async function (this: AttuneWorld, rule: RefArg) {
  const { fireAt } = timerPlan(this, rule.name);
  const found = await ruleByRef(this, rule.ref);
  expect(found.status, `reading rule ${rule.ref}`).to.equal(200);
  const { enabled, trigger_ref, trigger_params } = found.rule!;
  expect({ enabled, trigger_ref, trigger_params }, `rule ${rule.ref} as stored`).to.deep.equal({
    enabled: true,
    trigger_ref: DATE_TIMER,
    trigger_params: { fire_at: fireAt },
  });
});

Then('those events came on time', async function (this: AttuneWorld) {
  const ruleName = this.focus.ruleName;
  if (!ruleName) throw new Error('no rule is in focus ("When the rule "x" has fired N times")');
  const { spec } = this.recall<RememberedRule>('rule', ruleName);
  const isDate = spec.trigger_ref === DATE_TIMER;
  const fires = await timerFires(this, focusedEvents(this), isDate ? 'fire_at' : 'scheduled_at');
  const bound = timeouts.timerFireLateness;
  this.log(`timer lateness (bound ${bound} ms): ${describeFires(fires)}`);
  for (const fire of fires) {
    const what = describeFires([fire]);
    if (isDate) {
      expect(fire.type, `${what}: payload.type`).to.equal('one_shot');
      expect(fire.dueAt, `${what}: payload.fire_at must be the rule's fire_at ${String(spec.trigger_params?.fire_at)}`).to.equal(
        Date.parse(String(spec.trigger_params?.fire_at)),
      );
    } else {
      expect(fire.type, `${what}: payload.type`).to.equal('cron');
      expect(fire.payload.expression, `${what}: payload.expression`).to.equal(spec.trigger_params?.expression);
    }
    expect(fire.firedAt - fire.dueAt, `${what}: fired_at must be 0-${bound} ms after the due instant`).to.be.within(0, bound);
    expect(fire.createdAt - fire.dueAt, `${what}: created must be 0-${bound} ms after the due instant`).to.be.within(0, bound);
  }
});

Then('those events were scheduled on consecutive even seconds', async function (this: AttuneWorld) {
  const fires = await timerFires(this, focusedEvents(this), 'scheduled_at');
  const shown = fires.map((f) => f.dueText).join(', ');
  for (const fire of fires) {
    const due = new Date(fire.dueAt);
    expect(due.getUTCMilliseconds(), `scheduled_at ${fire.dueText} must be a whole second (all: ${shown})`).to.equal(0);
    expect(due.getUTCSeconds() % 2, `scheduled_at ${fire.dueText} must fall on an even second (all: ${shown})`).to.equal(0);
  }
  const gaps = fires.slice(1).map((f, i) => f.dueAt - fires[i].dueAt);
  expect(gaps, `gaps (ms) between consecutive scheduled_at values ${shown}`).to.deep.equal(gaps.map(() => 2000));
});

Then('those events were scheduled exactly at the listed seconds, in order', async function (this: AttuneWorld) {
  const ruleName = this.focus.ruleName;
  const { listedInstants } = timerPlan(this, ruleName ?? '');
  if (!listedInstants) throw new Error(`the rule "${ruleName}" was not written with relative seconds (S, S+n)`);
  const fires = await timerFires(this, focusedEvents(this), 'scheduled_at');
  expect(
    fires.map((f) => new Date(f.dueAt).toISOString()),
    'scheduled_at of the events, oldest first, against the listed seconds',
  ).to.deep.equal(listedInstants.map((t) => new Date(t).toISOString()));
});
