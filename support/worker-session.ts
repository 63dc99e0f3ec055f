/**
 * What one cucumber worker process sets up once and shares between its scenarios: the admin's access token.
 * (Everything scenario-specific lives in the World.)
 */
import { createApiClient, type Transcript } from './api/client';
import { unwrap } from './api/envelopes';
import { target } from './target';

let adminToken: Promise<string> | undefined;
let adminTokenValue: string | undefined;

/** Transcript of the calls made outside any scenario (worker setup); attached to setup failures. */
export const setupTranscript: Transcript = [];

export function workerId(): string {
  return process.env.CUCUMBER_WORKER_ID ?? 'm';
}

async function loginAdmin(): Promise<string> {
  const settings = target();
  const client = createApiClient(settings.apiUrl, () => undefined, setupTranscript, 'admin-login');
  const result = await client.POST('/auth/login', {
    body: { login: settings.adminLogin, password: settings.adminPassword },
  });
  if (!result.response.ok) {
    throw new Error(
      `The admin ${settings.adminLogin} could not log in at ${settings.apiUrl}/auth/login ` +
        `(status ${result.response.status}: ${JSON.stringify(result.error ?? result.data)}). ` +
        'Set ATTUNE_ADMIN_LOGIN / ATTUNE_ADMIN_PASSWORD to an identity holding core.admin.',
    );
  }
  const token = unwrap(result, 'admin login').access_token;
  adminTokenValue = token;
  return token;
}

/** The admin's access token, logging in on first use (once per worker). */
export function adminAccessToken(): Promise<string> {
  adminToken ??= loginAdmin().catch((error: unknown) => {
    adminToken = undefined;
    throw error;
  });
  return adminToken;
}

/** The cached admin token, when the worker has logged in already. */
export function currentAdminToken(): string | undefined {
  return adminTokenValue;
}
