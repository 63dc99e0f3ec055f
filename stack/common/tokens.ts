import { jwtVerify, SignJWT, errors as joseErrors } from 'jose';
import { config } from './config';

/** JWTs as Attune issues them: HS256, `sub` = identity id as a string, `token_type` claim. */
export type TokenType = 'access' | 'refresh' | 'sensor' | 'execution';

export interface TokenClaims {
  sub: string;
  login: string;
  token_type: TokenType;
  iat: number;
  exp: number;
  scope?: string;
  metadata?: Record<string, unknown>;
}

const secret = () => new TextEncoder().encode(config().security.jwt_secret);

export async function signToken(
  claims: { sub: number | string; login: string; token_type: TokenType; scope?: string; metadata?: Record<string, unknown> },
  ttlSeconds: number,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ login: claims.login, token_type: claims.token_type, ...(claims.scope ? { scope: claims.scope } : {}), ...(claims.metadata ? { metadata: claims.metadata } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(String(claims.sub))
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .setJti(crypto.randomUUID())
    .sign(secret());
}

export class TokenError extends Error {
  constructor(message: string, readonly expired = false) {
    super(message);
  }
}

/** Verifies signature and expiry; throws TokenError('Authentication token expired' | 'Invalid authentication token'). */
export async function verifyToken(token: string, opts: { ignoreExpiry?: boolean } = {}): Promise<TokenClaims> {
  try {
    // ignoreExpiry exists only for a fault of the notifier (ws-accepts-expired-token): a tolerance of ten years
    const { payload } = await jwtVerify(token, secret(), { algorithms: ['HS256'], ...(opts.ignoreExpiry ? { clockTolerance: 10 * 365 * 86_400 } : {}) });
    if (typeof payload.sub !== 'string' || typeof payload.exp !== 'number') throw new TokenError('Invalid authentication token');
    const claims = payload as unknown as TokenClaims;
    return { ...claims, token_type: claims.token_type ?? 'access' };
  } catch (err) {
    if (err instanceof TokenError) throw err;
    if (err instanceof joseErrors.JWTExpired) throw new TokenError('Authentication token expired', true);
    throw new TokenError('Invalid authentication token');
  }
}
