/**
 * Steps about date timers (core.datetimetimer) and cron timers (core.crontimer): arranging them, when their events
 * were due and when they came; about stopping and resuming timers, and interval timers side by side.
 */
import { Given, Then, When, type DataTable } from '@cucumber/cucumber';
import { expect } from 'chai';
import { consistently, eventually } from '../support/eventually';
import { focusedEvents } from '../support/focus';
import type { RefArg } from '../support/parameter-types';
import { eventsOf } from '../support/questions/events';
import { executionsOf } from '../support/questions/executions';
import { ruleByRef } from '../support/questions/rules';
import { countWithinWindow, describeFires, latestEventStamp, runsPerEvent, timerFires } from '../support/questions/timer-fires';
import { timerPeriodMs, type RememberedRule } from '../support/tasks/rules';
import {
  attemptRule, createCronTimerRule, createDateTimerRule, createIntervalRulesSideBySide, CRON_TIMER, DATE_TIMER, timerPlan,
} from '../support/tasks/timers';
import { timeouts, timerFiresBound } from '../support/timeouts';
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

// ---- stopping and resuming timers; interval timers side by side (T3.2, T3.3) ----------------------------------------

Then('the rule {ref} starts nothing new once stopped, beyond the fire already on its way', async function (this: AttuneWorld, rule: RefArg) {
  const remembered = this.recall<RememberedRule>('rule', rule.name);
  const deleted = remembered.deletedAt !== undefined;
  const stoppedAt = remembered.deletedAt ?? remembered.disabledAtServer ?? remembered.disabledAt;
  if (stoppedAt === undefined) throw new Error(`the rule "${rule.name}" was neither disabled nor deleted in this scenario`);
  const how = deleted ? "deleted (this machine's clock)" : remembered.disabledAtServer !== undefined ? "disabled (the server's stamp)" : "disabled (this machine's clock)";
  // an event stamped up to `inFlightFireGrace` after the stop may come from a fire already on its way, and its one
  // execution follows it within `executionAfterEventLag`; nothing later may exist. A deleted rule's events may no longer
  // be listed, so its executions' stamps carry the proof.
  const eventCutoff = stoppedAt + timeouts.inFlightFireGrace;
  const runCutoff = eventCutoff + timeouts.executionAfterEventLag;
  const look = async () => ({ events: await eventsOf(this, { rule_ref: rule.ref }), executions: await executionsOf(this, { rule_ref: rule.ref }) });
  const shown = (seen: Awaited<ReturnType<typeof look>>) =>
    `events ${seen.events.map((e) => `#${e.id}@${e.created}`).join(', ') || 'none'}; executions ${seen.executions.map((x) => `#${x.id}@${x.created}`).join(', ') || 'none'}`;
  await consistently(
    `the rule ${rule.ref}, ${how} at ${new Date(stoppedAt).toISOString()}, has no event stamped after ${new Date(eventCutoff).toISOString()} ` +
      `and no execution stamped after ${new Date(runCutoff).toISOString()}`,
    timeouts.consistently.timerStoppedQuiet,
    look,
    (seen) => {
      const lateEvents = seen.events.filter((e) => Date.parse(e.created) > eventCutoff).map((e) => `#${e.id}@${e.created}`);
      const lateRuns = seen.executions.filter((x) => Date.parse(x.created) > runCutoff).map((x) => `#${x.id}@${x.created}`);
      expect({ lateEvents, lateRuns }, `events and executions of ${rule.ref} after the stop (${shown(seen)})`).to.deep.equal({ lateEvents: [], lateRuns: [] });
      if (!deleted) expect(seen.executions.length, `executions of ${rule.ref} against its events (${shown(seen)})`).to.be.at.most(seen.events.length);
    },
  );
  if (!deleted) {
    // An event recorded before the stop ran its action exactly once. The one fire that straddles the stop (stamped
    // less than an event-to-execution lag before it, or within the grace after it) was judged against a rule that may
    // already have been disabled when the executor saw it, so it ran once or not at all, never twice.
    const straddleFrom = stoppedAt - timeouts.executionAfterEventLag;
    const { events, unlinked } = await runsPerEvent(this, rule.ref);
    const wrong = events
      .filter((e) => (e.createdAt <= straddleFrom ? e.executions.length !== 1 : e.executions.length > 1))
      .map((e) => `event #${e.eventId}@${new Date(e.createdAt).toISOString()} ran ${e.executions.length} time(s): ${e.executions.join(', ') || 'none'}`);
    const counts = events.map((e) => `#${e.eventId}:${e.executions.length}`).join(', ');
    expect(
      { wrong, unlinked },
      `executions per event of ${rule.ref} (${counts}), ${how} at ${new Date(stoppedAt).toISOString()}; events before ${new Date(straddleFrom).toISOString()} run exactly once`,
    ).to.deep.equal({ wrong: [], unlinked: [] });
  }
});

Then(
  'the rule {ref} fires {int} times after being enabled, the first one {duration} after it',
  async function (this: AttuneWorld, rule: RefArg, count: number, firstAfterMs: number) {
    const remembered = this.recall<RememberedRule>('rule', rule.name);
    const enabledAt = Date.parse(remembered.row.updated); // the server's stamp of the enable (the rule's `updated` it answered)
    const events = await eventually(
      `${count} event(s) of the rule ${rule.ref} stamped after its enable at ${remembered.row.updated}`,
      () => eventsOf(this, { rule_ref: rule.ref }),
      (found) => found.filter((e) => Date.parse(e.created) > enabledAt).length >= count,
      { timeoutMs: timerFiresBound(count, timerPeriodMs(remembered.spec) ?? 1000) },
    );
    const fresh = events.filter((e) => Date.parse(e.created) > enabledAt).slice(0, count);
    const firstGap = Date.parse(fresh[0].created) - enabledAt;
    const tolerance = timeouts.timerGapTolerance;
    expect(
      Math.abs(firstGap - firstAfterMs) <= tolerance,
      `the first event after the enable (#${fresh[0].id}@${fresh[0].created}) came ${firstGap} ms after it; it must come ${firstAfterMs} ms ± ${tolerance} ms after it`,
    ).to.equal(true);
    this.focus = { ruleName: rule.name, events: fresh };
  },
);

Given('these interval timer rules, created at once, each running {ref}:', async function (this: AttuneWorld, action: RefArg, table: DataTable) {
  const rows = table.hashes().map((row) => ({ name: row.rule, seconds: Number(row['every (seconds)']) }));
  for (const row of rows) if (!Number.isInteger(row.seconds) || row.seconds < 1) throw new Error(`"${row.name}": every (seconds) must be a whole number >= 1`);
  await createIntervalRulesSideBySide(this, action.ref, rows);
  this.scratch.sideBySide = rows.map((row) => row.name);
});

Then(
  'counted over the rate window from each rule\'s creation, they fired and ran their action, give or take one:',
  async function (this: AttuneWorld, table: DataTable) {
    const names = (this.scratch.sideBySide as string[] | undefined) ?? [];
    const rules = names.map((name) => this.recall<RememberedRule>('rule', name));
    const window = timeouts.timerRateWindow;
    const expected = table.hashes().map((row) => ({ rule: row.rule, fires: Number(row.fires) }));
    // the table is written for the window in support/timeouts.ts: keep the two in step
    for (const row of expected) {
      const rule = rules.find((r) => r.spec.name === row.rule);
      if (!rule) throw new Error(`"${row.rule}" is not one of the side-by-side rules (${names.join(', ')})`);
      const period = timerPeriodMs(rule.spec) ?? 0;
      if (Math.floor(window / period) !== row.fires) {
        throw new Error(`"${row.rule}" (every ${period} ms) fires ${Math.floor(window / period)} times in the ${window} ms window, not ${row.fires}: fix the table`);
      }
    }
    const lastEnd = Math.max(...rules.map((r) => Date.parse(r.row.created))) + window;
    await eventually(
      `an event of the side-by-side rules stamped after ${new Date(lastEnd + timeouts.timerRateSettle).toISOString()} (every window has closed)`,
      () => latestEventStamp(this, rules.map((r) => r.row.ref)),
      (latest) => latest > lastEnd + timeouts.timerRateSettle,
      { timeoutMs: window + timeouts.timerFireMargin },
    );
    const counts = await countWithinWindow(this, rules.map((r) => r.row), window);
    const report = counts
      .map((c) => `${c.ruleRef}: ${c.events.length} events, ${c.executions.length} runs (${c.events.map((e) => `+${Date.parse(e.created) - c.from}`).join(' ')} ms)`)
      .join('; ');
    this.log(`side-by-side timers over ${window} ms: ${report}`);
    for (const row of expected) {
      const rule = rules.find((r) => r.spec.name === row.rule)!;
      const count = counts.find((c) => c.ruleRef === rule.row.ref)!;
      expect(count.unmatched, `${rule.row.ref}: events that did not run the action exactly once (${report})`).to.deep.equal([]);
      expect(
        Math.abs(count.events.length - row.fires) <= 1,
        `${rule.row.ref} must fire ${row.fires} ± 1 times in its first ${window} ms, fired ${count.events.length} (${report})`,
      ).to.equal(true);
    }
  },
);
