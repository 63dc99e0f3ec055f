/**
 * Acts of identity administration and of one's own account: people of a scenario (registered with a password, their
 * credentials and last session kept), the administrator reading, updating, freezing and unfreezing them, direct
 * permission-set assignments, role assignments and their removal, and permission sets carried by the scenario's pack.
 */
import { stringify as toYaml } from 'yaml';
import type { ApiClient, RawResponse } from '../api/client';
import { ApiError, unwrapBody } from '../api/envelopes';
import type { TokenResponse } from '../api/models';
import type { AttuneWorld } from '../world';
import { newCredentials, registerDisposableIdentity, signIn, type Credentials } from './identities';
import { permissionSetId } from './access';
import { addPackFile, installPackFromFiles } from './packs';

/** A person of the scenario: an identity registered with a password, with the session it opened last. */
export interface Person {
  name: string;
  id: number;
  login: string;
  credentials: Credentials;
  /** the password before the last change, when it was changed */
  previousPassword?: string;
  session: TokenResponse;
  client: ApiClient;
}

export interface IdentityRow {
  id: number;
  login: string;
  display_name: string | null;
  frozen: boolean;
  attributes: Record<string, unknown>;
  roles: Array<{ id: number; identity_id: number; role: string }>;
  direct_permissions: Array<{ id: number; identity_id: number; permission_set_id: number; permission_set_ref: string }>;
}

export interface Grant {
  resource: string;
  actions: string[];
  constraints?: Record<string, unknown> | null;
}

const PEOPLE = 'person';

function expectStatus(reply: RawResponse, status: number, method: string, path: string, what: string): unknown {
  if (reply.status !== status) throw new ApiError(method, path, reply.status, reply.body, `${what} (${status} expected)`);
  return unwrapBody(reply.body);
}

/** Registers `name` with a fresh password (deleted at cleanup) and keeps the session registration opened. */
export async function enrolPerson(world: AttuneWorld, name: string): Promise<Person> {
  const credentials = newCredentials(world, name);
  const { id, tokens } = await registerDisposableIdentity(world, credentials);
  const person: Person = { name, id, login: credentials.login, credentials, session: tokens, client: world.clientFor(name, () => person.session.access_token) };
  world.remember(PEOPLE, name, person);
  // the access steps know named identities as actors
  world.remember('actor', name, { name, id, login: person.login, client: person.client });
  return person;
}

export function personNamed(world: AttuneWorld, name: string): Person {
  return world.recall<Person>(PEOPLE, name);
}

/** As the admin: GET /api/v1/identities/{id}. */
export async function readIdentity(world: AttuneWorld, person: Person): Promise<IdentityRow> {
  const path = `/api/v1/identities/${person.id}`;
  return expectStatus(await world.admin.raw('GET', path), 200, 'GET', path, `reading identity ${person.login}`) as IdentityRow;
}

/** As the admin: PUT /api/v1/identities/{id} with exactly `changes`; the identity as answered. */
export async function updateIdentity(world: AttuneWorld, person: Person, changes: Record<string, unknown>): Promise<IdentityRow> {
  const path = `/api/v1/identities/${person.id}`;
  return expectStatus(await world.admin.raw('PUT', path, changes), 200, 'PUT', path, `updating identity ${person.login}`) as IdentityRow;
}

/** As the admin: POST /api/v1/identities/{id}/freeze or /unfreeze (200 with a success note expected). */
export async function setFrozen(world: AttuneWorld, person: Person, frozen: boolean): Promise<void> {
  const path = `/api/v1/identities/${person.id}/${frozen ? 'freeze' : 'unfreeze'}`;
  const note = expectStatus(await world.admin.raw('POST', path), 200, 'POST', path, `${frozen ? 'freezing' : 'unfreezing'} ${person.login}`) as { success?: unknown };
  if (note?.success !== true) throw new Error(`${path} answered without success: true: ${JSON.stringify(note)}`);
  if (frozen) {
    // never leave a frozen identity behind a failed scenario (its deletion does not need it thawed, but be tidy)
    world.onCleanup(`unfreeze ${person.login}`, async () => {
      const reply = await world.admin.raw('POST', `/api/v1/identities/${person.id}/unfreeze`);
      if (!reply.ok && reply.status !== 404) throw new ApiError('POST', path, reply.status, reply.body, `unfreezing ${person.login}`);
    });
  }
}

/** POST /auth/login as the person, the raw answer; on success it becomes the person's session. */
export async function attemptSignIn(world: AttuneWorld, person: Person): Promise<RawResponse> {
  const reply = await world.anonymous.raw('POST', '/auth/login', { login: person.login, password: person.credentials.password });
  if (reply.status === 200) person.session = unwrapBody(reply.body) as TokenResponse;
  return reply;
}

/** Signs the person in (200 expected). */
export async function signPersonIn(world: AttuneWorld, person: Person): Promise<TokenResponse> {
  person.session = await signIn(world.anonymous, person.login, person.credentials.password);
  return person.session;
}

/** POST /auth/refresh with the person's refresh token, the raw answer. */
export async function attemptRefresh(world: AttuneWorld, person: Person): Promise<RawResponse> {
  return world.anonymous.raw('POST', '/auth/refresh', { refresh_token: person.session.refresh_token });
}

/** As the admin: a direct assignment of the permission set to the person; its id (removed with the identity). */
export async function assignDirectly(world: AttuneWorld, person: Person, setRef: string): Promise<number> {
  const path = '/api/v1/permissions/assignments';
  const made = expectStatus(await world.admin.raw('POST', path, { identity_id: person.id, permission_set_ref: setRef }), 201, 'POST', path, `assigning ${setRef} to ${person.login}`) as { id: number };
  return made.id;
}

/** As the admin: GET /api/v1/identities/{id}/permissions (a bare array). */
export async function directPermissionsOf(world: AttuneWorld, person: Person): Promise<IdentityRow['direct_permissions']> {
  const path = `/api/v1/identities/${person.id}/permissions`;
  const reply = await world.admin.raw('GET', path);
  if (reply.status !== 200) throw new ApiError('GET', path, reply.status, reply.body, `listing the permissions of ${person.login}`);
  if (!Array.isArray(reply.body)) throw new Error(`${path} answered ${JSON.stringify(reply.body)}, not a bare array`);
  return reply.body as IdentityRow['direct_permissions'];
}

/**
 * As the admin: binds the permission set to a new role and gives the role to the person; the role assignment's id.
 * The binding is removed at cleanup; the role assignment goes with the identity.
 */
export async function giveRole(world: AttuneWorld, person: Person, setRef: string): Promise<{ role: string; assignmentId: number }> {
  const setId = await permissionSetId(world, setRef);
  const role = world.uniq(`role ${person.name}`);
  const bindPath = `/api/v1/permissions/sets/${setId}/roles`;
  const binding = expectStatus(await world.admin.raw('POST', bindPath, { role }), 201, 'POST', bindPath, `binding ${setRef} to ${role}`) as { id: number };
  world.onCleanup(`unbind role ${role}`, async () => {
    const reply = await world.admin.raw('DELETE', `/api/v1/permissions/sets/roles/${binding.id}`);
    if (!reply.ok && reply.status !== 404) throw new ApiError('DELETE', bindPath, reply.status, reply.body, `unbinding ${role}`);
  });
  const givePath = `/api/v1/identities/${person.id}/roles`;
  const given = expectStatus(await world.admin.raw('POST', givePath, { role }), 201, 'POST', givePath, `giving ${role} to ${person.login}`) as { id: number };
  return { role, assignmentId: given.id };
}

/** As the admin: DELETE /api/v1/identities/roles/{id}, the raw answer. */
export async function removeRoleAssignment(world: AttuneWorld, assignmentId: number): Promise<RawResponse> {
  return world.admin.raw('DELETE', `/api/v1/identities/roles/${assignmentId}`);
}

/** `<pack>.<name>`: a permission set carried by the scenario's pack. */
export function packSetRef(world: AttuneWorld, name: string): string {
  return `${world.packRef}.${name}`;
}

/** Installs the scenario's pack carrying one permission set `<pack>.<name>` with these grants. */
export async function installPackWithPermissionSet(world: AttuneWorld, name: string, grants: Grant[]): Promise<void> {
  addPackFile(world, `permission_sets/${name}.yaml`, toYaml({ ref: packSetRef(world, name), label: `E2E ${name}`, description: 'A permission set of one scenario.', grants }));
  await installPackFromFiles(world);
}

/** As the admin: PUT /api/v1/permissions/sets/{id}, the raw answer. */
export async function replaceGrants(world: AttuneWorld, setRef: string, body: { grants: Grant[]; label?: string }): Promise<RawResponse> {
  const id = await permissionSetId(world, setRef);
  return world.admin.raw('PUT', `/api/v1/permissions/sets/${id}`, body);
}
