/**
 * Steps of identity administration: reading and updating an identity, freezing and unfreezing it, its direct
 * permission-set assignments, removing a role assignment, and replacing the grants of a permission set.
 */
import { DataTable, Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import type { RawResponse } from '../support/api/client';
import { unwrapBody } from '../support/api/envelopes';
import { parseJson } from '../support/json-text';
import { expectJsonError } from '../support/questions/json-errors';
import {
  assignDirectly, attemptRefresh, attemptSignIn, directPermissionsOf, enrolPerson, giveRole, installPackWithPermissionSet,
  packSetRef, personNamed, readIdentity, removeRoleAssignment, replaceGrants, setFrozen, signPersonIn, updateIdentity,
  type Grant, type IdentityRow,
} from '../support/tasks/identity-admin';
import { whoAmI } from '../support/tasks/identities';
import { PACK_REF_PLACEHOLDER } from '../support/tasks/packs';
import type { AttuneWorld } from '../support/world';

/** Grants of a table (resource, actions, and optionally the packs they are limited to; `<pack>` is my pack). */
function grantsOf(world: AttuneWorld, table: DataTable): Grant[] {
  return table.hashes().map((row) => {
    const grant: Grant = { resource: row.resource, actions: row.actions.split(',').map((a) => a.trim()) };
    if (row.packs) grant.constraints = { pack_refs: row.packs.split(',').map((p) => p.trim().replace(PACK_REF_PLACEHOLDER, world.packRef)) };
    return grant;
  });
}

function summary(row: IdentityRow) {
  return {
    id: row.id, login: row.login, display_name: row.display_name, frozen: row.frozen, attributes: row.attributes,
    roles: row.roles.map((r) => r.id), direct_permissions: row.direct_permissions.map((p) => p.id),
  };
}

Given('my pack carries the permission set {string} granting:', async function (this: AttuneWorld, name: string, table: DataTable) {
  await installPackWithPermissionSet(this, name, grantsOf(this, table));
});

Given('an identity {string} who signed up with a password', async function (this: AttuneWorld, name: string) {
  await enrolPerson(this, name);
});

Given('an identity {string} holding a role bound to my {string}', async function (this: AttuneWorld, name: string, set: string) {
  const person = await enrolPerson(this, name);
  this.scratch.roleAssignment = await giveRole(this, person, packSetRef(this, set));
});

When(
  'the admin updates {string} with the display name {string} and the attributes:',
  async function (this: AttuneWorld, name: string, displayName: string, attributes: string) {
    await updateIdentity(this, personNamed(this, name), { display_name: displayName, attributes: parseJson(attributes, 'the attributes') });
  },
);

When('the admin updates {string} with the display name {string} only', async function (this: AttuneWorld, name: string, displayName: string) {
  await updateIdentity(this, personNamed(this, name), { display_name: displayName });
});

Then(
  'the admin reads {string} with the display name {string}, her/his/their own login, not frozen, no roles, no direct permissions and the attributes:',
  async function (this: AttuneWorld, name: string, displayName: string, attributes: string) {
    const person = personNamed(this, name);
    const seen = summary(await readIdentity(this, person));
    expect(seen, `identity ${person.login}: ${JSON.stringify(seen)}`).to.deep.equal({
      id: person.id, login: person.login, display_name: displayName, frozen: false, attributes: parseJson(attributes, 'the attributes'),
      roles: [], direct_permissions: [],
    });
  },
);

When('the admin freezes {string}', async function (this: AttuneWorld, name: string) {
  await setFrozen(this, personNamed(this, name), true);
});

When('the admin unfreezes {string}', async function (this: AttuneWorld, name: string) {
  await setFrozen(this, personNamed(this, name), false);
});

Then('the admin reads {string} as frozen', async function (this: AttuneWorld, name: string) {
  const row = await readIdentity(this, personNamed(this, name));
  expect([row.login, row.frozen], `login and frozen: ${JSON.stringify([row.login, row.frozen])}`).to.deep.equal([personNamed(this, name).login, true]);
});

Then('the admin reads {string} as not frozen', async function (this: AttuneWorld, name: string) {
  const row = await readIdentity(this, personNamed(this, name));
  expect([row.login, row.frozen], `login and frozen: ${JSON.stringify([row.login, row.frozen])}`).to.deep.equal([personNamed(this, name).login, false]);
});

Then(
  '{string} signing in with her/his/their password is answered {int} with the JSON error {string}',
  async function (this: AttuneWorld, name: string, status: number, message: string) {
    const person = personNamed(this, name);
    const before = person.session;
    const reply = await attemptSignIn(this, person);
    person.session = before; // keep the earlier session for the next steps
    expectJsonError(reply, status, message, `signing in as ${person.login}`);
  },
);

Then(
  '{string} asking who she/he/they is/are with her/his/their earlier access token is answered {int} with the JSON error {string}',
  async function (this: AttuneWorld, name: string, status: number, message: string) {
    const person = personNamed(this, name);
    expectJsonError(await person.client.raw('GET', '/auth/me'), status, message, `GET /auth/me as ${person.login}`);
  },
);

Then(
  '{string} listing the packs with her/his/their earlier access token is answered {int} with the JSON error {string}',
  async function (this: AttuneWorld, name: string, status: number, message: string) {
    const person = personNamed(this, name);
    expectJsonError(await person.client.raw('GET', '/api/v1/packs'), status, message, `GET /api/v1/packs as ${person.login}`);
  },
);

Then(
  '{string} refreshing her/his/their earlier session is answered {int} with the JSON error {string}',
  async function (this: AttuneWorld, name: string, status: number, message: string) {
    const person = personNamed(this, name);
    expectJsonError(await attemptRefresh(this, person), status, message, `refreshing the session of ${person.login}`);
  },
);

Then('{string} signs in with her/his/their password and is named as the current user', async function (this: AttuneWorld, name: string) {
  const person = personNamed(this, name);
  await signPersonIn(this, person);
  const me = await whoAmI(person.client);
  expect([me.id, me.login], 'the current user').to.deep.equal([person.id, person.login]);
});

When(
  'the admin assigns {string} the permission sets {string} and my {string} directly',
  async function (this: AttuneWorld, name: string, setRef: string, mine: string) {
    const person = personNamed(this, name);
    this.scratch.directAssignments = [
      { ref: setRef, id: await assignDirectly(this, person, setRef) },
      { ref: packSetRef(this, mine), id: await assignDirectly(this, person, packSetRef(this, mine)) },
    ];
  },
);

Then(
  'the permission list of {string} holds exactly {string} and my {string}, in that order, with the ids of those assignments',
  async function (this: AttuneWorld, name: string, setRef: string, mine: string) {
    const person = personNamed(this, name);
    const made = this.scratch.directAssignments as Array<{ ref: string; id: number }>;
    const listed = await directPermissionsOf(this, person);
    expect(listed.map((p) => [p.permission_set_ref, p.id, p.identity_id]), `permissions of ${person.login}`).to.deep.equal([
      [setRef, made.find((m) => m.ref === setRef)?.id, person.id],
      [packSetRef(this, mine), made.find((m) => m.ref === packSetRef(this, mine))?.id, person.id],
    ]);
  },
);

Then('the admin reads {string} with exactly those direct permissions and no roles', async function (this: AttuneWorld, name: string) {
  const person = personNamed(this, name);
  const row = await readIdentity(this, person);
  const made = this.scratch.directAssignments as Array<{ ref: string; id: number }>;
  expect(row.direct_permissions.map((p) => [p.permission_set_ref, p.id]), 'direct_permissions').to.deep.equal(made.map((m) => [m.ref, m.id]));
  expect(row.roles, `roles: ${JSON.stringify(row.roles)}`).to.deep.equal([]);
});

Then('the admin reads {string} with exactly that one role', async function (this: AttuneWorld, name: string) {
  const person = personNamed(this, name);
  const given = this.scratch.roleAssignment as { role: string; assignmentId: number };
  const row = await readIdentity(this, person);
  expect(row.roles.map((r) => [r.id, r.identity_id, r.role]), `roles of ${person.login}`).to.deep.equal([[given.assignmentId, person.id, given.role]]);
});

Then('the admin reads {string} with no roles', async function (this: AttuneWorld, name: string) {
  const row = await readIdentity(this, personNamed(this, name));
  expect(row.roles, `roles: ${JSON.stringify(row.roles)}`).to.deep.equal([]);
});

Then('{string} may list the identities', async function (this: AttuneWorld, name: string) {
  const person = personNamed(this, name);
  const reply = await person.client.raw('GET', '/api/v1/identities?page_size=1');
  expect(reply.status, `GET /api/v1/identities as ${person.login}: ${JSON.stringify(reply.body)}`).to.equal(200);
});

Then('{string} listing the identities is answered {int} with a JSON error', async function (this: AttuneWorld, name: string, status: number) {
  const person = personNamed(this, name);
  expectJsonError(await person.client.raw('GET', '/api/v1/identities?page_size=1'), status, undefined, `GET /api/v1/identities as ${person.login}`);
});

When('the admin removes that role assignment of {string}', async function (this: AttuneWorld, name: string) {
  const given = this.scratch.roleAssignment as { assignmentId: number };
  const reply = await removeRoleAssignment(this, given.assignmentId);
  expect(reply.status, `removing role assignment ${given.assignmentId} of ${name}: ${JSON.stringify(reply.body)}`).to.equal(200);
  expect((unwrapBody(reply.body) as { success?: unknown }).success, 'success').to.equal(true);
});

Then('removing that role assignment again is answered {int} with a JSON error', async function (this: AttuneWorld, status: number) {
  const given = this.scratch.roleAssignment as { assignmentId: number };
  expectJsonError(await removeRoleAssignment(this, given.assignmentId), status, undefined, 'removing the role assignment again');
});

When(
  'the admin replaces the grants of my {string}, labelled {string}, with:',
  async function (this: AttuneWorld, set: string, label: string, table: DataTable) {
    this.scratch.newGrants = grantsOf(this, table);
    this.scratch.lastReply = await replaceGrants(this, packSetRef(this, set), { grants: grantsOf(this, table), label });
  },
);

Then(
  'the answer shows my {string} labelled {string} with exactly those grants',
  function (this: AttuneWorld, set: string, label: string) {
    const reply = this.scratch.lastReply as RawResponse;
    expect(reply.status, `PUT permission set: ${JSON.stringify(reply.body)}`).to.equal(200);
    const updated = unwrapBody(reply.body) as { ref: string; label: string; grants: Grant[] };
    const seen = { ref: updated.ref, label: updated.label, grants: updated.grants };
    expect(seen, `the permission set as answered: ${JSON.stringify(seen)}`).to.deep.equal({
      ref: packSetRef(this, set), label, grants: this.scratch.newGrants,
    });
  },
);

Then('{string} now reads my pack by its ref', async function (this: AttuneWorld, name: string) {
  const person = personNamed(this, name);
  const reply = await person.client.raw('GET', `/api/v1/packs/${encodeURIComponent(this.packRef)}`);
  expect(reply.status, `GET my pack as ${person.login}: ${JSON.stringify(reply.body)}`).to.equal(200);
  expect((unwrapBody(reply.body) as { ref: string }).ref, 'ref').to.equal(this.packRef);
});

Then('{string} reading my pack by its ref is answered {int} with a JSON error', async function (this: AttuneWorld, name: string, status: number) {
  const person = personNamed(this, name);
  expectJsonError(await person.client.raw('GET', `/api/v1/packs/${encodeURIComponent(this.packRef)}`), status, undefined, `GET my pack as ${person.login}`);
});
