/**
 * Steps about action parameters: an action declaring a schema, run requests that keep to it or break it, and what the
 * action was given in the end (defaults filled in, extras passed through) or how the run failed.
 */
import { Given, Then, When, type DataTable } from '@cucumber/cucumber';
import { expect } from 'chai';
import type { RawResponse } from '../support/api/client';
import type { RefArg } from '../support/parameter-types';
import { awaitOutcome, type Execution } from '../support/questions/executions';
import { awaitFailure, resultOf, stdoutOf } from '../support/questions/outcomes';
import { createParameterPrinter, requestRun } from '../support/tasks/parameters';
import type { AttuneWorld } from '../support/world';

interface RunRequest {
  parameters: unknown;
  response: RawResponse;
}

function lastRequest(world: AttuneWorld): RunRequest {
  return world.recall<RunRequest>('run request', 'last');
}

function lastRunId(world: AttuneWorld): number {
  const { response } = lastRequest(world);
  const id = (response.body as { data?: { id?: unknown } } | undefined)?.data?.id;
  if (typeof id !== 'number') throw new Error(`the run request was not answered with an execution: ${response.status} ${JSON.stringify(response.body)}`);
  return id;
}

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

Given('an action {ref} that prints the parameters it receives, declaring:', async function (this: AttuneWorld, action: RefArg, table: DataTable) {
  await createParameterPrinter(this, action.name, table);
});

When('I run {ref} with the JSON parameters {string}', async function (this: AttuneWorld, action: RefArg, json: string) {
  await requestRun(this, action.ref, JSON.parse(json) as unknown);
});

Then('the request is accepted, the execution requested with exactly those parameters', function (this: AttuneWorld) {
  const { parameters, response } = lastRequest(this);
  const shown = `${response.status} ${JSON.stringify(response.body)}`;
  expect(response.status, `the status of the answer ${shown}`).to.equal(201);
  const data = (response.body as { data?: Record<string, unknown> }).data ?? {};
  expect({ status: data.status, config: data.config }, `the execution in the answer ${shown}`).to.deep.equal({ status: 'requested', config: parameters });
});

Then(
  'the execution fails without running the action, its error naming the parameter {string} as {string}',
  async function (this: AttuneWorld, parameter: string, problem: string) {
    const run: Execution = await awaitFailure(this, lastRunId(this));
    const result = resultOf(run);
    const shown = `execution ${run.id} (result ${JSON.stringify(run.result)})`;
    expect(result.succeeded, `${shown}: result.succeeded`).to.equal(false);
    expect(result.error, `${shown}: result.error`).to.be.a('string');
    const error = String(result.error);
    expect(new RegExp(`\\b${escaped(parameter)}\\b`).test(error), `${shown}: the error must name the parameter "${parameter}"`).to.equal(true);
    expect(error, `${shown}: the error must say what is wrong with "${parameter}"`).to.include(problem);
    expect(stdoutOf(run), `${shown}: the action must not have run (it prints its input)`).to.equal('');
  },
);

Then('the execution completes, the action having received exactly:', async function (this: AttuneWorld, json: string) {
  const expected = JSON.parse(json) as unknown;
  const run = await awaitOutcome(this, lastRunId(this), 'completed');
  this.markAsserted(run.id);
  const shown = `execution ${run.id} (config ${JSON.stringify(run.config)}; result ${JSON.stringify(run.result)})`;
  const stdout = stdoutOf(run);
  expect(stdout.endsWith('\n') && !stdout.slice(0, -1).includes('\n'), `${shown}: the action printed one line`).to.equal(true);
  expect(JSON.parse(stdout) as unknown, `${shown}: the parameters the action printed`).to.deep.equal(expected);
  expect(resultOf(run).data, `${shown}: result.data, its parsed output`).to.deep.equal(expected);
  expect(run.config, `${shown}: the execution's parameters as the API shows them after the run`).to.deep.equal(expected);
});
