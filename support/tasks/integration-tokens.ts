/**
 * Acts on integration tokens (Attune Jun+): the admin creates an identity for an integration, gives it a permission
 * set and issues it a token; the integration logs in with the token (`POST /auth/token-login`); the admin revokes it.
 */
import type { ApiClient, RawResponse } from '../api/client';
import { ApiError, unwrapBody } from '../api/envelopes';
import type { TokenResponse } from '../api/models';
import type { AttuneWorld } from '../world';
import { deleteIdentity } from './identities';

export interface IntegrationTokenRow {
  id: number;
  identity_id: number;
  label: string;
  description?: string | null;
  token_prefix: string;
  token_suffix: string;
  active: boolean;
  created_by?: number | null;
  last_used_at?: string | null;
  revoked_at?: string | null;
  revoked_by?: number | null;
  revocation_reason?: string | null;
  [field: string]: unknown;
}

/** An integration identity of this scenario, its token (the secret as issued) and the sessions opened with it. */
export interface Integration {
  name: string;
  id: number;
  login: string;
  secret?: string;
  token?: IntegrationTokenRow;
  session?: TokenResponse;
}

const INTEGRATIONS = 'integration';

async function expectStatus(reply: RawResponse, status: number, what: string, method: string, path: string): Promise<unknown> {
  if (reply.status !== status) throw new ApiError(method, path, reply.status, reply.body, `${what} (${status} expected)`);
  return unwrapBody(reply.body);
}

/** As the admin: `POST /api/v1/identities` (no password), then a direct assignment of `setRef`; deleted at cleanup. */
export async function createIntegrationIdentity(world: AttuneWorld, name: string, setRef: string): Promise<Integration> {
  const login = world.uniq(name);
  const created = (await expectStatus(
    await world.admin.raw('POST', '/api/v1/identities', { login, display_name: `Integration ${name}`, attributes: { source: 'e2e' } }),
    201, `creating identity ${login}`, 'POST', '/api/v1/identities',
  )) as { id: number };
  world.onCleanup(`delete identity ${login} (#${created.id})`, () => deleteIdentity(world, created.id));
  const assignment = (await expectStatus(
    await world.admin.raw('POST', '/api/v1/permissions/assignments', { identity_id: created.id, permission_set_ref: setRef }),
    201, `assigning ${setRef} to ${login}`, 'POST', '/api/v1/permissions/assignments',
  )) as { permission_set_ref: string };
  if (assignment.permission_set_ref !== setRef) throw new Error(`the assignment to ${login} names ${assignment.permission_set_ref}, not ${setRef}`);
  return world.remember<Integration>(INTEGRATIONS, name, { name, id: created.id, login });
}

export function integrationNamed(world: AttuneWorld, name: string): Integration {
  return world.recall<Integration>(INTEGRATIONS, name);
}

/** As the admin: issues a token to the integration identity (201 expected); the token is deleted at cleanup. */
export async function issueIntegrationToken(world: AttuneWorld, integration: Integration, label: string, description: string): Promise<void> {
  const path = `/api/v1/identities/${integration.id}/integration-tokens`;
  const issued = (await expectStatus(
    await world.admin.raw('POST', path, { label, description }),
    201, `issuing an integration token to ${integration.login}`, 'POST', path,
  )) as { token: string; integration_token: IntegrationTokenRow };
  integration.secret = issued.token;
  integration.token = issued.integration_token;
  const tokenPath = `${path}/${issued.integration_token.id}`;
  world.onCleanup(`delete integration token #${issued.integration_token.id}`, async () => {
    const removed = await world.admin.raw('DELETE', tokenPath);
    if (!removed.ok && removed.status !== 404) throw new ApiError('DELETE', tokenPath, removed.status, removed.body, 'deleting the integration token');
  });
}

/** As the admin: the integration identity's tokens as listed. */
export async function integrationTokensOf(world: AttuneWorld, integration: Integration): Promise<IntegrationTokenRow[]> {
  const path = `/api/v1/identities/${integration.id}/integration-tokens`;
  const body = await expectStatus(await world.admin.raw('GET', path), 200, `listing the tokens of ${integration.login}`, 'GET', path);
  if (!Array.isArray(body)) throw new Error(`the token list of ${integration.login} is not an array: ${JSON.stringify(body)}`);
  return body as IntegrationTokenRow[];
}

/** `POST /auth/token-login` without any bearer token; the raw answer whatever its status. */
export function tokenLogin(world: AttuneWorld, secret: string): Promise<RawResponse> {
  return world.anonymous.raw('POST', '/auth/token-login', { token: secret }, { anonymous: true });
}

/** As the admin: revokes the integration's token with a reason (200 expected); returns the token as answered. */
export async function revokeIntegrationToken(world: AttuneWorld, integration: Integration, reason: string): Promise<IntegrationTokenRow> {
  const path = `/api/v1/identities/${integration.id}/integration-tokens/${integration.token?.id}/revoke`;
  return (await expectStatus(await world.admin.raw('POST', path, { reason }), 200, `revoking the token of ${integration.login}`, 'POST', path)) as IntegrationTokenRow;
}

/** A client acting with the session an integration token opened. */
export function sessionClient(world: AttuneWorld, integration: Integration): ApiClient {
  const session = integration.session;
  if (!session) throw new Error(`${integration.name} has not logged in with its integration token in this scenario`);
  return world.clientFor(`${integration.name} (token session)`, () => session.access_token);
}
