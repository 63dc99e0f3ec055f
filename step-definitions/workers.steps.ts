/**
 * Steps about the target's workers: how many run, keeping one busy up to its capacity, bursts of runs spread over
 * several workers, and what happens to a worker's runs when it dies (recovery drills, catalog T3.12). Stopping,
 * starting and killing services is in services.steps.ts; these steps need the run's service control and database.
 */
import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { eventually } from '../support/eventually';
import type { RefArg } from '../support/parameter-types';
import { awaitOutcome, execution, type Execution } from '../support/questions/executions';
import { activeWorkers, allWorkers, theOnlyActiveWorker, type WorkerInfo } from '../support/questions/workers';
import { isTerminal } from '../support/status';
import { runAction } from '../support/tasks/executions';
import { killService, runWorkers, type ServiceName } from '../support/tasks/services';
import { target } from '../support/target';
import { lostWorkerBound, timeouts } from '../support/timeouts';
import type { AttuneWorld } from '../support/world';

const BUSY = 'runs keeping the worker busy';
const WAITING = 'runs waiting for the worker';
const BURST = 'burst of runs';
const WORKERS = 'worker of each service';
const KILLED_AT = 'killed at';

/** Starts `count` runs of the action at once and returns them in the order they were requested. */
async function startRuns(world: AttuneWorld, actionRef: string, count: number): Promise<Execution[]> {
  const runs: Execution[] = [];
  for (let i = 0; i < count; i++) runs.push(await runAction(world, actionRef, {}, `${actionRef} #${i + 1}`));
  return runs;
}

async function statuses(world: AttuneWorld, runs: readonly Execution[]): Promise<Execution[]> {
  return Promise.all(runs.map((r) => execution(world, r.id)));
}

function tally(runs: readonly Execution[]): string {
  const counts = new Map<string, number>();
  for (const r of runs) counts.set(String(r.status), (counts.get(String(r.status)) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n} ${status}`).join(', ');
}

async function awaitAll(world: AttuneWorld, what: string, runs: readonly Execution[], status: string, timeoutMs: number): Promise<Execution[]> {
  return eventually(
    `all ${runs.length} ${what} to be "${status}"`,
    () => statuses(world, runs),
    (now) => now.every((r) => r.status === status),
    {
      timeoutMs,
      failFast: (now) => {
        const wrong = now.filter((r) => r.status !== status && isTerminal(r.status));
        return wrong.length ? `${wrong.length} ended otherwise: ${wrong.map((r) => `#${r.id} ${r.status}`).join(', ')} (${tally(now)})` : undefined;
      },
    },
  );
}

Given('the platform runs {int} workers', async function (this: AttuneWorld, count: number) {
  const before = new Set((await activeWorkers()).map((w) => w.name));
  expect(before.size, `active workers before starting more: ${[...before].join(', ')}`).to.equal(1);
  const services = await runWorkers(this, count);
  const active = await eventually(
    `${count} active workers`,
    () => activeWorkers(),
    (now) => now.length === count,
    { timeoutMs: timeouts.serviceBack },
  );
  // service `worker` is the worker that was there before; the others appeared in the order they were started
  const byService: Record<string, WorkerInfo> = {};
  byService.worker = active.find((w) => before.has(w.name))!;
  const added = active.filter((w) => !before.has(w.name)).sort((a, b) => a.id - b.id);
  services.slice(1).forEach((service, i) => {
    byService[service] = added[i];
  });
  this.scratch[WORKERS] = byService;
});

Given(
  'the worker is busy with as many runs of {ref} as it takes at once',
  async function (this: AttuneWorld, action: RefArg) {
    const worker = await theOnlyActiveWorker();
    expect(worker.capacity, `worker ${worker.name} reports how many executions it takes at once`).to.be.a('number');
    const runs = await startRuns(this, action.ref, worker.capacity!);
    this.scratch[BUSY] = await awaitAll(this, `runs of ${action.ref}`, runs, 'running', timeouts.executionTerminal);
    this.scratch[WORKERS] = { worker };
  },
);

Given('{int} more runs of {ref} are waiting for it', async function (this: AttuneWorld, count: number, action: RefArg) {
  const runs = await startRuns(this, action.ref, count);
  this.scratch[WAITING] = await awaitAll(this, `waiting runs of ${action.ref}`, runs, 'scheduled', timeouts.executionTerminal);
});

When('I start {int} runs of {ref} at once', async function (this: AttuneWorld, count: number, action: RefArg) {
  this.scratch[BURST] = await startRuns(this, action.ref, count);
});

When(
  /^once all of them are running, the (worker|worker-\d+) service is killed$/,
  async function (this: AttuneWorld, service: ServiceName) {
    const burst = this.scratch[BURST] as Execution[];
    await awaitAll(this, 'runs of the burst', burst, 'running', timeouts.executionTerminal);
    this.scratch[KILLED_AT] = Date.now();
    await killService(this, service);
  },
);

When(/^the (worker|worker-\d+) service is killed$/, async function (this: AttuneWorld, service: ServiceName) {
  this.scratch[KILLED_AT] = Date.now();
  await killService(this, service);
});

function workerOf(world: AttuneWorld, service: string): WorkerInfo {
  const map = world.scratch[WORKERS] as Record<string, WorkerInfo> | undefined;
  const worker = map?.[service];
  if (!worker) throw new Error(`no worker is known for the service ${service} (a step "the platform runs N workers" or "the worker is busy…" comes first)`);
  return worker;
}

async function expectAbandoned(world: AttuneWorld, runs: readonly Execution[], worker: WorkerInfo): Promise<void> {
  const bound = lostWorkerBound(world.settings);
  const killedAt = world.scratch[KILLED_AT] as number;
  for (const run of runs) {
    const remaining = Math.max(killedAt + bound - Date.now(), timeouts.pollInterval);
    const ended = await awaitOutcome(world, run.id, 'abandoned', remaining);
    const error = String((ended.result as { error?: unknown } | null)?.error ?? '');
    expect(error, `error of abandoned execution ${run.id}`).to.include(worker.name);
    world.markAsserted(run.id);
  }
  world.attach(`kill of ${worker.name} → its ${runs.length} run(s) seen abandoned: ${Date.now() - killedAt} ms (bound ${bound} ms)`, 'text/plain');
}

/** Steps that wait out a lost worker may take longer than cucumber's default step timeout on a target with Attune's
 * default heartbeat (3 × 30 s + 60 s). */
const LOST_WORKER_STEP = { timeout: lostWorkerBound(target()) + timeouts.step };

Then(
  "every run that kept the worker busy ends abandoned within the target's bound for a lost worker, naming the worker",
  LOST_WORKER_STEP,
  async function (this: AttuneWorld) {
    await expectAbandoned(this, this.scratch[BUSY] as Execution[], workerOf(this, 'worker'));
  },
);

Then('the waiting runs are still scheduled', async function (this: AttuneWorld) {
  const now = await statuses(this, this.scratch[WAITING] as Execution[]);
  expect(now.map((r) => `#${r.id} ${r.status}`)).to.deep.equal(now.map((r) => `#${r.id} scheduled`));
});

Then('every waiting run completes', async function (this: AttuneWorld) {
  const runs = this.scratch[WAITING] as Execution[];
  for (const run of runs) {
    await awaitOutcome(this, run.id, 'completed', timeouts.serviceBack);
    this.markAsserted(run.id);
  }
});

Then('all {int} runs complete', async function (this: AttuneWorld, count: number) {
  const burst = this.scratch[BURST] as Execution[];
  expect(burst, 'runs started').to.have.lengthOf(count);
  for (const run of burst) {
    await awaitOutcome(this, run.id, 'completed');
    this.markAsserted(run.id);
  }
});

Then('each of the {int} workers ran exactly {int} of them', async function (this: AttuneWorld, workers: number, each: number) {
  const burst = await statuses(this, this.scratch[BURST] as Execution[]);
  const names = new Map((await allWorkers()).map((w) => [w.id, w.name]));
  const counts = new Map<string, number>();
  for (const run of burst) {
    const name = run.worker == null ? '(no worker)' : names.get(Number(run.worker)) ?? `worker #${run.worker}`;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const expected = Object.values(this.scratch[WORKERS] as Record<string, WorkerInfo>).map((w) => w.name).sort();
  expect(expected, 'workers of this scenario').to.have.lengthOf(workers);
  expect(Object.fromEntries([...counts].sort()), 'runs per worker').to.deep.equal(Object.fromEntries(expected.map((n) => [n, each])));
});

Then(
  /^the runs on the (worker|worker-\d+) service end abandoned and every other run completes$/,
  LOST_WORKER_STEP,
  async function (this: AttuneWorld, service: string) {
    const dead = workerOf(this, service);
    const burst = await statuses(this, this.scratch[BURST] as Execution[]);
    const onDead = burst.filter((r) => Number(r.worker) === dead.id);
    const others = burst.filter((r) => Number(r.worker) !== dead.id);
    expect(onDead.length, `runs the ${service} service (${dead.name}) had taken`).to.be.greaterThan(0);
    await expectAbandoned(this, onDead, dead);
    for (const run of others) {
      await awaitOutcome(this, run.id, 'completed');
      this.markAsserted(run.id);
    }
  },
);

Then('of the {int} runs exactly {int} ended abandoned and {int} completed', async function (this: AttuneWorld, total: number, abandoned: number, completed: number) {
  const burst = await statuses(this, this.scratch[BURST] as Execution[]);
  expect(burst, 'runs of the burst').to.have.lengthOf(total);
  const counts: Record<string, number> = {};
  for (const r of burst) counts[String(r.status)] = (counts[String(r.status)] ?? 0) + 1;
  expect(counts, 'outcomes of the burst').to.deep.equal({ abandoned, completed });
});

Then('no run of this scenario is left unfinished', async function (this: AttuneWorld) {
  const ids = [...this.executionIds];
  const now = await Promise.all(ids.map((id) => execution(this, id)));
  const open = now.filter((r) => !isTerminal(r.status));
  expect(open.map((r) => `#${r.id} ${r.action_ref} ${r.status}`), 'runs not in a terminal status').to.deep.equal([]);
});
