import type { FastifyRequest } from 'fastify';
import type { Queryable } from '../common/db';
import type { ApiContext, Principal } from './context';
import { authenticate } from './context';
import { forbidden } from './http';

/**
 * Attune's permission model: an identity's grants are the union of the permission sets assigned to
 * it directly and those bound to any role it holds. A grant is {resource, actions[], constraints?};
 * every constraint present must match the target; no constraints = unrestricted.
 *
 * Ownership (our reading of the `owner` constraint, recorded in docs/decisions.md): a pack is owned
 * by the identity that created/registered it (pack.installed_by); actions, triggers and sensors by
 * their pack's owner; a rule by rule.owner_identity; an execution by execution.executor; an event by
 * its rule's owner, else by its trigger's pack owner; an enforcement by its rule's owner; a key by
 * owner_identity / the owning pack's (action's, sensor's) owner; system keys by nobody.
 */
export interface Grant {
  resource: string;
  actions: string[];
  constraints?: Record<string, unknown>;
}

export type Resource =
  | 'packs' | 'actions' | 'rules' | 'triggers' | 'sensors' | 'executions' | 'events' | 'enforcements'
  | 'inquiries' | 'keys' | 'artifacts' | 'identities' | 'permissions' | 'workflows' | 'runtimes' | 'policies' | 'workers';

/** What a grant's constraints are checked against. Unknown fields simply do not match. */
export interface Target {
  pack_ref?: string | null;
  owner?: number | null;
  ref?: string | null;
  id?: number | null;
  owner_type?: string | null;
  encrypted?: boolean | null;
}

/** SQL expressions (table referenced by its own name) for the owner and pack of each resource's rows. */
export const OWNERSHIP: Record<string, { owner: string; packRef: string; ref: string; id: string }> = {
  packs: { owner: 'pack.installed_by', packRef: 'pack.ref', ref: 'pack.ref', id: 'pack.id' },
  actions: { owner: '(SELECT p.installed_by FROM pack p WHERE p.id = action.pack)', packRef: 'action.pack_ref', ref: 'action.ref', id: 'action.id' },
  workflows: {
    owner: '(SELECT p.installed_by FROM pack p WHERE p.id = workflow_definition.pack)',
    packRef: 'workflow_definition.pack_ref', ref: 'workflow_definition.ref', id: 'workflow_definition.id',
  },
  triggers: { owner: '(SELECT p.installed_by FROM pack p WHERE p.id = trigger.pack)', packRef: 'trigger.pack_ref', ref: 'trigger.ref', id: 'trigger.id' },
  sensors: { owner: '(SELECT p.installed_by FROM pack p WHERE p.id = sensor.pack)', packRef: 'sensor.pack_ref', ref: 'sensor.ref', id: 'sensor.id' },
  rules: { owner: 'rule.owner_identity', packRef: 'rule.pack_ref', ref: 'rule.ref', id: 'rule.id' },
  executions: { owner: 'execution.executor', packRef: "split_part(execution.action_ref, '.', 1)", ref: 'execution.action_ref', id: 'execution.id' },
  events: {
    owner:
      'COALESCE((SELECT r.owner_identity FROM rule r WHERE r.id = event.rule), (SELECT p.installed_by FROM trigger t JOIN pack p ON p.id = t.pack WHERE t.id = event.trigger))',
    packRef: "split_part(event.trigger_ref, '.', 1)", ref: 'event.trigger_ref', id: 'event.id',
  },
  enforcements: { owner: '(SELECT r.owner_identity FROM rule r WHERE r.id = enforcement.rule)', packRef: "split_part(enforcement.rule_ref, '.', 1)", ref: 'enforcement.rule_ref', id: 'enforcement.id' },
  inquiries: { owner: '(SELECT e.executor FROM execution e WHERE e.id = inquiry.execution)', packRef: 'NULL', ref: 'NULL', id: 'inquiry.id' },
  keys: {
    owner: `(CASE key.owner_type
      WHEN 'identity' THEN key.owner_identity
      WHEN 'pack' THEN (SELECT p.installed_by FROM pack p WHERE p.id = key.owner_pack)
      WHEN 'action' THEN (SELECT p.installed_by FROM action a JOIN pack p ON p.id = a.pack WHERE a.id = key.owner_action)
      WHEN 'sensor' THEN (SELECT p.installed_by FROM sensor s JOIN pack p ON p.id = s.pack WHERE s.id = key.owner_sensor)
      ELSE NULL END)`,
    packRef: 'key.owner_pack_ref', ref: 'key.ref', id: 'key.id',
  },
  identities: { owner: 'identity.id', packRef: 'NULL', ref: 'identity.login', id: 'identity.id' },
};

/** The effective grants of an identity (direct assignments ∪ role-bound sets). */
export async function grantsOf(db: Queryable, identityId: number): Promise<Grant[]> {
  const { rows } = await db.query(
    `SELECT ps.grants FROM permission_set ps
       WHERE ps.id IN (SELECT pa.permset FROM permission_assignment pa WHERE pa.identity = $1)
          OR ps.id IN (SELECT psr.permset FROM permission_set_role_assignment psr
                         JOIN identity_role_assignment ira ON ira.role = psr.role
                        WHERE ira.identity = $1)`,
    [identityId],
  );
  const grants: Grant[] = [];
  for (const r of rows) if (Array.isArray(r.grants)) grants.push(...(r.grants as Grant[]));
  return grants;
}

const grantCache = new WeakMap<FastifyRequest, Promise<Grant[]>>();

export function requestGrants(ctx: ApiContext, req: FastifyRequest, principal: Principal): Promise<Grant[]> {
  let g = grantCache.get(req);
  if (!g) {
    g = grantsOf(ctx.pool, principal.identityId);
    grantCache.set(req, g);
  }
  return g;
}

function listOf(v: unknown): unknown[] | undefined {
  return Array.isArray(v) ? v : v === undefined || v === null ? undefined : [v];
}

/** True when every constraint of the grant holds for the target. */
export function constraintsMatch(constraints: Record<string, unknown> | undefined, target: Target, identityId: number): boolean {
  if (!constraints) return true;
  for (const [key, want] of Object.entries(constraints)) {
    switch (key) {
      case 'pack_refs': {
        const refs = listOf(want);
        if (!refs || target.pack_ref == null || !refs.includes(target.pack_ref)) return false;
        break;
      }
      case 'owner':
        if (want === 'self' && target.owner !== identityId) return false;
        if (want === 'none' && target.owner != null) return false;
        if (want !== 'self' && want !== 'any' && want !== 'none') return false;
        break;
      case 'refs': {
        const refs = listOf(want);
        if (!refs || target.ref == null || !refs.includes(target.ref)) return false;
        break;
      }
      case 'ids': {
        const ids = listOf(want);
        if (!ids || target.id == null || !ids.includes(target.id)) return false;
        break;
      }
      case 'owner_types': {
        const types = listOf(want);
        if (!types || target.owner_type == null || !types.includes(target.owner_type)) return false;
        break;
      }
      case 'encrypted':
        if (target.encrypted == null || target.encrypted !== want) return false;
        break;
      default:
        return false; // a constraint we do not understand never widens access
    }
  }
  return true;
}

export function grantAllows(grants: Grant[], resource: Resource, action: string, target: Target, identityId: number): boolean {
  return grants.some(
    (g) =>
      (g.resource === resource || g.resource === '*') &&
      Array.isArray(g.actions) &&
      (g.actions.includes(action) || g.actions.includes('*')) &&
      constraintsMatch(g.constraints, target, identityId),
  );
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
  for (const g of grants) {
    const c = g.constraints ?? {};
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
  const table = { packs: 'pack', actions: 'action', workflows: 'workflow_definition', triggers: 'trigger', sensors: 'sensor', rules: 'rule', executions: 'execution', events: 'event', enforcements: 'enforcement', inquiries: 'inquiry', keys: 'key', identities: 'identity' }[resource as string];
  if (!own || !table) return null;
  const { rows } = await db.query(`SELECT ${own.owner} AS owner FROM ${table} WHERE ${table}.id = $1`, [id]);
  return rows[0]?.owner ?? null;
}
