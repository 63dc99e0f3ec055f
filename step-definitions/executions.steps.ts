/**
 * Steps about executions: the ones rules caused, and the ones a user starts by hand.
 */
import { Given, Then, When, type DataTable } from '@cucumber/cucumber';
import { expect } from 'chai';
import { eventually } from '../support/eventually';
import type { RefArg } from '../support/parameter-types';
import { event as readEvent } from '../support/questions/events';
import { awaitOutcome, execution, executionsOf, type ExecutionSummary } from '../support/questions/executions';
import type { ExecutionStatus } from '../support/status';
import { createAction } from '../support/tasks/actions';
import { runAction, type Execution } from '../support/tasks/executions';
import { renderFromEvent } from '../support/templates';
import { timeouts } from '../support/timeouts';
import type { AttuneWorld } from '../support/world';
import { focusedEnforcements, focusedEvents, focusedExecutions } from '../support/focus';

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
