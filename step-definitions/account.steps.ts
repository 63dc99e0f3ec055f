/**
 * Steps of one's own account: password change, display name, browser logout, and the sign-in settings.
 */
import { randomBytes } from 'node:crypto';
import { DataTable, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import type { HttpMethod, RawResponse } from '../support/api/client';
import { unwrapBody } from '../support/api/envelopes';
import type { CurrentUser } from '../support/api/models';
import { authSettings, changePassword, logOutBrowser, setDisplayName } from '../support/tasks/account';
import { personNamed, readIdentity } from '../support/tasks/identity-admin';
import { whoAmI } from '../support/tasks/identities';
import { expectJsonError } from '../support/questions/json-errors';
import type { AttuneWorld } from '../support/world';

const freshPassword = () => `${randomBytes(15).toString('base64url')}bB2?`;

When('{string} changes her/his/their password', async function (this: AttuneWorld, name: string) {
  const person = personNamed(this, name);
  this.scratch.lastReply = await changePassword(person, person.credentials.password, freshPassword());
});

When('{string} tries to change her/his/their password giving a wrong current password', async function (this: AttuneWorld, name: string) {
  const person = personNamed(this, name);
  this.scratch.lastReply = await changePassword(person, `${person.credentials.password}-wrong`, freshPassword());
});

Then('the answer is the success note {string}', function (this: AttuneWorld, message: string) {
  const reply = this.scratch.lastReply as RawResponse;
  expect(reply.status, `status (body ${JSON.stringify(reply.body)})`).to.equal(200);
  expect(unwrapBody(reply.body), 'the note').to.deep.equal({ success: true, message });
});

Then(
  '{string} signing in with her/his/their old password is answered {int} with the JSON error {string}',
  async function (this: AttuneWorld, name: string, status: number, message: string) {
    const person = personNamed(this, name);
    expect(person.previousPassword, 'the password was changed').to.be.a('string');
    const reply = await this.anonymous.raw('POST', '/auth/login', { login: person.login, password: person.previousPassword });
    expectJsonError(reply, status, undefined, `signing in as ${person.login} with the old password`);
    const error = (reply.body as { error: unknown }).error;
    expect(typeof error === 'string' ? error : (error as { message?: unknown }).message, 'the error').to.equal(message);
  },
);

When('{string} sets her/his/their display name to {string}', async function (this: AttuneWorld, name: string, displayName: string) {
  const person = personNamed(this, name);
  const reply = await setDisplayName(person, displayName);
  expect(reply.status, `PUT /auth/me as ${person.login}: ${JSON.stringify(reply.body)}`).to.equal(200);
  this.scratch.profileAnswer = unwrapBody(reply.body);
});

function expectLocalUser(world: AttuneWorld, name: string, me: CurrentUser, displayName: string | null, what: string): void {
  const person = personNamed(world, name);
  const seen = { id: me.id, login: me.login, display_name: me.display_name ?? null, auth_provider: me.auth_provider, is_local: me.is_local, can_change_password: me.can_change_password };
  expect(seen, `${what}: ${JSON.stringify(seen)}`).to.deep.equal({ id: person.id, login: person.login, display_name: displayName, auth_provider: 'local', is_local: true, can_change_password: true });
}

Then(
  'the current user of {string} is a local identity that can change its password, named {string}',
  async function (this: AttuneWorld, name: string, displayName: string) {
    expectLocalUser(this, name, this.scratch.profileAnswer as CurrentUser, displayName, 'PUT /auth/me answer');
    expectLocalUser(this, name, await whoAmI(personNamed(this, name).client), displayName, 'GET /auth/me');
  },
);

Then(
  'the current user of {string} is a local identity that can change its password, with no display name',
  async function (this: AttuneWorld, name: string) {
    expectLocalUser(this, name, this.scratch.profileAnswer as CurrentUser, null, 'PUT /auth/me answer');
    expectLocalUser(this, name, await whoAmI(personNamed(this, name).client), null, 'GET /auth/me');
  },
);

Then('the admin reads {string} with the display name {string}', async function (this: AttuneWorld, name: string, displayName: string) {
  expect((await readIdentity(this, personNamed(this, name))).display_name, 'display_name').to.equal(displayName);
});

When('a browser logs out', async function (this: AttuneWorld) {
  this.scratch.lastReply = await logOutBrowser(this);
});

Then('the answer is a {int} redirect to {string} that expires every cookie it sets', function (this: AttuneWorld, status: number, location: string) {
  const reply = this.scratch.lastReply as RawResponse;
  expect([reply.status, reply.headers.get('location')], 'status and Location').to.deep.equal([status, location]);
  const cookies = reply.headers.getSetCookie();
  const unexpired = cookies.filter((c) => !/;\s*Max-Age=0(;|$)/i.test(c) && !/;\s*Expires=Thu, 01 Jan 1970/i.test(c));
  expect(unexpired, 'cookies set by the logout that do not expire at once').to.deep.equal([]);
});

When('anyone reads the authentication settings', async function (this: AttuneWorld) {
  const reply = await authSettings(this);
  expect(reply.status, `GET /auth/settings: ${JSON.stringify(reply.body)}`).to.equal(200);
  this.scratch.settings = unwrapBody(reply.body);
});

Then('they say:', function (this: AttuneWorld, table: DataTable) {
  const settings = this.scratch.settings as Record<string, unknown>;
  const expected = Object.fromEntries(table.hashes().map((r) => [r.setting, JSON.parse(r.value) as unknown]));
  const actual = Object.fromEntries(Object.keys(expected).map((k) => [k, settings[k]]));
  expect(actual, 'the authentication settings').to.deep.equal(expected);
});

Then('each sign-in method that is off is answered {int} with a JSON error:', async function (this: AttuneWorld, status: number, table: DataTable) {
  const seen: Array<[string, number]> = [];
  for (const { method, path } of table.hashes()) {
    const body = method === 'POST' ? { login: 'nobody', password: 'not-a-password' } : undefined;
    const reply = await this.anonymous.raw(method as HttpMethod, path, body, { anonymous: true, manualRedirect: true });
    expectJsonError(reply, reply.status, undefined, `${method} ${path}`);
    seen.push([`${method} ${path}`, reply.status]);
  }
  expect(seen, `statuses: ${JSON.stringify(seen)}`).to.deep.equal(table.hashes().map(({ method, path }) => [`${method} ${path}`, status]));
});
