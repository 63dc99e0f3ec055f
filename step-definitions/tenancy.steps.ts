/**
 * Steps about tenants: a second identity with the same persona, what it can see of the scenario tenant's things
 * (lists, gets) and what it can do to them (changes, deletes, runs).
 */
import { Given, Then, When, type DataTable } from '@cucumber/cucumber';
import { expect } from 'chai';
import type { RawResponse } from '../support/api/client';
import type { RefArg } from '../support/parameter-types';
import { awaitOutcome, execution } from '../support/questions/executions';
import {
  KIND_SPECS,
  kindNamed,
  listAll,
  neverExisting,
  notFoundProblem,
  readOne,
  snapshotOf,
  withoutIdentifier,
  type EstateSnapshot,
  type Identifier,
  type Kind,
} from '../support/questions/tenancy';
import { runAction } from '../support/tasks/executions';
import { buildOwnAutomation, estateOf, trespass } from '../support/tasks/tenancy';
import type { AttuneWorld } from '../support/world';

/** One request another tenant made about the scenario tenant's thing, and the same request about a thing that never existed. */
interface Probe {
  what: string;
  /** set for reads: the kind of thing asked for */
  kind?: Kind;
  target: Identifier;
  answer: RawResponse;
  control: RawResponse;
  controlTarget: Identifier;
}

interface Listing {
  kind: Kind;
  all: Array<Record<string, unknown>>;
  narrowed?: Array<Record<string, unknown>>;
}

function probes(world: AttuneWorld): Probe[] {
  const found = world.scratch.probes as Probe[] | undefined;
  if (!found) throw new Error('No requests about my things were made yet ("When tenant "B" asks for each of my things …").');
  return found;
}

function listings(world: AttuneWorld): { who: string; rows: Listing[] } {
  const found = world.scratch.listings as { who: string; rows: Listing[] } | undefined;
  if (!found) throw new Error('No lists were taken yet ("When tenant "B" lists every kind of thing: …").');
  return found;
}

/** Fails with every problem listed, one per line (instead of a truncated array diff). */
function expectNoProblems(problems: string[], heading: string): void {
  if (problems.length > 0) throw new Error(`${heading} (${problems.length}):\n- ${problems.join('\n- ')}`);
}

function kindsOf(table: DataTable): Kind[] {
  return table.raw().flat().filter((cell) => cell.trim() !== '').map(kindNamed);
}

/** "my pack", "my run", … → the kind and the estate member it names. */
function thingNamed(world: AttuneWorld, words: string): { kind: Kind; id: Identifier } {
  const byWords: Record<string, Kind> = {
    'my pack': 'packs',
    'my action': 'actions',
    'my trigger': 'triggers',
    'my rule': 'rules',
    'my key': 'keys',
    'my run': 'executions',
    'my event': 'events',
    'my enforcement': 'enforcements',
  };
  const kind = byWords[words.trim()];
  if (!kind) throw new Error(`"${words}" is not one of my things; use one of: ${Object.keys(byWords).join(', ')}`);
  return { kind, id: KIND_SPECS[kind].member(estateOf(world)) };
}

Given('I have built and used automation of my own', async function (this: AttuneWorld) {
  await buildOwnAutomation(this);
});

Given('another tenant {string} with the same persona', async function (this: AttuneWorld, name: string) {
  await this.otherTenant(name);
});

Given('tenant {string} has built and used automation of their own', async function (this: AttuneWorld, name: string) {
  await buildOwnAutomation(this.tenantNamed(name));
});

When('tenant {string} lists every kind of thing:', async function (this: AttuneWorld, name: string, table: DataTable) {
  const other = this.tenantNamed(name);
  const mine = estateOf(this);
  const rows: Listing[] = [];
  for (const kind of kindsOf(table)) {
    const spec = KIND_SPECS[kind];
    rows.push({
      kind,
      all: await listAll(other.api, kind),
      narrowed: spec.narrowTo ? await listAll(other.api, kind, spec.narrowTo(mine)) : undefined,
    });
  }
  this.scratch.listings = { who: name, rows };
});

Then('none of those lists holds any of my things, even when narrowed to my refs', function (this: AttuneWorld) {
  const mine = estateOf(this);
  for (const { kind, all, narrowed } of listings(this).rows) {
    const spec = KIND_SPECS[kind];
    const ids = all.map((row) => spec.identify(row));
    expect(ids, `the ${kind} list must not hold my ${kind} ${spec.member(mine)}`).to.not.include(spec.member(mine));
    const ofMine = all.filter((row) => spec.namespaceOf(row) === mine.pack).map((row) => spec.identify(row));
    expect(ofMine, `rows of the ${kind} list that belong to my namespace ${mine.pack}`).to.deep.equal([]);
    if (narrowed) {
      expect(
        narrowed.map((row) => spec.identify(row)),
        `the ${kind} list narrowed to ${JSON.stringify(spec.narrowTo!(mine))}`,
      ).to.deep.equal([]);
    }
  }
});

Then("each of those lists holds tenant {string}'s own thing of that kind", function (this: AttuneWorld, name: string) {
  const theirs = estateOf(this.tenantNamed(name));
  for (const { kind, all } of listings(this).rows) {
    const spec = KIND_SPECS[kind];
    const ids = all.map((row) => spec.identify(row));
    expect(ids, `the ${kind} list of tenant "${name}" must hold their own ${kind} ${spec.member(theirs)}`).to.include(spec.member(theirs));
  }
});

Then("my lists hold my own things and none of tenant {string}'s", async function (this: AttuneWorld, name: string) {
  const mine = estateOf(this);
  const theirs = estateOf(this.tenantNamed(name));
  for (const { kind } of listings(this).rows) {
    const spec = KIND_SPECS[kind];
    const ids = (await listAll(this.api, kind)).map((row) => spec.identify(row));
    expect(ids, `my ${kind} list must hold my own ${kind} ${spec.member(mine)}`).to.include(spec.member(mine));
    expect(ids, `my ${kind} list must not hold tenant "${name}"'s ${kind} ${spec.member(theirs)}`).to.not.include(spec.member(theirs));
  }
});

When('tenant {string} asks for each of my things by its ref or id:', async function (this: AttuneWorld, name: string, table: DataTable) {
  const other = this.tenantNamed(name);
  const made: Probe[] = [];
  for (const words of table.raw().flat().filter((cell) => cell.trim() !== '')) {
    const { kind, id } = thingNamed(this, words);
    const controlTarget = neverExisting(id);
    made.push({
      what: `GET ${words} (${kind} ${id})`,
      kind,
      target: id,
      answer: await readOne(other.api, kind, id),
      control: await readOne(other.api, kind, controlTarget),
      controlTarget,
    });
  }
  this.scratch.probes = made;
});

When('tenant {string} tries each of these on my things:', async function (this: AttuneWorld, name: string, table: DataTable) {
  const other = this.tenantNamed(name);
  const mine = estateOf(this);
  this.scratch.before = await snapshotOf(this.api, this.admin, mine);
  const made: Probe[] = [];
  for (const words of table.raw().flat().filter((cell) => cell.trim() !== '')) {
    const attempt = trespass(words);
    const target = attempt.target(mine);
    const controlTarget = neverExisting(target);
    made.push({
      what: `${words} (${target})`,
      target,
      answer: await attempt.attempt(other, target),
      control: await attempt.attempt(other, controlTarget),
      controlTarget,
    });
  }
  this.scratch.probes = made;
});

Then(
  'every one of those requests is answered 404 with a JSON error body, exactly as for something that does not exist',
  function (this: AttuneWorld) {
    const problems: string[] = [];
    for (const probe of probes(this)) {
      const problem = notFoundProblem(probe.answer);
      if (problem) {
        problems.push(`${probe.what}: ${problem}`);
        continue;
      }
      const real = withoutIdentifier(probe.answer.body, probe.target);
      const control = withoutIdentifier(probe.control.body, probe.controlTarget);
      if (probe.control.status !== 404 || real !== control) {
        problems.push(
          `${probe.what}: answered ${probe.answer.status} ${real}, but the same request about ${probe.controlTarget} ` +
            `(which never existed) answered ${probe.control.status} ${control}`,
        );
      }
    }
    expectNoProblems(problems, 'Requests about my things that did not answer like a thing that does not exist');
  },
);

Then('I can still read each of those things myself', async function (this: AttuneWorld) {
  for (const probe of probes(this)) {
    if (!probe.kind) throw new Error(`${probe.what} was not a read of one of my things`);
    const answer = await readOne(this.api, probe.kind, probe.target);
    expect(answer.status, `reading my own ${probe.kind} ${probe.target}: ${JSON.stringify(answer.body)}`).to.equal(200);
  }
});

Then('my things and my lists are exactly as they were before', async function (this: AttuneWorld) {
  const before = this.scratch.before as EstateSnapshot | undefined;
  if (!before) throw new Error('No snapshot of my things was taken before the attempts.');
  const after = await snapshotOf(this.api, this.admin, estateOf(this));
  for (const kind of Object.keys(before.lists) as Kind[]) {
    expect(after.lists[kind], `the ids/refs in my ${kind} list`).to.deep.equal(before.lists[kind]);
    expect(after.things[kind], `my ${kind} ${KIND_SPECS[kind].member(estateOf(this))} in full`).to.deep.equal(before.things[kind]);
  }
  expect(after.runsOfAction, 'every run of my action, whoever started it (admin view)').to.deep.equal(before.runsOfAction);
});

When('tenant {string} runs {ref} with the parameters:', async function (this: AttuneWorld, name: string, action: RefArg, parameters: DataTable) {
  await runAction(this.tenantNamed(name), action.ref, parameters.rowsHash());
});

Then("tenant {string}'s execution succeeds with the output {string}", async function (this: AttuneWorld, name: string, output: string) {
  const other = this.tenantNamed(name);
  const run = other.recall<{ id: number }>('execution', 'last');
  const done = await awaitOutcome(other, run.id, 'completed');
  this.markAsserted(run.id);
  const stdout = (done.result as { stdout?: unknown } | null)?.stdout;
  expect(stdout, `stdout of tenant "${name}"'s execution ${run.id} (result ${JSON.stringify(done.result)})`).to.equal(`${output}\n`);
});

Then("neither tenant {string} nor I can see the other's run", async function (this: AttuneWorld, name: string) {
  const other = this.tenantNamed(name);
  const mine = this.recall<{ id: number }>('execution', 'last');
  const theirs = other.recall<{ id: number }>('execution', 'last');
  const problems = [
    [`tenant "${name}" reading my run ${mine.id}`, notFoundProblem(await readOne(other.api, 'executions', mine.id))],
    [`me reading tenant "${name}"'s run ${theirs.id}`, notFoundProblem(await readOne(this.api, 'executions', theirs.id))],
  ]
    .filter(([, problem]) => problem)
    .map(([who, problem]) => `${who}: ${problem}`);
  expectNoProblems(problems, "Reads of the other tenant's run that were not answered 404");
  // each still sees its own
  expect((await execution(this, mine.id)).id).to.equal(mine.id);
  expect((await execution(other, theirs.id)).id).to.equal(theirs.id);
});

Then('both tenant {string} and I can read the action {ref}', async function (this: AttuneWorld, name: string, action: RefArg) {
  for (const who of [this, this.tenantNamed(name)]) {
    const answer = await readOne(who.api, 'actions', action.ref);
    expect(answer.status, `${who.api.actor} reading ${action.ref}: ${JSON.stringify(answer.body)}`).to.equal(200);
    expect((answer.body as { data?: { ref?: string } }).data?.ref, `ref of ${action.ref} as ${who.api.actor} reads it`).to.equal(action.ref);
  }
});
