/**
 * Steps of workflow files: saving and rewriting a workflow file through the API, validating and syncing a pack's
 * workflow files.
 */
import { Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import type { RawResponse } from '../support/api/client';
import { unwrapBody } from '../support/api/envelopes';
import { expectJsonError } from '../support/questions/json-errors';
import { echoChain, rewriteWorkflowFile, saveWorkflowFile, syncPackWorkflows, validatePackWorkflows } from '../support/tasks/workflow-files';
import { PACK_REF_PLACEHOLDER } from '../support/tasks/packs';
import type { AttuneWorld } from '../support/world';

interface Workflow {
  id: number;
  ref: string;
  pack_ref: string;
  label: string;
  version: string;
  definition: { tasks?: Array<{ name: string }> };
}

const names = (list: string) => list.split(',').map((n) => n.trim());
const mine = (world: AttuneWorld, name: string) => `${world.packRef}.${name}`;
const filled = (world: AttuneWorld, text: string) => text.split(PACK_REF_PLACEHOLDER).join(world.packRef);

function okBody<T>(reply: RawResponse, status: number, what: string): T {
  expect(reply.status, `${what}: ${JSON.stringify(reply.body)}`).to.equal(status);
  return unwrapBody(reply.body) as T;
}

function shape(w: Workflow) {
  return { ref: w.ref, pack_ref: w.pack_ref, label: w.label, version: w.version, tasks: (w.definition.tasks ?? []).map((t) => t.name) };
}

When(
  'I save the workflow file {string} in my pack, labelled {string}, version {string}, with the tasks {string}',
  async function (this: AttuneWorld, name: string, label: string, version: string, tasks: string) {
    this.scratch.lastReply = await saveWorkflowFile(this, { name, label, version, definition: echoChain(names(tasks)) });
  },
);

When(
  'I rewrite the file of the workflow {string}, labelled {string}, version {string}, with the tasks {string}',
  async function (this: AttuneWorld, name: string, label: string, version: string, tasks: string) {
    this.scratch.lastReply = await rewriteWorkflowFile(this, { name, label, version, definition: echoChain(names(tasks)) });
  },
);

When(
  'I try to save the workflow file {string} in my pack whose task {string} goes to the task {string}',
  async function (this: AttuneWorld, name: string, task: string, target: string) {
    const definition = { tasks: [{ name: task, action: 'core.echo', input: { message: task }, next: [{ do: [target] }] }] };
    this.scratch.lastReply = await saveWorkflowFile(this, { name, label: name, version: '1.0.0', definition });
  },
);

Then(
  'the answer is {int} with the workflow {string} labelled {string}, version {string}, with the tasks {string}',
  function (this: AttuneWorld, status: number, name: string, label: string, version: string, tasks: string) {
    const w = okBody<Workflow>(this.scratch.lastReply as RawResponse, status, `saving workflow file ${name}`);
    this.scratch.savedWorkflow = w;
    const seen = shape(w);
    expect(seen, `the workflow as answered: ${JSON.stringify(seen)}`).to.deep.equal({ ref: mine(this, name), pack_ref: this.packRef, label, version, tasks: names(tasks) });
  },
);

Then(
  'the workflow {string} reads the same, with its action {string} pointing at it',
  async function (this: AttuneWorld, name: string, action: string) {
    const saved = this.scratch.savedWorkflow as Workflow;
    const read = okBody<Workflow>(await this.api.raw('GET', `/api/v1/workflows/${mine(this, name)}`), 200, `GET workflow ${name}`);
    expect({ id: read.id, ...shape(read) }, 'the workflow as read').to.deep.equal({ id: saved.id, ...shape(saved) });
    const act = okBody<{ ref: string; label: string; workflow_def: number | null }>(await this.api.raw('GET', `/api/v1/actions/${mine(this, action)}`), 200, `GET action ${action}`);
    expect({ ref: act.ref, label: act.label, workflow_def: act.workflow_def }, 'the companion action').to.deep.equal({ ref: mine(this, action), label: saved.label, workflow_def: saved.id });
  },
);

Then('the answer is 422 with a JSON error naming the task {string}', function (this: AttuneWorld, task: string) {
  const reply = this.scratch.lastReply as RawResponse;
  expectJsonError(reply, 422, undefined, 'saving the workflow file');
  expect(String((reply.body as { error: unknown }).error), 'the error').to.include(`'${task}'`);
});

When('I validate the workflows of my pack', async function (this: AttuneWorld) {
  this.scratch.validation = okBody(await validatePackWorkflows(this), 200, 'validating the workflows of my pack');
});

interface Validation {
  pack_ref: string;
  validated_count: number;
  error_count: number;
  errors: Record<string, string[]>;
}

Then(
  '{int} workflow files were validated and exactly {int} is broken: {string}, because its task {string} names the missing action {string}',
  function (this: AttuneWorld, count: number, broken: number, name: string, task: string, action: string) {
    const v = this.scratch.validation as Validation;
    expect({ pack_ref: v.pack_ref, validated_count: v.validated_count, error_count: v.error_count, broken: Object.keys(v.errors) }, `the validation: ${JSON.stringify(v)}`).to.deep.equal({
      pack_ref: this.packRef, validated_count: count, error_count: broken, broken: [mine(this, name)],
    });
    const messages = v.errors[mine(this, name)];
    expect(messages.length, `errors of ${name}: ${JSON.stringify(messages)}`).to.equal(1);
    expect(messages[0], 'the error').to.include(`'${task}'`).and.to.include(`'${filled(this, action)}'`);
  },
);

Then(
  'validating the workflows of my pack now counts {int} files, {string} the only broken one',
  async function (this: AttuneWorld, count: number, name: string) {
    const v = okBody<Validation>(await validatePackWorkflows(this), 200, 'validating the workflows of my pack');
    expect({ validated_count: v.validated_count, error_count: v.error_count, broken: Object.keys(v.errors) }, `the validation: ${JSON.stringify(v)}`).to.deep.equal({
      validated_count: count, error_count: 1, broken: [mine(this, name)],
    });
  },
);

interface Sync {
  pack_ref: string;
  loaded_count: number;
  registered_count: number;
  workflows: Array<{ ref_name: string; created: boolean; workflow_def_id: number; warnings: string[] }>;
  errors: string[];
}

When('I sync the workflows of my pack', async function (this: AttuneWorld) {
  const before = okBody<Workflow>(await this.api.raw('GET', `/api/v1/workflows/${mine(this, 'relay')}`), 200, 'GET workflow relay');
  this.scratch.relayId = before.id;
  this.scratch.sync = okBody(await syncPackWorkflows(this), 200, 'syncing the workflows of my pack');
});

Then(
  '{int} workflow files were loaded and {int} registered: {string}, updated, under its existing id',
  function (this: AttuneWorld, loaded: number, registered: number, name: string) {
    const s = this.scratch.sync as Sync;
    expect({ pack_ref: s.pack_ref, loaded_count: s.loaded_count, registered_count: s.registered_count, workflows: s.workflows }, `the sync: ${JSON.stringify(s)}`).to.deep.equal({
      pack_ref: this.packRef, loaded_count: loaded, registered_count: registered,
      workflows: [{ ref_name: mine(this, name), created: false, workflow_def_id: this.scratch.relayId, warnings: [] }],
    });
  },
);

Then('the sync reports exactly one error, naming {string}', function (this: AttuneWorld, name: string) {
  const s = this.scratch.sync as Sync;
  expect(s.errors.length, `sync errors: ${JSON.stringify(s.errors)}`).to.equal(1);
  expect(s.errors[0], 'the error').to.include(mine(this, name));
});
