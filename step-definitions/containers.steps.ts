/**
 * Steps about container actions (features/tier3/container-actions.feature, docs/runtimes.md "Container runner"):
 * creating actions of the container runtime, comparing what a container action and a plain shell action see, what a
 * container action read on stdin and found in its environment, and how a timeout or a cancel ends one.
 */
import { createHash } from 'node:crypto';
import { Given, Then, When, type DataTable } from '@cucumber/cucumber';
import { expect } from 'chai';
import { consistently, eventually } from '../support/eventually';
import type { RefArg } from '../support/parameter-types';
import { lookAround, timeoutOutcome, type LookAround } from '../support/questions/containers';
import { eventsOf, event as readEvent } from '../support/questions/events';
import { awaitOutcome, execution } from '../support/questions/executions';
import { resultOf, stdoutOf } from '../support/questions/outcomes';
import {
  createContainerAction,
  declareNetworkedContainerRuntime,
  lookForWhatWasSeen,
  runNamed,
  webhookPath,
} from '../support/tasks/containers';
import { cancelExecution, type Execution } from '../support/tasks/executions';
import { keyHistory } from '../support/tasks/keys';
import { timeouts } from '../support/timeouts';
import type { AttuneWorld } from '../support/world';

const SHA256_PLACEHOLDER = '<sha256 of the secret>';
const ENVIRONMENT_HEADING = '--- environment';
const SECRET_COUNT_PREFIX = '--- environment values holding the secret: ';

function lastRun(world: AttuneWorld): Execution {
  return world.recall<Execution>('execution', 'last');
}

// ---- container actions ----------------------------------------------------------------------------------------

Given('a container action {ref} that runs the script:', async function (this: AttuneWorld, action: RefArg, script: string) {
  await createContainerAction(this, { name: action.name, script });
});

Given(
  'a container action {ref} that reads dotenv parameters and runs the script:',
  async function (this: AttuneWorld, action: RefArg, script: string) {
    await createContainerAction(this, { name: action.name, script, parameterFormat: 'dotenv' });
  },
);

Given(
  'a container action {ref} that gets its parameters as a JSON file and runs the script:',
  async function (this: AttuneWorld, action: RefArg, script: string) {
    await createContainerAction(this, { name: action.name, script, parameterDelivery: 'file', parameterFormat: 'json' });
  },
);

Given(
  'a container action {ref} with a timeout of {int} second(s) that runs the script:',
  async function (this: AttuneWorld, action: RefArg, seconds: number, script: string) {
    await createContainerAction(this, { name: action.name, script, timeoutSeconds: seconds });
  },
);

Given('my pack declares its own container runtime {ref}, which allows the network', function (this: AttuneWorld, runtime: RefArg) {
  declareNetworkedContainerRuntime(this, runtime.name);
});

Then('the execution completes with exit code {int}', async function (this: AttuneWorld, code: number) {
  const run = await awaitOutcome(this, lastRun(this).id, 'completed');
  this.markAsserted(run.id);
  const result = resultOf(run);
  expect({ status: run.status, succeeded: result.succeeded, exit_code: result.exit_code }, `execution ${run.id} (result ${JSON.stringify(run.result)})`).to.deep.equal(
    { status: 'completed', succeeded: true, exit_code: code },
  );
});

// ---- what a container action sees of the host ----------------------------------------------------------------------

When(
  'I run {ref} looking for the folder {ref} ran in and the process that started it',
  async function (this: AttuneWorld, action: RefArg, earlier: RefArg) {
    const { report } = await lookAround(this, earlier.ref);
    const parameters = lookForWhatWasSeen(report);
    this.scratch['looked for'] = parameters;
    await runNamed(this, action.ref, action.ref, parameters);
  },
);

When('I run {ref} again, looking for the same', async function (this: AttuneWorld, action: RefArg) {
  const parameters = this.scratch['looked for'] as Record<string, unknown> | undefined;
  if (!parameters) throw new Error('No earlier run looked for anything ("I run … looking for the folder … ran in …").');
  await runNamed(this, action.ref, `${action.ref} again`, parameters);
});

Then('{ref} reports PID, mount and network namespaces other than those of {ref}', async function (this: AttuneWorld, box: RefArg, host: RefArg) {
  const inside = (await lookAround(this, box.ref)).report;
  const outside = (await lookAround(this, host.ref)).report;
  const same = (r: LookAround) => ({ pid: r.pid_ns, mnt: r.mnt_ns, net: r.net_ns });
  const shown = `namespaces of "${box.name}" ${JSON.stringify(same(inside))} and of "${host.name}" ${JSON.stringify(same(outside))}`;
  expect(
    { pid: inside.pid_ns === outside.pid_ns, mnt: inside.mnt_ns === outside.mnt_ns, net: inside.net_ns === outside.net_ns },
    `which namespaces are shared: ${shown}`,
  ).to.deep.equal({ pid: false, mnt: false, net: false });
});

Then(
  '{ref} saw neither that folder nor that process, while the second run of {ref} saw both',
  async function (this: AttuneWorld, box: RefArg, host: RefArg) {
    const lookedFor = this.scratch['looked for'];
    const inside = (await lookAround(this, box.ref)).report;
    const control = (await lookAround(this, `${host.ref} again`)).report;
    expect(
      { [box.name]: { folder: inside.saw_dir, process: inside.saw_pid }, [`${host.name}, again`]: { folder: control.saw_dir, process: control.saw_pid } },
      `what each run saw of ${JSON.stringify(lookedFor)}`,
    ).to.deep.equal({ [box.name]: { folder: 'no', process: 'no' }, [`${host.name}, again`]: { folder: 'yes', process: 'yes' } });
  },
);

// ---- stdin and environment of a container action -----------------------------------------------------------------

/** The three parts the "boxed reader" script prints: the stdin document, the variable names, the secret count. */
function readerReport(stdout: string): { document: string; names: string[]; holdingSecret: string | undefined } {
  const lines = stdout.replace(/\n$/, '').split('\n');
  const at = lines.indexOf(ENVIRONMENT_HEADING);
  const last = lines[lines.length - 1] ?? '';
  if (at < 0 || !last.startsWith(SECRET_COUNT_PREFIX)) throw new Error(`The action did not print its report:\n${stdout}`);
  return { document: lines.slice(0, at).join('\n'), names: lines.slice(at + 1, -1), holdingSecret: last.slice(SECRET_COUNT_PREFIX.length) };
}

async function lastReaderReport(world: AttuneWorld): Promise<ReturnType<typeof readerReport> & { id: number }> {
  const run = await execution(world, lastRun(world).id);
  world.markAsserted(run.id);
  return { ...readerReport(stdoutOf(run)), id: run.id };
}

Then(
  'the container action read exactly this document on its stdin, the secret {ref} shown as its SHA-256:',
  async function (this: AttuneWorld, secret: RefArg, text: string) {
    const given = keyHistory(this, secret.name);
    const digest = createHash('sha256').update(String(given.value)).digest('hex');
    const report = await lastReaderReport(this);
    expect(report.document, `the stdin document execution ${report.id} read (${secret.ref}: sha256 ${digest})`).to.equal(
      text.split(SHA256_PLACEHOLDER).join(digest),
    );
  },
);

Then('its environment held only variables from this list, among them the first four:', async function (this: AttuneWorld, table: DataTable) {
  const allowed = table.raw().map((row) => row[0]);
  const report = await lastReaderReport(this);
  const shown = `the variables of execution ${report.id}: ${report.names.join(', ')}`;
  expect(report.names.filter((n) => !allowed.includes(n)), `${shown}; not in the list`).to.deep.equal([]);
  expect(report.names, shown).to.include.members(allowed.slice(0, 4));
});

Then("no variable of its environment held the secret's value", async function (this: AttuneWorld) {
  const report = await lastReaderReport(this);
  expect(report.holdingSecret, `variables of execution ${report.id} holding the secret's value`).to.equal('0');
});

// ---- timeouts and cancels ------------------------------------------------------------------------------------------

Then(
  'the execution timed out after {int} seconds, having printed exactly the line {string}',
  async function (this: AttuneWorld, seconds: number, line: string) {
    const run = await awaitOutcome(this, lastRun(this).id, 'timeout');
    this.markAsserted(run.id);
    expect(timeoutOutcome(run), `execution ${run.id} (result ${JSON.stringify(run.result)})`).to.deep.equal({
      status: 'timeout',
      succeeded: false,
      timed_out: true,
      exit_code: -1,
      error: `Execution timed out after ${seconds} seconds`,
      stdout: `${line}\n`,
    });
  },
);

When('I run {ref} posting to the webhook of {ref}', async function (this: AttuneWorld, action: RefArg, trigger: RefArg) {
  await runNamed(this, action.ref, action.ref, { path: webhookPath(this, trigger.ref) });
});

When(
  'I cancel that run as soon as the webhook of {ref} received the call {string}',
  async function (this: AttuneWorld, trigger: RefArg, call: string) {
    const [first] = await eventually(
      `the first call of the running action to reach the webhook of ${trigger.ref}`,
      () => eventsOf(this, { trigger_ref: trigger.ref }),
      (rows) => rows.length >= 1,
      { timeoutMs: timeouts.executionTerminal },
    );
    await cancelExecution(this, lastRun(this).id);
    this.scratch['calls before the cancel'] = first.id;
    const payload = (await readEvent(this, first.id)).payload;
    expect(payload, `the payload of event ${first.id}, the first call`).to.deep.equal({ call });
  },
);

Then('no further call reaches the webhook of {ref} after the cancel', async function (this: AttuneWorld, trigger: RefArg) {
  const firstId = this.scratch['calls before the cancel'];
  await consistently(
    `no event but the first (${String(firstId)}) reaches the webhook of ${trigger.ref} after the cancel`,
    timeouts.containerLateCallQuiet,
    () => eventsOf(this, { trigger_ref: trigger.ref }),
    (rows) => {
      expect(rows.map((r) => r.id), `events of ${trigger.ref}`).to.deep.equal([firstId]);
    },
  );
});
