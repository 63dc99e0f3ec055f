import type { FastifyRequest } from 'fastify';
import type { Queryable } from '../common/db';
import {
  grantAllows, grantIsScoped, grantsOf, listOf, OWNER_PRIVATE, OWNERSHIP, systemPackGrants, systemPackRefs,
  type Grant, type Resource, type Target,
} from '../common/authz-model';
import { fault } from '../common/faults';
import type { ApiContext, Principal } from './context';
import { authenticate } from './context';
import { forbidden } from './http';

// The model itself (grants, constraints, ownership SQL, effective grants) lives in common/authz-model.ts,
// shared with the notifier; re-exported here under the names the api has always used.
export { constraintsMatch, grantAllows, grantsOf, OWNERSHIP } from '../common/authz-model';
export type { Grant, Resource, Target } from '../common/authz-model';

const grantCache = new WeakMap<FastifyRequest, Promise<Grant[]>>();

/** The grants of the request's caller as the guard read them (with its frozen check, one statement): no second read. */
export function seedRequestGrants(req: FastifyRequest, own: Grant[], systemPacks: string[]): void {
  grantCache.set(req, Promise.resolve([...own, ...systemPackGrants(systemPacks)]));
}

export function requestGrants(ctx: ApiContext, req: FastifyRequest, principal: Principal): Promise<Grant[]> {
  let g = grantCache.get(req);
  if (!g) {
    // the identity's own grants plus what every identity may do on the system packs
    g = Promise.all([grantsOf(ctx.pool, principal.identityId), systemPackRefs(ctx.pool)]).then(([own, refs]) => [
      ...own,
      ...systemPackGrants(refs),
    ]);
    grantCache.set(req, g);
  }
  return g;
}

/** Throws 403 unless the caller holds resource:action for the target. Returns the principal. */
export async function authorize(ctx: ApiContext, req: FastifyRequest, resource: Resource, action: string, target: Target = {}): Promise<Principal> {
  const principal = await authenticate(req);
  const grants = await requestGrants(ctx, req, principal);
  if (!grantAllows(grants, resource, action, target, principal.identityId)) {
    throw forbidden(`Permission denied: ${resource}:${action}${target.ref ? ` on '${target.ref}'` : ''}`);
  }
  return principal;
}

/** Like authorize, but answers instead of throwing. */
export async function allowed(ctx: ApiContext, req: FastifyRequest, resource: Resource, action: string, target: Target = {}): Promise<boolean> {
  const principal = await authenticate(req);
  const grants = await requestGrants(ctx, req, principal);
  return grantAllows(grants, resource, action, target, principal.identityId);
}

/**
 * A SQL condition selecting the rows of `resource` the caller may `action` (default read), for list
 * endpoints. Pushes `params` it needs; returns 'TRUE' for unrestricted grants and 'FALSE' for none.
 * Grants whose constraints are only owner / pack_refs / refs / ids become SQL; others are ignored (deny).
 */
export async function scopeSql(
  ctx: ApiContext,
  req: FastifyRequest,
  resource: Resource,
  params: unknown[],
  action = 'read',
): Promise<string> {
  const principal = await authenticate(req);
  const grants = (await requestGrants(ctx, req, principal)).filter(
    (g) => (g.resource === resource || g.resource === '*') && Array.isArray(g.actions) && (g.actions.includes(action) || g.actions.includes('*')),
  );
  const own = OWNERSHIP[resource];
  const ors: string[] = [];
  // an unscoped grant on a private resource covers the caller's own rows and ownerless ones only (authz-model.ts)
  const privateRows = OWNER_PRIVATE.has(resource) && !!own && !fault('admin-role-sees-owned-packs');
  for (const g of grants) {
    const c = g.constraints ?? {};
    if (privateRows && !grantIsScoped(g)) {
      if (Object.keys(c).length === 0) {
        params.push(principal.identityId);
        ors.push(`(${own.owner} IS NULL OR ${own.owner} = $${params.length})`);
      }
      continue;
    }
    if (Object.keys(c).length === 0) return 'TRUE';
    if (!own) continue;
    const ands: string[] = [];
    let understood = true;
    for (const [key, want] of Object.entries(c)) {
      if (key === 'owner') {
        if (want === 'any') continue;
        if (want === 'self') {
          params.push(principal.identityId);
          ands.push(`${own.owner} = $${params.length}`);
        } else if (want === 'none') ands.push(`${own.owner} IS NULL`);
        else understood = false;
      } else if (key === 'pack_refs' || key === 'refs' || key === 'ids') {
        const list = listOf(want) ?? [];
        params.push(list);
        const col = key === 'pack_refs' ? own.packRef : key === 'refs' ? own.ref : own.id;
        ands.push(`${col} = ANY($${params.length})`);
      } else understood = false;
    }
    if (understood) ors.push(ands.length ? `(${ands.join(' AND ')})` : 'TRUE');
  }
  if (ors.includes('TRUE')) return 'TRUE';
  return ors.length ? `(${ors.join(' OR ')})` : 'FALSE';
}

/** The owner of one row, for authorize() targets on get/update/delete. */
export async function ownerOf(db: Queryable, resource: Resource, id: number): Promise<number | null> {
  const own = OWNERSHIP[resource];
  const table = { packs: 'pack', actions: 'action', workflows: 'workflow_definition', triggers: 'trigger', sensors: 'sensor', rules: 'rule', executions: 'execution', events: 'event', enforcements: 'enforcement', inquiries: 'inquiry', keys: 'key', identities: 'identity', policies: 'policy' }[resource as string];
  if (!own || !table) return null;
  const { rows } = await db.query(`SELECT ${own.owner} AS owner FROM ${table} WHERE ${table}.id = $1`, [id]);
  return rows[0]?.owner ?? null;
}
