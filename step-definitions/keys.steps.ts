/**
 * Steps about the datastore: keys a tenant stores, changes and deletes, encrypted keys at rest, keys with a time to
 * live, keys an action reads through the API with its execution token, and a pack's secrets handed to its actions.
 */
import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { eventually } from '../support/eventually';
import type { RefArg } from '../support/parameter-types';
import { execution, type Execution } from '../support/questions/executions';
import {
  key as readKey,
  keyAtRest,
  keyRefsListed,
  SEALED,
  sealingReport,
  sha256Hex,
} from '../support/questions/keys';
import { stdoutOf } from '../support/questions/outcomes';
import { notFoundProblem } from '../support/questions/tenancy';
import { runAction } from '../support/tasks/executions';
import {
  attemptKeyChange, attemptKeyUnderRef, changeKey, deleteKey, keyHistory, keyToBeStoredElsewhere, storeKey, storeKeyUnderRef,
} from '../support/tasks/keys';
import { runWorkflow, lastWorkflowRun } from '../support/tasks/workflows';
import { attemptsOf } from '../support/questions/workflows';
import { timeouts } from '../support/timeouts';
import type { AttuneWorld } from '../support/world';

function json(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`The step's JSON value does not parse: ${(error as Error).message}\n${text}`);
  }
}

/** Reads the key as `world`'s tenant and compares ref, value (deep) and the encrypted flag with what was given. */
async function expectReadsBack(world: AttuneWorld, name: string, encrypted: boolean): Promise<void> {
  const given = keyHistory(world, name);
  const answer = await readKey(world, given.ref);
  expect(answer.status, `GET key ${given.ref}: ${JSON.stringify(answer.body)}`).to.equal(200);
  const found = answer.body.data;
  expect(
    { ref: found?.ref, value: found?.value, encrypted: found?.encrypted },
    `key ${given.ref} as read back (${JSON.stringify(answer.body)})`,
  ).to.deep.equal({ ref: given.ref, value: given.value, encrypted });
}

async function lastRun(world: AttuneWorld): Promise<Execution> {
  const run = world.recall<Execution>('execution', 'last');
  world.markAsserted(run.id);
  return execution(world, run.id);
}

// ---- storing, changing, deleting ------------------------------------------------------------------------------

Given('I store the key {ref} with the value {string}', async function (this: AttuneWorld, key: RefArg, value: string) {
  await storeKey(this, { name: key.name, value });
});

Given('I store the key {ref} with the JSON value:', async function (this: AttuneWorld, key: RefArg, value: string) {
  await storeKey(this, { name: key.name, value: json(value) });
});

Given('I store the encrypted key {ref} with the value {string}', async function (this: AttuneWorld, key: RefArg, value: string) {
  await storeKey(this, { name: key.name, value, encrypted: true });
});

Given('I store the encrypted key {ref} with the JSON value:', async function (this: AttuneWorld, key: RefArg, value: string) {
  await storeKey(this, { name: key.name, value: json(value), encrypted: true });
});

Given(
  'I store the key {ref} with the value {string} and a time to live of {int} second(s)',
  async function (this: AttuneWorld, key: RefArg, value: string, seconds: number) {
    await storeKey(this, { name: key.name, value, ttlSeconds: seconds });
  },
);

Given('my pack holds the encrypted secret {ref} with the value {string}', async function (this: AttuneWorld, key: RefArg, value: string) {
  const stored = await storeKey(this, { name: key.name, value, encrypted: true, owner: 'my pack' });
  expect(
    { owner_type: stored.owner_type, owner_pack_ref: stored.owner_pack_ref, name: stored.name },
    `owner of the secret ${stored.ref}`,
  ).to.deep.equal({ owner_type: 'pack', owner_pack_ref: this.packRef, name: key.name });
});

Given('tenant {string} stores the key {ref} with the value {string}', async function (this: AttuneWorld, tenant: string, key: RefArg, value: string) {
  await storeKey(this.tenantNamed(tenant), { name: key.name, value });
});

When('I change the key {ref} to the value {string}', async function (this: AttuneWorld, key: RefArg, value: string) {
  await changeKey(this, key.name, value);
});

When('I change the key {ref} to the JSON value:', async function (this: AttuneWorld, key: RefArg, value: string) {
  await changeKey(this, key.name, json(value));
});

Then(
  'changing the key {ref} to null is refused with {int}, the error naming {string}',
  async function (this: AttuneWorld, key: RefArg, status: number, word: string) {
    const answer = await attemptKeyChange(this, key.name, null);
    const error = (answer.body as { error?: unknown } | null)?.error;
    expect({ status: answer.status, errorIsText: typeof error === 'string' }, `PUT key ${key.ref} {"value": null}: ${JSON.stringify(answer.body)}`).to.deep.equal({
      status,
      errorIsText: true,
    });
    expect(String(error), 'the error text').to.include(word);
  },
);

When('I delete the key {ref}', async function (this: AttuneWorld, key: RefArg) {
  await deleteKey(this, key.name);
});

// ---- reading back ---------------------------------------------------------------------------------------------

Then('the key {ref} reads back exactly the value I gave it, unencrypted', async function (this: AttuneWorld, key: RefArg) {
  await expectReadsBack(this, key.name, false);
});

Then('the key {ref} reads back exactly the value I gave it in clear, marked encrypted', async function (this: AttuneWorld, key: RefArg) {
  await expectReadsBack(this, key.name, true);
});

Then("tenant {string} still reads back exactly the value of its key {ref}", async function (this: AttuneWorld, tenant: string, key: RefArg) {
  await expectReadsBack(this.tenantNamed(tenant), key.name, false);
});

Then('the update time of the key {ref} moved forward with the change', async function (this: AttuneWorld, key: RefArg) {
  const given = keyHistory(this, key.name);
  if (given.updatedBeforeChange === undefined) throw new Error(`The key "${key.name}" was never changed in this scenario.`);
  const answer = await readKey(this, given.ref);
  expect(answer.status, `GET key ${given.ref}: ${JSON.stringify(answer.body)}`).to.equal(200);
  const after = answer.body.data?.updated;
  expect(
    Date.parse(String(after)) > Date.parse(given.updatedBeforeChange),
    `key ${given.ref}: updated ${String(after)} must be later than ${given.updatedBeforeChange} (before the change)`,
  ).to.equal(true);
});

Then('the key {ref} is not found', async function (this: AttuneWorld, key: RefArg) {
  const answer = await readKey(this, key.ref);
  expect(notFoundProblem(answer), `GET key ${key.ref}`).to.equal(undefined);
});

Then('my key list holds the key {ref}', async function (this: AttuneWorld, key: RefArg) {
  expect(await keyRefsListed(this.api), 'refs of my key list').to.include(key.ref);
});

// ---- at rest --------------------------------------------------------------------------------------------------

Then('the database holds the key {ref} sealed, with no trace of its clear value', async function (this: AttuneWorld, key: RefArg) {
  const given = keyHistory(this, key.name);
  const rows = await keyAtRest(given.ref);
  expect(
    sealingReport(rows, given.value, given.values),
    `key ${given.ref} at rest (stored: ${JSON.stringify(rows)}; values given: ${JSON.stringify(given.values)})`,
  ).to.deep.equal(SEALED);
});

// ---- time to live ---------------------------------------------------------------------------------------------

Then('once its time is up the key {ref} is not found and is gone from my key list', async function (this: AttuneWorld, key: RefArg) {
  const given = keyHistory(this, key.name);
  if (given.ttlSeconds === undefined) throw new Error(`The key "${key.name}" was stored without a time to live.`);
  const bound = given.ttlSeconds * 1000 + timeouts.keyExpiryMargin;
  const remaining = given.storedAtMs + bound - Date.now();
  await eventually(
    `key ${given.ref} (time to live ${given.ttlSeconds} s) to answer 404 and to leave my key list`,
    async () => ({ read: await readKey(this, given.ref), listed: (await keyRefsListed(this.api)).includes(given.ref) }),
    ({ read, listed }) => {
      expect({ notFound: notFoundProblem(read) ?? 'yes', listed }).to.deep.equal({ notFound: 'yes', listed: false });
    },
    { timeoutMs: Math.max(remaining, timeouts.pollInterval) },
  );
  this.log(`key ${given.ref} gone ${Date.now() - given.storedAtMs} ms after its creation was answered (ttl ${given.ttlSeconds} s)`);
});

// ---- actions and keys -----------------------------------------------------------------------------------------

When('I run {ref} with {string} set to the ref of my key {ref}', async function (this: AttuneWorld, action: RefArg, parameter: string, key: RefArg) {
  await runAction(this, action.ref, { [parameter]: keyHistory(this, key.name).ref });
});

When(
  "I run {ref} with {string} set to the ref of tenant {string}'s key {ref}",
  async function (this: AttuneWorld, action: RefArg, parameter: string, tenant: string, key: RefArg) {
    await runAction(this, action.ref, { [parameter]: keyHistory(this.tenantNamed(tenant), key.name).ref });
  },
);

Then('the first line the execution printed is the SHA-256 of the secret {ref}', async function (this: AttuneWorld, key: RefArg) {
  const given = keyHistory(this, key.name);
  const run = await lastRun(this);
  const [first] = stdoutOf(run).split('\n');
  const nothing = first === sha256Hex('') ? ', which is the SHA-256 of nothing: the action received no value' : '';
  expect(first, `first line printed by execution ${run.id} (sha256 of the value of ${given.ref})${nothing}`).to.equal(sha256Hex(String(given.value)));
});

/** The sections of what the "secret user" script prints after its first line, split at its two heading lines. */
function environmentReport(stdout: string): { names: string[]; holding: string[] } {
  const lines = stdout.split('\n');
  const namesAt = lines.indexOf('variables in my environment:');
  const holdingAt = lines.indexOf('environment lines holding the value I received:');
  if (namesAt < 0 || holdingAt < namesAt) throw new Error(`The execution did not print its environment report:\n${stdout}`);
  const nonEmpty = (part: string[]): string[] => part.filter((line) => line !== '');
  return { names: nonEmpty(lines.slice(namesAt + 1, holdingAt)), holding: nonEmpty(lines.slice(holdingAt + 1)) };
}

Then("the secret {ref} is in neither the execution's environment nor its record", async function (this: AttuneWorld, key: RefArg) {
  const given = keyHistory(this, key.name);
  const secret = String(given.value);
  const run = await lastRun(this);
  const report = environmentReport(stdoutOf(run));
  // the listing is real: it names the variables every action gets
  expect(report.names, `variables in the environment of execution ${run.id}`).to.include.members(['ATTUNE_EXEC_ID', 'ATTUNE_API_URL']);
  const named = new Set([key.name, `secret_${key.name}`].map((n) => n.toLowerCase()));
  expect(
    { namedAfterTheSecret: report.names.filter((n) => named.has(n.toLowerCase())), holdingItsValue: report.holding },
    `the environment of execution ${run.id} and the secret ${given.ref}`,
  ).to.deep.equal({ namedAfterTheSecret: [], holdingItsValue: [] });
  expect(JSON.stringify(run).includes(secret), `the record of execution ${run.id} holds the secret's value: ${JSON.stringify(run)}`).to.equal(false);
});

// ---- keys that actions store with their execution token (features/tier2/datastore-writes.feature) -------------

/** The parameters of the "key writer" action: which key to store, for whom, with what. */
function keyWriterParameters(world: AttuneWorld, name: string, value: unknown, encrypted: boolean): Record<string, unknown> {
  const ref = keyToBeStoredElsewhere(world, { name, value, encrypted });
  return { key_ref: ref, key_name: name, owner_identity: world.tenant.id, value, ...(encrypted ? { encrypted: true } : {}) };
}

When('I run {ref} to store my key {ref} with the JSON value:', async function (this: AttuneWorld, action: RefArg, key: RefArg, value: string) {
  await runAction(this, action.ref, keyWriterParameters(this, key.name, json(value), false));
});

When(
  'I run {ref} to store my encrypted key {ref} with the JSON value:',
  async function (this: AttuneWorld, action: RefArg, key: RefArg, value: string) {
    await runAction(this, action.ref, keyWriterParameters(this, key.name, json(value), true));
  },
);

When(
  'I run the workflow {ref} to pass my key {ref} with the JSON value:',
  async function (this: AttuneWorld, workflow: RefArg, key: RefArg, value: string) {
    await runWorkflow(this, workflow.name, keyWriterParameters(this, key.name, json(value), false));
  },
);

/** The run printed the key's value as one JSON line, and its parsed output is exactly that value. */
function expectPrintedKeyValue(run: Execution, value: unknown, what: string): void {
  const shown = `${what} (result ${JSON.stringify(run.result)})`;
  const stdout = stdoutOf(run);
  expect(stdout.endsWith('\n') && !stdout.slice(0, -1).includes('\n'), `${shown}: one line printed`).to.equal(true);
  expect(JSON.parse(stdout) as unknown, `${shown}: the JSON it printed`).to.deep.equal(value);
  expect((run.result as { data?: unknown } | null)?.data, `${shown}: result.data, the parsed output`).to.deep.equal(value);
}

Then(
  'the task {string} printed the value of my key {ref} as JSON, and its result data is exactly that value',
  async function (this: AttuneWorld, task: string, key: RefArg) {
    const runs = await attemptsOf(this, lastWorkflowRun(this).execution.id, task);
    runs.forEach((row) => this.markAsserted(row.id));
    expect(runs.map((row) => row.status), `runs of the task "${task}"`).to.deep.equal(['completed']);
    expectPrintedKeyValue(runs[0], keyHistory(this, key.name).value, `execution ${runs[0].id} of the task "${task}"`);
  },
);

Then(
  'the execution printed the value of my key {ref} as JSON, and its result data is exactly that value',
  async function (this: AttuneWorld, key: RefArg) {
    const run = await lastRun(this);
    expectPrintedKeyValue(run, keyHistory(this, key.name).value, `execution ${run.id}`);
  },
);

When("I run {ref} on tenant {string}'s key {ref}", async function (this: AttuneWorld, action: RefArg, tenant: string, key: RefArg) {
  const other = this.tenantNamed(tenant);
  const plantedRef = other.ref('planted');
  // should the target let the action plant a key in the other tenant's name, it goes at cleanup
  this.onCleanup(`delete key ${plantedRef} (planted only if the target let it through)`, async () => {
    await this.admin.raw('DELETE', `/api/v1/keys/${encodeURIComponent(plantedRef)}`);
  });
  await runAction(this, action.ref, { key_ref: keyHistory(other, key.name).ref, owner_identity: other.tenant.id, new_ref: plantedRef });
});

Then("tenant {string}'s key list holds exactly its key {ref}", async function (this: AttuneWorld, tenant: string, key: RefArg) {
  const other = this.tenantNamed(tenant);
  expect(await keyRefsListed(other.api), `refs of tenant ${tenant}'s key list`).to.deep.equal([keyHistory(other, key.name).ref]);
});

// ---- one ref, two owners (a ref is unique per owner; docs/decisions.md "Key refs are scoped to their owner") -------

When(
  'tenant {string} stores its own key {ref} under the ref of my key {ref}, with the value {string}',
  async function (this: AttuneWorld, tenant: string, theirs: RefArg, mine: RefArg, value: string) {
    const other = this.tenantNamed(tenant);
    const ref = keyHistory(this, mine.name).ref;
    const stored = await storeKeyUnderRef(other, { ref, name: theirs.name, value });
    expect(
      { ref: stored.ref, owner_type: stored.owner_type, owner_identity: stored.owner_identity, value: stored.value },
      `the key tenant ${tenant} created under my ref`,
    ).to.deep.equal({ ref, owner_type: 'identity', owner_identity: other.tenant.id, value });
  },
);

When('tenant {string} deletes its key {ref}', async function (this: AttuneWorld, tenant: string, key: RefArg) {
  await deleteKey(this.tenantNamed(tenant), key.name);
});

Then('tenant {string} finds no key under the ref of its key {ref}', async function (this: AttuneWorld, tenant: string, key: RefArg) {
  const other = this.tenantNamed(tenant);
  const { ref } = keyHistory(other, key.name);
  const answer = await readKey(other, ref);
  expect(notFoundProblem(answer), `GET key ${ref} as tenant ${tenant}`).to.equal(undefined);
  expect(await keyRefsListed(other.api), `refs of tenant ${tenant}'s key list`).to.deep.equal([]);
});

Then('my key list holds exactly my key {ref}', async function (this: AttuneWorld, key: RefArg) {
  expect(await keyRefsListed(this.api), 'refs of my key list').to.deep.equal([keyHistory(this, key.name).ref]);
});

Then(
  'storing another key of mine, {ref}, under the ref of my key {ref} is refused with {int}, the error naming that ref',
  async function (this: AttuneWorld, second: RefArg, first: RefArg, status: number) {
    const { ref } = keyHistory(this, first.name);
    const answer = await attemptKeyUnderRef(this, { ref, name: second.name, value: 'a second value' });
    const error = (answer.body as { error?: unknown } | null)?.error;
    expect({ status: answer.status, errorIsText: typeof error === 'string' }, `POST key ${ref} again: ${JSON.stringify(answer.body)}`).to.deep.equal({
      status,
      errorIsText: true,
    });
    expect(String(error), 'the error text').to.include(ref);
  },
);
