/**
 * Acts on identities: register, sign in, refresh, grant a persona, and the per-scenario tenant.
 */
import { randomBytes } from 'node:crypto';
import type { ApiClient } from '../api/client';
import type { CurrentUser, TokenResponse } from '../api/models';
import { ApiError, unwrap } from '../api/envelopes';
import { PERSONA_SETS } from '../personas';
import type { AttuneWorld, Persona, Tenant } from '../world';

export type { TokenResponse };

export interface Credentials {
  login: string;
  password: string;
  displayName: string;
}

/** A fresh login (`<uniq>@e2e.attune.local`) and a random password of 20+ characters. */
export function newCredentials(world: AttuneWorld, prefix = 'user'): Credentials {
  const login = `${world.uniq(prefix)}@e2e.attune.local`;
  return {
    login,
    password: `${randomBytes(15).toString('base64url')}aA1!`,
    displayName: `E2E ${prefix} ${login.split('@')[0]}`,
  };
}

export async function register(client: ApiClient, credentials: Credentials): Promise<TokenResponse> {
  const result = await client.POST('/auth/register', {
    body: { login: credentials.login, password: credentials.password, display_name: credentials.displayName },
  });
  return unwrap(result, `registering ${credentials.login}`);
}

export async function signIn(client: ApiClient, login: string, password: string): Promise<TokenResponse> {
  return unwrap(await client.POST('/auth/login', { body: { login, password } }), `signing in as ${login}`);
}

export async function refreshSession(client: ApiClient, refreshToken: string): Promise<TokenResponse> {
  return unwrap(await client.POST('/auth/refresh', { body: { refresh_token: refreshToken } }), 'refreshing the session');
}

export async function whoAmI(client: ApiClient): Promise<CurrentUser> {
  return unwrap(await client.GET('/auth/me'), 'reading the current user');
}

/** The identity id of a token response (from `user`, or from `/auth/me` when the server leaves `user` out). */
export async function identityIdOf(world: AttuneWorld, tokens: TokenResponse): Promise<number> {
  if (tokens.user?.id !== undefined) return tokens.user.id;
  const me = await whoAmI(world.clientFor('lookup', () => tokens.access_token));
  return me.id;
}

/** Deletes an identity as admin; an identity that is already gone is fine. */
export async function deleteIdentity(world: AttuneWorld, id: number): Promise<void> {
  const result = await world.admin.DELETE('/api/v1/identities/{id}', { params: { path: { id } } });
  if (result.response.ok || result.response.status === 404) return;
  throw new ApiError('DELETE', result.response.url, result.response.status, result.error, `deleting identity ${id}`);
}

/** Registers an identity and schedules its deletion (as admin) at the end of the scenario. */
export async function registerDisposableIdentity(
  world: AttuneWorld,
  credentials: Credentials,
): Promise<{ id: number; tokens: TokenResponse }> {
  const tokens = await register(world.anonymous, credentials);
  const id = await identityIdOf(world, tokens);
  world.onCleanup(`delete identity ${credentials.login} (#${id})`, () => deleteIdentity(world, id));
  return { id, tokens };
}

/** The admin grants a persona's permission set to an identity; returns the assignment id. */
export async function grantPersona(world: AttuneWorld, login: string, persona: Persona): Promise<number> {
  const result = await world.admin.POST('/api/v1/permissions/assignments', {
    body: { identity_login: login, permission_set_ref: PERSONA_SETS[persona] },
  });
  return unwrap(result, `granting ${PERSONA_SETS[persona]} to ${login}`).id;
}

export async function revokeAssignment(world: AttuneWorld, assignmentId: number): Promise<void> {
  const result = await world.admin.DELETE('/api/v1/permissions/assignments/{id}', { params: { path: { id: assignmentId } } });
  if (result.response.ok || result.response.status === 404) return;
  throw new ApiError('DELETE', result.response.url, result.response.status, result.error, `revoking assignment ${assignmentId}`);
}

/**
 * The scenario's own identity: registered, granted the persona by the admin, signed in again so the session reflects
 * the grant. Its deletion is the FIRST cleanup registered, so it runs LAST (after everything it owns is gone).
 */
export async function createTenant(world: AttuneWorld, persona: Persona = 'tenant'): Promise<Tenant> {
  const tenant = await registerTenant(world, persona);
  world.tenant = tenant;
  return tenant;
}

/**
 * A tenant identity (registered, granted `persona` by the admin, signed in again), deleted at the end of the scenario.
 * `actor` names its calls in the transcript. `createTenant` makes the scenario's own; `world.otherTenant` makes more.
 */
export async function registerTenant(world: AttuneWorld, persona: Persona, actor = 'tenant'): Promise<Tenant> {
  const credentials = newCredentials(world, actor);
  const { id } = await registerDisposableIdentity(world, credentials);
  const assignmentId = await grantPersona(world, credentials.login, persona);
  const tokens = await signIn(world.anonymous, credentials.login, credentials.password);
  const tenant: Tenant = {
    id,
    login: credentials.login,
    password: credentials.password,
    displayName: credentials.displayName,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    persona,
    assignmentIds: [assignmentId],
    client: world.clientFor(actor, () => tenant.accessToken),
  };
  return tenant;
}

/** Gives the tenant another persona: grant the new set, then revoke the previous assignments. */
export async function switchPersona(world: AttuneWorld, persona: Persona): Promise<void> {
  const tenant = world.tenant;
  if (tenant.persona === persona) return;
  const assignmentId = await grantPersona(world, tenant.login, persona);
  for (const previous of tenant.assignmentIds) await revokeAssignment(world, previous);
  tenant.assignmentIds = [assignmentId];
  tenant.persona = persona;
  const tokens = await signIn(world.anonymous, tenant.login, tenant.password);
  tenant.accessToken = tokens.access_token;
  tenant.refreshToken = tokens.refresh_token;
}
