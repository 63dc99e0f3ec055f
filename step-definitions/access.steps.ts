/**
 * Steps of the access features: the RBAC matrix (roles bound to Attune's permission sets), system packs seen and run
 * by everyone, and user packs and keys kept from other identities, an admin role included.
 */
import { Given, Then, When, type DataTable } from '@cucumber/cucumber';
import { expect } from 'chai';
import type { RawResponse } from '../support/api/client';
import { ApiError, unwrapBody } from '../support/api/envelopes';
import { eventually } from '../support/eventually';
import { execution } from '../support/questions/executions';
import { neverExisting, notFoundProblem, withoutIdentifier } from '../support/questions/tenancy';
import { isTerminal } from '../support/status';
import {
  actorNamed, buildMatrixEstate, createPackAs, holdOnlyRole, listAllAs, registerActor, tryMatrix, type Actor, type CellOutcome,
} from '../support/tasks/access';
import { createKey } from '../support/tasks/keys';
import { ensureOwnPack } from '../support/tasks/packs';
import { timeouts } from '../support/timeouts';
import type { AttuneWorld } from '../support/world';

/** The JSON error of a refusal, or what is wrong with it. */
function jsonErrorProblem(reply: { status: number; body: unknown; contentType?: string }): string | undefined {
  const body = reply.body as Record<string, unknown> | null;
  if (reply.contentType !== undefined && !/json/.test(reply.contentType)) return `not JSON (${reply.contentType || 'no content type'})`;
  if (!body || typeof body !== 'object' || !('error' in body) || !body.error) return `no "error" in ${JSON.stringify(body)}`;
  return undefined;
}

// ---- the matrix -----------------------------------------------------------------------------------------------------

Given('I own a pack, an action, a rule, a key, a run and an inquiry, and spares of each to delete', async function (this: AttuneWorld) {
  await buildMatrixEstate(this);
});

Given('I hold only a role bound to the permission set {string}', async function (this: AttuneWorld, setRef: string) {
  await holdOnlyRole(this, setRef);
  this.scratch.matrixSet = setRef;
});

When('I try every cell of the matrix on my own things', async function (this: AttuneWorld, table: DataTable) {
  const rows = table.hashes();
  const setRef = String(this.scratch.matrixSet);
  if (!(setRef in rows[0])) throw new Error(`the matrix has no column "${setRef}" (columns: ${Object.keys(rows[0]).join(', ')})`);
  this.scratch.matrixExpected = rows.map((row) => ({ resource: row.resource, verb: row.verb, status: Number(row[setRef]) }));
  this.scratch.matrixOutcomes = await tryMatrix(this, rows.map((row) => ({ resource: row.resource, verb: row.verb })), setRef.split('.').pop() ?? setRef);
});

Then('every cell answered as the {string} column says, denials with a JSON error', function (this: AttuneWorld, setRef: string) {
  const expected = this.scratch.matrixExpected as Array<{ resource: string; verb: string; status: number }>;
  const outcomes = this.scratch.matrixOutcomes as CellOutcome[];
  expect(outcomes.length, 'cells tried').to.equal(expected.length);
  const mismatches: string[] = [];
  expected.forEach((want, i) => {
    const got = outcomes[i];
    const cell = `${want.resource} × ${want.verb}`;
    if (got.status !== want.status) mismatches.push(`${cell}: answered ${got.status}, the matrix says ${want.status} (${JSON.stringify(got.body).slice(0, 200)})`);
    else if (got.status === 403) {
      const problem = jsonErrorProblem(got);
      if (problem) mismatches.push(`${cell}: 403 without a JSON error: ${problem}`);
    }
  });
  expect(mismatches, `cells of ${setRef} that answered otherwise than the matrix`).to.deep.equal([]);
});

Then('every allowed cell had its effect and every denied cell left my things as they were', function (this: AttuneWorld) {
  const outcomes = this.scratch.matrixOutcomes as CellOutcome[];
  const problems = outcomes.filter((o) => o.effectProblem).map((o) => `${o.resource} × ${o.verb} (${o.status}): ${o.effectProblem}`);
  expect(problems, 'cells whose effect does not match their answer').to.deep.equal([]);
});

// ---- named identities -----------------------------------------------------------------------------------------------

Given('an identity {string} that holds no role and no permission set', async function (this: AttuneWorld, name: string) {
  await registerActor(this, name);
});

Given('an identity {string} holding a role bound to {string}', async function (this: AttuneWorld, name: string, setRef: string) {
  await registerActor(this, name, setRef);
});

async function packRefsOf(actor: Actor): Promise<string[]> {
  return (await listAllAs<{ ref: string }>(actor.client, '/api/v1/packs', `listing the packs as ${actor.name}`)).map((p) => p.ref);
}

When('{string} lists the packs', async function (this: AttuneWorld, name: string) {
  this.scratch.packList = await packRefsOf(actorNamed(this, name));
});

Then('the list holds exactly the packs {quotedList}', function (this: AttuneWorld, refs: string[]) {
  expect(this.scratch.packList, 'refs of the pack list').to.deep.equal(refs);
});

Then('{string} reads the pack {string} by its ref', async function (this: AttuneWorld, name: string, ref: string) {
  const reply = await actorNamed(this, name).client.raw('GET', `/api/v1/packs/${encodeURIComponent(ref)}`);
  expect(reply.status, `GET /api/v1/packs/${ref} as ${name}: ${JSON.stringify(reply.body)}`).to.equal(200);
  expect((unwrapBody(reply.body) as { ref: string }).ref, 'ref of the pack read').to.equal(ref);
});

Then(
  '{string} lists the actions and finds exactly the actions of the pack {string}, core.echo among them',
  async function (this: AttuneWorld, name: string, packRef: string) {
    const actor = actorNamed(this, name);
    const listed = (await listAllAs<{ ref: string }>(actor.client, '/api/v1/actions', `listing the actions as ${name}`)).map((a) => a.ref);
    const ofPack = (
      await listAllAs<{ ref: string }>(this.admin, `/api/v1/actions?pack_ref=${encodeURIComponent(packRef)}`, `listing the actions of ${packRef} as the admin`)
    ).map((a) => a.ref);
    expect(listed, `actions listed for ${name}`).to.deep.equal(ofPack);
    expect(listed, `actions listed for ${name}`).to.include('core.echo');
  },
);

When('{string} runs core.echo with message {string}', async function (this: AttuneWorld, name: string, message: string) {
  const actor = actorNamed(this, name);
  const reply = await actor.client.raw('POST', '/api/v1/executions/execute', { action_ref: 'core.echo', parameters: { message }, env_vars: {} });
  if (reply.status !== 201) throw new ApiError('POST', '/api/v1/executions/execute', reply.status, reply.body, `running core.echo as ${name} (201 expected)`);
  const id = (unwrapBody(reply.body) as { id: number }).id;
  this.trackExecution(id);
  this.remember('run of', name, id);
});

Then(
  'that run of {string} completed, printed {string} and is read back by its id',
  async function (this: AttuneWorld, name: string, message: string) {
    const actor = actorNamed(this, name);
    const id = this.recall<number>('run of', name);
    const run = await eventually(
      `the run #${id} of core.echo by ${name} to finish (read as ${name})`,
      () => execution(this, id, actor.client),
      (value) => isTerminal(value.status),
      { timeoutMs: timeouts.executionTerminal },
    );
    this.markAsserted(id);
    expect(run.status, `status of run #${id}`).to.equal('completed');
    expect(run.action_ref, `action of run #${id}`).to.equal('core.echo');
    expect(run.executor, `the identity run #${id} belongs to`).to.equal(actor.id);
    expect((run.result as { stdout?: unknown } | null)?.stdout, `stdout of run #${id}`).to.equal(`${message}\n`);
  },
);

When('{string} tries to delete the pack {string}', async function (this: AttuneWorld, name: string, ref: string) {
  this.scratch.lastReply = await actorNamed(this, name).client.raw('DELETE', `/api/v1/packs/${encodeURIComponent(ref)}`);
});

Then('the answer is {int} with the JSON error {string}', function (this: AttuneWorld, status: number, message: string) {
  const reply = this.scratch.lastReply as RawResponse;
  expect(reply.status, `status (body ${JSON.stringify(reply.body)})`).to.equal(status);
  expect(jsonErrorProblem(reply), 'the JSON error body').to.equal(undefined);
  expect((reply.body as { error: unknown }).error, 'the error').to.equal(message);
});

Then('{string} still reads the pack {string} with its action core.echo', async function (this: AttuneWorld, name: string, ref: string) {
  const client = actorNamed(this, name).client;
  const pack = await client.raw('GET', `/api/v1/packs/${encodeURIComponent(ref)}`);
  expect(pack.status, `GET pack ${ref} after the refused delete: ${JSON.stringify(pack.body)}`).to.equal(200);
  const echo = await client.raw('GET', '/api/v1/actions/core.echo');
  expect(echo.status, `GET core.echo after the refused delete: ${JSON.stringify(echo.body)}`).to.equal(200);
});

// ---- private packs and keys -----------------------------------------------------------------------------------------

Given('my own pack and a key {string} of my own', async function (this: AttuneWorld, name: string) {
  await ensureOwnPack(this);
  await createKey(this, { name, value: 'only mine' });
});

Given('{string} has created a pack of her/his/their own', async function (this: AttuneWorld, name: string) {
  this.remember('pack of', name, await createPackAs(this, actorNamed(this, name)));
});

Then("the list leaves out my pack and holds {string}'s own pack and core", function (this: AttuneWorld, name: string) {
  const listed = this.scratch.packList as string[];
  expect(listed, `packs listed for ${name}`).to.not.include(this.packRef);
  expect(listed, `packs listed for ${name}`).to.include.members([this.recall<string>('pack of', name), 'core']);
});

async function expectHiddenLikeMissing(this: AttuneWorld, name: string, pathOf: (id: string) => string, mine: string): Promise<void> {
  const client = actorNamed(this, name).client;
  const asked = await client.raw('GET', pathOf(mine));
  expect(notFoundProblem(asked), `GET ${pathOf(mine)} as ${name}`).to.equal(undefined);
  const control = neverExisting(mine) as string;
  const missing = await client.raw('GET', pathOf(control));
  expect(notFoundProblem(missing), `GET ${pathOf(control)} as ${name} (never existed)`).to.equal(undefined);
  expect(withoutIdentifier(asked.body, mine), 'the answer about mine, compared with the answer about nothing').to.equal(withoutIdentifier(missing.body, control));
}

Then('{string} asking for my pack by its ref is answered 404 like a pack that does not exist', async function (this: AttuneWorld, name: string) {
  await expectHiddenLikeMissing.call(this, name, (ref) => `/api/v1/packs/${encodeURIComponent(ref)}`, this.packRef);
});

Then('{string} asking for my key {string} is answered 404 like a key that does not exist', async function (this: AttuneWorld, name: string, key: string) {
  await expectHiddenLikeMissing.call(this, name, (ref) => `/api/v1/keys/${encodeURIComponent(ref)}`, this.ref(key));
});

Then("{string}'s list of identity keys is empty: mine is not in it", async function (this: AttuneWorld, name: string) {
  const actor = actorNamed(this, name);
  const keys = (await listAllAs<{ ref: string }>(actor.client, '/api/v1/keys?owner_type=identity', `listing identity keys as ${name}`)).map((k) => k.ref);
  expect(keys, `identity keys listed for ${name} (who owns none)`).to.deep.equal([]);
});

Then("my pack list holds exactly core and my pack, not {string}'s pack", async function (this: AttuneWorld, name: string) {
  const mine = (await listAllAs<{ ref: string }>(this.api, '/api/v1/packs', 'listing my packs')).map((p) => p.ref);
  expect(mine, 'my pack list').to.deep.equal(['core', this.packRef].sort());
  expect(mine, 'my pack list').to.not.include(this.recall<string>('pack of', name));
});
