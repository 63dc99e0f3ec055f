/**
 * Steps of the policy features: concurrency policies at action, pack and global scope, gated runs that hold their
 * slot until the scenario opens their gate, and the FIFO queue with its statistics at every step.
 */
import { Given, Then, When, type DataTable } from '@cucumber/cucumber';
import { expect } from 'chai';
import { consistently, eventually } from '../support/eventually';
import { awaitOutcome, awaitTerminal, execution } from '../support/questions/executions';
import { executionsOf } from '../support/questions/executions';
import { policyReads, queueStats, runsSnapshot, serialOrderProblems, stageProblems, type QueueStage } from '../support/questions/policies';
import {
  changePolicyLimit, createAnotherPack, createConcurrencyPolicy, createGatedAction, gatedActionRef, gatedRun, gatedRuns, openGateOf, requestedRuns,
  requestGatedRuns, requestRuns, slotGate, type Policy, type PolicyAnswer, type PolicyScope,
} from '../support/tasks/policies';
import { slug } from '../support/world';
import { timeouts } from '../support/timeouts';
import type { AttuneWorld } from '../support/world';

const STATUS_KEYS = ['running', 'requested', 'completed', 'cancelled'] as const;
const STAT_KEYS = ['queue_length', 'active_count', 'max_concurrent', 'total_enqueued', 'total_completed'] as const;

/** "run 2, run 3" → ["run 2", "run 3"]; "none" → []. */
function runList(text: string | undefined): string[] {
  const t = (text ?? '').trim();
  return t === '' || t === 'none' ? [] : t.split(',').map((s) => s.trim());
}

function methodOf(words: string): 'enqueue' | 'cancel' {
  return words === 'cancelling' ? 'cancel' : 'enqueue';
}

/** A stage from `key | value` rows (started, running, requested, completed, cancelled, the statistics). */
function stageFromRows(rows: Record<string, string>): QueueStage {
  const statuses: Record<string, string> = {};
  for (const key of STATUS_KEYS) for (const run of runList(rows[key])) statuses[run] = key;
  const stats: QueueStage['stats'] = {};
  for (const key of STAT_KEYS) if (rows[key] !== undefined) stats[key] = Number(rows[key]);
  if (rows.oldest_enqueued_at !== undefined) stats.oldest_enqueued_at = rows.oldest_enqueued_at as 'set' | 'none';
  return { started: runList(rows.started), statuses, stats };
}

async function awaitStage(world: AttuneWorld, action: string, stage: QueueStage, what: string): Promise<void> {
  await eventually(
    `${what} of "${action}"`,
    () => runsSnapshot(world, action),
    (snapshot) => {
      const problems = stageProblems(snapshot, stage);
      if (problems.length > 0) throw new Error(problems.join('; '));
    },
    {
      timeoutMs: timeouts.executionTerminal,
      // a run that started out of turn never un-starts: no point waiting for the stage any longer
      failFast: (snapshot) => {
        const extra = snapshot.started.filter((run) => !stage.started.includes(run));
        return extra.length > 0 ? `${extra.join(', ')} started, but only ${stage.started.join(', ') || 'none'} may have` : undefined;
      },
    },
  );
}

async function holdStage(world: AttuneWorld, action: string, stage: QueueStage): Promise<void> {
  await consistently(`the queue of "${action}" stays exactly as it is`, timeouts.consistently.queueHeld, () => runsSnapshot(world, action), (snapshot) => {
    const problems = stageProblems(snapshot, stage);
    if (problems.length > 0) throw new Error(problems.join('; '));
  });
}

// ---- setting up ------------------------------------------------------------------------------------------------------

Given('an action {string} that holds its slot until its gate opens', async function (this: AttuneWorld, name: string) {
  await createGatedAction(this, name);
});

Given(
  'another pack of mine with an action {string} that holds its slot until its gate opens',
  async function (this: AttuneWorld, name: string) {
    const packRef = await createAnotherPack(this, 'another pack');
    await createGatedAction(this, name, packRef);
  },
);

Given(
  /^a concurrency policy on the action "([^"]+)" allowing (\d+) runs? at a time and (queuing|cancelling) the rest$/,
  async function (this: AttuneWorld, action: string, limit: string, method: string) {
    const scope: PolicyScope = { type: 'action', action };
    await createConcurrencyPolicy(this, { name: `${action} limit`, scope, limit: Number(limit), method: methodOf(method) });
  },
);

Given(
  /^a concurrency policy on my pack allowing (\d+) runs? at a time and (queuing|cancelling) the rest$/,
  async function (this: AttuneWorld, limit: string, method: string) {
    await createConcurrencyPolicy(this, { name: 'pack limit', scope: { type: 'pack', packRef: this.packRef }, limit: Number(limit), method: methodOf(method) });
  },
);

Given(
  /^a global concurrency policy allowing (\d+) runs? at a time and (queuing|cancelling) the rest$/,
  async function (this: AttuneWorld, limit: string, method: string) {
    await createConcurrencyPolicy(this, { name: 'global limit', scope: { type: 'global' }, limit: Number(limit), method: methodOf(method) });
  },
);

// ---- acting ----------------------------------------------------------------------------------------------------------

When(/^I request "([^"]+)" (\d+) (?:more )?times? in quick succession$/, async function (this: AttuneWorld, action: string, count: string) {
  await requestGatedRuns(this, action, Number(count));
});

When('I request {string} {int} more time', async function (this: AttuneWorld, action: string, count: number) {
  await requestGatedRuns(this, action, count);
});

When('I open the gate of {word} {int} of {string} and it completes', async function (this: AttuneWorld, word: string, n: number, action: string) {
  const run = gatedRun(this, action, `${word} ${n}`);
  await openGateOf(this, run);
  await awaitOutcome(this, run.id, 'completed');
  this.markAsserted(run.id);
});

When(
  'I open the gates one at a time, the queue of {string} moves exactly like this:',
  async function (this: AttuneWorld, action: string, table: DataTable) {
    const finished: string[] = [];
    for (const row of table.hashes()) {
      await openGateOf(this, gatedRun(this, action, row.finished));
      finished.push(row.finished);
      const running = runList(row.running);
      const stage = stageFromRows({
        ...row,
        started: [...finished, ...running].join(', '),
        completed: finished.join(', '),
        requested: row.waiting,
      });
      await awaitStage(this, action, stage, `the queue after ${row.finished} finished`);
    }
  },
);

// ---- checking --------------------------------------------------------------------------------------------------------

Then('the queue of {string} stands exactly at, and stays so:', async function (this: AttuneWorld, action: string, table: DataTable) {
  const stage = stageFromRows(table.rowsHash());
  await awaitStage(this, action, stage, 'the queue');
  await holdStage(this, action, stage);
});

Then('the runs start and wait exactly like this, and stay so:', async function (this: AttuneWorld, table: DataTable) {
  const stages = table.hashes().map((row) => {
    const stage = stageFromRows({ ...row, running: row.started, requested: row.waiting, total_completed: '0' });
    stage.startedInAnyOrder = true;
    return { action: row.action, stage };
  });
  for (const { action, stage } of stages) await awaitStage(this, action, stage, 'the runs');
  await Promise.all(stages.map(({ action, stage }) => holdStage(this, action, stage)));
});

Then(
  'run {int} of {string} ends {string} without ever starting, its result naming the policy',
  async function (this: AttuneWorld, n: number, action: string, status: string) {
    const run = gatedRun(this, action, `run ${n}`);
    const ended = await awaitOutcome(this, run.id, status as never);
    this.markAsserted(run.id);
    expect(ended.started_at, `${run.name} must never have started`).to.equal(null);
    expect((await slotGate(this)).arrivals(), `${run.name} must never reach its gate`).not.to.include(run.label);
    const error = String((ended.result as Record<string, unknown> | null)?.error ?? '');
    expect(error, `the result of ${run.name} must name the policy that refused it`).to.include(`${this.packRef}.`);
  },
);

Then(
  'all {int} runs of {string} completed, started in submission order and never overlapped',
  async function (this: AttuneWorld, count: number, action: string) {
    const runs = gatedRuns(this, action);
    expect(runs.map((r) => r.name)).to.deep.equal(Array.from({ length: count }, (_, i) => `run ${i + 1}`));
    const rows = await Promise.all(runs.map((r) => awaitOutcome(this, r.id, 'completed')));
    rows.forEach((row) => this.markAsserted(row.id));
    const labels = runs.map((r) => r.label);
    expect((await slotGate(this)).arrivals(), 'the order in which the runs reached their gates').to.deep.equal(labels);
    for (let i = 1; i < rows.length; i++) {
      const previous = await execution(this, rows[i - 1].id);
      const started = Date.parse(String(rows[i].started_at));
      const previousEnded = Date.parse(previous.updated);
      expect(started, `${runs[i].name} started (${rows[i].started_at}) before ${runs[i - 1].name} ended (${previous.updated})`).to.be.at.least(previousEnded);
    }
  },
);

// ---- the FIFO queue at scale (T3.12's 1,000-run drill) -----------------------------------------------------------------

/** The drill's two long steps: requests sent one after another (12 s for 1,000 measured, 38 s with helpers loading the
 * machine), and the drain, bounded by `policedRunsDrained`; cucumber's default step guard (timeouts.step) is below both. */
const DRILL_STEP = { timeout: timeouts.policedRunsDrained + timeouts.step };

When('I request {string} {int} times, each request right after the one before', DRILL_STEP, async function (this: AttuneWorld, action: string, count: number) {
  const started = Date.now();
  await requestRuns(this, action, count);
  this.attach(`${count} runs of "${action}" requested in ${Date.now() - started} ms`, 'text/plain');
});

Then(
  'all {int} runs of {string} completed, strictly one at a time, in submission order',
  DRILL_STEP,
  async function (this: AttuneWorld, count: number, action: string) {
    const ids = requestedRuns(this, action);
    expect(ids.length, `runs of "${action}" requested in this scenario`).to.equal(count);
    const started = Date.now();
    // FIFO: the last run requested is the last to run; once it ended every run has (the listing below proves it)
    await awaitTerminal(this, ids[ids.length - 1], timeouts.policedRunsDrained);
    const spans = await executionsOf(this, { action_ref: gatedActionRef(this, action) });
    spans.forEach((span) => this.markAsserted(span.id));
    const problems = serialOrderProblems(ids, spans);
    expect(problems, `the ${count} runs of "${action}" (first problems of ${problems.length})`).to.deep.equal([]);
    const first = Date.parse(String(spans[0].started_at));
    const last = Date.parse(spans[spans.length - 1].updated);
    this.attach(`${count} runs drained ${Date.now() - started} ms after the last request; first start to last end ${last - first} ms (${((last - first) / count).toFixed(1)} ms per run)`, 'text/plain');
  },
);

Then('the queue statistics of {string} read exactly:', async function (this: AttuneWorld, action: string, table: DataTable) {
  const expected = table.rowsHash();
  const stats = await queueStats(this, action);
  expect(stats, `queue statistics of "${action}"`).to.not.equal(null);
  const actual: Record<string, string> = {};
  for (const key of Object.keys(expected)) {
    const value = (stats as unknown as Record<string, unknown>)[key];
    actual[key] = key === 'oldest_enqueued_at' ? (value === null ? 'none' : 'set') : String(value);
  }
  expect(actual, `queue statistics of "${action}"`).to.deep.equal(expected);
});

// ---- reading and changing a policy through the API (features/tier3/policy-management.feature) -----------------------

/** "none" → fallback; otherwise the text itself. */
function noneOr<T>(text: string, fallback: T): string | T {
  return text.trim() === 'none' ? fallback : text.trim();
}

/** The whole policy a `field | value` table describes, with the id, ref and stamps the target gave it. */
function expectedPolicy(world: AttuneWorld, name: string, rows: Record<string, string>, answer: Policy, created: Policy): Record<string, unknown> {
  const scopeMatch = /^the action "([^"]+)"$/.exec(rows.scope ?? '');
  if (!scopeMatch) throw new Error(`scope "${rows.scope}": only 'the action "<name>"' is understood`);
  const action = world.recall<{ id: number; ref: string; pack: number; pack_ref: string }>('action', scopeMatch[1]);
  const concMatch = /^limit (\d+), method (enqueue|cancel), no group-by parameters$/.exec(rows.concurrency ?? '');
  if (!concMatch) throw new Error(`concurrency "${rows.concurrency}": expected "limit N, method enqueue|cancel, no group-by parameters"`);
  for (const field of ['rate_limit', 'quotas', 'tags']) {
    if (rows[field] !== 'none') throw new Error(`${field} "${rows[field]}": only "none" is understood`);
  }
  return {
    id: created.id,
    ref: `${world.packRef}.${slug(name)}`,
    name: rows.name,
    description: noneOr(rows.description, null),
    enabled: rows.enabled === 'true',
    priority: Number(rows.priority),
    scope: { type: 'action', pack: action.pack, pack_ref: action.pack_ref, action: action.id, action_ref: action.ref },
    concurrency: { limit: Number(concMatch[1]), method: concMatch[2], parameters: [] },
    rate_limit: null,
    quotas: [],
    tags: [],
    created: created.created,
    updated: answer.updated,
  };
}

Then(
  /^my policy "([^"]+)" reads exactly like this in the answer to (its creation|the change), in the list of my pack's policies, by its ref and among the policies of the action "([^"]+)":$/,
  async function (this: AttuneWorld, name: string, to: string, action: string, table: DataTable) {
    const answer = this.recall<PolicyAnswer>('policy answer', name);
    expect(answer.to, `the last write of policy "${name}"`).to.equal(to);
    const created = this.recall<Policy>('policy created', name);
    const expected = expectedPolicy(this, name, table.rowsHash(), answer.policy, created);
    expect(answer.policy, `the answer to ${to} of policy ${String(expected.ref)}`).to.deep.equal(expected);
    if (to === 'the change') {
      expect(Date.parse(answer.policy.updated), `updated of the changed policy (${answer.policy.updated}) against its creation (${created.updated})`)
        .to.be.at.least(Date.parse(created.updated));
    }
    const reads = await policyReads(this, String(expected.ref), this.packRef, gatedActionRef(this, action));
    expect(reads.listOfPack, `GET /api/v1/policies?pack_ref=${this.packRef}`).to.deep.equal([expected]);
    expect(reads.byRef, `GET /api/v1/policies/${String(expected.ref)}`).to.deep.equal(expected);
    expect(reads.ofAction, `GET /api/v1/actions/${gatedActionRef(this, action)}/policies`).to.deep.equal([expected]);
  },
);

When('I change my policy {string} to allow {int} runs at a time', async function (this: AttuneWorld, name: string, limit: number) {
  await changePolicyLimit(this, name, limit);
});

Then(
  /^the stamps of the runs of "([^"]+)" show (run \d+) starting while (run \d+) ran, and (run \d+) only after (run \d+) ended$/,
  async function (this: AttuneWorld, action: string, beside: string, first: string, after: string, ended: string) {
    const [firstRow, besideRow, afterRow, endedRow] = await Promise.all(
      [first, beside, after, ended].map((name) => execution(this, gatedRun(this, action, name).id)),
    );
    const stamp = (what: string, value: string | null | undefined): number => {
      const t = Date.parse(String(value));
      expect(Number.isFinite(t), `${what} (${String(value)}) is a timestamp`).to.equal(true);
      return t;
    };
    expect(endedRow.status, `${ended} must have ended`).to.equal('completed');
    expect(firstRow.status === 'completed' || firstRow.status === 'running', `${first} ran`).to.equal(true);
    const firstStart = stamp(`started_at of ${first}`, firstRow.started_at);
    // a run still running has no end yet: it ran on past everything stamped so far
    const firstEnd = firstRow.status === 'completed' ? stamp(`end (updated) of ${first}`, firstRow.updated) : Number.POSITIVE_INFINITY;
    const besideStart = stamp(`started_at of ${beside}`, besideRow.started_at);
    expect(besideStart, `${beside} started (${besideRow.started_at}) after ${first} started (${firstRow.started_at})`).to.be.at.least(firstStart);
    expect(besideStart, `${beside} started (${besideRow.started_at}) before ${first} ended (${firstRow.updated})`).to.be.below(firstEnd);
    const endedAt = stamp(`end (updated) of ${ended}`, endedRow.updated);
    const afterStart = stamp(`started_at of ${after}`, afterRow.started_at);
    expect(afterStart, `${after} started (${afterRow.started_at}) no earlier than ${ended} ended (${endedRow.updated})`).to.be.at.least(endedAt);
  },
);
