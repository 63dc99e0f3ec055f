/**
 * Integration tokens: opaque secrets an administrator issues to an identity (a CI bot, an integration) which
 * `POST /auth/token-login` exchanges for an ordinary access/refresh pair of that identity. As in Attune: the secret
 * is `attune_it_` + 32 random bytes in base64url; only its SHA-256 (base64url, no padding) is stored, with the first
 * 18 and last 6 characters kept for display.
 */
import { createHash, randomBytes } from 'node:crypto';

export const INTEGRATION_TOKEN_PREFIX = 'attune_it_';
const DISPLAY_PREFIX_CHARS = 18;
const DISPLAY_SUFFIX_CHARS = 6;

export interface NewIntegrationToken {
  secret: string;
  hash: string;
  prefix: string;
  suffix: string;
}

export function hashIntegrationToken(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64url');
}

export function newIntegrationToken(): NewIntegrationToken {
  const secret = INTEGRATION_TOKEN_PREFIX + randomBytes(32).toString('base64url');
  return {
    secret,
    hash: hashIntegrationToken(secret),
    prefix: secret.slice(0, DISPLAY_PREFIX_CHARS),
    suffix: secret.slice(-DISPLAY_SUFFIX_CHARS),
  };
}

/** A token row may still log in: not revoked and not past its expiry. */
export function integrationTokenActive(row: { revoked_at: Date | string | null; expires_at: Date | string | null }, now = new Date()): boolean {
  if (row.revoked_at != null) return false;
  return row.expires_at == null || new Date(row.expires_at).getTime() > now.getTime();
}
