import type { FastifyRequest } from 'fastify';
import { fault } from '../common/faults';
import { allowed, authorize, Resource, scopeSql, Target } from './authz';
import type { ApiContext, Principal } from './context';
import { forbidden, notFound } from './http';

/**
 * Visibility helpers on top of authz:
 *  - listScope: the SQL condition of a list endpoint (rows the caller may read); optionally 403 when
 *    the caller holds no read grant on the resource at all (keys, identities, permissions).
 *  - readableOr404: hides existence — a row the caller may not read answers like a missing one.
 *  - writableOr404: the same for writes — a row the caller may neither read nor write answers like a
 *    missing one (so writes never reveal what reads hide); a readable row it may not write is a 403.
 */
export async function listScope(
  ctx: ApiContext,
  req: FastifyRequest,
  resource: Resource,
  params: unknown[],
  opts: { forbidWhenNone?: boolean } = {},
): Promise<string> {
  // fault tenant-lists-unscoped: every list shows every identity's rows
  if (fault('tenant-lists-unscoped')) return 'TRUE';
  const sql = await scopeSql(ctx, req, resource, params, 'read');
  if (sql === 'FALSE' && opts.forbidWhenNone) throw forbidden(`Permission denied: ${resource}:read`);
  return sql;
}

export async function readableOr404(ctx: ApiContext, req: FastifyRequest, resource: Resource, target: Target, message: string): Promise<void> {
  // fault tenant-get-unscoped: a get by ref/id answers whatever the caller's scope
  if (fault('tenant-get-unscoped')) return;
  if (!(await allowed(ctx, req, resource, 'read', target))) throw notFound(message);
}

export async function writableOr404(
  ctx: ApiContext,
  req: FastifyRequest,
  resource: Resource,
  action: string,
  target: Target,
  message: string,
): Promise<Principal> {
  if (!(await allowed(ctx, req, resource, 'read', target)) && !(await allowed(ctx, req, resource, action, target))) {
    throw notFound(message);
  }
  return authorize(ctx, req, resource, action, target);
}

/** A pack the caller may not read is hidden: putting something into it answers like a missing pack. */
export async function packReadableOr404(
  ctx: ApiContext,
  req: FastifyRequest,
  pack: { id: number; ref: string; installed_by: number | null },
): Promise<void> {
  const target = { pack_ref: pack.ref, ref: pack.ref, id: pack.id, owner: pack.installed_by };
  if (!(await allowed(ctx, req, 'packs', 'read', target))) throw notFound(`Pack '${pack.ref}' not found`);
}

export { allowed, authorize };
