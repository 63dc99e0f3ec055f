/** HS256 JWTs crafted by the tests themselves (expired ones, ones signed with a foreign secret). */
import { createHmac } from 'node:crypto';

const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url');

export function signHs256(claims: Record<string, unknown>, secret: string): string {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify(claims));
  const sig = b64url(createHmac('sha256', secret).update(`${head}.${body}`).digest());
  return `${head}.${body}.${sig}`;
}

/** An access token for the admin (sub 1) whose validity window is [now+fromS, now+toS]. */
export function adminToken(secret: string, fromS: number, toS: number): string {
  const now = Math.floor(Date.now() / 1000);
  return signHs256({ sub: '1', login: 'test@attune.local', token_type: 'access', iat: now + fromS, exp: now + toS }, secret);
}
