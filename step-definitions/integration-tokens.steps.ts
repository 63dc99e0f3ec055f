/**
 * Steps of the integration-token feature: an administrator issues a token to an integration identity, the integration
 * logs in with it (POST /auth/token-login) and acts with that identity's permissions; a revoked or unknown token is refused.
 */
import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import type { RawResponse } from '../support/api/client';
import { unwrapBody } from '../support/api/envelopes';
import type { TokenResponse } from '../support/api/models';
import { listAllAs } from '../support/tasks/access';
import { whoAmI } from '../support/tasks/identities';
import {
  createIntegrationIdentity, integrationNamed, integrationTokensOf, issueIntegrationToken, revokeIntegrationToken, sessionClient,
  tokenLogin, type IntegrationTokenRow,
} from '../support/tasks/integration-tokens';
import type { AttuneWorld } from '../support/world';

function expectJsonError(reply: RawResponse, status: number, what: string): void {
  expect(reply.status, `${what}: status (body ${JSON.stringify(reply.body)})`).to.equal(status);
  expect(reply.contentType, `${what}: content type`).to.match(/json/);
  const body = reply.body as { error?: unknown } | null;
  expect(body && typeof body === 'object' && body.error, `${what}: a JSON error (${JSON.stringify(body)})`).to.be.ok;
  expect(JSON.stringify(body), `${what}: the refusal carries no tokens`).to.not.match(/access_token|refresh_token/);
}

/** The integration the scenario issued a token to (the Background's). */
function theIntegration(world: AttuneWorld) {
  return integrationNamed(world, String(world.scratch.integration));
}

async function adminId(world: AttuneWorld): Promise<number> {
  return (await whoAmI(world.admin)).id;
}

Given('the admin has created an identity {string} with the permission set {string}', async function (this: AttuneWorld, name: string, setRef: string) {
  await createIntegrationIdentity(this, name, setRef);
});

Given(
  'the admin has issued {string} an integration token labelled {string} described as {string}',
  async function (this: AttuneWorld, name: string, label: string, description: string) {
    await issueIntegrationToken(this, integrationNamed(this, name), label, description);
    this.scratch.integration = name;
    this.scratch.tokenLabel = label;
    this.scratch.tokenDescription = description;
  },
);

Then(
  'the token was shown once, starts with {string}, and is described by its first {int} and last {int} characters',
  async function (this: AttuneWorld, prefix: string, head: number, tail: number) {
    const integration = theIntegration(this);
    const secret = integration.secret ?? '';
    const token = integration.token as IntegrationTokenRow;
    expect(secret.startsWith(prefix), `the secret starts with ${prefix} (it is ${secret.length} characters long)`).to.equal(true);
    expect(secret.length, 'length of the secret').to.be.greaterThan(prefix.length + 32);
    expect(
      {
        identity_id: token.identity_id, label: token.label, description: token.description, active: token.active,
        token_prefix: token.token_prefix, token_suffix: token.token_suffix, created_by: token.created_by,
        revoked_at: token.revoked_at ?? null, last_used_at: token.last_used_at ?? null,
      },
      'the issued integration_token',
    ).to.deep.equal({
      identity_id: integration.id, label: this.scratch.tokenLabel, description: this.scratch.tokenDescription, active: true,
      token_prefix: secret.slice(0, head), token_suffix: secret.slice(-tail), created_by: await adminId(this),
      revoked_at: null, last_used_at: null,
    });
  },
);

Then(
  "{string}'s token list holds exactly that token, active and never used, without its secret",
  async function (this: AttuneWorld, name: string) {
    const integration = integrationNamed(this, name);
    const listed = await integrationTokensOf(this, integration);
    expect(listed.map((t) => [t.id, t.active, t.last_used_at ?? null]), `tokens of ${name}`).to.deep.equal([[integration.token?.id, true, null]]);
    expect(Object.keys(listed[0]), 'fields of a listed token').to.not.include.members(['token', 'token_hash']);
    expect(JSON.stringify(listed), 'the token list').to.not.include(integration.secret);
  },
);

async function logIn(world: AttuneWorld, name: string): Promise<RawResponse> {
  const integration = integrationNamed(world, name);
  const reply = await tokenLogin(world, integration.secret ?? '');
  if (reply.status === 200) integration.session = unwrapBody(reply.body) as TokenResponse;
  world.scratch.lastReply = reply;
  return reply;
}

When('{string} logs in with the integration token', async function (this: AttuneWorld, name: string) {
  await logIn(this, name);
});

Given('{string} has logged in with the integration token', async function (this: AttuneWorld, name: string) {
  const reply = await logIn(this, name);
  expect(reply.status, `token login of ${name} (body ${JSON.stringify(reply.body)})`).to.equal(200);
});

Then(
  'the answer is 200 with a Bearer access token, a refresh token and {string} as the user',
  function (this: AttuneWorld, name: string) {
    const integration = integrationNamed(this, name);
    const reply = this.scratch.lastReply as RawResponse;
    expect(reply.status, `token login (body ${JSON.stringify(reply.body)})`).to.equal(200);
    const session = unwrapBody(reply.body) as TokenResponse;
    expect(session.token_type, 'token_type').to.equal('Bearer');
    expect(session.access_token, 'access_token').to.be.a('string').and.not.equal('');
    expect(session.refresh_token, 'refresh_token').to.be.a('string').and.not.equal('');
    expect(session.access_token, 'the access token is a new JWT, not the integration token').to.not.equal(integration.secret);
    expect(session.expires_in, 'expires_in').to.be.a('number').and.greaterThan(0);
    expect(session.user && { id: session.user.id, login: session.user.login }, 'user').to.deep.equal({ id: integration.id, login: integration.login });
  },
);

Then("{string}'s token list shows that token used", async function (this: AttuneWorld, name: string) {
  const [token] = await integrationTokensOf(this, integrationNamed(this, name));
  expect(token.last_used_at, 'last_used_at after the login').to.be.a('string');
  expect(token.active, 'active after the login').to.equal(true);
});

Then(
  'in that session \\/auth\\/me names {string} with the permission sets {quotedList}',
  async function (this: AttuneWorld, name: string, sets: string[]) {
    const integration = integrationNamed(this, name);
    const me = await whoAmI(sessionClient(this, integration));
    expect({ id: me.id, login: me.login }, '/auth/me').to.deep.equal({ id: integration.id, login: integration.login });
    expect(me.assigned_permission_set_refs, 'assigned_permission_set_refs').to.deep.equal(sets);
  },
);

Then('in that session the pack list holds core and the action list holds core.echo', async function (this: AttuneWorld) {
  const client = sessionClient(this, theIntegration(this));
  const packs = (await listAllAs<{ ref: string }>(client, '/api/v1/packs', 'listing packs in the token session')).map((p) => p.ref);
  expect(packs, 'packs listed in the token session').to.include('core');
  const actions = (await listAllAs<{ ref: string }>(client, '/api/v1/actions', 'listing actions in the token session')).map((a) => a.ref);
  expect(actions, 'actions listed in the token session').to.include('core.echo');
});

Then('in that session listing the identities is answered 403 with a JSON error', async function (this: AttuneWorld) {
  const client = sessionClient(this, theIntegration(this));
  expectJsonError(await client.raw('GET', '/api/v1/identities'), 403, 'GET /api/v1/identities in the token session');
});

When('the admin revokes that token giving the reason {string}', async function (this: AttuneWorld, reason: string) {
  this.scratch.revoked = await revokeIntegrationToken(this, theIntegration(this), reason);
});

Then('the token is listed as revoked, inactive, with the reason {string}', async function (this: AttuneWorld, reason: string) {
  const integration = theIntegration(this);
  const listed = await integrationTokensOf(this, integration);
  const admin = await adminId(this);
  for (const [what, token] of [['the revoke answer', this.scratch.revoked as IntegrationTokenRow], ['the token list', listed[0]]] as const) {
    expect(
      { id: token.id, active: token.active, revoked: typeof token.revoked_at === 'string', revoked_by: token.revoked_by, revocation_reason: token.revocation_reason },
      what,
    ).to.deep.equal({ id: integration.token?.id, active: false, revoked: true, revoked_by: admin, revocation_reason: reason });
  }
  expect(listed.length, 'tokens listed').to.equal(1);
});

Then('logging in with that token is answered 401 with a JSON error', async function (this: AttuneWorld) {
  expectJsonError(await tokenLogin(this, theIntegration(this).secret ?? ''), 401, 'token login with the revoked token');
});

Then('refreshing the session it opened is answered 401 with a JSON error', async function (this: AttuneWorld) {
  const session = theIntegration(this).session;
  if (!session) throw new Error('the integration has no session to refresh');
  const reply = await this.anonymous.raw('POST', '/auth/refresh', { refresh_token: session.refresh_token }, { anonymous: true });
  expectJsonError(reply, 401, 'refreshing the session of the revoked token');
});

When('someone logs in with an integration token that was never issued', async function (this: AttuneWorld) {
  this.scratch.lastReply = await tokenLogin(this, `attune_it_${this.uniq('never issued')}`);
});

Then('the answer is 401 with a JSON error', function (this: AttuneWorld) {
  expectJsonError(this.scratch.lastReply as RawResponse, 401, 'token login with a token never issued');
});
