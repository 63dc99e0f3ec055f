/**
 * Row lookups shared by route modules, and the presenters that turn rows into response objects.
 * Every lookup returns null when the row does not exist; `require*` variants throw the 404 Attune sends.
 */
import type { Queryable } from '../common/db';
import { notFound, serialize } from './http';

export type Row = Record<string, unknown>;

/** serialize() and drop the named keys (internal helper columns). */
export function present(row: Row, omit: string[] = []): Row {
  const out = serialize(row);
  for (const k of omit) delete out[k];
  return out;
}

// --- packs -----------------------------------------------------------------------------------
export interface PackRow {
  id: number;
  ref: string;
  installed_by: number | null;
}

export async function packByRef(db: Queryable, ref: string): Promise<PackRow | null> {
  const { rows } = await db.query('SELECT id, ref, installed_by FROM pack WHERE ref = $1', [ref]);
  return (rows[0] as PackRow | undefined) ?? null;
}

export async function requirePack(db: Queryable, ref: string): Promise<PackRow> {
  const p = await packByRef(db, ref);
  if (!p) throw notFound(`Pack '${ref}' not found`);
  return p;
}

// --- actions ---------------------------------------------------------------------------------
export const ACTION_SELECT = `SELECT action.*, rt.ref AS runtime_ref,
    (SELECT p.installed_by FROM pack p WHERE p.id = action.pack) AS _owner
  FROM action LEFT JOIN runtime rt ON rt.id = action.runtime`;

export async function actionByRef(db: Queryable, ref: string): Promise<Row | null> {
  const { rows } = await db.query(`${ACTION_SELECT} WHERE action.ref = $1`, [ref]);
  return rows[0] ?? null;
}

export function presentAction(row: Row): Row {
  return present(row, ['_owner']);
}

// --- runtimes --------------------------------------------------------------------------------
/** A runtime by ref, by alias, or by (case-insensitive) name — `core.shell`, `shell`, `Shell`. */
export async function runtimeByRefOrAlias(db: Queryable, key: string): Promise<Row | null> {
  const { rows } = await db.query(
    `SELECT * FROM runtime
      WHERE ref = $1 OR lower($1) = ANY(aliases) OR lower(name) = lower($1)
      ORDER BY (ref = $1) DESC, id LIMIT 1`,
    [key],
  );
  return rows[0] ?? null;
}

export async function runtimeById(db: Queryable, id: number): Promise<Row | null> {
  const { rows } = await db.query('SELECT * FROM runtime WHERE id = $1', [id]);
  return rows[0] ?? null;
}

// --- triggers --------------------------------------------------------------------------------
export const TRIGGER_SELECT = `SELECT trigger.*, (SELECT p.installed_by FROM pack p WHERE p.id = trigger.pack) AS _owner FROM trigger`;

export async function triggerByRef(db: Queryable, ref: string): Promise<Row | null> {
  const { rows } = await db.query(`${TRIGGER_SELECT} WHERE trigger.ref = $1`, [ref]);
  return rows[0] ?? null;
}

/** TriggerResponse: the webhook key only while set; webhook_config (may hold an HMAC secret) never. */
export function presentTrigger(row: Row): Row {
  const out = present(row, ['_owner', 'webhook_config']);
  if (out.webhook_key === null || out.webhook_key === undefined) delete out.webhook_key;
  return out;
}

// --- rules -----------------------------------------------------------------------------------
export async function ruleByRef(db: Queryable, ref: string): Promise<Row | null> {
  const { rows } = await db.query('SELECT * FROM rule WHERE ref = $1', [ref]);
  return rows[0] ?? null;
}

// --- identities ------------------------------------------------------------------------------
export async function identityById(db: Queryable, id: number): Promise<Row | null> {
  const { rows } = await db.query('SELECT * FROM identity WHERE id = $1', [id]);
  return rows[0] ?? null;
}

export async function requireIdentity(db: Queryable, id: number): Promise<Row> {
  const row = await identityById(db, id);
  if (!row) throw notFound(`Identity with ID ${id} not found`);
  return row;
}

// --- misc ------------------------------------------------------------------------------------
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The pack part of a `pack.name` ref. */
export function packOfRef(ref: string): string {
  const i = ref.indexOf('.');
  return i < 0 ? ref : ref.slice(0, i);
}
