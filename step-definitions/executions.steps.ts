/**
 * Steps about executions: the ones rules caused, and the ones a user starts by hand.
 */
import { Given, Then, When, type DataTable } from '@cucumber/cucumber';
import { expect } from 'chai';
import { eventually } from '../support/eventually';
import type { RefArg } from '../support/parameter-types';
import { event as readEvent } from '../support/questions/events';
import { awaitOutcome, execution, executionsOf, type ExecutionSummary } from '../support/questions/executions';
import { isTerminal, type ExecutionStatus } from '../support/status';
import { createAction } from '../support/tasks/actions';
import { cancelExecution, rescheduleExecution, runAction, type Execution } from '../support/tasks/executions';
import { expectJsonError } from '../support/questions/json-errors';
import type { RawResponse } from '../support/api/client';
import { renderFromEvent } from '../support/templates';
import { timeouts } from '../support/timeouts';
import type { AttuneWorld } from '../support/world';
import { focusedEnforcements, focusedEvents, focusedExecutions } from '../support/focus';
import { awaitFailure, failureOutcome, stdoutOf as printedBy } from '../support/questions/outcomes';

function lastExecution(world: AttuneWorld): Execution {
  return world.recall<Execution>('execution', 'last');
}

function stdoutOf(result: unknown): string {
  const stdout = (result as { stdout?: unknown } | null | undefined)?.stdout;
  return typeof stdout === 'string' ? stdout : '';
}

Then('each of those enforcements led to exactly one execution of {ref}', async function (this: AttuneWorld, action: RefArg) {
  const byEnforcement = new Map<number, ExecutionSummary>();
  for (const enforcement of focusedEnforcements(this).values()) {
    const found = await eventually(
      `the execution of enforcement ${enforcement.id}`,
      () => executionsOf(this, { enforcement: enforcement.id }),
      (rows) => rows.length >= 1,
      { timeoutMs: timeouts.enforcementResolved },
    );
    expect(found, `executions of enforcement ${enforcement.id}`).to.have.lengthOf(1);
    const [only] = found;
    expect(only.action_ref, `execution ${only.id}: action_ref`).to.equal(action.ref);
    expect(only.enforcement, `execution ${only.id}: enforcement`).to.equal(enforcement.id);
    byEnforcement.set(enforcement.id, only);
  }
  this.focus.executions = byEnforcement;
});

Then('every one of those executions {status}', async function (this: AttuneWorld, status: ExecutionStatus) {
  for (const summary of focusedExecutions(this).values()) {
    await awaitOutcome(this, summary.id, status);
    this.markAsserted(summary.id);
  }
});

Then(
  'every one of those executions printed {string} filled in from its own event',
  async function (this: AttuneWorld, template: string) {
    const enforcements = focusedEnforcements(this);
    const executions = focusedExecutions(this);
    for (const summary of focusedEvents(this)) {
      const enforcement = enforcements.get(summary.id);
      const run = enforcement ? executions.get(enforcement.id) : undefined;
      if (!enforcement || !run) throw new Error(`event ${summary.id} has no execution in focus`);
      const full = await readEvent(this, summary.id);
      const expected = renderFromEvent(template, full);
      const details = await execution(this, run.id);
      this.markAsserted(run.id);
      expect(
        stdoutOf(details.result),
        `stdout of execution ${run.id} (event ${full.id}, payload ${JSON.stringify(full.payload)}; result ${JSON.stringify(details.result)})`,
      ).to.include(expected);
    }
  },
);

Given('an action {ref} that runs the shell script:', async function (this: AttuneWorld, action: RefArg, script: string) {
  await createAction(this, { name: action.name, script });
});

When('I run {ref}', async function (this: AttuneWorld, action: RefArg) {
  await runAction(this, action.ref);
});

When('I run {ref} with the parameters:', async function (this: AttuneWorld, action: RefArg, parameters: DataTable) {
  await runAction(this, action.ref, parameters.rowsHash());
});

Then('the execution {status}', async function (this: AttuneWorld, status: ExecutionStatus) {
  const run = lastExecution(this);
  await awaitOutcome(this, run.id, status);
  this.markAsserted(run.id);
});

Then('the execution printed {string}', async function (this: AttuneWorld, text: string) {
  const run = lastExecution(this);
  const details = await execution(this, run.id);
  this.markAsserted(run.id);
  expect(stdoutOf(details.result), `stdout of execution ${run.id} (result ${JSON.stringify(details.result)})`).to.include(text);
});

// ---- failures: how a failed run reports its exit code and its error (contract §12.4, internals §4.8-4.9) ----------

async function expectFailed(world: AttuneWorld, id: number, exitCode: number, error: string): Promise<void> {
  const run = await awaitFailure(world, id);
  expect(failureOutcome(run), `execution ${id} (result ${JSON.stringify(run.result)})`).to.deep.equal({
    status: 'failed',
    succeeded: false,
    exit_code: exitCode,
    error,
  });
}

Then('the execution fails with exit code {int} and the error {string}', async function (this: AttuneWorld, code: number, error: string) {
  await expectFailed(this, lastExecution(this).id, code, error);
});

Then('the execution fails with exit code {int} and the error:', async function (this: AttuneWorld, code: number, error: string) {
  await expectFailed(this, lastExecution(this).id, code, error);
});

Then(
  "the execution fails with exit code {int} and the shell's own error ending in {string}",
  async function (this: AttuneWorld, code: number, ending: string) {
    const id = lastExecution(this).id;
    const run = await awaitFailure(this, id);
    const outcome = failureOutcome(run);
    const shown = `execution ${id} (result ${JSON.stringify(run.result)})`;
    expect({ ...outcome, error: undefined }, shown).to.deep.equal({ status: 'failed', succeeded: false, exit_code: code, error: undefined });
    // bash's own words: "<script file>: line <n>: <ending>", one line; the script file is wherever the platform put it
    expect(outcome.error, `error of ${shown}`).to.be.a('string');
    const error = outcome.error as string;
    expect(error.endsWith(`: ${ending}`) && /^[^\n]+: line \d+$/.test(error.slice(0, -(ending.length + 2))), `error of ${shown}`).to.equal(true);
  },
);

When('I start these runs of {ref} at once:', async function (this: AttuneWorld, action: RefArg, table: DataTable) {
  const runs = await Promise.all(table.hashes().map((parameters, i) => runAction(this, action.ref, parameters, `${action.name} #${i + 1}`)));
  this.scratch.batch = { actionRef: action.ref, ids: runs.map((run) => run.id) };
});

Then('each of those runs fails with its own exit code and error:', async function (this: AttuneWorld, table: DataTable) {
  const batch = this.scratch.batch as { actionRef: string; ids: number[] } | undefined;
  if (!batch) throw new Error('No runs were started together ("When I start these runs of "x" at once:").');
  const expected = table.hashes();
  expect(expected, 'one expected outcome per run started').to.have.lengthOf(batch.ids.length);
  const outcomes = [];
  for (const id of batch.ids) outcomes.push(failureOutcome(await awaitFailure(this, id)));
  expect(outcomes, `outcomes of executions ${batch.ids.join(', ')} in the order they were started`).to.deep.equal(
    expected.map((row) => ({ status: 'failed', succeeded: false, exit_code: Number(row['exit code']), error: row.error })),
  );
  const all = (await executionsOf(this, { action_ref: batch.actionRef })).map((row) => row.id).sort((a, b) => a - b);
  expect(all, `every execution of ${batch.actionRef}: exactly the runs started, no retries or extras`).to.deep.equal(
    [...batch.ids].sort((a, b) => a - b),
  );
});

Then('the execution printed exactly the line {string}', async function (this: AttuneWorld, line: string) {
  const run = lastExecution(this);
  const details = await execution(this, run.id);
  this.markAsserted(run.id);
  expect(printedBy(details), `stdout of execution ${run.id} (result ${JSON.stringify(details.result)})`).to.equal(`${line}\n`);
});

Then(
  'every one of those executions fails with exit code {int} and the error {string}',
  async function (this: AttuneWorld, code: number, error: string) {
    for (const summary of focusedExecutions(this).values()) await expectFailed(this, summary.id, code, error);
  },
);

Then('the execution printed exactly:', async function (this: AttuneWorld, text: string) {
  const run = lastExecution(this);
  const details = await execution(this, run.id);
  this.markAsserted(run.id);
  expect(printedBy(details), `stdout of execution ${run.id} (result ${JSON.stringify(details.result)})`).to.equal(`${text}\n`);
});

Then(
  'the action printed exactly the parameters it received, and its result data holds them unchanged',
  async function (this: AttuneWorld) {
    const run = lastExecution(this);
    const details = await execution(this, run.id);
    this.markAsserted(run.id);
    const shown = `execution ${run.id} (config ${JSON.stringify(details.config)}; result ${JSON.stringify(details.result)})`;
    const stdout = printedBy(details);
    expect(stdout.endsWith('\n') && !stdout.slice(0, -1).includes('\n'), `${shown}: it printed one line`).to.equal(true);
    expect(JSON.parse(stdout) as unknown, `${shown}: the parameters it printed`).to.deep.equal(details.config);
    expect((details.result as { data?: unknown } | null)?.data, `${shown}: result.data, its parsed output`).to.deep.equal(details.config);
  },
);

When('I cancel that run once it is running', async function (this: AttuneWorld) {
  const run = lastExecution(this);
  await eventually(
    `execution ${run.id} to be running before I cancel it`,
    () => execution(this, run.id),
    (value) => value.status === 'running',
    { timeoutMs: timeouts.executionTerminal, failFast: (value) => (isTerminal(value.status) ? `it ended "${value.status}" first` : undefined) },
  );
  await cancelExecution(this, run.id);
});

// ---- reschedule: requesting a still-requested run again (features/tier2/execution-follow-up.feature) --------------

/** An id no execution has (ids are positive 64-bit integers; this one is far beyond any run of the suite). */
const MISSING_EXECUTION_ID = 987_654_321_012;

When('I ask to reschedule that run', async function (this: AttuneWorld) {
  this.scratch.reschedule = await rescheduleExecution(this, lastExecution(this).id);
});

When('I ask to reschedule an execution that does not exist', async function (this: AttuneWorld) {
  this.scratch.reschedule = await rescheduleExecution(this, MISSING_EXECUTION_ID);
});

function rescheduleReply(world: AttuneWorld): RawResponse {
  const reply = world.scratch.reschedule as RawResponse | undefined;
  if (!reply) throw new Error('No reschedule was asked yet ("When I ask to reschedule that run").');
  return reply;
}

Then(
  'the reschedule is accepted as attempt {int} with the message {string}, the run still requested as it was created',
  async function (this: AttuneWorld, attempt: number, message: string) {
    const reply = rescheduleReply(this);
    const created = lastExecution(this);
    const shown = `reschedule of execution ${created.id} answered ${reply.status} ${JSON.stringify(reply.body)}`;
    expect(reply.status, shown).to.equal(200);
    const data = (reply.body as { data?: Record<string, unknown> }).data ?? {};
    expect(Object.keys(data).sort(), shown).to.deep.equal(['attempt_count', 'execution', 'last_attempt_at', 'message']);
    expect(data.message, shown).to.equal(message);
    expect(data.attempt_count, shown).to.equal(attempt);
    const at = Date.parse(String(data.last_attempt_at));
    expect(Number.isFinite(at) && at >= Date.parse(created.created), `${shown}: last_attempt_at is a time after the run was created`).to.equal(true);
    const run = data.execution as Record<string, unknown>;
    const fields = ['id', 'action', 'action_ref', 'config', 'parent', 'enforcement', 'executor', 'worker', 'result', 'started_at'] as const;
    const pick = (row: Record<string, unknown>) => Object.fromEntries(fields.map((k) => [k, row[k]]));
    expect(pick(run), shown).to.deep.equal(pick(created as unknown as Record<string, unknown>));
    expect(run.status, shown).to.equal('requested');
    this.markAsserted(created.id);
  },
);

Then('the reschedule is refused with {int} and the error {string}', function (this: AttuneWorld, status: number, message: string) {
  const reply = rescheduleReply(this);
  const id = this.recallMaybe<Execution>('execution', 'last')?.id ?? MISSING_EXECUTION_ID;
  const expected = message.replace('<id>', String(id)).replace('<missing id>', String(MISSING_EXECUTION_ID));
  expectJsonError(reply, status, expected, 'the reschedule');
});
