import type { FastifyRequest } from 'fastify';
import { identityAccess } from '../common/authz-model';
import { seedRequestGrants } from './authz';
import type { ApiContext, Principal } from './context';
import { authenticate } from './context';
import { fault } from '../common/faults';
import { forbidden, unauthenticated } from './http';

/**
 * Request guards for protected routes, run as `onRequest` hooks so that a missing or bad token is
 * answered (401) before the body is read or validated.
 *
 * Token kinds: access and execution tokens act as their identity (an execution token's `sub` is the
 * identity that caused the execution); sensor tokens may only create events and read triggers, so
 * routes must opt in with `{ sensor: true }`. The identity behind any token must still exist (else
 * 401) and not be frozen (else 403).
 */
export interface GuardOptions {
  /** Allow sensor tokens on this route. */
  sensor?: boolean;
  /** Refuse everything but sensor and execution tokens (POST /api/v1/events). */
  serviceTokensOnly?: boolean;
}

export function guard(ctx: ApiContext, opts: GuardOptions = {}) {
  return async (req: FastifyRequest): Promise<void> => {
    const principal = await authenticate(req);
    await requireLiveIdentity(ctx, principal, req);
    if (opts.serviceTokensOnly && principal.tokenType !== 'sensor' && principal.tokenType !== 'execution') {
      throw forbidden('Only sensor or execution tokens may create events');
    }
    if (principal.tokenType === 'sensor' && !opts.sensor && !opts.serviceTokensOnly) {
      throw forbidden('Sensor tokens may only create events and read triggers');
    }
  };
}

/**
 * The identity must exist and not be frozen. Its grants (and the system packs) are read in the same statement and kept
 * for the request, so the routes' permission checks cost no further round trip.
 */
export async function requireLiveIdentity(ctx: ApiContext, principal: Principal, req?: FastifyRequest): Promise<void> {
  const access = await identityAccess(ctx.pool, principal.identityId);
  if (!access) throw unauthenticated('Invalid authentication token');
  // fault frozen-token-accepted: the tokens a frozen identity already holds keep working
  if (access.frozen && !fault('frozen-token-accepted')) throw forbidden('Identity is frozen');
  if (req) seedRequestGrants(req, access.grants, access.systemPacks);
}

/** The principal of a request that passed a guard. */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw unauthenticated('Missing authentication token');
  return req.principal;
}
