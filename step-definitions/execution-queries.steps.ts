/**
 * Steps about following one's runs, events and questions through the query routes
 * (features/tier2/execution-queries.feature): execution statistics and status lists, events posted through the API
 * and the enforcements they cause, the caller's inquiries by status.
 */
import { Given, Then, When, type DataTable } from '@cucumber/cucumber';
import { expect } from 'chai';
import type { RawResponse } from '../support/api/client';
import { unwrapBody } from '../support/api/envelopes';
import { eventually } from '../support/eventually';
import type { RefArg } from '../support/parameter-types';
import { enforcementsOf } from '../support/questions/enforcements';
import { event as readEvent } from '../support/questions/events';
import { executionStats, executionsOfEnforcement, executionsWithStatus, inquiriesListed } from '../support/questions/execution-queries';
import { awaitOutcome, awaitTerminal } from '../support/questions/executions';
import type { ExecutionStatus } from '../support/status';
import { postEvent, sensorClient } from '../support/tasks/events';
import { runAction, type Execution } from '../support/tasks/executions';
import { answer, askDirectly } from '../support/tasks/inquiries';
import type { RememberedRule } from '../support/tasks/rules';
import type { AttuneWorld } from '../support/world';

const RUNS = 'runs by action';
const POSTED = 'event posted through the API';
const ENFORCED = 'enforcements of the posted event';
const QUESTIONS = 'questions asked';

function runsOf(world: AttuneWorld, action: string): Execution[] {
  world.scratch[RUNS] ??= {};
  const all = world.scratch[RUNS] as Record<string, Execution[]>;
  return (all[action] ??= []);
}

/** "run 2 and run 1 of "fine"" / "run 1 of "broken"" → the ids of those runs, in the order named. */
function namedRuns(world: AttuneWorld, text: string): number[] {
  const m = /^(.*) of "([^"]+)"(?:, in that order)?$/.exec(text.trim());
  if (!m) throw new Error(`"${text}" should read: run N [and run M …] of "<action>"`);
  const runs = runsOf(world, m[2]);
  return [...m[1].matchAll(/run (\d+)/g)].map(([, n]) => {
    const run = runs[Number(n) - 1];
    if (!run) throw new Error(`there is no run ${n} of "${m[2]}" in this scenario (${runs.length} made)`);
    return run.id;
  });
}

When(
  'I run {ref} {int} times and {ref} {int} time, each to its end',
  async function (this: AttuneWorld, first: RefArg, firstCount: number, second: RefArg, secondCount: number) {
    for (const [action, count] of [[first, firstCount], [second, secondCount]] as const) {
      for (let i = 0; i < count; i++) {
        const run = await runAction(this, action.ref, {}, `${action.name} #${i + 1}`);
        runsOf(this, action.name).push(await awaitTerminal(this, run.id));
      }
    }
  },
);

Then('my execution statistics read exactly:', async function (this: AttuneWorld, table: DataTable) {
  const expected = Object.fromEntries(table.raw().map(([k, v]) => [k, Number(v)]));
  const stats = await executionStats(this);
  const shown = Object.fromEntries(Object.keys(expected).map((k) => [k, stats[k]]));
  expect(shown, `my execution statistics (${JSON.stringify(stats)})`).to.deep.equal(expected);
});

Then(/^the executions listed as "([a-z_]+)" are exactly (.+)$/, async function (this: AttuneWorld, status: string, runs: string) {
  const listed = await executionsWithStatus(this, status as ExecutionStatus);
  expect(listed.map((e) => e.id), `the executions /api/v1/executions/status/${status} lists`).to.deep.equal(namedRuns(this, runs));
  expect(listed.map((e) => e.status), `the status of each listed execution`).to.deep.equal(listed.map(() => status));
  listed.forEach((e) => this.asserted.add(e.id));
});

// ---- events posted through the API -------------------------------------------------------------------------------------

When(
  /^the sensor "([^"]+)" of my pack posts an event for the (trigger|rule) "([^"]+)" with the payload:$/,
  async function (this: AttuneWorld, sensor: string, kind: string, name: string, json: string) {
    let triggerRef = this.ref(name);
    let instance: string | undefined;
    if (kind === 'rule') {
      const rule = this.recall<RememberedRule>('rule', name);
      triggerRef = rule.row.trigger_ref;
      instance = `rule_${rule.row.id}`;
    }
    const as = await sensorClient(this, sensor, [triggerRef]);
    const payload = JSON.parse(json) as unknown;
    const response = await postEvent(this, as, { trigger_ref: triggerRef, payload, ...(instance ? { trigger_instance_id: instance } : {}) });
    expect(response.status, `the status of the event post (${JSON.stringify(response.body)})`).to.equal(201);
    this.scratch[POSTED] = unwrapBody(response.body as never) as { id: number };
  },
);

When('I post an event for the trigger {ref} with my own token', async function (this: AttuneWorld, trigger: RefArg) {
  await postEvent(this, this.api, { trigger_ref: trigger.ref, payload: {} });
});

function posted(world: AttuneWorld): { id: number } {
  const ev = world.scratch[POSTED] as { id: number } | undefined;
  if (!ev) throw new Error('no event was posted in this scenario');
  return ev;
}

Then(/^the event is created with the payload (\{.*\})$/, async function (this: AttuneWorld, json: string) {
  const ev = await readEvent(this, posted(this).id);
  expect(ev.payload, `the payload of event ${ev.id}`).to.deep.equal(JSON.parse(json));
});

Then(/^each of the rules (.+) is enforced exactly once for that event$/, async function (this: AttuneWorld, names: string) {
  const rules = [...names.matchAll(/"([^"]+)"/g)].map((m) => this.ref(m[1])).sort();
  const ev = posted(this);
  const found = await eventually(
    `one enforcement of each of ${rules.join(', ')} for event ${ev.id}`,
    async () => (await Promise.all(rules.map((rule_ref) => enforcementsOf(this, { rule_ref })))).flat().filter((e) => e.event === ev.id),
    (list) => list.length >= rules.length,
  );
  expect(found.map((e) => e.rule_ref).sort(), `the rules enforced for event ${ev.id}`).to.deep.equal(rules);
  this.scratch[ENFORCED] = found.map((e) => e.id);
});

Then(
  'each of those enforcements lists exactly one execution of {ref}, which completes',
  async function (this: AttuneWorld, action: RefArg) {
    for (const id of this.scratch[ENFORCED] as number[]) {
      const listed = await eventually(`the executions of enforcement ${id}`, () => executionsOfEnforcement(this, id), (l) => l.length > 0);
      expect(listed.map((e) => e.action_ref), `the executions enforcement ${id} lists`).to.deep.equal([action.ref]);
      await awaitOutcome(this, listed[0].id, 'completed');
      const again = await executionsOfEnforcement(this, id);
      expect(again.map((e) => [e.id, e.status]), `the executions enforcement ${id} lists once its run ended`).to.deep.equal([[listed[0].id, 'completed']]);
    }
  },
);

Then('the event post is refused with {int} and a JSON error body', function (this: AttuneWorld, status: number) {
  const response = this.scratch.lastResponse as RawResponse | undefined;
  if (!response) throw new Error('no event was posted in this scenario');
  const shown = `${response.status}: ${JSON.stringify(response.body)}`;
  expect(response.status, `the status of the event post ${shown}`).to.equal(status);
  expect((response.body as { error?: unknown } | undefined)?.error, `the "error" of the answer ${shown}`).to.be.a('string');
});

// ---- inquiries -------------------------------------------------------------------------------------------------------

Given('a finished run of {ref}', async function (this: AttuneWorld, action: RefArg) {
  const run = await runAction(this, action.ref);
  runsOf(this, action.name).push(await awaitOutcome(this, run.id, 'completed'));
});

Given('I ask {int} questions about that run', async function (this: AttuneWorld, count: number) {
  const run = (this.recall<Execution>('execution', 'last'));
  const asked: number[] = [];
  for (let i = 1; i <= count; i++) asked.push((await askDirectly(this, { execution: run.id, prompt: `Question ${i}?` })).id);
  this.scratch[QUESTIONS] = asked;
});

function questionIds(world: AttuneWorld, text: string): number[] {
  const asked = (world.scratch[QUESTIONS] as number[] | undefined) ?? [];
  return [...text.matchAll(/question (\d+)/g)].map(([, n]) => {
    const id = asked[Number(n) - 1];
    if (id === undefined) throw new Error(`there is no question ${n} in this scenario (${asked.length} asked)`);
    return id;
  });
}

When(/^I answer question (\d+) with (\{.*\})$/, async function (this: AttuneWorld, n: string, json: string) {
  await answer(this, questionIds(this, `question ${n}`)[0], JSON.parse(json));
});

Then(/^my inquiries listed(?: as "([a-z]+)")? are exactly (.+)$/, async function (this: AttuneWorld, status: string | undefined, which: string) {
  const listed = await inquiriesListed(this, status ?? undefined);
  const where = status ? `/api/v1/inquiries/status/${status}` : '/api/v1/inquiries';
  expect(listed.map((i) => i.id), `the inquiries ${where} lists (newest first)`).to.deep.equal(questionIds(this, which));
  if (status) expect(listed.map((i) => i.status), 'the status of each listed inquiry').to.deep.equal(listed.map(() => status));
});

