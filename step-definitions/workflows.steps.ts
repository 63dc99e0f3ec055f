/**
 * Steps about workflows: defining them (YAML docstrings), running them (by hand or from a rule), cancelling a run,
 * stopping the executor under a run, and what a run left behind: its outcome and output, its children per task
 * (counts, statuses, inputs, item order), retries and their pauses, timeouts, ordering, overlap and the tree of a
 * nested run. The acts and questions live in support/tasks/workflows.ts and support/questions/workflows.ts.
 */
import { Given, Then, When, type DataTable } from '@cucumber/cucumber';
import { expect } from 'chai';
import type { RawResponse } from '../support/api/client';
import { unwrapBody } from '../support/api/envelopes';
import { consistently, eventually } from '../support/eventually';
import type { RefArg } from '../support/parameter-types';
import { awaitOutcome, execution, executionsOf, type Execution } from '../support/questions/executions';
import { resultOf } from '../support/questions/outcomes';
import {
  attemptsOf,
  awaitRunOutcome,
  awaitRunTerminal,
  awaitTaskInStatus,
  byTask,
  childrenOf,
  describeChildren,
  fullChildrenOf,
  maxOverlap,
  ms,
  runInterval,
  runTree,
  taskNameOf,
  workflowTaskOf,
} from '../support/questions/workflows';
import { statusFromWords, TERMINAL_STATUSES, type ExecutionStatus } from '../support/status';
import { createAction } from '../support/tasks/actions';
import { cancelExecution } from '../support/tasks/executions';
import { startService, stopService } from '../support/tasks/services';
import {
  adoptWorkflowRun,
  attemptWorkflow,
  changeWorkflow,
  createWorkflow,
  deleteWorkflow,
  lastRunId,
  readDefinition,
  runActionWithTimeout,
  runWorkflow,
  type Workflow,
} from '../support/tasks/workflows';
import { timeouts } from '../support/timeouts';
import type { AttuneWorld } from '../support/world';
import { parseJson } from '../support/json-text';


/** A table cell as a JSON value when it is one (`123`, `true`, `{"k": 1}`), else the text itself (`apple`). */
function cellValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

const runId = lastRunId;

function markAll(world: AttuneWorld, rows: Array<{ id: number }>): void {
  rows.forEach((row) => world.markAsserted(row.id));
}

/** The children of one task, in full, oldest first (for with_items: sorted by task_index). */
async function runsOfTask(world: AttuneWorld, task: string): Promise<Execution[]> {
  const rows = await attemptsOf(world, runId(world), task);
  markAll(world, rows);
  return rows;
}

function shown(rows: Execution[]): string {
  return describeChildren(rows);
}

// ---- arranging: actions and workflows -----------------------------------------------------------------------------

Given('an action {ref} that prints JSON from the shell script:', async function (this: AttuneWorld, action: RefArg, script: string) {
  await createAction(this, { name: action.name, script, outputFormat: 'json' });
});

/**
 * An action that counts its own attempts in a file on the worker's machine (one file per scenario and action): it
 * fails (exit 1, "attempt n of k failed" on stderr) until attempt k, which prints `{"attempt": k}` and removes the file.
 */
Given('an action {ref} that first succeeds on attempt {int}', async function (this: AttuneWorld, action: RefArg, succeedOn: number) {
  const counter = `\${TMPDIR:-/tmp}/${this.uniq('attempts')}_${action.ref.replace(/[^a-z0-9_]/gi, '_')}.count`;
  const script = [
    `counter="${counter}"`,
    'n=$(( $(cat "$counter" 2>/dev/null || echo 0) + 1 ))',
    'echo "$n" > "$counter"',
    `if [ "$n" -lt ${succeedOn} ]; then echo "attempt $n of ${succeedOn} failed" >&2; exit 1; fi`,
    'rm -f "$counter"',
    'printf \'{"attempt": %s}\\n\' "$n"',
  ].join('\n');
  await createAction(this, { name: action.name, script, outputFormat: 'json' });
});

Given('a workflow {ref} with the definition:', async function (this: AttuneWorld, workflow: RefArg, yaml: string) {
  await createWorkflow(this, workflow.name, readDefinition(this, yaml));
});

// ---- running, cancelling, disturbing --------------------------------------------------------------------------------

When('I run the workflow {ref}', async function (this: AttuneWorld, workflow: RefArg) {
  await runWorkflow(this, workflow.name);
});

When('I run the workflow {ref} with the parameters:', async function (this: AttuneWorld, workflow: RefArg, json: string) {
  await runWorkflow(this, workflow.name, parseJson(json, 'the workflow parameters') as Record<string, unknown>);
});

When('I run the workflow {ref} with a time limit of {int} seconds', async function (this: AttuneWorld, workflow: RefArg, seconds: number) {
  await runWorkflow(this, workflow.name, {}, seconds);
});

When('I run {ref} with a time limit of {int} seconds', async function (this: AttuneWorld, action: RefArg, seconds: number) {
  await runActionWithTimeout(this, action.ref, {}, seconds);
});

Then('the rule {ref} started exactly one run of the workflow {ref}', async function (this: AttuneWorld, rule: RefArg, workflow: RefArg) {
  // children inherit the enforcement, so the rule's executions include them: the run is the one without a parent
  const topLevel = await eventually(
    `a run of ${workflow.ref} by the rule ${rule.ref}`,
    async () => (await executionsOf(this, { rule_ref: rule.ref })).filter((row) => row.parent === null || row.parent === undefined),
    (rows) => rows.length >= 1,
    { timeoutMs: timeouts.enforcementResolved },
  );
  expect(
    topLevel.map((row) => row.action_ref),
    `top-level executions of the rule ${rule.ref} (ids ${topLevel.map((r) => r.id).join(', ')})`,
  ).to.deep.equal([workflow.ref]);
  adoptWorkflowRun(this, workflow.name, await execution(this, topLevel[0].id));
});

When('I cancel the workflow run once the task {string} is running', async function (this: AttuneWorld, task: string) {
  await awaitTaskInStatus(this, runId(this), task, 'running');
  await cancelExecution(this, runId(this));
});

When(
  'the executor is stopped while the task {string} of the workflow run is running',
  async function (this: AttuneWorld, task: string) {
    const running = await awaitTaskInStatus(this, runId(this), task, 'running');
    await stopService(this, 'executor');
    this.scratch.runningWhenStopped = running.id;
  },
);

When('that run of the task ends while the executor is down', async function (this: AttuneWorld) {
  const id = this.scratch.runningWhenStopped as number | undefined;
  if (id === undefined) throw new Error('No task run was caught running ("the executor is stopped while the task … is running").');
  await awaitOutcome(this, id, 'completed');
});

When('the executor is started again', async function (this: AttuneWorld) {
  await startService(this, 'executor');
});

// ---- the run's outcome and output -----------------------------------------------------------------------------------

/** Attaches how long a run took by its own stamps (created → updated), for the timing figures in the features. */
function noteDuration(world: AttuneWorld, run: Execution): void {
  world.attach(`workflow run #${run.id} ${run.status}: ${Date.parse(run.updated) - Date.parse(run.created)} ms from created to its end`, 'text/plain');
}

Then('the workflow {status}', async function (this: AttuneWorld, status: ExecutionStatus) {
  noteDuration(this, await awaitRunOutcome(this, runId(this), status));
});

Then('the workflow {status} with the error {string}', async function (this: AttuneWorld, status: ExecutionStatus, error: string) {
  const run = await awaitRunOutcome(this, runId(this), status);
  noteDuration(this, run);
  const result = resultOf(run);
  expect({ succeeded: result.succeeded, error: result.error }, `result of workflow run #${run.id}: ${JSON.stringify(run.result)}`).to.deep.equal({
    succeeded: false,
    error,
  });
});

Then("the workflow's output is:", async function (this: AttuneWorld, json: string) {
  const expected = parseJson(json, 'the expected output') as Record<string, unknown>;
  const run = await awaitRunOutcome(this, runId(this), 'completed');
  expect(run.result, `result of workflow run #${run.id} (succeeded and the rendered output_map)`).to.deep.equal({ succeeded: true, ...expected });
});

Then(
  "the workflow's output {string} lists one result per item, in item order, whose data are:",
  async function (this: AttuneWorld, key: string, json: string) {
    const expected = parseJson(json, 'the expected data') as unknown[];
    const run = await awaitRunOutcome(this, runId(this), 'completed');
    const listed = resultOf(run)[key];
    const what = `output "${key}" of workflow run #${run.id} (result ${JSON.stringify(run.result)})`;
    expect(listed, what).to.be.an('array');
    const results = listed as Array<Record<string, unknown> | null>;
    expect(
      results.map((r) => ({ succeeded: r?.succeeded, data: r?.data })),
      what,
    ).to.deep.equal(expected.map((data) => ({ succeeded: true, data })));
  },
);

// ---- the children of the run ----------------------------------------------------------------------------------------

Then('the tasks of the workflow run ended like this:', async function (this: AttuneWorld, table: DataTable) {
  const expected = new Map<string, string[]>();
  for (const row of table.hashes()) expected.set(row.task, [...(expected.get(row.task) ?? []), row.status]);
  // a run that ended by its deadline or a cancel may still be stopping a child: wait until every child has ended
  const children = await eventually(
    `every child of workflow run #${runId(this)} has ended`,
    () => fullChildrenOf(this, runId(this)),
    (rows) => rows.every((row) => TERMINAL_STATUSES.has(row.status as ExecutionStatus)),
    { timeoutMs: timeouts.workflowTerminal },
  );
  markAll(this, children);
  const observed = new Map([...byTask(children)].map(([task, rows]) => [task, rows.map((r) => r.status as string)]));
  const sortKeys = (m: Map<string, string[]>) => Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b)));
  expect(
    sortKeys(observed),
    `statuses of the children of workflow run #${runId(this)} per task, oldest first:\n${shown(children)}\n`,
  ).to.deep.equal(sortKeys(expected));
});

Then('the workflow run has exactly {int} child executions', async function (this: AttuneWorld, count: number) {
  const children = await childrenOf(this, runId(this));
  expect(children.length, `children of workflow run #${runId(this)}:\n${describeChildren(children)}\n`).to.equal(count);
});

Then('the workflow run has no child executions', async function (this: AttuneWorld) {
  const children = await childrenOf(this, runId(this));
  expect(children.map((c) => c.id), `children of workflow run #${runId(this)}:\n${describeChildren(children)}\n`).to.deep.equal([]);
});

Then('the task {string} never ran', async function (this: AttuneWorld, task: string) {
  await consistently(
    `the task "${task}" of workflow run #${runId(this)} has no execution`,
    timeouts.consistently.workflowNoFurtherTask,
    () => childrenOf(this, runId(this)),
    (rows) => {
      const found = rows.filter((row) => taskNameOf(row) === task);
      if (found.length > 0) throw new Error(`the task "${task}" ran:\n${describeChildren(found)}`);
    },
  );
});

Then(
  'the task {string} ran once per item, in item order, each with its own item and succeeding:',
  async function (this: AttuneWorld, task: string, table: DataTable) {
    const items = table.hashes().map((row) => cellValue(row.item));
    const runs = (await runsOfTask(this, task)).sort((a, b) => Number(workflowTaskOf(a).task_index) - Number(workflowTaskOf(b).task_index));
    expect(
      runs.map((run) => ({ task_index: workflowTaskOf(run).task_index, item: (run.config ?? {}).item, status: run.status })),
      `runs of the task "${task}" by task_index:\n${shown(runs)}\n`,
    ).to.deep.equal(items.map((item, index) => ({ task_index: index, item, status: 'completed' })));
  },
);

Then('the task {string} ran exactly {int} times, every run succeeding', async function (this: AttuneWorld, task: string, count: number) {
  const runs = await runsOfTask(this, task);
  expect(
    { runs: runs.length, statuses: [...new Set(runs.map((r) => r.status))] },
    `runs of the task "${task}":\n${shown(runs)}\n`,
  ).to.deep.equal({ runs: count, statuses: ['completed'] });
});

Then('the task {string} received the input:', async function (this: AttuneWorld, task: string, json: string) {
  const runs = await runsOfTask(this, task);
  expect(runs.length, `runs of the task "${task}":\n${shown(runs)}\n`).to.equal(1);
  expect(runs[0].config, `config of execution ${runs[0].id} (the task "${task}")`).to.deep.equal(parseJson(json, 'the expected input'));
});

// ---- time: order, overlap, timeouts, retries ------------------------------------------------------------------------

Then('the tasks {string} ran strictly one after another', async function (this: AttuneWorld, names: string) {
  const tasks = names.split(/\s*,\s*|\s+then\s+/).filter(Boolean);
  const runs: Execution[] = [];
  for (const task of tasks) {
    const found = await runsOfTask(this, task);
    expect(found.map((r) => r.status), `runs of the task "${task}":\n${shown(found)}\n`).to.deep.equal(['completed']);
    runs.push(found[0]);
  }
  const timeline = runs.map((run, i) => `${tasks[i]}: started_at ${run.started_at}, ended (updated) ${run.updated}`).join('\n');
  for (let i = 1; i < runs.length; i += 1) {
    const previousEnd = ms(runs[i - 1].updated, `updated of ${runs[i - 1].id}`);
    const start = ms(runs[i].started_at, `started_at of ${runs[i].id}`);
    expect(start >= previousEnd, `"${tasks[i]}" must start after "${tasks[i - 1]}" ended:\n${timeline}\n`).to.equal(true);
  }
});

Then(
  'the task {string} ran exactly once, starting after {string} and {string} had both ended',
  async function (this: AttuneWorld, task: string, first: string, second: string) {
    const [joined] = await runsOfTask(this, task).then((rows) => {
      expect(rows.map((r) => r.status), `runs of the task "${task}":\n${shown(rows)}\n`).to.deep.equal(['completed']);
      return rows;
    });
    for (const before of [first, second]) {
      const rows = await runsOfTask(this, before);
      expect(rows.map((r) => r.status), `runs of the task "${before}":\n${shown(rows)}\n`).to.deep.equal(['completed']);
      expect(
        ms(joined.started_at, `started_at of ${joined.id}`) >= ms(rows[0].updated, `updated of ${rows[0].id}`),
        `"${task}" (started_at ${joined.started_at}) must start after "${before}" ended (updated ${rows[0].updated})`,
      ).to.equal(true);
    }
  },
);

Then(
  'the largest number of runs of the task {string} at the same moment was exactly {int}',
  async function (this: AttuneWorld, task: string, bound: number) {
    const runs = await runsOfTask(this, task);
    const intervals = runs.map(runInterval);
    const first = Math.min(...intervals.map((i) => i.start));
    const listing = intervals.map((i) => `#${i.id}: [${i.start - first}, ${i.end - first}) ms`).join('\n');
    expect(maxOverlap(intervals), `largest overlap of the [started_at, updated) intervals of "${task}":\n${listing}\n`).to.equal(bound);
  },
);

Then('the task {string} timed out after {int} seconds', async function (this: AttuneWorld, task: string, seconds: number) {
  const runs = await runsOfTask(this, task);
  expect(
    runs.map((run) => ({ status: run.status, timed_out: workflowTaskOf(run).timed_out, error: resultOf(run).error })),
    `runs of the task "${task}" (results ${JSON.stringify(runs.map((r) => r.result))})`,
  ).to.deep.equal([{ status: 'timeout', timed_out: true, error: `Execution timed out after ${seconds} seconds` }]);
});

Then('the task {string} failed without being reported as a timeout', async function (this: AttuneWorld, task: string) {
  const runs = await runsOfTask(this, task);
  expect(
    runs.map((run) => ({ status: run.status, timed_out: workflowTaskOf(run).timed_out ?? false, says_timed_out: /timed out/i.test(JSON.stringify(run.result)) })),
    `runs of the task "${task}" (results ${JSON.stringify(runs.map((r) => r.result))})`,
  ).to.deep.equal([{ status: 'failed', timed_out: false, says_timed_out: false }]);
});

Then(
  'the workflow run ended no later than {int} seconds plus the timeout margin after it was created',
  async function (this: AttuneWorld, seconds: number) {
    const run = await execution(this, runId(this));
    const took = ms(run.updated, `updated of ${run.id}`) - ms(run.created, `created of ${run.id}`);
    this.attach(`workflow run #${run.id}: ${took} ms from created to its end (bound ${seconds} s + ${timeouts.workflowTaskTimeoutMargin} ms)`, 'text/plain');
    expect(
      took <= seconds * 1000 + timeouts.workflowTaskTimeoutMargin,
      `workflow run #${run.id} took ${took} ms from created (${run.created}) to its end (updated ${run.updated}); ` +
        `the bound is ${seconds} s + ${timeouts.workflowTaskTimeoutMargin} ms`,
    ).to.equal(true);
  },
);

Then('the execution times out after {int} seconds', async function (this: AttuneWorld, seconds: number) {
  const last = this.recall<Execution>('execution', 'last');
  const run = await awaitOutcome(this, last.id, 'timeout');
  this.markAsserted(run.id);
  expect(resultOf(run).error, `error of execution ${run.id} (result ${JSON.stringify(run.result)})`).to.equal(
    `Execution timed out after ${seconds} seconds`,
  );
});

Then('the attempts of the task {string} were:', async function (this: AttuneWorld, task: string, table: DataTable) {
  const runs = await runsOfTask(this, task);
  const firstId = runs[0]?.id;
  const observed = runs.map((run) => {
    const info = workflowTaskOf(run);
    const original = (run as { original_execution?: number | null }).original_execution ?? null;
    return {
      status: run.status,
      retry_count: info.retry_count,
      max_retries: info.max_retries,
      original_execution: original === null ? 'none' : original === firstId ? 'attempt 1' : `execution ${original}`,
      action_ref: run.action_ref,
      parent: run.parent,
    };
  });
  const expected = table.hashes().map((row) => ({
    status: statusFromWords(row.status),
    retry_count: Number(row['retry count']),
    max_retries: Number(row['max retries']),
    original_execution: row['original execution'],
    action_ref: runs[0]?.action_ref,
    parent: runId(this),
  }));
  expect(observed, `attempts of the task "${task}", oldest first:\n${shown(runs)}\n`).to.deep.equal(expected);
});

Then(
  'the last attempt of the task {string} failed with an error containing {string}',
  async function (this: AttuneWorld, task: string, text: string) {
    const runs = await runsOfTask(this, task);
    const last = runs[runs.length - 1];
    expect(last?.status, `the last attempt of "${task}":\n${shown(runs)}\n`).to.equal('failed');
    expect(String(resultOf(last).error ?? ''), `error of execution ${last.id} (result ${JSON.stringify(last.result)})`).to.include(text);
  },
);

Then(
  'the pauses between the attempts of the task {string} were {string} seconds',
  async function (this: AttuneWorld, task: string, list: string) {
    const wanted = list.split(/\s*,\s*|\s+and\s+/).map(Number);
    const runs = await runsOfTask(this, task);
    const gaps = runs.slice(1).map((run, i) => ms(run.created, `created of ${run.id}`) - ms(runs[i].updated, `updated of ${runs[i].id}`));
    const listing = runs.map((r) => `#${r.id}: created ${r.created}, ended (updated) ${r.updated}, ${r.status}`).join('\n');
    this.attach(`pauses between the attempts of "${task}" (ms): ${gaps.join(', ')}`, 'text/plain');
    expect(gaps.length, `attempts of "${task}":\n${listing}\n`).to.equal(wanted.length);
    const off = gaps.map((gap, i) => Math.abs(gap - wanted[i] * 1000));
    expect(
      off.every((d) => d <= timeouts.retryGapTolerance),
      `pauses ${gaps.join(', ')} ms must each be within ${timeouts.retryGapTolerance} ms of ${wanted.map((s) => s * 1000).join(', ')} ms:\n${listing}\n`,
    ).to.equal(true);
  },
);

// ---- the tree of a nested run ---------------------------------------------------------------------------------------

/**
 * The tree is written one execution per line, two spaces of indentation per level: the root as
 * `<workflow name>: <status>`, every child as `<task name> → <workflow or action name>: <status>`. Names resolve like
 * `{ref}` (bare names into the scenario's pack). Children are compared oldest first.
 */
Then("the workflow run's tree is:", async function (this: AttuneWorld, text: string) {
  const expected = text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const depth = (line.length - line.trimStart().length) / 2;
      const match = /^(?:(.+?)\s*(?:→|->)\s*)?(.+?):\s*([a-z ]+)$/.exec(line.trim());
      if (!match) throw new Error(`tree line "${line}" is not "<task> → <name>: <status>" (or "<name>: <status>" for the root)`);
      return `${'  '.repeat(depth)}${match[1] ? `${match[1]} → ` : ''}${this.ref(match[2])}: ${statusFromWords(match[3])}`;
    });
  await awaitRunTerminal(this, runId(this));
  const tree = await runTree(this, runId(this));
  tree.ids.forEach((id) => this.markAsserted(id));
  const observed = tree.lines.map((l) => `${'  '.repeat(l.depth)}${l.task ? `${l.task} → ` : ''}${l.actionRef}: ${l.status}`);
  expect(tree.problems, 'parent links of the tree').to.deep.equal([]);
  expect(observed.join('\n'), `the tree of workflow run #${runId(this)} (every execution, children oldest first)`).to.equal(expected.join('\n'));
});

// ---- defining workflows: create, read, list, change, delete, refusals -----------------------------------------------

function lastAnswer(world: AttuneWorld, workflow: RefArg): RawResponse {
  return world.recall<RawResponse>('workflow answer', workflow.name);
}

async function readWorkflow(world: AttuneWorld, ref: string): Promise<RawResponse> {
  return world.api.raw('GET', `/api/v1/workflows/${encodeURIComponent(ref)}`);
}

async function readAction(world: AttuneWorld, ref: string): Promise<RawResponse> {
  return world.api.raw('GET', `/api/v1/actions/${encodeURIComponent(ref)}`);
}

When('I create the workflow {ref} with the definition:', async function (this: AttuneWorld, workflow: RefArg, yaml: string) {
  await attemptWorkflow(this, workflow.name, readDefinition(this, yaml));
});

When('I try to create the workflow {ref} with the definition:', async function (this: AttuneWorld, workflow: RefArg, yaml: string) {
  await attemptWorkflow(this, workflow.name, readDefinition(this, yaml));
});

When(
  'I change the workflow {ref} to the label {string} and the definition:',
  async function (this: AttuneWorld, workflow: RefArg, label: string, yaml: string) {
    await changeWorkflow(this, workflow.name, readDefinition(this, yaml), label);
  },
);

When('I delete the workflow {ref}', async function (this: AttuneWorld, workflow: RefArg) {
  await deleteWorkflow(this, workflow.name);
});

Then(
  'the workflow {ref} is created with its definition and a companion action of the same ref',
  async function (this: AttuneWorld, workflow: RefArg) {
    const answer = lastAnswer(this, workflow);
    const shownAnswer = `${answer.status}: ${JSON.stringify(answer.body)}`;
    expect(answer.status, `the answer to creating ${workflow.ref}: ${shownAnswer}`).to.equal(201);
    const created = unwrapBody(answer.body) as Workflow;
    const definition = this.recall<Record<string, unknown>>('workflow definition', workflow.name);
    expect(
      { ref: created.ref, pack_ref: created.pack_ref, label: created.label, definition: created.definition },
      `the created workflow: ${shownAnswer}`,
    ).to.deep.equal({ ref: workflow.ref, pack_ref: this.packRef, label: workflow.name, definition });
    const read = await readWorkflow(this, workflow.ref);
    const readBack = unwrapBody(read.body) as Workflow;
    expect(
      { status: read.status, id: readBack?.id, definition: readBack?.definition },
      `GET workflow ${workflow.ref}: ${JSON.stringify(read.body)}`,
    ).to.deep.equal({ status: 200, id: created.id, definition });
    const action = await readAction(this, workflow.ref);
    const companion = unwrapBody(action.body) as Record<string, unknown>;
    expect(
      { status: action.status, ref: companion?.ref, entrypoint: companion?.entrypoint, workflow_def: companion?.workflow_def, runtime: companion?.runtime ?? null },
      `GET action ${workflow.ref} (the companion): ${JSON.stringify(action.body)}`,
    ).to.deep.equal({ status: 200, ref: workflow.ref, entrypoint: 'workflow', workflow_def: created.id, runtime: null });
  },
);

Then('the workflows listed for my pack are exactly:', async function (this: AttuneWorld, table: DataTable) {
  const expected = table.raw().flat().map((name) => this.ref(name)).sort();
  for (const path of [`/api/v1/workflows?pack_ref=${encodeURIComponent(this.packRef)}&per_page=100`, `/api/v1/packs/${encodeURIComponent(this.packRef)}/workflows?per_page=100`]) {
    const response = await this.api.raw<{ items?: Array<{ ref: string }>; data?: Array<{ ref: string }> }>('GET', path);
    expect(response.status, `GET ${path}: ${JSON.stringify(response.body)}`).to.equal(200);
    const rows = response.body?.items ?? response.body?.data ?? [];
    expect(rows.map((row) => row.ref).sort(), `workflows listed by GET ${path}`).to.deep.equal(expected);
  }
});

Then(
  'the workflow {ref} reads back with the label {string} and the new definition',
  async function (this: AttuneWorld, workflow: RefArg, label: string) {
    const answer = lastAnswer(this, workflow);
    expect(answer.status, `the answer to changing ${workflow.ref}: ${JSON.stringify(answer.body)}`).to.equal(200);
    const definition = this.recall<Record<string, unknown>>('workflow definition', workflow.name);
    const read = await readWorkflow(this, workflow.ref);
    const readBack = unwrapBody(read.body) as Workflow;
    expect(
      { status: read.status, label: readBack?.label, definition: readBack?.definition },
      `GET workflow ${workflow.ref}: ${JSON.stringify(read.body)}`,
    ).to.deep.equal({ status: 200, label, definition });
    const action = await readAction(this, workflow.ref);
    const companion = unwrapBody(action.body) as Record<string, unknown>;
    expect(
      { status: action.status, workflow_def: companion?.workflow_def, label: companion?.label },
      `GET action ${workflow.ref} (the companion) after the change: ${JSON.stringify(action.body)}`,
    ).to.deep.equal({ status: 200, workflow_def: readBack?.id, label });
  },
);

Then('the workflow {ref} is deleted', function (this: AttuneWorld, workflow: RefArg) {
  const answer = lastAnswer(this, workflow);
  const body = answer.body as { success?: unknown } | null;
  expect({ status: answer.status, success: body?.success }, `the answer to deleting ${workflow.ref}: ${JSON.stringify(answer.body)}`).to.deep.equal({
    status: 200,
    success: true,
  });
});

Then('there is neither a workflow nor an action {ref}', async function (this: AttuneWorld, workflow: RefArg) {
  const [read, action] = await Promise.all([readWorkflow(this, workflow.ref), readAction(this, workflow.ref)]);
  expect(
    { workflow: read.status, action: action.status },
    `GET workflow ${workflow.ref}: ${JSON.stringify(read.body)}; GET action: ${JSON.stringify(action.body)}`,
  ).to.deep.equal({ workflow: 404, action: 404 });
});

Then('the workflow {ref} is refused as unprocessable, naming {string}', function (this: AttuneWorld, workflow: RefArg, text: string) {
  const answer = lastAnswer(this, workflow);
  const shownAnswer = `${answer.status} ${answer.contentType}: ${JSON.stringify(answer.body)}`;
  expect(answer.status, `the status of the answer ${shownAnswer}`).to.equal(422);
  expect(answer.contentType, `the content type of the answer ${shownAnswer}`).to.match(/json/);
  const error = (answer.body as { error?: unknown } | undefined)?.error;
  expect(error, `the "error" of the answer ${shownAnswer}, which must name ${JSON.stringify(text)}`).to.be.a('string').that.includes(text);
});
