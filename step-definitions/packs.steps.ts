/**
 * Steps about the scenario's pack as files: writing its files (YAML components, scripts), installing it with an
 * upload, and what the install stored or refused. In a file's text `<pack>` stands for the scenario's pack ref
 * (support/tasks/packs.ts), so files hold real refs (`ref: <pack>.shout`). A `pack.yaml` is written for the scenario
 * unless a step gave one. The acts live in support/tasks/packs.ts.
 */
import { Given, Then, When, type DataTable } from '@cucumber/cucumber';
import { expect } from 'chai';
import type { RawResponse } from '../support/api/client';
import { unwrapBody } from '../support/api/envelopes';
import { addPackFile, attemptPackInstall, configureOwnPack, installPackFromFiles } from '../support/tasks/packs';
import type { Workflow } from '../support/tasks/workflows';
import { runOwnPackTests } from '../support/tasks/pack-tests';
import { latestTestRunOfOwnPack, testRunsOfOwnPack } from '../support/questions/pack-tests';
import type { AttuneWorld } from '../support/world';

Given("my pack's file {string} holds:", function (this: AttuneWorld, filePath: string, text: string) {
  addPackFile(this, filePath, text);
});

When('I install my pack from its files', async function (this: AttuneWorld) {
  await installPackFromFiles(this);
});

When('I try to install my pack from its files', async function (this: AttuneWorld) {
  await attemptPackInstall(this);
});

Then(
  'installing my pack is refused as a bad request naming {string} and {string}',
  function (this: AttuneWorld, file: string, problem: string) {
    const answer = this.recall<RawResponse>('pack install answer', 'my pack');
    const shown = `${answer.status} ${answer.contentType}: ${JSON.stringify(answer.body)}`;
    expect(answer.status, `the status of the answer to the upload, ${shown}`).to.equal(400);
    expect(answer.contentType, `the content type of the answer, ${shown}`).to.match(/json/);
    const error = (answer.body as { error?: unknown } | null)?.error;
    expect(error, `the "error" of the answer, ${shown}`).to.be.a('string').that.includes(file).and.includes(problem);
  },
);

Then('my pack does not exist', async function (this: AttuneWorld) {
  const path = `/api/v1/packs/${encodeURIComponent(this.packRef)}`;
  const read = await this.api.raw('GET', path);
  expect(read.status, `GET ${path}: ${JSON.stringify(read.body)}`).to.equal(404);
});

/**
 * Each row names a workflow of the pack (`{ref}` rules), its label and its task names in order: the workflow is read
 * back by its ref in my pack, and its companion action (same ref) is a workflow action pointing at it.
 */
Then("my pack's workflows are registered with their companion actions:", async function (this: AttuneWorld, table: DataTable) {
  for (const row of table.hashes()) {
    const ref = this.ref(row.workflow);
    const read = await this.api.raw('GET', `/api/v1/workflows/${encodeURIComponent(ref)}`);
    const workflow = unwrapBody(read.body) as Workflow | null;
    const tasks = (workflow?.definition?.tasks as Array<{ name?: unknown }> | undefined)?.map((task) => task.name);
    expect(
      { status: read.status, ref: workflow?.ref, pack_ref: workflow?.pack_ref, label: workflow?.label, tasks },
      `GET workflow ${ref}: ${JSON.stringify(read.body)}`,
    ).to.deep.equal({ status: 200, ref, pack_ref: this.packRef, label: row.label, tasks: row.tasks.split(/\s*,\s*/) });
    const action = await this.api.raw('GET', `/api/v1/actions/${encodeURIComponent(ref)}`);
    const companion = unwrapBody(action.body) as Record<string, unknown> | null;
    expect(
      { status: action.status, pack_ref: companion?.pack_ref, workflow_def: companion?.workflow_def, runtime: companion?.runtime ?? null },
      `GET action ${ref} (the companion of workflow #${workflow?.id}): ${JSON.stringify(action.body)}`,
    ).to.deep.equal({ status: 200, pack_ref: this.packRef, workflow_def: workflow?.id, runtime: null });
  }
});

Given("my pack's configuration is:", async function (this: AttuneWorld, json: string) {
  const config = JSON.parse(json) as Record<string, unknown>;
  const pack = await configureOwnPack(this, config);
  expect(pack.config, `the configuration of pack ${this.packRef} after the change`).to.deep.equal(config);
});

// ---- the pack's own tests (pack.yaml `testing`): run on install unless skipped, again on demand, their history -----

When('I install my pack from its files, running its tests', async function (this: AttuneWorld) {
  await installPackFromFiles(this, undefined, { skipTests: false });
});

When('I install my pack from its files with force, running its tests', async function (this: AttuneWorld) {
  await installPackFromFiles(this, undefined, { skipTests: false, force: true });
});

When('I try to install my pack from its files, running its tests', async function (this: AttuneWorld) {
  await attemptPackInstall(this, undefined, { skipTests: false });
});

When('I install my pack from its files, skipping its tests', async function (this: AttuneWorld) {
  await installPackFromFiles(this, undefined, { skipTests: true });
});

When("I run my pack's tests", async function (this: AttuneWorld) {
  this.remember('pack test result', 'last', await runOwnPackTests(this));
});

/** `status`, the counts and the pass rate of a PackTestResult, against the row of a step's table. */
function expectTestResult(result: Record<string, unknown> | null | undefined, row: Record<string, string>, shown: string): void {
  const total = Number(row.total);
  const passed = Number(row.passed);
  expect(
    {
      status: result?.status, totalTests: result?.totalTests, passed: result?.passed, failed: result?.failed, skipped: result?.skipped,
      passRate: result?.passRate, packRef: result?.packRef, suites: (result?.testSuites as unknown[] | undefined)?.length,
    },
    shown,
  ).to.deep.equal({
    status: row.status, totalTests: total, passed, failed: Number(row.failed), skipped: Number(row.skipped),
    passRate: passed / total, packRef: row.pack, suites: 1,
  });
}

Then("the install ran my pack's tests, with this result:", function (this: AttuneWorld, table: DataTable) {
  const answer = this.recall<RawResponse>('pack install answer', 'my pack');
  const data = unwrapBody(answer.body) as { test_result?: Record<string, unknown> | null; tests_skipped?: unknown } | null;
  const shown = `the answer to the install (${answer.status}): ${JSON.stringify(answer.body)}`;
  expect({ status: answer.status, tests_skipped: data?.tests_skipped }, shown).to.deep.equal({ status: 201, tests_skipped: false });
  expectTestResult(data?.test_result, { ...table.hashes()[0], pack: this.packRef }, `test_result of ${shown}`);
});

Then("the install skipped my pack's tests, with no result", function (this: AttuneWorld) {
  const answer = this.recall<RawResponse>('pack install answer', 'my pack');
  const data = unwrapBody(answer.body) as { test_result?: unknown; tests_skipped?: unknown } | null;
  expect(
    { status: answer.status, tests_skipped: data?.tests_skipped, test_result: data?.test_result },
    `the answer to the install: ${JSON.stringify(answer.body)}`,
  ).to.deep.equal({ status: 201, tests_skipped: true, test_result: null });
});

Then('the run answered this result:', function (this: AttuneWorld, table: DataTable) {
  const result = this.recall<Record<string, unknown>>('pack test result', 'last');
  expectTestResult(result, { ...table.hashes()[0], pack: this.packRef }, `the answer to POST /packs/${this.packRef}/test: ${JSON.stringify(result)}`);
});

Then("my pack's test history holds exactly these runs, newest first:", async function (this: AttuneWorld, table: DataTable) {
  const { runs, total } = await testRunsOfOwnPack(this);
  const shown = `GET /packs/${this.packRef}/tests: ${JSON.stringify(runs)}`;
  const expected = table.hashes();
  expect(total, `total_items of ${shown}`).to.equal(expected.length);
  expect(
    runs.map((r) => ({ trigger: r.triggerReason, total: r.totalTests, passed: r.passed, failed: r.failed, skipped: r.skipped, version: r.packVersion })),
    shown,
  ).to.deep.equal(
    expected.map((row) => ({
      trigger: row.trigger, total: Number(row.total), passed: Number(row.passed), failed: Number(row.failed), skipped: Number(row.skipped), version: '1.0.0',
    })),
  );
  const times = runs.map((r) => Date.parse(r.executionTime));
  expect(times.every((t, i) => i === 0 || t <= times[i - 1]), `${shown}: execution times newest first`).to.equal(true);
  for (const r of runs) {
    expect({ passRate: r.passRate, resultTotal: r.result?.totalTests }, `run ${r.id} of ${shown}`).to.deep.equal({
      passRate: r.passed / r.totalTests,
      resultTotal: r.totalTests,
    });
  }
});

Then("my pack's latest test run is the newest of its history", async function (this: AttuneWorld) {
  const { runs } = await testRunsOfOwnPack(this);
  const latest = await latestTestRunOfOwnPack(this);
  expect(runs.length, `the test history of ${this.packRef}`).to.be.greaterThan(1);
  expect({ status: latest.status, run: latest.body?.data }, `GET /packs/${this.packRef}/tests/latest`).to.deep.equal({ status: 200, run: runs[0] });
});

Then('my pack has no test runs', async function (this: AttuneWorld) {
  const { runs, total } = await testRunsOfOwnPack(this);
  expect({ runs, total }, `GET /packs/${this.packRef}/tests`).to.deep.equal({ runs: [], total: 0 });
  const latest = await latestTestRunOfOwnPack(this);
  expect(latest.status, `GET /packs/${this.packRef}/tests/latest: ${JSON.stringify(latest.body)}`).to.equal(404);
});
