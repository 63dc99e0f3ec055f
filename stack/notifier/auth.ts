/**
 * Who may open the notifier WebSocket: a JWT given at the upgrade either as
 * `Authorization: Bearer <jwt>` or as the subprotocol pair `attune.v1` + `attune.jwt.<jwt>`.
 * Query-string tokens are deliberately not read.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { fault } from '../common/faults';
import { TokenClaims, TokenError, verifyToken } from '../common/tokens';

export const PROTOCOL_V1 = 'attune.v1';
export const JWT_PROTOCOL_PREFIX = 'attune.jwt.';

export type AuthFailure = 'missing_token' | 'invalid_or_expired_token' | 'refresh_tokens_not_allowed';

export function offeredProtocols(headers: IncomingHttpHeaders): string[] {
  const raw = headers['sec-websocket-protocol'];
  const text = Array.isArray(raw) ? raw.join(',') : raw ?? '';
  return text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

/** The token offered at the upgrade (the header wins over the subprotocol), or undefined. */
export function extractToken(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  const jwtProto = offeredProtocols(headers).find((p) => p.startsWith(JWT_PROTOCOL_PREFIX) && p.length > JWT_PROTOCOL_PREFIX.length);
  return jwtProto?.slice(JWT_PROTOCOL_PREFIX.length);
}

export type AuthResult = { ok: true; claims: TokenClaims } | { ok: false; error: AuthFailure };

export async function authenticateUpgrade(
  headers: IncomingHttpHeaders,
  // fault ws-accepts-expired-token: the expiry of the token is not checked (its signature still is)
  verify: (token: string) => Promise<TokenClaims> = (token) => verifyToken(token, { ignoreExpiry: fault('ws-accepts-expired-token') }),
): Promise<AuthResult> {
  const token = extractToken(headers);
  if (!token) {
    // fault ws-accepts-missing-token: no token is welcomed as an anonymous client (one that may read nothing)
    if (fault('ws-accepts-missing-token')) return { ok: true, claims: anonymousClaims() };
    return { ok: false, error: 'missing_token' };
  }
  let claims: TokenClaims;
  try {
    claims = await verify(token);
  } catch (err) {
    if (err instanceof TokenError || err instanceof Error) return { ok: false, error: 'invalid_or_expired_token' };
    throw err;
  }
  if (claims.token_type === 'refresh') return { ok: false, error: 'refresh_tokens_not_allowed' };
  if (!['access', 'execution', 'sensor'].includes(claims.token_type)) return { ok: false, error: 'invalid_or_expired_token' };
  return { ok: true, claims };
}

/** The claims of a client that gave no token: only ever used under the fault ws-accepts-missing-token. */
function anonymousClaims(): TokenClaims {
  const now = Math.floor(Date.now() / 1000);
  return { sub: 'anonymous', login: 'anonymous', token_type: 'access', iat: now, exp: now + 3600 };
}
