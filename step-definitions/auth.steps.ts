/**
 * Steps about health, identities and sessions.
 */
import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import type { RawResponse } from '../support/api/client';
import { health } from '../support/questions/platform';
import {
  newCredentials,
  refreshSession,
  registerDisposableIdentity,
  signIn,
  switchPersona,
  whoAmI,
  type Credentials,
  type TokenResponse,
} from '../support/tasks/identities';
import type { AttuneWorld, Persona } from '../support/world';

interface Newcomer {
  credentials: Credentials;
  id: number;
  tokens: TokenResponse;
  previousTokens?: TokenResponse;
}

function newcomer(world: AttuneWorld): Newcomer {
  const value = world.scratch.newcomer as Newcomer | undefined;
  if (!value) throw new Error('No newcomer has registered in this scenario yet ("When a newcomer registers an account").');
  return value;
}

function newcomerClient(world: AttuneWorld) {
  const who = newcomer(world);
  return world.clientFor('newcomer', () => who.tokens.access_token);
}

When("the platform's health is checked", async function (this: AttuneWorld) {
  this.scratch.lastResponse = await health(this.anonymous);
});

Then('the platform reports that it is healthy', function (this: AttuneWorld) {
  const response = this.scratch.lastResponse as RawResponse<{ status?: string }>;
  expect(response.status, `GET /health answered ${response.status}: ${JSON.stringify(response.body)}`).to.equal(200);
  expect(response.body?.status, `GET /health body: ${JSON.stringify(response.body)}`).to.equal('ok');
});

When('a newcomer registers an account', async function (this: AttuneWorld) {
  const credentials = newCredentials(this, 'newcomer');
  const { id, tokens } = await registerDisposableIdentity(this, credentials);
  this.scratch.newcomer = { credentials, id, tokens } satisfies Newcomer;
});

Then('the newcomer holds an access token and a refresh token', function (this: AttuneWorld) {
  const { tokens } = newcomer(this);
  expect(tokens.access_token, 'access_token').to.be.a('string').that.is.not.empty;
  expect(tokens.refresh_token, 'refresh_token').to.be.a('string').that.is.not.empty;
  expect(tokens.token_type.toLowerCase(), 'token_type').to.equal('bearer');
});

When('the newcomer signs in with their password', async function (this: AttuneWorld) {
  const who = newcomer(this);
  who.tokens = await signIn(this.anonymous, who.credentials.login, who.credentials.password);
});

Then('the newcomer sees themselves as the current user', async function (this: AttuneWorld) {
  const who = newcomer(this);
  const me = await whoAmI(newcomerClient(this));
  expect(me.login, 'login of /auth/me').to.equal(who.credentials.login);
  expect(me.id, 'id of /auth/me').to.equal(who.id);
});

When('the newcomer refreshes their session', async function (this: AttuneWorld) {
  const who = newcomer(this);
  who.previousTokens = who.tokens;
  who.tokens = await refreshSession(this.anonymous, who.tokens.refresh_token);
});

Then('the refreshed access token is accepted', async function (this: AttuneWorld) {
  const who = newcomer(this);
  expect(who.previousTokens, 'a refresh happened first').to.not.equal(undefined);
  expect(who.tokens.access_token, 'refreshed access_token').to.be.a('string').that.is.not.empty;
  expect(who.tokens.refresh_token, 'refreshed refresh_token').to.be.a('string').that.is.not.empty;
  const response = await newcomerClient(this).raw('GET', '/auth/me');
  expect(response.status, `GET /auth/me with the refreshed token answered ${response.status}: ${JSON.stringify(response.body)}`).to.equal(200);
});

When('the newcomer signs in with a wrong password', async function (this: AttuneWorld) {
  const who = newcomer(this);
  this.scratch.lastResponse = await this.anonymous.raw(
    'POST',
    '/auth/login',
    { login: who.credentials.login, password: `${who.credentials.password}-wrong` },
    { anonymous: true },
  );
});

When('someone without a token asks who the current user is', async function (this: AttuneWorld) {
  this.scratch.lastResponse = await this.anonymous.raw('GET', '/auth/me', undefined, { anonymous: true });
});

Then('the request is refused as unauthenticated', function (this: AttuneWorld) {
  const response = this.scratch.lastResponse as RawResponse;
  const shown = `${response.status} ${response.contentType}: ${JSON.stringify(response.body)}`;
  expect(response.status, `expected 401, got ${shown}`).to.equal(401);
  expect(response.contentType, `expected a JSON error body, got ${shown}`).to.match(/json/);
  expect(response.body, `expected a JSON object with an "error", got ${shown}`).to.be.an('object').that.has.property('error');
});

Given('I act as a(n) {persona}', async function (this: AttuneWorld, persona: Persona) {
  await switchPersona(this, persona);
});
