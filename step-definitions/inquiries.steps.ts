/**
 * Steps about inquiries, people in the loop (docs/inquiries.md): a workflow task whose action is `core.ask` asks one
 * inquiry and its run waits; a person answers it (or does not, and it times out); answers that do not fit are refused
 * and change nothing; only the assignee may answer; an inquiry can be asked directly about any execution; watchers
 * are told. The acts live in support/tasks/inquiries.ts, the reads in support/questions/inquiries.ts; the workflow
 * steps (workflows.steps.ts) define, run and judge the runs themselves.
 */
import { Given, Then, When, type DataTable } from '@cucumber/cucumber';
import { expect } from 'chai';
import type { RawResponse } from '../support/api/client';
import { consistently, describeValue, eventually } from '../support/eventually';
import { NotificationStream, type ReceivedFrame } from '../support/notifications';
import type { RefArg } from '../support/parameter-types';
import { awaitOutcome, execution, type Execution } from '../support/questions/executions';
import {
  awaitInquiryOfTask,
  awaitInquiryStatus,
  describeGate,
  describeInquiry,
  gateSnapshot,
  inquiriesOfRun,
  inquiry,
  stampOf,
  workflowPause,
  type Inquiry,
} from '../support/questions/inquiries';
import { describeFrame } from '../support/questions/notices';
import { stdoutOf } from '../support/questions/outcomes';
import { attemptsOf, describeChildren, taskNameOf } from '../support/questions/workflows';
import { createAction } from '../support/tasks/actions';
import { runAction } from '../support/tasks/executions';
import {
  answer,
  askDirectly,
  cancelAtCleanupIfUnfinished,
  rememberInquiry,
  respond,
  thatInquiry,
  type RememberedInquiry,
} from '../support/tasks/inquiries';
import { lastRunId, runWorkflow } from '../support/tasks/workflows';
import { timeouts } from '../support/timeouts';
import type { AttuneWorld } from '../support/world';
import { parseJson } from '../support/json-text';


const runId = lastRunId;

/** The fields of an inquiry a pending/answered check compares (timestamps only as "set or not"). */
function shape(row: Inquiry): Record<string, unknown> {
  return {
    execution: row.execution,
    prompt: row.prompt,
    response_schema: row.response_schema ?? null,
    assigned_to: row.assigned_to ?? null,
    status: row.status,
    response: row.response ?? null,
    responded_at: row.responded_at ? 'set' : null,
  };
}

/**
 * Waits for the inquiry of a workflow task, remembers it as "that inquiry", and registers the run's cancellation at
 * cleanup (a run that waits on a person must not outlive its scenario).
 */
async function gateOf(world: AttuneWorld, task: string, step: string): Promise<{ inquiry: Inquiry; child: Execution }> {
  const id = runId(world);
  cancelAtCleanupIfUnfinished(world, id);
  const found = await awaitInquiryOfTask(world, id, task, step);
  world.markAsserted(found.child.id);
  rememberInquiry(world, { inquiry: found.inquiry, task, runId: id });
  return found;
}

function describeReply(reply: RawResponse): string {
  return `${reply.status} ${reply.contentType || '(no content type)'}: ${JSON.stringify(reply.body)}`;
}

function errorOf(reply: RawResponse): unknown {
  return (reply.body as { error?: unknown } | null | undefined)?.error;
}

/** A refused answer: the status, a JSON body with an `error` text. */
function expectRefused(reply: RawResponse, status: number, what: string): string {
  expect(reply.status, `${what}: the answer ${describeReply(reply)}`).to.equal(status);
  expect(reply.contentType, `${what}: the content type of the answer ${describeReply(reply)}`).to.match(/json/);
  const error = errorOf(reply);
  expect(error, `${what}: the "error" of the answer ${describeReply(reply)}`).to.be.a('string');
  return error as string;
}

/** The inquiry as it is now must be exactly as it was remembered (status, response, responded_at, prompt …). */
async function expectUnchanged(world: AttuneWorld, before: Inquiry, what: string): Promise<void> {
  const now = await inquiry(world, before.id);
  expect(shape(now), `${what}: inquiry ${before.id} must be unchanged (${describeInquiry(now)})`).to.deep.equal(shape(before));
}

// ---- running a gated workflow ---------------------------------------------------------------------------------------

async function runWithApprover(world: AttuneWorld, workflow: RefArg, approver: number, json: string): Promise<void> {
  const parameters = parseJson(json, 'the workflow parameters') as Record<string, unknown>;
  const run = await runWorkflow(world, workflow.name, { ...parameters, approver });
  cancelAtCleanupIfUnfinished(world, run.execution.id);
}

When(
  'I run the workflow {ref} with myself as the approver and the parameters:',
  async function (this: AttuneWorld, workflow: RefArg, json: string) {
    await runWithApprover(this, workflow, this.tenant.id, json);
  },
);

When(
  'I run the workflow {ref} with tenant {string} as the approver and the parameters:',
  async function (this: AttuneWorld, workflow: RefArg, name: string, json: string) {
    await runWithApprover(this, workflow, this.tenantNamed(name).tenant.id, json);
  },
);

// ---- the gate: a pending inquiry and a run that waits ----------------------------------------------------------------

Then('the inquiry of the task {string} is pending with the prompt {string}', async function (this: AttuneWorld, task: string, prompt: string) {
  const step = `the inquiry of the task "${task}" is pending with the prompt ${JSON.stringify(prompt)}`;
  const { inquiry: found, child } = await gateOf(this, task, step);
  expect(
    { execution: found.execution, prompt: found.prompt, status: found.status, response: found.response ?? null, responded_at: found.responded_at ?? null },
    `[${step}] ${describeInquiry(found)}`,
  ).to.deep.equal({ execution: child.id, prompt, status: 'pending', response: null, responded_at: null });
});

Then('the inquiry of the task {string} is pending, assigned to me, with:', async function (this: AttuneWorld, task: string, json: string) {
  const step = `the inquiry of the task "${task}" is pending, assigned to me`;
  const wanted = parseJson(json, 'the expected prompt and response schema') as { prompt?: unknown; response_schema?: unknown };
  const { inquiry: found, child } = await gateOf(this, task, step);
  expect(shape(found), `[${step}] inquiry ${found.id} as read back: ${describeValue(found)}`).to.deep.equal({
    execution: child.id,
    prompt: wanted.prompt,
    response_schema: wanted.response_schema ?? null,
    assigned_to: this.tenant.id,
    status: 'pending',
    response: null,
    responded_at: null,
  });
});

Then('the inquiry of the task {string} is pending, assigned to tenant {string}', async function (this: AttuneWorld, task: string, name: string) {
  const step = `the inquiry of the task "${task}" is pending, assigned to tenant "${name}"`;
  const assignee = this.tenantNamed(name).tenant.id;
  const { inquiry: found, child } = await gateOf(this, task, step);
  expect(
    { execution: found.execution, assigned_to: found.assigned_to, status: found.status, response: found.response ?? null },
    `[${step}] (tenant "${name}" is identity ${assignee}) ${describeInquiry(found)}`,
  ).to.deep.equal({ execution: child.id, assigned_to: assignee, status: 'pending', response: null });
});

Then('the workflow run keeps waiting on that inquiry', async function (this: AttuneWorld) {
  const remembered = thatInquiry(this);
  const { task, runId: id } = remembered;
  if (!task || id === undefined) throw new Error('"that inquiry" was not asked by a workflow task; use a step that names the task first.');
  const step = `the workflow run keeps waiting on the inquiry of the task "${task}"`;
  const start = await gateSnapshot(this, id, task);
  const newest = start.children[start.children.length - 1];
  expect(newest?.id, `[${step}] the task's execution must be the run's newest child: ${describeGate(start, task)}`).to.equal(start.child?.id);
  const ids = start.children.map((row) => row.id);
  await consistently(
    `[${step}] workflow run #${id} stays running with the task "${task}" running, no further child and inquiry ${remembered.inquiry.id} pending without a response`,
    timeouts.consistently.inquiryGateHeld,
    () => gateSnapshot(this, id, task),
    (value) => {
      const view = {
        run: value.run.status,
        children: value.children.map((row) => row.id),
        task: value.child?.status,
        inquiries: value.inquiries.map((row) => ({ id: row.id, status: row.status, has_response: row.has_response })),
      };
      expect(view, describeGate(value, task)).to.deep.equal({
        run: 'running',
        children: ids,
        task: 'running',
        inquiries: [{ id: remembered.inquiry.id, status: 'pending', has_response: false }],
      });
    },
  );
});

Then("the workflow's own state says it is paused, waiting for that inquiry", async function (this: AttuneWorld) {
  const id = runId(this);
  const asked = thatInquiry(this).inquiry;
  const wanted = { rows: 1, paused: true, pause_reason: `waiting for inquiry ${asked.id}` };
  await eventually(
    `[the workflow's own state says it is paused, waiting for inquiry ${asked.id}] the workflow_execution row of run #${id}`,
    () => workflowPause(id),
    (row) => {
      expect(row).to.deep.equal(wanted);
    },
    { timeoutMs: timeouts.inquiryAsked },
  );
});

Then("the workflow's own state is no longer paused", async function (this: AttuneWorld) {
  const id = runId(this);
  const row = await workflowPause(id);
  expect(row, `[the workflow's own state is no longer paused] the workflow_execution row of run #${id}`).to.deep.equal({
    rows: 1,
    paused: false,
    pause_reason: null,
  });
});

// ---- answering ------------------------------------------------------------------------------------------------------

When('I respond to that inquiry with:', async function (this: AttuneWorld, json: string) {
  const remembered = thatInquiry(this);
  const answered = await answer(this, remembered.inquiry.id, parseJson(json, 'the response'));
  rememberInquiry(this, { ...remembered, inquiry: answered });
});

When('I respond to the inquiry of the task {string} with:', async function (this: AttuneWorld, task: string, json: string) {
  const { inquiry: found } = await gateOf(this, task, `I respond to the inquiry of the task "${task}"`);
  const answered = await answer(this, found.id, parseJson(json, 'the response'));
  rememberInquiry(this, { inquiry: answered, task, runId: runId(this) });
});

When('tenant {string} responds to that inquiry with:', async function (this: AttuneWorld, name: string, json: string) {
  const remembered = thatInquiry(this);
  const answered = await answer(this, remembered.inquiry.id, parseJson(json, 'the response'), this.tenantNamed(name).api);
  rememberInquiry(this, { ...remembered, inquiry: answered });
});

When('I answer the inquiries of these tasks in turn:', async function (this: AttuneWorld, table: DataTable) {
  const rows = table.hashes();
  const id = runId(this);
  for (const [index, row] of rows.entries()) {
    const step = `I answer the inquiries of these tasks in turn (row ${index + 1}, task "${row.task}")`;
    const { inquiry: found } = await gateOf(this, row.task, step);
    // the gates behind this one must not have started: each asks only after the one before it was answered
    const later = new Set(rows.slice(index + 1).map((r) => r.task));
    const snapshot = await gateSnapshot(this, id, row.task);
    const early = snapshot.children.filter((child) => later.has(taskNameOf(child)));
    expect(early.map((child) => `${taskNameOf(child)} #${child.id}`), `[${step}] tasks behind "${row.task}" started before it was answered:\n${describeChildren(snapshot.children)}\n`).to.deep.equal([]);
    await answer(this, found.id, parseJson(row.response, `the response for "${row.task}"`));
  }
});

// ---- refusals -------------------------------------------------------------------------------------------------------

Then(
  'responding to that inquiry with {string} is refused with {int}, the error naming {string}',
  async function (this: AttuneWorld, json: string, status: number, field: string) {
    const remembered = thatInquiry(this);
    const before = await inquiry(this, remembered.inquiry.id);
    const reply = await respond(this, before.id, parseJson(json, 'the response'));
    const what = `[responding to inquiry ${before.id} with ${json} is refused with ${status}]`;
    const error = expectRefused(reply, status, what);
    expect(error, `${what} the error must name ${JSON.stringify(field)}`).to.include(field);
    await expectUnchanged(this, before, what);
  },
);

Then(
  'responding to that inquiry with {string} is refused with {int} and the error {string}',
  async function (this: AttuneWorld, json: string, status: number, text: string) {
    const remembered = thatInquiry(this);
    const before = await inquiry(this, remembered.inquiry.id);
    const reply = await respond(this, before.id, parseJson(json, 'the response'));
    const what = `[responding to inquiry ${before.id} with ${json} is refused with ${status}]`;
    const error = expectRefused(reply, status, what);
    expect(error, what).to.equal(text.split('{id}').join(String(before.id)));
    await expectUnchanged(this, before, what);
  },
);

Then('responding to that inquiry as myself with {string} is refused with {int}', async function (this: AttuneWorld, json: string, status: number) {
  const before = await inquiry(this, thatInquiry(this).inquiry.id);
  const reply = await respond(this, before.id, parseJson(json, 'the response'));
  const what = `[responding to inquiry ${before.id} (assigned to ${String(before.assigned_to)}) as myself, identity ${this.tenant.id}]`;
  expectRefused(reply, status, what);
  await expectUnchanged(this, before, what);
});

Then(
  'responding to that inquiry as tenant {string} with {string} is refused with {int}',
  async function (this: AttuneWorld, name: string, json: string, status: number) {
    const other = this.tenantNamed(name);
    const before = await inquiry(this, thatInquiry(this).inquiry.id);
    const reply = await respond(this, before.id, parseJson(json, 'the response'), other.api);
    const what = `[responding to inquiry ${before.id} (assigned to ${String(before.assigned_to)}) as tenant "${name}", identity ${other.tenant.id}]`;
    expectRefused(reply, status, what);
    await expectUnchanged(this, before, what);
  },
);

// ---- how a gate ended -----------------------------------------------------------------------------------------------

Then('that inquiry is responded, holding exactly:', async function (this: AttuneWorld, json: string) {
  const expected = parseJson(json, 'the expected response');
  const id = thatInquiry(this).inquiry.id;
  const step = `inquiry ${id} is responded, holding exactly ${JSON.stringify(expected)}`;
  const reply = this.recall<RawResponse>('inquiry reply', String(id));
  const replied = unwrapData(reply);
  expect(
    { status: reply.status, message: (reply.body as { message?: unknown }).message, inquiry: replied.status, response: replied.response },
    `[${step}] the answer to the response: ${describeReply(reply)}`,
  ).to.deep.equal({ status: 200, message: 'Response submitted successfully', inquiry: 'responded', response: expected });
  const now = await inquiry(this, id);
  expect({ status: now.status, response: now.response }, `[${step}] read back: ${describeInquiry(now)}`).to.deep.equal({ status: 'responded', response: expected });
  const respondedAt = stampOf(now, 'responded_at');
  expect(respondedAt >= stampOf(now, 'created'), `[${step}] responded_at ${now.responded_at} must not be before created ${now.created}`).to.equal(true);
});

function unwrapData(reply: RawResponse): Inquiry {
  const data = (reply.body as { data?: unknown } | null | undefined)?.data;
  return (data && typeof data === 'object' ? data : {}) as Inquiry;
}

Then('the task {string} completed with the response:', async function (this: AttuneWorld, task: string, json: string) {
  const response = parseJson(json, 'the expected response');
  const asked = this.recall<RememberedInquiry>('inquiry', task).inquiry;
  const [child] = await attemptsOf(this, runId(this), task);
  if (!child) throw new Error(`[the task "${task}" completed with the response] the workflow run #${runId(this)} has no execution of "${task}"`);
  const run = await awaitOutcome(this, child.id, 'completed');
  this.markAsserted(run.id);
  expect(run.result, `[the task "${task}" completed with the response] result of execution ${run.id}`).to.deep.equal({
    succeeded: true,
    response,
    inquiry_id: asked.id,
  });
});

Then('that inquiry is cancelled without a response', async function (this: AttuneWorld) {
  const id = thatInquiry(this).inquiry.id;
  const step = `inquiry ${id} is cancelled without a response`;
  const ended = await awaitInquiryStatus(this, id, 'cancelled', timeouts.inquiryAsked, step);
  expect({ response: ended.response ?? null, responded_at: ended.responded_at ?? null }, `[${step}] ${describeInquiry(ended)}`).to.deep.equal({
    response: null,
    responded_at: null,
  });
});

// ---- timeouts -------------------------------------------------------------------------------------------------------

Then('the inquiry of the task {string} times out', async function (this: AttuneWorld, task: string) {
  const step = `the inquiry of the task "${task}" times out`;
  const { inquiry: asked, child } = await gateOf(this, task, step);
  const deadline = stampOf(asked, 'timeout_at');
  const seconds = Number((child.config as Record<string, unknown> | null | undefined)?.timeout_seconds);
  const bound = Math.max(0, deadline - Date.now()) + timeouts.inquiryTimeoutLag + timeouts.inquiryTimeoutPatience;
  const flipped = await awaitInquiryStatus(this, asked.id, 'timeout', bound, step);
  rememberInquiry(this, { inquiry: flipped, task, runId: runId(this) });
  const lag = stampOf(flipped, 'updated') - deadline;
  const asking = deadline - stampOf(flipped, 'created');
  this.attach(
    `inquiry ${flipped.id}: timeout_at − created = ${asking} ms (timeout_seconds ${seconds}); flipped to "timeout" ${lag} ms after timeout_at (updated ${flipped.updated}, timeout_at ${flipped.timeout_at})`,
    'text/plain',
  );
  expect({ response: flipped.response ?? null, responded_at: flipped.responded_at ?? null }, `[${step}] ${describeInquiry(flipped)}`).to.deep.equal({
    response: null,
    responded_at: null,
  });
  expect(
    Math.abs(asking - seconds * 1000) <= timeouts.inquiryDeadlineTolerance,
    `[${step}] timeout_at (${flipped.timeout_at}) must be created (${flipped.created}) + ${seconds} s within ${timeouts.inquiryDeadlineTolerance} ms; it is ${asking} ms after`,
  ).to.equal(true);
  expect(
    lag >= 0 && lag <= timeouts.inquiryTimeoutLag,
    `[${step}] the flip (updated ${flipped.updated}) must come no earlier than timeout_at (${flipped.timeout_at}) and at most ${timeouts.inquiryTimeoutLag} ms after it; it came ${lag} ms after`,
  ).to.equal(true);
});

Then('the task {string} timed out waiting for its inquiry', async function (this: AttuneWorld, task: string) {
  const asked = this.recall<RememberedInquiry>('inquiry', task).inquiry;
  const runs = await attemptsOf(this, runId(this), task);
  runs.forEach((row) => this.markAsserted(row.id));
  expect(
    runs.map((row) => ({ status: row.status, result: row.result })),
    `[the task "${task}" timed out waiting for its inquiry ${asked.id}] its executions:\n${describeChildren(runs)}\n`,
  ).to.deep.equal([{ status: 'timeout', result: { succeeded: false, timed_out: true, error: `Inquiry ${asked.id} timed out` } }]);
});

Then(
  'that inquiry stays responded past its deadline, and the task {string} never runs',
  async function (this: AttuneWorld, task: string) {
    const remembered = thatInquiry(this);
    const id = runId(this);
    const answered = await inquiry(this, remembered.inquiry.id);
    const until = stampOf(answered, 'timeout_at') + timeouts.inquiryTimeoutLag;
    const window = Math.max(until - Date.now(), timeouts.consistently.workflowNoFurtherTask);
    await consistently(
      `[that inquiry stays responded past its deadline] inquiry ${answered.id} stays "responded" with its response, and the task "${task}" of workflow run #${id} never runs, until ${timeouts.inquiryTimeoutLag} ms past timeout_at ${answered.timeout_at}`,
      window,
      async () => ({ inquiry: await inquiry(this, answered.id), ran: (await attemptsOf(this, id, task)).map((row) => row.id) }),
      (value) => {
        expect({ status: value.inquiry.status, response: value.inquiry.response, ran: value.ran }, describeInquiry(value.inquiry)).to.deep.equal({
          status: 'responded',
          response: answered.response,
          ran: [],
        });
      },
    );
  },
);

// ---- several gates in one run ---------------------------------------------------------------------------------------

Then('the inquiries of the workflow run were, in order:', async function (this: AttuneWorld, table: DataTable) {
  const id = runId(this);
  const rows = await inquiriesOfRun(this, id);
  const listing = rows.map((row) => `task ${row.task}: ${describeInquiry(row.inquiry)}, created ${row.inquiry.created}, responded_at ${row.inquiry.responded_at ?? '-'}`).join('\n');
  expect(
    rows.map((row) => ({ task: row.task, status: row.inquiry.status, response: row.inquiry.response ?? null })),
    `[the inquiries of workflow run #${id} in the order they were asked]\n${listing || '(none)'}\n`,
  ).to.deep.equal(table.hashes().map((row) => ({ task: row.task, status: row.status, response: parseJson(row.response, `the response of "${row.task}"`) })));
  for (let i = 1; i < rows.length; i += 1) {
    const previous = rows[i - 1].inquiry;
    const ended = previous.responded_at ? stampOf(previous, 'responded_at') : stampOf(previous, 'updated');
    expect(
      stampOf(rows[i].inquiry, 'created') >= ended,
      `[the inquiries of workflow run #${id} in order] inquiry ${rows[i].inquiry.id} ("${rows[i].task}") was asked before inquiry ${previous.id} ("${rows[i - 1].task}") ended:\n${listing}\n`,
    ).to.equal(true);
  }
});

// ---- an inquiry asked directly about an execution -------------------------------------------------------------------

Given('a run of {ref} that has succeeded', async function (this: AttuneWorld, action: RefArg) {
  const run = await runAction(this, action.ref);
  await awaitOutcome(this, run.id, 'completed');
  this.markAsserted(run.id);
});

When(
  'an operator asks me about that execution, with the prompt {string} and the response schema:',
  async function (this: AttuneWorld, prompt: string, json: string) {
    const anchor = this.recall<Execution>('execution', 'last');
    const before = await execution(this, anchor.id);
    this.markAsserted(before.id);
    this.remember('execution before the inquiry', 'last', before);
    const schema = parseJson(json, 'the response schema');
    // the admin asks (the personas hold no `create` on inquiries); the inquiry is mine to read and answer because the
    // execution is mine
    const created = await askDirectly(this, { execution: anchor.id, prompt, response_schema: schema }, this.admin);
    this.remember('inquiry request', 'last', { execution: anchor.id, prompt, response_schema: schema });
    rememberInquiry(this, { inquiry: created });
  },
);

When(
  'an operator asks me about that execution, with the prompt {string} and a deadline that passed {duration} ago',
  async function (this: AttuneWorld, prompt: string, ago: number) {
    const anchor = this.recall<Execution>('execution', 'last');
    const created = await askDirectly(
      this,
      {
        execution: anchor.id,
        prompt,
        response_schema: { type: 'object', properties: { approved: { type: 'boolean' } }, required: ['approved'] },
        timeout_at: new Date(Date.now() - ago).toISOString(),
      },
      this.admin,
    );
    rememberInquiry(this, { inquiry: created });
  },
);

Then(
  'responding to that inquiry with {string} is refused with 400 as too late, and it has timed out without a response',
  async function (this: AttuneWorld, json: string) {
    const before = await inquiry(this, thatInquiry(this).inquiry.id);
    const what = `[responding to inquiry ${before.id} past its deadline ${String(before.timeout_at)} is refused as too late]`;
    expect(before.status, `${what} before answering: ${describeInquiry(before)}`).to.equal('pending');
    const reply = await respond(this, before.id, parseJson(json, 'the response'));
    const error = expectRefused(reply, 400, what);
    // the deadline is found by the answer itself ("timed out at …") or, should the target's own sweep come first,
    // the inquiry is already `timeout` ("not pending"): either way the answer is refused and the inquiry has timed out
    expect([`Inquiry ${before.id} timed out at ${String(before.timeout_at)}`, `Inquiry ${before.id} is not pending (status timeout)`], what).to.include(error);
    const after = await inquiry(this, before.id);
    expect({ status: after.status, response: after.response ?? null, responded_at: after.responded_at ?? null }, `${what} read back: ${describeInquiry(after)}`).to.deep.equal({
      status: 'timeout',
      response: null,
      responded_at: null,
    });
  },
);

Then('that inquiry reads back pending, exactly as asked', async function (this: AttuneWorld) {
  const asked = this.recall<{ execution: number; prompt: string; response_schema: unknown }>('inquiry request', 'last');
  const id = thatInquiry(this).inquiry.id;
  const now = await inquiry(this, id);
  expect({ ...shape(now), timeout_at: now.timeout_at ?? null }, `[that inquiry reads back pending, exactly as asked] ${describeValue(now)}`).to.deep.equal({
    execution: asked.execution,
    prompt: asked.prompt,
    response_schema: asked.response_schema,
    assigned_to: null,
    status: 'pending',
    response: null,
    responded_at: null,
    timeout_at: null,
  });
});

Then('the execution it was asked about is unchanged', async function (this: AttuneWorld) {
  const before = this.recall<Execution>('execution before the inquiry', 'last');
  const now = await execution(this, before.id);
  expect(
    { status: now.status, result: now.result },
    `[the execution it was asked about is unchanged] execution ${before.id} (before the inquiry: ${before.status}, ${JSON.stringify(before.result)})`,
  ).to.deep.equal({ status: before.status, result: before.result });
});

// ---- notifications --------------------------------------------------------------------------------------------------

Given('I am watching inquiry notifications', async function (this: AttuneWorld) {
  this.notifications ??= await NotificationStream.open(this.settings.wsUrl, this.tenant.accessToken);
  this.notifications.subscribe('entity_type:inquiry');
});

function inquiryFrames(frames: ReceivedFrame[], id: number): Array<Record<string, unknown>> {
  return frames
    .filter((f) => f.frame.entity_type === 'inquiry' && Number(f.frame.entity_id) === id)
    .map((f) => ({
      notification: f.frame.notification_type,
      inquiry: Number(f.frame.entity_id),
      execution: f.frame.payload?.execution,
      status: f.frame.payload?.status,
    }));
}

Then('I am notified about that inquiry, in this order:', async function (this: AttuneWorld, table: DataTable) {
  const stream = this.notifications;
  if (!stream) throw new Error('Nobody was watching notifications; add "Given I am watching inquiry notifications" before acting.');
  const asked = (await inquiry(this, thatInquiry(this).inquiry.id)) as Inquiry;
  const expected = table.hashes().map((row) => ({ notification: row.notification, inquiry: asked.id, execution: asked.execution, status: row.status }));
  const step = `I am notified about inquiry ${asked.id} (execution ${asked.execution}), in this order: ${expected.map((e) => e.notification).join(', ')}`;
  await eventually(
    `[${step}] the inquiry frames my connection received`,
    async () => inquiryFrames(stream.notifications(), asked.id),
    (frames) => {
      expect(frames).to.deep.equal(expected);
    },
    {
      timeoutMs: timeouts.notificationFrame,
      failFast: (frames) => {
        const prefix = expected.slice(0, frames.length);
        return frames.length > expected.length || JSON.stringify(frames) !== JSON.stringify(prefix)
          ? `the frames so far are not the expected sequence: ${JSON.stringify(frames)}`
          : undefined;
      },
    },
  );
});

When('an operator asks tenant {string} about a run of their own', async function (this: AttuneWorld, name: string) {
  const other = this.tenantNamed(name);
  await createAction(other, { name: 'anchor', script: 'echo "something to ask about"' });
  const run = await runAction(other, other.ref('anchor'));
  await awaitOutcome(other, run.id, 'completed');
  other.markAsserted(run.id);
  const created = await askDirectly(other, { execution: run.id, prompt: `Is run ${run.id} fine?`, response_schema: { type: 'object' } }, this.admin);
  rememberInquiry(other, { inquiry: created });
});

Then('tenant {string} is notified that their own inquiry was created', async function (this: AttuneWorld, name: string) {
  const other = this.tenantNamed(name);
  const stream = other.notifications;
  if (!stream || stream === this.notifications) throw new Error(`Tenant "${name}" was not watching notifications of their own.`);
  const theirs = thatInquiry(other).inquiry;
  await eventually(
    `[tenant "${name}" is notified that their own inquiry was created] an inquiry_created frame of inquiry ${theirs.id} on their connection`,
    async () => inquiryFrames(stream.notifications(), theirs.id),
    (frames) => frames.some((f) => f.notification === 'inquiry_created' && f.execution === theirs.execution && f.status === 'pending'),
    { timeoutMs: timeouts.notificationFrame },
  );
});

Then('tenant {string} hears nothing about my inquiries or my runs', async function (this: AttuneWorld, name: string) {
  const other = this.tenantNamed(name);
  const stream = other.notifications;
  if (!stream || stream === this.notifications) throw new Error(`Tenant "${name}" was not watching notifications of their own.`);
  const theirs = thatInquiry(other).inquiry;
  const own = new Set([`inquiry:${theirs.id}`, `execution:${theirs.execution}`]);
  await consistently(
    `[tenant "${name}" hears nothing about my inquiries or my runs] their connection receives no frame but about their own inquiry ${theirs.id} and run ${theirs.execution}`,
    timeouts.consistently.foreignNotificationQuiet,
    async () => stream.notifications().filter((f) => !own.has(`${String(f.frame.entity_type)}:${Number(f.frame.entity_id)}`)).map(describeFrame),
    (foreign) => foreign.length === 0,
  );
});

// ---- what the task after the gate did with the answer --------------------------------------------------------------

Then('the task {string} printed exactly:', async function (this: AttuneWorld, task: string, text: string) {
  const runs = await attemptsOf(this, runId(this), task);
  runs.forEach((row) => this.markAsserted(row.id));
  expect(runs.length, `[the task "${task}" printed exactly] its executions:\n${describeChildren(runs)}\n`).to.equal(1);
  expect(stdoutOf(runs[0]), `[the task "${task}" printed exactly] stdout of execution ${runs[0].id} (result ${JSON.stringify(runs[0].result)})`).to.equal(`${text}\n`);
});
