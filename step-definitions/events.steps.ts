/**
 * Steps about what triggers produce: events, their timing, their enforcements.
 */
import { Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { consistently, eventually } from '../support/eventually';
import type { RefArg } from '../support/parameter-types';
import { enforcementsOf, type EnforcementSummary } from '../support/questions/enforcements';
import { event as readEvent, eventsOf } from '../support/questions/events';
import { executionsOf, type ExecutionSummary } from '../support/questions/executions';
import { followEvent, renderParameters } from '../support/questions/fire-chain';
import { focusedEvents } from '../support/focus';
import { timerPeriodMs, type RememberedRule } from '../support/tasks/rules';
import { timeouts, timerFiresBound } from '../support/timeouts';
import type { AttuneWorld } from '../support/world';

When('the rule {ref} has fired {int} time(s)', async function (this: AttuneWorld, rule: RefArg, count: number) {
  const remembered = this.recall<RememberedRule>('rule', rule.name);
  const period = timerPeriodMs(remembered.spec) ?? 1000;
  const events = await eventually(
    `${count} event(s) of the rule ${rule.ref}`,
    () => eventsOf(this, { rule_ref: rule.ref }),
    (found) => found.length >= count,
    { timeoutMs: timerFiresBound(count, period) },
  );
  // the timer keeps firing: pin the first `count` fires so every later step talks about the same events
  this.focus = { ruleName: rule.name, events: events.slice(0, count) };
});

/** The next `count` events of the rule after the ones in focus (e.g. after a service restart); they become the focus. */
When('the rule {ref} has fired {int} more time(s)', async function (this: AttuneWorld, rule: RefArg, count: number) {
  const remembered = this.recall<RememberedRule>('rule', rule.name);
  const period = timerPeriodMs(remembered.spec) ?? 1000;
  const before = focusedEvents(this);
  const lastId = before.length ? before[before.length - 1].id : 0;
  const events = await eventually(
    `${count} more event(s) of the rule ${rule.ref} after event ${lastId}`,
    () => eventsOf(this, { rule_ref: rule.ref }),
    (found) => found.filter((e) => e.id > lastId).length >= count,
    { timeoutMs: timerFiresBound(count, period) },
  );
  this.scratch.earlierEvents = [...((this.scratch.earlierEvents as typeof before | undefined) ?? []), ...before];
  this.focus = { ruleName: rule.name, events: events.filter((e) => e.id > lastId).slice(0, count) };
});

/** Over every event of the rule so far: a timer that fired twice (say, an old and a new incarnation) shows up here. */
Then('no two events of the rule {ref} came less than {duration} apart', async function (this: AttuneWorld, rule: RefArg, minimumMs: number) {
  const events = (await eventsOf(this, { rule_ref: rule.ref })).slice().sort((a, b) => Date.parse(a.created) - Date.parse(b.created) || a.id - b.id);
  const close = events.slice(1).map((e, i) => ({ from: events[i].id, to: e.id, gapMs: Date.parse(e.created) - Date.parse(events[i].created) })).filter((g) => g.gapMs < minimumMs);
  expect(close, `events of ${rule.ref}: ${events.map((e) => `#${e.id}@${e.created}`).join(', ')}`).to.deep.equal([]);
});

Then('those events are {duration} apart', function (this: AttuneWorld, periodMs: number) {
  const events = focusedEvents(this);
  expect(events.length, 'at least two events are needed to measure a gap').to.be.at.least(2);
  const tolerance = timeouts.timerGapTolerance;
  const gaps = events.slice(1).map((e, i) => ({
    from: events[i].id,
    to: e.id,
    gapMs: Date.parse(e.created) - Date.parse(events[i].created),
  }));
  const wrong = gaps.filter((g) => Math.abs(g.gapMs - periodMs) > tolerance);
  expect(
    wrong,
    `every gap must be ${periodMs} ms ± ${tolerance} ms; gaps (ms) were ${gaps.map((g) => g.gapMs).join(', ')}; ` +
      `events: ${events.map((e) => `#${e.id}@${e.created}`).join(', ')}`,
  ).to.deep.equal([]);
});

Then(
  'each of those events led to exactly one processed enforcement of the rule {ref}',
  async function (this: AttuneWorld, rule: RefArg) {
    const remembered = this.recall<RememberedRule>('rule', rule.name);
    const byEvent = new Map<number, EnforcementSummary>();
    for (const event of focusedEvents(this)) {
      const found = await eventually(
        `the enforcement of event ${event.id} (rule ${rule.ref}) to leave "created"`,
        () => enforcementsOf(this, { event: event.id }),
        (rows) => rows.length >= 1 && rows.every((row) => row.status !== 'created'),
        {
          timeoutMs: timeouts.enforcementResolved,
          failFast: (rows) => (rows.some((row) => row.status === 'disabled') ? 'an enforcement of the event was marked "disabled"' : undefined),
        },
      );
      expect(found, `enforcements of event ${event.id}`).to.have.lengthOf(1);
      const [only] = found;
      expect(only.rule, `enforcement ${only.id}: rule`).to.equal(remembered.row.id);
      expect(only.rule_ref, `enforcement ${only.id}: rule_ref`).to.equal(rule.ref);
      expect(only.event, `enforcement ${only.id}: event`).to.equal(event.id);
      expect(only.status, `enforcement ${only.id}: status`).to.equal('processed');
      byEvent.set(event.id, only);
    }
    this.focus.enforcements = byEvent;
  },
);

Then('the rule {ref} fires no more events', async function (this: AttuneWorld, rule: RefArg) {
  const remembered = this.recall<RememberedRule>('rule', rule.name);
  if (remembered.disabledAt === undefined) throw new Error(`the rule "${rule.name}" was not disabled in this scenario`);
  // events stamped up to `grace` after the disable may come from a fire already in flight; later ones may not exist
  const cutoff = (remembered.disabledAtServer ?? remembered.disabledAt) + timeouts.inFlightFireGrace;
  const clock = remembered.disabledAtServer !== undefined ? "the server's stamp of the disable" : "this machine's clock";
  await consistently(
    `the disabled rule ${rule.ref} creates no event stamped later than ${new Date(cutoff).toISOString()} (${clock} + ${timeouts.inFlightFireGrace} ms)`,
    timeouts.consistently.ruleDisabledQuiet,
    () => eventsOf(this, { rule_ref: rule.ref }),
    (events) => events.filter((e) => Date.parse(e.created) > cutoff).length === 0,
  );
});

Then('the rule {ref} fires no other event', async function (this: AttuneWorld, rule: RefArg) {
  const seen = focusedEvents(this).map((e) => e.id);
  await consistently(
    `the rule ${rule.ref} has no event besides #${seen.join(', #')}`,
    timeouts.consistently.timerNoFurtherFire,
    () => eventsOf(this, { rule_ref: rule.ref }),
    (events) => {
      const shown = events.map((e) => `#${e.id} created ${e.created}`).join(', ');
      expect(events.map((e) => e.id), `events of the rule ${rule.ref} (${shown})`).to.have.members(seen);
    },
  );
});

Then('the rule {ref} stays silent, with no event and no execution', async function (this: AttuneWorld, rule: RefArg) {
  await consistently(
    `the rule ${rule.ref} has neither an event nor an execution`,
    timeouts.consistently.timerSilent,
    async () => ({
      events: await eventsOf(this, { rule_ref: rule.ref }),
      executions: await executionsOf(this, { rule_ref: rule.ref }),
    }),
    ({ events, executions }) => {
      const listed = (rows: string[]) => (rows.length ? rows.join(', ') : 'none');
      expect(listed(events.map((e) => `event #${e.id} created ${e.created}`)), `events of the rule ${rule.ref}`).to.equal('none');
      expect(listed(executions.map((e) => `execution #${e.id} ${e.status}`)), `executions of the rule ${rule.ref}`).to.equal('none');
    },
  );
});

Then(
  'each of those events ran {ref} exactly once, to completion, with the parameters rendered from that event',
  async function (this: AttuneWorld, action: RefArg) {
    const remembered = this.recall<RememberedRule>('rule', this.focus.ruleName ?? '');
    const enforcements = new Map<number, EnforcementSummary>();
    const executions = new Map<number, ExecutionSummary>();
    for (const summary of focusedEvents(this)) {
      const link = await followEvent(this, summary.id, remembered.row, action.ref, 'completed');
      const full = await readEvent(this, summary.id);
      const expected = renderParameters(remembered.spec.action_params ?? {}, full);
      const what = `execution ${link.execution.id} (event ${full.id}, payload ${JSON.stringify(full.payload)})`;
      expect(link.execution.config, `${what}: parameters`).to.deep.equal(expected);
      if (action.ref === 'core.echo') {
        // core.echo prints its message and nothing else
        const stdout = (link.execution.result as { stdout?: unknown } | null)?.stdout;
        expect(stdout, `${what}: stdout (result ${JSON.stringify(link.execution.result)})`).to.equal(`${String(expected.message)}\n`);
      }
      enforcements.set(summary.id, link.enforcement);
      executions.set(link.enforcement.id, link.summary);
    }
    this.focus.enforcements = enforcements;
    this.focus.executions = executions;
  },
);
