/**
 * Which notifications a client may receive: every delivery is filtered by the caller's RBAC
 * visibility (the same `read` a REST get of the entity would need).
 *
 * For each notification the entity's subject is worked out ONCE (one SQL query for owned entity
 * types, none otherwise); each client's decision is then a pure check of its cached grants.
 *   execution / event / enforcement / inquiry → read on that resource for {owner, pack_ref, ref, id};
 *     (an inquiry's owner is its execution's `executor`; its assignee receives its frames too)
 *   other known entity types                  → only clients holding an unconstrained read grant;
 *   unknown entity types                      → nobody.
 */
import { grantAllows, OWNERSHIP, type Grant, type Resource, type Target } from '../common/authz-model';
import type { Queryable } from '../common/db';
import type { NotificationFrame } from './frames';

/** Entity types whose rows have an owner, with the resource guarding them and its table. */
export const OWNED_ENTITY_TYPES: Record<string, { resource: Resource; table: string }> = {
  execution: { resource: 'executions', table: 'execution' },
  event: { resource: 'events', table: 'event' },
  enforcement: { resource: 'enforcements', table: 'enforcement' },
  inquiry: { resource: 'inquiries', table: 'inquiry' },
};

/** Other entity types that may appear in notifications: visible only to unconstrained readers. */
export const UNOWNED_ENTITY_TYPES: Record<string, Resource> = {
  artifact: 'artifacts',
  pack: 'packs',
  action: 'actions',
  rule: 'rules',
  trigger: 'triggers',
  sensor: 'sensors',
  key: 'keys',
  identity: 'identities',
  permission: 'permissions',
  workflow: 'workflows',
  runtime: 'runtimes',
  policy: 'policies',
  worker: 'workers',
};

/** What a notification is about, as far as visibility goes. */
export type Subject =
  | { kind: 'owned'; resource: Resource; target: Target; /** also visible to this identity (an inquiry's assignee) */ alsoTo?: number | null }
  | { kind: 'unconstrained-only'; resource: Resource }
  | { kind: 'nobody' };

/** The SQL that reads owner, pack ref and ref of one row of an owned entity type ($1 = id). */
export function subjectSql(entityType: string): string | undefined {
  const owned = OWNED_ENTITY_TYPES[entityType];
  if (!owned) return undefined;
  const own = OWNERSHIP[owned.resource];
  const extra = entityType === 'inquiry' ? ', inquiry.assigned_to AS also_to' : '';
  return `SELECT ${own.owner} AS owner, ${own.packRef} AS pack_ref, ${own.ref} AS ref${extra} FROM ${owned.table} WHERE ${owned.table}.id = $1`;
}

/**
 * The subject of one notification: one query for owned entity types. A row that is gone (or a
 * frame without a row id) keeps only its id, so owner- and pack-scoped grants do not match it.
 */
export async function subjectOf(
  db: Queryable,
  frame: Pick<NotificationFrame, 'entity_type' | 'entity_id'> & { payload?: Record<string, unknown> },
): Promise<Subject> {
  const fromPayload = executionSubjectFromPayload(frame);
  if (fromPayload) return fromPayload;
  const owned = OWNED_ENTITY_TYPES[frame.entity_type];
  if (owned) {
    const sql = subjectSql(frame.entity_type)!;
    const { rows } = await db.query(sql, [frame.entity_id]);
    const row = rows[0] as { owner: number | null; pack_ref: string | null; ref: string | null; also_to?: number | string | null } | undefined;
    const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
    const subject: Subject = {
      kind: 'owned',
      resource: owned.resource,
      target: { owner: num(row?.owner), pack_ref: row?.pack_ref ?? null, ref: row?.ref ?? null, id: frame.entity_id },
    };
    if (row?.also_to !== undefined && row.also_to !== null) subject.alsoTo = Number(row.also_to);
    return subject;
  }
  const resource = UNOWNED_ENTITY_TYPES[frame.entity_type];
  return resource ? { kind: 'unconstrained-only', resource } : { kind: 'nobody' };
}

/**
 * The subject of an execution frame read from its own payload, with no query: the execution payloads of
 * execution_created / execution_status_changed are built from the row in the transaction that changed it and carry
 * what visibility needs (`executor` = the owner, `action_ref` = ref and pack). Frames without both (e.g.
 * workflow_execution_status_changed) are looked up. Saves one database round trip per frame on the hot path.
 */
export function executionSubjectFromPayload(frame: { entity_type: string; entity_id: number; payload?: Record<string, unknown> }): Subject | undefined {
  const p = frame.payload;
  if (frame.entity_type !== 'execution' || !p || !('executor' in p) || typeof p.action_ref !== 'string') return undefined;
  const owner = p.executor === null || p.executor === undefined ? null : Number(p.executor);
  if (owner !== null && !Number.isSafeInteger(owner)) return undefined;
  const ref = p.action_ref;
  const dot = ref.indexOf('.');
  return { kind: 'owned', resource: 'executions', target: { owner, pack_ref: dot < 0 ? ref : ref.slice(0, dot), ref, id: frame.entity_id } };
}

function unconstrainedRead(grants: Grant[], resource: Resource): boolean {
  return grants.some(
    (g) =>
      (g.resource === resource || g.resource === '*') &&
      Array.isArray(g.actions) &&
      (g.actions.includes('read') || g.actions.includes('*')) &&
      (!g.constraints || Object.keys(g.constraints).length === 0),
  );
}

/** The per-client decision: may an identity holding these grants receive a frame about this subject? */
export function mayReceive(grants: Grant[], identityId: number, subject: Subject): boolean {
  switch (subject.kind) {
    case 'owned':
      if (subject.alsoTo !== undefined && subject.alsoTo !== null && subject.alsoTo === identityId) return true;
      return grantAllows(grants, subject.resource, 'read', subject.target, identityId);
    case 'unconstrained-only':
      return unconstrainedRead(grants, subject.resource);
    case 'nobody':
      return false;
  }
}

/** The error an unauthorized subscription is answered with (Attune's words). */
export const UNAUTHORIZED_SUBSCRIPTION = 'Unauthorized to subscribe to requested filter';

/** Whether some grant lets the identity read that resource at all (whatever its constraints). */
function readsResource(grants: Grant[], resource: Resource): boolean {
  return grants.some(
    (g) => (g.resource === resource || g.resource === '*') && Array.isArray(g.actions) && (g.actions.includes('read') || g.actions.includes('*')),
  );
}

/**
 * Whether a client may subscribe with a filter (checked at subscribe time; every frame is still filtered by
 * readability): `user:<id>` only for its own identity (or an unconstrained reader of identities); `entity_type:<t>` and
 * `entity:<t>:<id>` only with a read grant on that entity type's resource. `all`, `notification_type:` and
 * `trigger_ref:` are open (what reaches the client is still only what it may read).
 */
export function maySubscribe(grants: Grant[], identityId: number, filter: { kind: string; userId?: number; entityType?: string }): boolean {
  if (filter.kind === 'user') return filter.userId === identityId || unconstrainedRead(grants, 'identities');
  if ((filter.kind === 'entity_type' || filter.kind === 'entity') && filter.entityType !== undefined) {
    const resource = OWNED_ENTITY_TYPES[filter.entityType]?.resource ?? UNOWNED_ENTITY_TYPES[filter.entityType];
    return resource === undefined || readsResource(grants, resource);
  }
  return true;
}
