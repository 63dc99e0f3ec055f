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
