import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AttuneConfig } from '../common/config';
import type { Pool } from '../common/db';
import type { Logger } from '../common/log';
import type { Mq } from '../common/mq';
import { TokenError, TokenType, verifyToken } from '../common/tokens';
import { unauthenticated } from './http';

/** What every route module receives. */
export interface ApiContext {
  pool: Pool;
  mq: Mq;
  cfg: AttuneConfig;
  log: Logger;
}

/** The caller, from the bearer token. Execution tokens act as the identity that caused the execution. */
export interface Principal {
  identityId: number;
  login: string;
  tokenType: TokenType;
  scope?: string;
  metadata?: Record<string, unknown>;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** Reads and verifies `Authorization: Bearer <jwt>`; refresh tokens are refused on protected routes. */
export async function authenticate(req: FastifyRequest): Promise<Principal> {
  if (req.principal) return req.principal;
  const header = req.headers.authorization;
  if (!header) throw unauthenticated('Missing authentication token');
  const match = /^Bearer (.+)$/.exec(header);
  if (!match) throw unauthenticated('Invalid authentication token');
  let claims;
  try {
    claims = await verifyToken(match[1].trim());
  } catch (err) {
    throw unauthenticated(err instanceof TokenError ? err.message : 'Invalid authentication token');
  }
  if (claims.token_type === 'refresh') throw unauthenticated('Invalid authentication token');
  const identityId = Number(claims.sub);
  if (!Number.isInteger(identityId)) throw unauthenticated('Invalid authentication token');
  req.principal = { identityId, login: claims.login, tokenType: claims.token_type, scope: claims.scope, metadata: claims.metadata };
  return req.principal;
}

/** Fastify preHandler for protected routes. */
export async function requireAuth(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
  await authenticate(req);
}
