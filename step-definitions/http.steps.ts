/**
 * Steps about HTTP requests an action makes (`core.http_request`, docs/runtimes.md "HTTP runner"): a loopback HTTP
 * server the scenario starts and programs, a run of the action against it, what the action reported, and what the
 * server received.
 */
import { Given, Then, When, type DataTable } from '@cucumber/cucumber';
import { expect } from 'chai';
import { parseJson } from '../support/json-text';
import { jsonAnswer, textAnswer, type RecordedRequest } from '../support/loopback-http';
import type { RefArg } from '../support/parameter-types';
import { awaitOutcome, type Execution } from '../support/questions/executions';
import { expectedUrl, reportedHeader, reportedResponse, type ReportedResponse } from '../support/questions/http-responses';
import { resultOf } from '../support/questions/outcomes';
import { loopbackServer, reserveClosedPort, runHttpRequest, sentHttpParameters, startedLoopbackServer } from '../support/tasks/http-requests';
import type { ExecutionStatus } from '../support/status';
import { timeouts } from '../support/timeouts';
import type { AttuneWorld } from '../support/world';

function lastRun(world: AttuneWorld): Execution {
  return world.recall<Execution>('execution', 'last');
}

function parseSuccess(word: string): boolean {
  if (word !== 'true' && word !== 'false') throw new Error(`success must be written true or false, got "${word}"`);
  return word === 'true';
}

/** Waits for the last run to end with `status`, then returns it and what the action reported. */
async function ended(world: AttuneWorld, status: ExecutionStatus): Promise<{ run: Execution; report: ReportedResponse; shown: string }> {
  const run = await awaitOutcome(world, lastRun(world).id, status);
  world.markAsserted(run.id);
  return { run, report: reportedResponse(run), shown: `execution ${run.id} of ${run.action_ref} (result ${JSON.stringify(run.result)})` };
}

/** The one request the server received; fails when it received none or several. */
function onlyRequest(world: AttuneWorld): RecordedRequest {
  const received = startedLoopbackServer(world).requests();
  expect(
    received.map((r) => `${r.method} ${r.path}`),
    `requests the loopback server received: ${JSON.stringify(received)}`,
  ).to.have.lengthOf(1);
  return received[0];
}

// ---- the loopback server ------------------------------------------------------------------------------------------

Given(
  'a loopback HTTP server answers {word} {string} with {int} and the JSON:',
  async function (this: AttuneWorld, method: string, path: string, status: number, json: string) {
    parseJson(json, `the answer to ${method} ${path}`);
    (await loopbackServer(this)).answer(method, path, jsonAnswer(status, json));
  },
);

Given(
  'a loopback HTTP server answers {word} {string} with {int}, the header {string} set to {string}, and the JSON:',
  async function (this: AttuneWorld, method: string, path: string, status: number, header: string, value: string, json: string) {
    parseJson(json, `the answer to ${method} ${path}`);
    (await loopbackServer(this)).answer(method, path, jsonAnswer(status, json, { [header]: value }));
  },
);

Given(
  'a loopback HTTP server answers {word} {string} with {int} and the text {string}',
  async function (this: AttuneWorld, method: string, path: string, status: number, text: string) {
    (await loopbackServer(this)).answer(method, path, textAnswer(status, text));
  },
);

Given('a loopback HTTP server that never answers {word} {string}', async function (this: AttuneWorld, method: string, path: string) {
  (await loopbackServer(this)).answer(method, path, { kind: 'hold' });
});

Given('a loopback port where nothing listens', async function (this: AttuneWorld) {
  await reserveClosedPort(this);
});

// ---- running the action -------------------------------------------------------------------------------------------

When('I run {ref} against the loopback server with the parameters:', async function (this: AttuneWorld, action: RefArg, json: string) {
  await runHttpRequest(this, action.ref, json);
});

// ---- what the action reported -------------------------------------------------------------------------------------

async function expectCompleted(world: AttuneWorld, status: number, success: string, body: { json?: unknown; text?: string }): Promise<void> {
  const { report, shown } = await ended(world, 'completed');
  const sent = sentHttpParameters(world);
  expect(
    { status_code: report.status_code, success: report.success, error: report.error, url: report.url },
    `the response ${shown} reported`,
  ).to.deep.equal({ status_code: status, success: parseSuccess(success), error: null, url: expectedUrl(sent) });
  expect(report.elapsed_ms, `elapsed_ms ${shown}`).to.be.a('number').and.to.be.at.least(0);
  if (body.text !== undefined) {
    expect({ body: report.body, json: report.json }, `the body ${shown} reported`).to.deep.equal({ body: body.text, json: null });
  } else {
    expect(typeof report.body === 'string' ? parseJson(report.body, `the body ${shown} reported`) : report.body, `the body text ${shown} reported`).to.deep.equal(body.json);
    expect(report.json, `the parsed json ${shown} reported`).to.deep.equal(body.json);
  }
}

Then(
  'the HTTP request completed with status {int}, success {word}, and the JSON body:',
  async function (this: AttuneWorld, status: number, success: string, json: string) {
    await expectCompleted(this, status, success, { json: parseJson(json, 'the expected body') });
  },
);

Then(
  'the HTTP request completed with status {int}, success {word}, and the text body {string}',
  async function (this: AttuneWorld, status: number, success: string, text: string) {
    await expectCompleted(this, status, success, { text });
  },
);

Then('the reported response carried the header {string} set to {string}', async function (this: AttuneWorld, name: string, value: string) {
  const { report, shown } = await ended(this, 'completed');
  expect(reportedHeader(report, name), `header ${name} of the response ${shown} reported (headers ${JSON.stringify(report.headers)})`).to.equal(value);
});

Then(
  'the HTTP request failed with exit code {int}, status {int} and the error {string}',
  async function (this: AttuneWorld, exitCode: number, status: number, error: string) {
    const { run, report, shown } = await ended(this, 'failed');
    const sent = sentHttpParameters(this);
    expect({ succeeded: resultOf(run).succeeded, exit_code: resultOf(run).exit_code }, shown).to.deep.equal({ succeeded: false, exit_code: exitCode });
    expect(
      { status_code: report.status_code, success: report.success, error: report.error, url: report.url, body: report.body, json: report.json },
      `the document ${shown} reported`,
    ).to.deep.equal({ status_code: status, success: false, error, url: expectedUrl(sent), body: '', json: null });
  },
);

Then(
  /^the run gave up after (\d+) seconds? of waiting, within the HTTP timeout margin$/,
  async function (this: AttuneWorld, seconds: string) {
    const run = await awaitOutcome(this, lastRun(this).id, 'failed');
    this.markAsserted(run.id);
    const duration = resultOf(run).duration_ms;
    const floor = Number(seconds) * 1000;
    expect(duration, `duration_ms of execution ${run.id} (result ${JSON.stringify(run.result)})`)
      .to.be.a('number')
      .and.to.be.within(floor, floor + timeouts.httpTimeoutMargin);
  },
);

// ---- what the server received -------------------------------------------------------------------------------------

Then('the server received exactly one request, {word} {string}', function (this: AttuneWorld, method: string, path: string) {
  const request = onlyRequest(this);
  expect(`${request.method} ${request.path}`, 'the request the loopback server received').to.equal(`${method} ${path}`);
});

Then('that request carried the headers:', function (this: AttuneWorld, table: DataTable) {
  const request = onlyRequest(this);
  const wanted = table.hashes().map((row) => ({ name: row.header.toLowerCase(), value: row.value }));
  const seen = wanted.map(({ name }) => ({ name, value: request.headers[name] }));
  expect(seen, `headers of ${request.method} ${request.path} (all: ${JSON.stringify(request.headers)})`).to.deep.equal(wanted);
});

Then('that request carried no {string} header', function (this: AttuneWorld, name: string) {
  const request = onlyRequest(this);
  expect(request.headers, `headers of ${request.method} ${request.path}`).not.to.have.property(name.toLowerCase());
});

Then('that request carried the JSON body:', function (this: AttuneWorld, json: string) {
  const request = onlyRequest(this);
  expect(parseJson(request.body, `the body of ${request.method} ${request.path}`), `body of ${request.method} ${request.path}`).to.deep.equal(
    parseJson(json, 'the expected request body'),
  );
});
