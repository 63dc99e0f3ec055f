/**
 * Steps about secret injection: secrets owned by a pack, an action or an identity (each with a value unique to the
 * scenario when the scenario looks for it afterwards), actions that probe where their secret can be seen, and the
 * places a secret must never reach: environments, command lines, the records the API answers, the services' logs.
 * The acts live in support/tasks/secrets.ts and support/tasks/secret-probes.ts, the questions in
 * support/questions/secrets.ts and support/service-logs.ts.
 */
import { Given, Then } from '@cucumber/cucumber';
import { expect } from 'chai';
import { eventually } from '../support/eventually';
import { focusedEvents } from '../support/focus';
import type { RefArg } from '../support/parameter-types';
import { execution, type Execution } from '../support/questions/executions';
import { key as readKey, sha256Hex } from '../support/questions/keys';
import { exposureOf, placesHolding, probeReport, SHOWS_NOTHING, textForms } from '../support/questions/secrets';
import { listAll, neverExisting, notFoundProblem, withoutIdentifier } from '../support/questions/tenancy';
import { executionIdPattern, firstLogLineMatching, logLinesHolding, maskedLine } from '../support/service-logs';
import { createShellProbe, installHelperProbe, MISSING_SECRET_DEFAULT } from '../support/tasks/secret-probes';
import { changeSecret, secretNamed, storeSecret, uniqueSecretValue, type SecretOwner, type StoredSecret } from '../support/tasks/secrets';
import { timeouts } from '../support/timeouts';
import type { AttuneWorld } from '../support/world';

/** The last run of the scenario (by hand, or the one a rule step found), read again; marked as asserted. */
async function lastRun(world: AttuneWorld): Promise<Execution> {
  const run = world.recall<{ id: number }>('execution', 'last');
  world.markAsserted(run.id);
  return execution(world, run.id);
}

/** A record exactly as the API answers it to `world`'s tenant (every field, whatever the typed client knows of). */
async function answered(world: AttuneWorld, path: string): Promise<Record<string, unknown>> {
  const response = await world.api.raw<{ data?: Record<string, unknown> }>('GET', path);
  if (response.status !== 200 || !response.body?.data) throw new Error(`GET ${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body.data;
}

/** Every place in the record that holds any value the secret was given (empty when none). */
function leaksIn(record: unknown, secret: StoredSecret): string[] {
  return [...new Set(secret.values.flatMap((value) => placesHolding(record, value)))];
}

/** Stores the secret and checks the answer names it as asked: its owner, its name, whether it is encrypted. */
async function storeWithCheck(world: AttuneWorld, name: string, value: unknown, encrypted: boolean, owner: SecretOwner): Promise<void> {
  const stored = await storeSecret(world, { name, value, encrypted, owner });
  const answer = stored.key as unknown as Record<string, unknown>;
  const answeredOwner = Object.fromEntries(Object.keys(stored.owner).map((field) => [field, answer[field]]));
  expect(
    { ...answeredOwner, name: answer.name, encrypted: answer.encrypted },
    `the answer to the creation of the secret ${stored.ref} (${JSON.stringify(answer)})`,
  ).to.deep.equal({ ...stored.owner, name, encrypted });
}

// ---- secrets and their owners ---------------------------------------------------------------------------------

Given('my pack holds the encrypted secret {ref} with a value unique to this scenario', async function (this: AttuneWorld, secret: RefArg) {
  await storeWithCheck(this, secret.name, uniqueSecretValue(secret.name), true, { kind: 'my pack' });
});

Given('my pack holds the secret {ref} with the value {string}', async function (this: AttuneWorld, secret: RefArg, value: string) {
  await storeWithCheck(this, secret.name, value, false, { kind: 'my pack' });
});

Given('the action {ref} holds the secret {ref} with the value {string}', async function (this: AttuneWorld, action: RefArg, secret: RefArg, value: string) {
  await storeWithCheck(this, secret.name, value, false, { kind: 'action', actionRef: action.ref });
});

Given('another pack of mine holds the secret {ref} with the value {string}', async function (this: AttuneWorld, secret: RefArg, value: string) {
  await storeWithCheck(this, secret.name, value, false, { kind: 'another pack' });
});

Given('I hold the encrypted identity secret {ref} with a value unique to this scenario', async function (this: AttuneWorld, secret: RefArg) {
  await storeWithCheck(this, secret.name, uniqueSecretValue(secret.name), true, { kind: 'identity' });
});

Given(
  'tenant {string} holds the encrypted identity secret {ref} with a value unique to this scenario',
  async function (this: AttuneWorld, tenant: string, secret: RefArg) {
    await storeWithCheck(this.tenantNamed(tenant), secret.name, uniqueSecretValue(secret.name), true, { kind: 'identity' });
  },
);

Given('I give the secret {ref} a new value unique to this scenario', async function (this: AttuneWorld, secret: RefArg) {
  const changed = await changeSecret(this, secret.name, uniqueSecretValue(secret.name));
  expect(changed.values, `the values the secret ${changed.ref} was given`).to.have.lengthOf(2);
});

// ---- probes ---------------------------------------------------------------------------------------------------

Given('an action {ref} that probes where its secret {ref} can be seen', async function (this: AttuneWorld, action: RefArg, secret: RefArg) {
  await createShellProbe(this, action.name, secret.name);
});

Given(
  'my pack holds a Python action {ref} that reads its secret {ref} with get_secret',
  async function (this: AttuneWorld, action: RefArg, secret: RefArg) {
    await installHelperProbe(this, 'python', action.name, secret.name);
  },
);

Given(
  'my pack holds a Node.js action {ref} that reads its secret {ref} with getSecret',
  async function (this: AttuneWorld, action: RefArg, secret: RefArg) {
    await installHelperProbe(this, 'node', action.name, secret.name);
  },
);

// ---- what the action received ---------------------------------------------------------------------------------

Then(
  'the action received the secret {ref} on stdin and as the shell variables {string} and {string}',
  async function (this: AttuneWorld, secret: RefArg, variable: string, param: string) {
    const given = secretNamed(this, secret.name);
    const run = await lastRun(this);
    const report = probeReport(run);
    expect(
      { received_sha256: report.received_sha256, shell_variables: report.shell_variables },
      `what execution ${run.id} received (SHA-256 of the secret ${given.ref}; ${sha256Hex('')} is the SHA-256 of nothing)`,
    ).to.deep.equal({ received_sha256: sha256Hex(String(given.value)), shell_variables: { [variable]: 'same', [param]: 'same' } });
  },
);

Then(
  'the action received the secret {ref} from the helper, and the default for a name it was not given',
  async function (this: AttuneWorld, secret: RefArg) {
    const given = secretNamed(this, secret.name);
    const run = await lastRun(this);
    const report = probeReport(run);
    expect(
      { received_sha256: report.received_sha256, default_for_missing: report.default_for_missing, missing_is_absent: report.missing_is_absent },
      `what execution ${run.id} got from the helper (SHA-256 of the secret ${given.ref}; ${sha256Hex('')} is the SHA-256 of nothing)`,
    ).to.deep.equal({ received_sha256: sha256Hex(String(given.value)), default_for_missing: MISSING_SECRET_DEFAULT, missing_is_absent: true });
  },
);

// ---- where it must not be -------------------------------------------------------------------------------------

Then(
  "the secret {ref} is in no environment of the action or its children, and on neither its command line nor its parent's",
  async function (this: AttuneWorld, secret: RefArg) {
    const given = secretNamed(this, secret.name);
    const run = await lastRun(this);
    const report = probeReport(run);
    expect(
      exposureOf(report, given.name, given.value),
      `what the process of execution ${run.id} showed of the secret ${given.ref} (report ${JSON.stringify(report)})`,
    ).to.deep.equal(SHOWS_NOTHING);
  },
);

Then('the secret {ref} is nowhere in the execution as the API answers it', async function (this: AttuneWorld, secret: RefArg) {
  const given = secretNamed(this, secret.name);
  const run = await lastRun(this);
  const record = await answered(this, `/api/v1/executions/${run.id}`);
  expect(leaksIn(record, given), `places in execution ${run.id} holding the secret ${given.ref}: ${JSON.stringify(record)}`).to.deep.equal([]);
});

Then(
  "neither my secret {ref} nor tenant {string}'s is anywhere in the execution as the API answers it",
  async function (this: AttuneWorld, secret: RefArg, tenant: string) {
    const mine = secretNamed(this, secret.name);
    const theirs = secretNamed(this.tenantNamed(tenant), secret.name);
    const run = await lastRun(this);
    const record = await answered(this, `/api/v1/executions/${run.id}`);
    expect(
      { mine: leaksIn(record, mine), theirs: leaksIn(record, theirs) },
      `places in execution ${run.id} holding my secret ${mine.ref} or tenant ${tenant}'s ${theirs.ref}: ${JSON.stringify(record)}`,
    ).to.deep.equal({ mine: [], theirs: [] });
  },
);

Then(
  'the secret {ref} is in none of the records of that run: its event, its enforcement and its execution',
  async function (this: AttuneWorld, secret: RefArg) {
    const given = secretNamed(this, secret.name);
    const [event] = focusedEvents(this);
    const run = await lastRun(this);
    const executionRecord = await answered(this, `/api/v1/executions/${run.id}`);
    const enforcementRecord = await answered(this, `/api/v1/enforcements/${String(executionRecord.enforcement)}`);
    const eventRecord = await answered(this, `/api/v1/events/${String(enforcementRecord.event)}`);
    expect(
      { enforcement_of_execution: executionRecord.enforcement, event_of_enforcement: enforcementRecord.event },
      `the records of the run, linked (event ${event.id}, enforcement ${String(enforcementRecord.id)}, execution ${run.id})`,
    ).to.deep.equal({ enforcement_of_execution: enforcementRecord.id, event_of_enforcement: event.id });
    expect(
      { event: leaksIn(eventRecord, given), enforcement: leaksIn(enforcementRecord, given), execution: leaksIn(executionRecord, given) },
      `places holding the secret ${given.ref} in event ${JSON.stringify(eventRecord)}, enforcement ${JSON.stringify(enforcementRecord)} ` +
        `and execution ${JSON.stringify(executionRecord)}`,
    ).to.deep.equal({ event: [], enforcement: [], execution: [] });
  },
);

Then('no service log mentions any value the secret {ref} was given', async function (this: AttuneWorld, secret: RefArg) {
  const given = secretNamed(this, secret.name);
  const run = await lastRun(this);
  // the logs are live and got as far as the run: a search of logs nobody writes any more would prove nothing
  await eventually(
    `a service log to name execution ${run.id} (the logs in ${this.settings.logDir} are being written)`,
    async () => firstLogLineMatching(executionIdPattern(run.id)),
    (line) => line !== undefined,
    { timeoutMs: timeouts.serviceLogRecorded },
  );
  const forms = given.values.flatMap(textForms);
  const found = logLinesHolding(forms);
  expect(
    found.map((line) => maskedLine(line, forms)),
    `service log lines holding a value of the secret ${given.ref} (${given.values.length} values, in ${this.settings.logDir})`,
  ).to.deep.equal([]);
});

// ---- identity-owned secrets -----------------------------------------------------------------------------------

async function expectOwnSecretReadBack(world: AttuneWorld, name: string): Promise<void> {
  const given = secretNamed(world, name);
  const answer = await readKey(world, given.ref);
  const data = (answer.body.data ?? {}) as Record<string, unknown>;
  expect(
    { status: answer.status, ref: data.ref, value: data.value, encrypted: data.encrypted, owner_type: data.owner_type, owner_identity: data.owner_identity },
    `GET key ${given.ref} as ${world.api.actor}: ${JSON.stringify(answer.body)}`,
  ).to.deep.equal({ status: 200, ref: given.ref, value: given.value, encrypted: true, owner_type: 'identity', owner_identity: world.tenant.id });
}

Then('I read back my secret {ref} in clear, marked encrypted and owned by me', async function (this: AttuneWorld, secret: RefArg) {
  await expectOwnSecretReadBack(this, secret.name);
});

Then(
  'tenant {string} reads back its secret {ref} in clear, marked encrypted and owned by itself',
  async function (this: AttuneWorld, tenant: string, secret: RefArg) {
    await expectOwnSecretReadBack(this.tenantNamed(tenant), secret.name);
  },
);

/** `reader` asks for `owner`'s secret, and for a key that never existed; both answers must be the same 404. */
async function expectHiddenFrom(reader: AttuneWorld, owner: AttuneWorld, name: string): Promise<void> {
  const target = secretNamed(owner, name).ref;
  const control = String(neverExisting(target));
  const answer = await readKey(reader, target);
  const unknown = await readKey(reader, control);
  const problem = notFoundProblem(answer);
  expect(problem, `GET key ${target} (${owner.api.actor}'s) as ${reader.api.actor}`).to.equal(undefined);
  expect(
    withoutIdentifier(answer.body, target),
    `the answer about ${owner.api.actor}'s key ${target}, beside the answer about ${control}, which never existed (${unknown.status})`,
  ).to.equal(withoutIdentifier(unknown.body, control));
}

Then(
  "reading tenant {string}'s secret {ref} as me is answered exactly like reading a key that does not exist",
  async function (this: AttuneWorld, tenant: string, secret: RefArg) {
    await expectHiddenFrom(this, this.tenantNamed(tenant), secret.name);
  },
);

Then(
  'reading my secret {ref} as tenant {string} is answered exactly like reading a key that does not exist',
  async function (this: AttuneWorld, secret: RefArg, tenant: string) {
    await expectHiddenFrom(this.tenantNamed(tenant), this, secret.name);
  },
);

Then(
  "the identity-owned keys I list are exactly my secret {ref}, and tenant {string}'s exactly its own",
  async function (this: AttuneWorld, secret: RefArg, tenant: string) {
    const other = this.tenantNamed(tenant);
    const refsListedBy = async (world: AttuneWorld): Promise<string[]> =>
      (await listAll(world.api, 'keys', { owner_type: 'identity' })).map((row) => String(row.ref)).sort();
    expect(
      { mine: await refsListedBy(this), theirs: await refsListedBy(other) },
      `identity-owned keys listed by me and by tenant ${tenant}`,
    ).to.deep.equal({ mine: [secretNamed(this, secret.name).ref], theirs: [secretNamed(other, secret.name).ref] });
  },
);
