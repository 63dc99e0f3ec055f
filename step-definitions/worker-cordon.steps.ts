/**
 * Steps about listing and cordoning workers as an operator (features/tier3/worker-cordon.feature).
 */
import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import type { RefArg } from '../support/parameter-types';
import { awaitOutcome, awaitTerminal, execution } from '../support/questions/executions';
import { actionWorkers, operatorId, workerById, type WorkerView } from '../support/questions/worker-api';
import { runAction } from '../support/tasks/executions';
import { cordonWorker, uncordonWorker } from '../support/tasks/worker-cordon';
import type { AttuneWorld } from '../support/world';

const WORKERS = 'workers that run actions';
const UNCORDONED = 'uncordoned worker';

function listed(world: AttuneWorld): WorkerView[] {
  const workers = world.scratch[WORKERS] as WorkerView[] | undefined;
  if (!workers) throw new Error('the workers were not listed in this scenario ("Given the operator lists the workers that run actions")');
  return workers;
}

Given('the operator lists the workers that run actions', async function (this: AttuneWorld) {
  const workers = await actionWorkers(this);
  expect(workers.length, 'active workers with role action').to.be.greaterThan(0);
  for (const w of workers) {
    const one = await workerById(this, w.id);
    expect({ id: one.id, name: one.name, worker_role: one.worker_role, cordoned: one.cordoned, health_state: one.health_state }, `worker ${w.id} read by id`)
      .to.deep.equal({ id: w.id, name: w.name, worker_role: 'action', cordoned: false, health_state: w.health_state });
    expect(one.supported_runtimes.map((r) => r.name), `the runtimes of worker ${w.name}`).to.include('shell');
  }
  this.scratch[WORKERS] = workers;
});

When('the operator cordons every worker that runs actions, giving the reason {string}', async function (this: AttuneWorld, reason: string) {
  for (const w of listed(this)) {
    const answer = await cordonWorker(this, w.id, reason);
    expect({ id: answer.id, cordoned: answer.cordoned }, `worker ${w.id} as the cordon call answered it`).to.deep.equal({ id: w.id, cordoned: true });
  }
});

Then('each of those workers reads cordoned for {string} by the operator', async function (this: AttuneWorld, reason: string) {
  const operator = await operatorId(this);
  for (const w of listed(this)) {
    const one = await workerById(this, w.id);
    expect(
      { cordoned: one.cordoned, cordon_reason: one.cordon_reason, cordoned_by: one.cordoned_by, health_state: one.health_state, cordoned_at: typeof one.cordoned_at },
      `worker ${w.name} after the cordon`,
    ).to.deep.equal({ cordoned: true, cordon_reason: reason, cordoned_by: operator, health_state: 'cordoned', cordoned_at: 'string' });
  }
});

Then('the run fails, its result naming that no worker is available', async function (this: AttuneWorld) {
  const run = this.recall<{ id: number }>('execution', 'last');
  const ended = await awaitTerminal(this, run.id);
  this.asserted.add(run.id);
  expect(ended.status, `the status of run ${run.id}`).to.equal('failed');
  expect(JSON.stringify(ended.result), `the result of run ${run.id}`).to.match(/no worker available/i);
  expect(ended.worker ?? null, `the worker of run ${run.id}`).to.equal(null);
});

When('the operator uncordons the first of those workers', async function (this: AttuneWorld) {
  const first = listed(this)[0];
  const answer = await uncordonWorker(this, first.id);
  expect({ id: answer.id, cordoned: answer.cordoned }, `worker ${first.id} as the uncordon call answered it`).to.deep.equal({ id: first.id, cordoned: false });
  this.scratch[UNCORDONED] = first;
});

Then('that worker reads not cordoned and {string}', async function (this: AttuneWorld, health: string) {
  const w = this.scratch[UNCORDONED] as WorkerView;
  const one = await workerById(this, w.id);
  expect(
    { cordoned: one.cordoned, cordon_reason: one.cordon_reason, cordoned_by: one.cordoned_by, cordoned_at: one.cordoned_at, health_state: one.health_state },
    `worker ${w.name} after the uncordon`,
  ).to.deep.equal({ cordoned: false, cordon_reason: null, cordoned_by: null, cordoned_at: null, health_state: health });
});

Then('a new run of {ref} completes on that worker', async function (this: AttuneWorld, action: RefArg) {
  const w = this.scratch[UNCORDONED] as WorkerView;
  const run = await runAction(this, action.ref);
  await awaitOutcome(this, run.id, 'completed');
  const ended = await execution(this, run.id);
  expect(ended.worker, `the worker of run ${run.id}`).to.equal(w.id);
});
