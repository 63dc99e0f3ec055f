/**
 * The permission model shared by the api (request authorization, list scoping) and the notifier
 * (which frames a client may receive): grants, how their constraints match a target, who owns the
 * rows of each resource, and an identity's effective grants.
 */
import type { Queryable } from './db';
import { fault } from './faults';

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
  // a pack- or action-scoped policy belongs to its pack's owner; a global one to nobody
  policies: { owner: '(SELECT p.installed_by FROM pack p WHERE p.id = policy.pack)', packRef: 'policy.pack_ref', ref: 'policy.ref', id: 'policy.id' },
};

/** The permission sets of identity $1 (direct assignments ∪ role-bound sets). */
const PERMISSION_SETS_OF = `
  SELECT ps.grants FROM permission_set ps
   WHERE ps.id IN (SELECT pa.permset FROM permission_assignment pa WHERE pa.identity = $1)
      OR ps.id IN (SELECT psr.permset FROM permission_set_role_assignment psr
                     JOIN identity_role_assignment ira ON ira.role = psr.role
                    WHERE ira.identity = $1)`;

/** System packs (see systemPackRefs). */
const SYSTEM_PACK_REFS = 'SELECT ref FROM pack WHERE is_standard AND installed_by IS NULL ORDER BY ref';

function flattenGrants(sets: unknown[]): Grant[] {
  const grants: Grant[] = [];
  for (const g of sets) if (Array.isArray(g)) grants.push(...(g as Grant[]));
  return grants;
}

/** The effective grants of an identity (direct assignments ∪ role-bound sets). */
export async function grantsOf(db: Queryable, identityId: number): Promise<Grant[]> {
  const { rows } = await db.query(PERMISSION_SETS_OF, [identityId]);
  return flattenGrants(rows.map((r) => r.grants));
}

export interface IdentityAccess {
  frozen: boolean;
  /** grantsOf(identity) */
  grants: Grant[];
  /** systemPackRefs() */
  systemPacks: string[];
}

/**
 * What a request needs to know about its caller, in one statement: whether the identity exists (undefined when not),
 * is frozen, its grants and the system packs (the same reads as grantsOf and systemPackRefs, in one round trip).
 */
export async function identityAccess(db: Queryable, identityId: number): Promise<IdentityAccess | undefined> {
  const { rows } = await db.query(
    `SELECT i.frozen,
            (SELECT coalesce(jsonb_agg(s.grants), '[]'::jsonb) FROM (${PERMISSION_SETS_OF}) s) AS grants,
            ARRAY(${SYSTEM_PACK_REFS}) AS system_packs
       FROM identity i WHERE i.id = $1`,
    [identityId],
  );
  const row = rows[0];
  if (!row) return undefined;
  return { frozen: !!row.frozen, grants: flattenGrants(row.grants as unknown[]), systemPacks: row.system_packs as string[] };
}

export function listOf(v: unknown): unknown[] | undefined {
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

/**
 * Resources whose rows another identity owns are private (Attune's rule for packs, which we extend to what lives in a
 * pack and to keys; docs/decisions.md "Access"): a grant reaches another identity's row only when it is scoped by
 * ownership or by pack, ref or id. An unscoped grant (core.admin's) covers the caller's own rows and ownerless ones.
 */
export const OWNER_PRIVATE: ReadonlySet<string> = new Set(['packs', 'actions', 'triggers', 'sensors', 'workflows', 'keys']);
const SCOPING_CONSTRAINTS = ['owner', 'pack_refs', 'refs', 'ids'];

/** True when the grant names ownership, packs, refs or ids: the only grants that reach another identity's private rows. */
export function grantIsScoped(g: Grant): boolean {
  return !!g.constraints && SCOPING_CONSTRAINTS.some((k) => g.constraints?.[k] !== undefined);
}

/** True when `target` is a private row (OWNER_PRIVATE) that some other identity owns. */
export function isOthersPrivateRow(resource: string, target: Target, identityId: number): boolean {
  // fault admin-role-sees-owned-packs: unscoped grants reach every identity's packs, actions and keys again
  if (fault('admin-role-sees-owned-packs')) return false;
  return OWNER_PRIVATE.has(resource) && target.owner != null && target.owner !== identityId;
}

export function grantAllows(grants: Grant[], resource: Resource, action: string, target: Target, identityId: number): boolean {
  const othersRow = isOthersPrivateRow(resource, target, identityId);
  return grants.some(
    (g) =>
      (g.resource === resource || g.resource === '*') &&
      Array.isArray(g.actions) &&
      (g.actions.includes(action) || g.actions.includes('*')) &&
      (!othersRow || grantIsScoped(g)) &&
      constraintsMatch(g.constraints, target, identityId),
  );
}

/**
 * System packs: packs marked `is_standard` that nobody owns (`core`). Every identity, with or without a role, may read
 * them and what they hold and run their actions (Attune's `pack.is_standard` rule), and read its own runs of them.
 */
export async function systemPackRefs(db: Queryable): Promise<string[]> {
  const { rows } = await db.query(SYSTEM_PACK_REFS);
  return rows.map((r) => r.ref as string);
}

/** The grants every identity holds implicitly on the system packs (not shown in /auth/me: they come from no set). */
export function systemPackGrants(refs: string[]): Grant[] {
  // fault core-hidden-without-role: no implicit access to system packs (a role-less identity sees nothing)
  if (refs.length === 0 || fault('core-hidden-without-role')) return [];
  const onSystemPacks = { pack_refs: refs };
  return [
    { resource: 'packs', actions: ['read'], constraints: onSystemPacks },
    { resource: 'actions', actions: ['read', 'execute'], constraints: onSystemPacks },
    { resource: 'triggers', actions: ['read'], constraints: onSystemPacks },
    { resource: 'sensors', actions: ['read'], constraints: onSystemPacks },
    { resource: 'workflows', actions: ['read'], constraints: onSystemPacks },
    { resource: 'executions', actions: ['read'], constraints: { ...onSystemPacks, owner: 'self' } },
  ];
}

