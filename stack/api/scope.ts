import type { FastifyRequest } from 'fastify';
import { allowed, authorize, Resource, scopeSql, Target } from './authz';
import type { ApiContext } from './context';
import { forbidden, notFound } from './http';

/**
 * Visibility helpers on top of authz:
 *  - listScope: the SQL condition of a list endpoint (rows the caller may read); optionally 403 when
 *    the caller holds no read grant on the resource at all (keys, identities, permissions).
 *  - readableOr404: hides existence — a row the caller may not read answers like a missing one.
 */
export async function listScope(
  ctx: ApiContext,
  req: FastifyRequest,
  resource: Resource,
  params: unknown[],
  opts: { forbidWhenNone?: boolean } = {},
): Promise<string> {
  const sql = await scopeSql(ctx, req, resource, params, 'read');
  if (sql === 'FALSE' && opts.forbidWhenNone) throw forbidden(`Permission denied: ${resource}:read`);
  return sql;
}

export async function readableOr404(ctx: ApiContext, req: FastifyRequest, resource: Resource, target: Target, message: string): Promise<void> {
  if (!(await allowed(ctx, req, resource, 'read', target))) throw notFound(message);
}

export { allowed, authorize };
