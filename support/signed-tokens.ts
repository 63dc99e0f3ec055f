/**
 * Tokens signed with the target's own JWT key (HS256, Attune's claims: `sub` = identity id as text, `login`,
 * `token_type`, `iat`, `exp`), for the one thing the API cannot hand out: a token whose expiry has passed, or one
 * that expires within seconds (Attune's access tokens live an hour or a day, and no route issues shorter ones).
 *
 * The key comes from the target's configuration (`security.jwt_secret`, support/target.ts); the capability
 * `token-signing` proves it is the target's key by having the API accept a token signed with it, so a scenario never
 * runs with a wrong key (it is skipped with the reason instead).
 */
import { createHmac, randomUUID } from 'node:crypto';

export interface SignedTokenClaims {
  sub: number;
  login: string;
  /** seconds since the epoch */
  exp: number;
  /** seconds since the epoch; defaults to one minute before `exp` or now, whichever is earlier */
  iat?: number;
  token_type?: 'access' | 'refresh' | 'execution' | 'sensor';
}

const base64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/** An HS256 JWT over the claims, signed with `secret`. */
export function signWith(secret: string, claims: SignedTokenClaims): string {
  if (!secret) throw new Error('no JWT signing key is known for this target (security.jwt_secret / ATTUNE__SECURITY__JWT_SECRET)');
  const nowSec = Math.floor(Date.now() / 1000);
  const payload = {
    sub: String(claims.sub),
    login: claims.login,
    token_type: claims.token_type ?? 'access',
    iat: claims.iat ?? Math.min(nowSec, claims.exp - 60),
    exp: claims.exp,
    jti: randomUUID(),
  };
  const head = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(JSON.stringify(payload))}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

/** Seconds since the epoch, `offsetSeconds` from now (negative: in the past). */
export function epochSecondsFromNow(offsetSeconds: number): number {
  return Math.floor(Date.now() / 1000) + offsetSeconds;
}
