/**
 * Steps about Python and Node.js actions and the dependencies their packs bring: shipping packages inside a pack
 * (wheels, npm tarballs, a pack's own node_modules), declaring them (requirements.txt, package.json), writing the
 * actions, installing the packs, running them one at a time or all at once, and what the actions reported (their
 * JSON output, where the module they loaded lies). The acts live in support/tasks/runtimes.ts, the questions in
 * support/questions/dependencies.ts.
 *
 * `{packName}` is "my pack" (the scenario's own) or `pack "alpha"` (another pack of the scenario, its own ref);
 * `{quotedList}` is one or more quoted texts: `"1.0.0"`, `"1.0.0" and "2.0.0"`, `"a", "b" and "c"`.
 */
import { defineParameterType, Given, Then, When, type DataTable } from '@cucumber/cucumber';
import { expect } from 'chai';
import type { RefArg } from '../support/parameter-types';
import { awaitTerminal, type Execution } from '../support/questions/executions';
import { cellValue, completedReport, moduleFileOf, pathHasSegment } from '../support/questions/dependencies';
import { awaitFailure, failureOutcome } from '../support/questions/outcomes';
import { runAction } from '../support/tasks/executions';
import {
  addScriptAction,
  dependOnNpmTarball,
  installDraft,
  MY_PACK,
  packDraft,
  packDrafts,
  packRuns,
  replacePythonRequirements,
  requirePython,
  runPackAction,
  shipNpmModule,
  shipNpmTarball,
  shipPythonPackage,
  type ActionLanguage,
  type PackDraft,
} from '../support/tasks/runtimes';
import type { AttuneWorld } from '../support/world';

defineParameterType({
  name: 'packName',
  regexp: /my pack|pack "([^"]+)"/,
  transformer: (name?: string): string => name ?? MY_PACK,
  useForSnippets: false,
});

defineParameterType({
  name: 'quotedList',
  regexp: /"[^"]*"(?:(?:,\s*|\s+and\s+)"[^"]*")*/,
  transformer: (text: string): string[] => [...text.matchAll(/"([^"]*)"/g)].map((m) => m[1]),
  useForSnippets: false,
});

const LANGUAGE_WORDS: Record<string, ActionLanguage> = { Python: 'python', 'Node.js': 'node' };

function lastRun(world: AttuneWorld): Execution {
  return world.recall<Execution>('execution', 'last');
}

function draftsNamed(world: AttuneWorld, names: string[]): PackDraft[] {
  return names.map((name) => packDraft(world, name));
}

// ---- what a pack ships and declares ---------------------------------------------------------------------------------

Given('{packName} ships the Python package {string} at version(s) {quotedList}', function (this: AttuneWorld, pack: string, name: string, versions: string[]) {
  shipPythonPackage(packDraft(this, pack), name, versions);
});

Given('{packName} requires {quotedList}', function (this: AttuneWorld, pack: string, requirements: string[]) {
  requirePython(packDraft(this, pack), requirements);
});

Given('{packName} ships the npm package {string} at version(s) {quotedList} as (a )tarball(s)', function (this: AttuneWorld, pack: string, name: string, versions: string[]) {
  shipNpmTarball(packDraft(this, pack), name, versions);
});

Given('{packName} ships the npm package {string} at version {string} in its own node_modules', function (this: AttuneWorld, pack: string, name: string, version: string) {
  shipNpmModule(packDraft(this, pack), name, version);
});

Given('{packName} depends on the npm package {string} at version {string}', function (this: AttuneWorld, pack: string, name: string, version: string) {
  dependOnNpmTarball(packDraft(this, pack), name, version);
});

Given('{packName} has a {word} action {string} that prints JSON from the code:', function (this: AttuneWorld, pack: string, language: string, name: string, code: string) {
  addScriptAction(packDraft(this, pack), languageOf(language), name, code);
});

Given(
  'the packs {quotedList} each have a {word} action {string} that prints JSON from the code:',
  function (this: AttuneWorld, packs: string[], language: string, name: string, code: string) {
    for (const draft of draftsNamed(this, packs)) addScriptAction(draft, languageOf(language), name, code);
  },
);

function languageOf(word: string): ActionLanguage {
  const language = LANGUAGE_WORDS[word];
  if (!language) throw new Error(`"${word}" is not an action language of these steps (known: ${Object.keys(LANGUAGE_WORDS).join(', ')})`);
  return language;
}

// ---- installing -----------------------------------------------------------------------------------------------------

When('I install the packs {quotedList}', async function (this: AttuneWorld, packs: string[]) {
  for (const draft of draftsNamed(this, packs)) await installDraft(this, draft);
});

When("my pack's requirements become {quotedList} and I install my pack again", async function (this: AttuneWorld, requirements: string[]) {
  const draft = packDraft(this);
  if (!draft.installed && !this.packCreated) throw new Error('my pack was not installed yet: nothing to install again');
  replacePythonRequirements(draft, requirements);
  await installDraft(this, draft);
});

// ---- running --------------------------------------------------------------------------------------------------------

When('I run {ref} twice, one run after the other', async function (this: AttuneWorld, action: RefArg) {
  for (const n of [1, 2]) {
    const run = await runAction(this, action.ref, {}, `${action.name} #${n}`);
    await awaitTerminal(this, run.id);
  }
});

When('I run {string} of the packs {quotedList}, one pack after the other', async function (this: AttuneWorld, action: string, packs: string[]) {
  for (const draft of draftsNamed(this, packs)) {
    const run = await runPackAction(this, draft, action);
    await awaitTerminal(this, run.id);
  }
});

When('I run {string} of the packs {quotedList} {int} times each, all at once', async function (this: AttuneWorld, action: string, packs: string[], times: number) {
  const drafts = draftsNamed(this, packs);
  const starts: Array<Promise<Execution>> = [];
  for (let i = 0; i < times; i++) for (const draft of drafts) starts.push(runPackAction(this, draft, action));
  await Promise.all(starts);
});

// ---- what the actions reported --------------------------------------------------------------------------------------

Then("the action's JSON output holds:", async function (this: AttuneWorld, table: DataTable) {
  const { run, report } = await completedReport(this, lastRun(this).id);
  const expected = Object.fromEntries(Object.entries(table.rowsHash()).map(([k, v]) => [k, cellValue(v)]));
  const actual = Object.fromEntries(Object.keys(expected).map((k) => [k, report[k]]));
  expect(actual, `the JSON output of execution ${run.id} (result.data ${JSON.stringify(report)})`).to.deep.equal(expected);
});

Then("the action's JSON output is exactly:", async function (this: AttuneWorld, json: string) {
  const { run, report } = await completedReport(this, lastRun(this).id);
  expect(report, `the JSON output of execution ${run.id} (result ${JSON.stringify(run.result)})`).to.deep.equal(JSON.parse(json));
});

Then("the action's JSON output has {string} matching {string}", async function (this: AttuneWorld, key: string, pattern: string) {
  const { run, report } = await completedReport(this, lastRun(this).id);
  const value = report[key];
  expect(value, `"${key}" in the JSON output of execution ${run.id} (result.data ${JSON.stringify(report)})`).to.be.a('string').that.matches(new RegExp(pattern));
});

Then("the action loaded {string} from a folder of my pack's own", async function (this: AttuneWorld, what: string) {
  const { run, report } = await completedReport(this, lastRun(this).id);
  const file = moduleFileOf(run, report);
  expect(pathHasSegment(file, this.packRef), `the module file of ${what} that execution ${run.id} loaded (${file}) lies in a folder named after my pack ${this.packRef}`).to.equal(true);
  if (typeof report.prefix === 'string') {
    // a Python run also says which environment it ran in: the module is inside it, and it is my pack's
    expect(file.startsWith(`${report.prefix}/`), `${file} lies inside the environment the action ran in (sys.prefix ${report.prefix})`).to.equal(true);
    expect(pathHasSegment(report.prefix, this.packRef), `the environment ${report.prefix} is my pack's (${this.packRef})`).to.equal(true);
  }
});

/** The reports of the two runs of a step "twice, one run after the other", as started. */
Then('both runs of {ref} succeeded and loaded the very same module file, untouched', async function (this: AttuneWorld, action: RefArg) {
  const first = await completedReport(this, this.recall<Execution>('execution', `${action.name} #1`).id);
  const second = await completedReport(this, this.recall<Execution>('execution', `${action.name} #2`).id);
  const identity = (r: Record<string, unknown>) => ({ prefix: r.prefix, module_file: r.module_file, module_inode: r.module_inode, module_mtime_ns: r.module_mtime_ns });
  const a = identity(first.report);
  expect(Object.values(a).every((v) => v !== undefined && v !== null), `the first run reported where its module lies (${JSON.stringify(first.report)})`).to.equal(true);
  expect(identity(second.report), `the second run (execution ${second.run.id}) against the first (execution ${first.run.id})`).to.deep.equal(a);
});

Then('every run of {string} succeeded and reported:', async function (this: AttuneWorld, action: string, table: DataTable) {
  const seen = [];
  const wanted = [];
  for (const row of table.hashes()) {
    const draft = packDraft(this, row.pack);
    const ids = packRuns(this, draft);
    const versions: unknown[] = [];
    for (const id of ids) versions.push((await completedReport(this, id)).report.version);
    seen.push({ pack: row.pack, action, runs: ids.length, versions });
    wanted.push({ pack: row.pack, action, runs: Number(row.runs), versions: Array(Number(row.runs)).fill(row.version) });
  }
  expect(seen, 'the runs of each pack and the versions they reported, in start order').to.deep.equal(wanted);
});

Then("each pack's runs loaded {string} from one folder of that pack's own", async function (this: AttuneWorld, what: string) {
  const places: Record<string, string[]> = {};
  for (const draft of packDrafts(this)) {
    const ids = packRuns(this, draft);
    if (ids.length === 0) continue;
    const files = new Set<string>();
    for (const id of ids) {
      const { run, report } = await completedReport(this, id);
      const file = moduleFileOf(run, report);
      expect(pathHasSegment(file, draft.ref), `${what} as loaded by execution ${id} of ${draft.label} (${file}) lies in a folder named after ${draft.ref}`).to.equal(true);
      files.add(file);
    }
    places[draft.label] = [...files];
  }
  for (const [label, files] of Object.entries(places)) {
    expect(files, `the module files ${label}'s runs loaded ${what} from (one, shared by all its runs)`).to.have.lengthOf(1);
  }
  const all = Object.values(places).map((files) => files[0]);
  expect(new Set(all).size, `every pack loaded ${what} from a file of its own (${JSON.stringify(places)})`).to.equal(all.length);
});

// ---- failures -------------------------------------------------------------------------------------------------------

Then('the execution fails with exit code {int} and an error whose last line is {string}', async function (this: AttuneWorld, code: number, line: string) {
  const run = await awaitFailure(this, lastRun(this).id);
  const outcome = failureOutcome(run);
  const error = typeof outcome.error === 'string' ? outcome.error : '';
  const lines = error.split(/\r?\n/).filter((l) => l.trim() !== '');
  expect({ ...outcome, error: lines[lines.length - 1]?.trim() }, `execution ${run.id} (result ${JSON.stringify(run.result)})`).to.deep.equal({
    status: 'failed',
    succeeded: false,
    exit_code: code,
    error: line,
  });
});

Then('the execution fails with an error that includes {string}', async function (this: AttuneWorld, text: string) {
  const run = await awaitFailure(this, lastRun(this).id);
  const outcome = failureOutcome(run);
  const shown = `execution ${run.id} (result ${JSON.stringify(run.result)})`;
  expect({ status: outcome.status, succeeded: outcome.succeeded }, shown).to.deep.equal({ status: 'failed', succeeded: false });
  expect(outcome.error, `the error of ${shown}`).to.be.a('string').that.includes(text);
});
