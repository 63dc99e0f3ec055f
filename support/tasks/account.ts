/**
 * Acts on one's own account (`/auth/*` with the caller's token): changing the password, setting the display name,
 * logging out of a browser session, reading the sign-in settings.
 */
import type { RawResponse } from '../api/client';
import type { AttuneWorld } from '../world';
import type { Person } from './identity-admin';

/** POST /auth/change-password as the person, the raw answer; on 200 the new password becomes the person's. */
export async function changePassword(person: Person, current: string, next: string): Promise<RawResponse> {
  const reply = await person.client.raw('POST', '/auth/change-password', { current_password: current, new_password: next });
  if (reply.status === 200) {
    person.previousPassword = person.credentials.password;
    person.credentials.password = next;
  }
  return reply;
}

/** PUT /auth/me as the person with this display name, the raw answer. */
export async function setDisplayName(person: Person, displayName: string): Promise<RawResponse> {
  return person.client.raw('PUT', '/auth/me', { display_name: displayName });
}

/** GET /auth/logout without a token, the redirect as answered (not followed). */
export async function logOutBrowser(world: AttuneWorld): Promise<RawResponse> {
  return world.anonymous.raw('GET', '/auth/logout', undefined, { anonymous: true, manualRedirect: true });
}

/** GET /auth/settings without a token. */
export async function authSettings(world: AttuneWorld): Promise<RawResponse> {
  return world.anonymous.raw('GET', '/auth/settings', undefined, { anonymous: true });
}
