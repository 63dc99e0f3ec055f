/**
 * Steps about finding things in the catalog: what a pack holds, the enabled lists, the rules of an action or a
 * trigger, action search. Names in the tables are bare names of the scenario's pack ("alpha" → `<pack>.alpha`).
 */
import { Given, Then, When, type DataTable } from '@cucumber/cucumber';
import { expect } from 'chai';
import type { RefArg } from '../support/parameter-types';
import {
  componentsOfPack, enabledList, ofPack, rulesUsing, searchActions, type EnabledKind, type Listed, type PackComponentKind, type SearchAnswer,
} from '../support/questions/catalog';
import { createAction } from '../support/tasks/actions';
import { createConcurrencyPolicy } from '../support/tasks/policies';
import { createRule } from '../support/tasks/rules';
import { createTrigger, enableTrigger } from '../support/tasks/webhooks';
import type { AttuneWorld } from '../support/world';

const SEARCH = 'action search answer';

/** `"a", "b"` → ['a', 'b'] */
function quotedNames(text: string): string[] {
  return [...text.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
}

/** `a, b` → ['a', 'b']; `none` → [] */
function listedNames(cell: string): string[] {
  const text = cell.trim();
  return text === 'none' || text === '' ? [] : text.split(',').map((s) => s.trim());
}

function refsOf(list: readonly Listed[]): string[] {
  return list.map((x) => x.ref);
}

Given(/^my pack holds these actions: (.+)$/, async function (this: AttuneWorld, names: string) {
  for (const name of quotedNames(names)) await createAction(this, { name, script: 'echo ok' });
});

Given('my pack holds these actions, described:', async function (this: AttuneWorld, table: DataTable) {
  for (const row of table.hashes()) await createAction(this, { name: row.action, script: 'echo ok', description: row.description });
});

Given(/^my pack holds these triggers: (.+)$/, async function (this: AttuneWorld, names: string) {
  for (const name of quotedNames(names)) await createTrigger(this, name);
});

Given(
  'a concurrency policy on the action {ref} named {string} allowing {int} run(s) at a time',
  async function (this: AttuneWorld, action: RefArg, name: string, limit: number) {
    await createConcurrencyPolicy(this, { name, scope: { type: 'action', action: action.name }, limit, method: 'enqueue' });
  },
);

Given('these rules in my pack:', async function (this: AttuneWorld, table: DataTable) {
  for (const row of table.hashes()) {
    await createRule(this, { name: row.rule, trigger_ref: this.ref(row.trigger), action_ref: this.ref(row.action) });
  }
});

When('the trigger {ref} is enabled again', async function (this: AttuneWorld, trigger: RefArg) {
  const answer = await enableTrigger(this, trigger.ref);
  expect(answer.enabled, `trigger ${trigger.ref} as the enable call answered it`).to.equal(true);
});

Then('my pack lists exactly, in this order:', async function (this: AttuneWorld, table: DataTable) {
  for (const [kind, names] of table.raw()) {
    const listed = await componentsOfPack(this, kind as PackComponentKind, this.packRef);
    expect(refsOf(listed), `the ${kind} my pack lists`).to.deep.equal(listedNames(names).map((n) => this.ref(n)));
  }
});

Then('the enabled lists show exactly these of my pack:', async function (this: AttuneWorld, table: DataTable) {
  for (const [kind, names] of table.raw()) {
    const listed = ofPack(await enabledList(this, kind as EnabledKind), this.packRef);
    expect(refsOf(listed), `the enabled ${kind} of my pack`).to.deep.equal(listedNames(names).map((n) => this.ref(n)));
    expect(listed.map((x) => x.enabled), `"enabled" of each listed ${kind}`).to.deep.equal(listed.map(() => true));
  }
});

Then('these list exactly these rules, in this order:', async function (this: AttuneWorld, table: DataTable) {
  for (const row of table.hashes()) {
    const m = /^(action|trigger) "([^"]+)"$/.exec(row.of.trim());
    if (!m) throw new Error(`"${row.of}" should read: action "<name>" or trigger "<name>"`);
    const [, kind, name] = m;
    const listed = await rulesUsing(this, kind as 'action' | 'trigger', this.ref(name));
    expect(refsOf(listed), `the rules of ${row.of}`).to.deep.equal(listedNames(row.rules).map((n) => this.ref(n)));
    const field = kind === 'action' ? 'action_ref' : 'trigger_ref';
    expect(listed.map((r) => r[field]), `the ${field} of each rule of ${row.of}`).to.deep.equal(listed.map(() => this.ref(name)));
  }
});

When('I search the actions of my pack for {string}', async function (this: AttuneWorld, words: string) {
  this.scratch[SEARCH] = await searchActions(this, words, [this.packRef]);
});

When('I search the actions of a pack that does not exist for {string}', async function (this: AttuneWorld, words: string) {
  this.scratch[SEARCH] = await searchActions(this, words, [this.uniq('no_such_pack')]);
});

function lastSearch(world: AttuneWorld): SearchAnswer {
  const answer = world.scratch[SEARCH] as SearchAnswer | undefined;
  if (!answer) throw new Error('no search was made in this scenario ("When I search the actions of …")');
  return answer;
}

Then(/^the search finds exactly: (.+)$/, function (this: AttuneWorld, hits: string) {
  const answer = lastSearch(this);
  expect(answer.status, `the status of the search (${JSON.stringify(answer.body)})`).to.equal(200);
  const names = listedNames(hits);
  expect(refsOf(answer.hits), 'the refs of the hits').to.deep.equal(names.map((n) => this.ref(n)));
  // a hit is lean: where the action lives and how it runs, nothing more
  expect(
    answer.hits.map((h) => ({ pack_ref: h.pack_ref, label: h.label, runtime_ref: h.runtime_ref, is_workflow: h.is_workflow })),
    'the fields of each hit',
  ).to.deep.equal(names.map((n) => ({ pack_ref: this.packRef, label: n, runtime_ref: 'core.shell', is_workflow: false })));
});

Then('the search is refused with {int} and a JSON error body', function (this: AttuneWorld, status: number) {
  const answer = lastSearch(this);
  expect(answer.status, `the status of the search (${JSON.stringify(answer.body)})`).to.equal(status);
  expect((answer.body as { error?: unknown } | undefined)?.error, 'the "error" of the answer').to.be.a('string');
});
