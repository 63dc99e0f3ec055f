/**
 * "Nothing half-written": database (and pack folder) facts that a write applied only in part would
 * break, and the row counts the fuzz's 2xx answers predict. Each check returns the problems found.
 */
import { createHash, createDecipheriv } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type pg from 'pg';
import type { Ledger } from './runner';

/** Tables whose rows the fuzz may create or delete (the count check covers exactly these). */
export const TRACKED_TABLES = [
  'pack', 'action', 'workflow_definition', 'trigger', 'rule', 'event', 'enforcement', 'execution', 'key', 'identity',
  'identity_role_assignment', 'permission_set_role_assignment', 'permission_assignment', 'inquiry', 'permission_set', 'sensor', 'runtime',
];

export type Snapshot = Map<string, Set<number>>;

export async function snapshotIds(db: pg.Client): Promise<Snapshot> {
  const out: Snapshot = new Map();
  for (const t of TRACKED_TABLES) {
    const { rows } = await db.query(`SELECT id FROM "${t}"`);
    out.set(t, new Set(rows.map((r) => Number(r.id))));
  }
  return out;
}

/** Row counts after the fuzz = before + rows the 2xx answers created (companion actions of workflows included) − rows they deleted. */
export async function countProblems(db: pg.Client, before: Snapshot, ledger: Ledger): Promise<{ problems: string[]; table: string[] }> {
  const problems: string[] = [];
  const table: string[] = [];
  const after = await snapshotIds(db);
  const fresh = (t: string) => [...(ledger.created.get(t) ?? [])].filter((id) => !before.get(t)!.has(id));
  for (const t of TRACKED_TABLES) {
    const created = fresh(t);
    const derived = t === 'action' ? fresh('workflow_definition').length : 0;
    const removed = ledger.deleted.get(t) ?? 0;
    const expected = before.get(t)!.size + created.length + derived - removed;
    const actual = after.get(t)!.size;
    table.push(`${t}: ${before.get(t)!.size} → ${actual} (2xx creates ${created.length}${derived ? ` + ${derived} companions` : ''}, deletes ${removed})`);
    if (actual !== expected) problems.push(`${t}: ${actual} rows, expected ${expected} from the 2xx answers`);
    const missing = created.filter((id) => !after.get(t)!.has(id));
    if (missing.length) problems.push(`${t}: ids answered as created but absent: ${missing.slice(0, 10).join(', ')}`);
  }
  return { problems, table };
}

async function rowsOf(db: pg.Client, what: string, sql: string): Promise<string[]> {
  const { rows } = await db.query(sql);
  return rows.map((r) => `${what}: ${JSON.stringify(r)}`);
}

/** Facts every committed write keeps, whatever the input was. */
export async function consistencyProblems(db: pg.Client, opts: { encryptionKey: string; root: string; packsDir: string; registeredIds: number[] }): Promise<string[]> {
  const problems: string[] = [];
  problems.push(
    ...(await rowsOf(db, 'workflow without its companion action', `SELECT wd.id, wd.ref FROM workflow_definition wd
        WHERE NOT EXISTS (SELECT 1 FROM action a WHERE a.workflow_def = wd.id AND a.ref = wd.ref)`)),
    ...(await rowsOf(db, 'companion action whose workflow is gone or renamed', `SELECT a.id, a.ref FROM action a
        WHERE a.workflow_def IS NOT NULL AND NOT EXISTS (SELECT 1 FROM workflow_definition wd WHERE wd.id = a.workflow_def AND wd.ref = a.ref)`)),
    ...(await rowsOf(db, 'action outside its pack', `SELECT a.id, a.ref, a.pack_ref FROM action a LEFT JOIN pack p ON p.id = a.pack
        WHERE p.id IS NULL OR p.ref IS DISTINCT FROM a.pack_ref`)),
    ...(await rowsOf(db, 'workflow outside its pack', `SELECT wd.id, wd.ref FROM workflow_definition wd LEFT JOIN pack p ON p.id = wd.pack
        WHERE p.id IS NULL OR p.ref IS DISTINCT FROM wd.pack_ref`)),
    ...(await rowsOf(db, 'trigger whose pack link and pack_ref disagree', `SELECT t.id, t.ref FROM trigger t LEFT JOIN pack p ON p.id = t.pack
        WHERE (t.pack IS NULL) <> (t.pack_ref IS NULL) OR (t.pack IS NOT NULL AND p.ref IS DISTINCT FROM t.pack_ref)`)),
    ...(await rowsOf(db, 'rule outside its pack', `SELECT r.id, r.ref FROM rule r LEFT JOIN pack p ON p.id = r.pack
        WHERE p.id IS NULL OR p.ref IS DISTINCT FROM r.pack_ref`)),
    ...(await rowsOf(db, 'rule whose action link and action_ref disagree', `SELECT r.id, r.ref, r.action_ref FROM rule r LEFT JOIN action a ON a.id = r.action
        WHERE (r.action IS NOT NULL AND a.ref IS DISTINCT FROM r.action_ref)
           OR (r.action IS NULL AND EXISTS (SELECT 1 FROM action x WHERE x.ref = r.action_ref))`)),
    ...(await rowsOf(db, 'rule whose trigger link and trigger_ref disagree', `SELECT r.id, r.ref, r.trigger_ref FROM rule r LEFT JOIN trigger t ON t.id = r."trigger"
        WHERE (r."trigger" IS NOT NULL AND t.ref IS DISTINCT FROM r.trigger_ref)
           OR (r."trigger" IS NULL AND EXISTS (SELECT 1 FROM trigger x WHERE x.ref = r.trigger_ref))`)),
    ...(await rowsOf(db, 'event whose trigger link and trigger_ref disagree', `SELECT e.id, e.trigger_ref FROM event e LEFT JOIN trigger t ON t.id = e."trigger"
        WHERE e."trigger" IS NOT NULL AND t.ref IS DISTINCT FROM e.trigger_ref`)),
    ...(await rowsOf(db, 'accepted webhook call without its event', `SELECT l.id, l.event_id FROM webhook_event_log l
        WHERE l.status_code BETWEEN 200 AND 299 AND (l.event_id IS NULL OR NOT EXISTS (SELECT 1 FROM event e WHERE e.id = l.event_id))`)),
    ...(await rowsOf(db, 'webhook event without its accepted call in the log', `SELECT e.id FROM event e
        WHERE e.source_ref = 'webhook' AND NOT EXISTS (SELECT 1 FROM webhook_event_log l WHERE l.event_id = e.id AND l.status_code = 200)`)),
    ...(await rowsOf(db, 'execution whose action link and action_ref disagree', `SELECT x.id, x.action_ref FROM execution x LEFT JOIN action a ON a.id = x.action
        WHERE x.action IS NOT NULL AND a.ref IS DISTINCT FROM x.action_ref`)),
    ...(await rowsOf(db, 'key whose owner columns disagree with owner_type', `SELECT k.id, k.ref, k.owner_type FROM key k
        WHERE (k.owner_type = 'system' AND (k.owner_identity IS NOT NULL OR k.owner_pack IS NOT NULL OR k.owner_action IS NOT NULL OR k.owner_sensor IS NOT NULL))
           OR (k.owner_type = 'identity' AND k.owner_identity IS NULL)
           OR (k.owner_type = 'pack' AND k.owner_pack IS NULL)
           OR (k.owner_type = 'action' AND k.owner_action IS NULL)
           OR (k.owner_type = 'sensor' AND k.owner_sensor IS NULL)`)),
    ...(await rowsOf(db, 'identity with attributes that are not an object', `SELECT id, login FROM identity WHERE jsonb_typeof(attributes) IS DISTINCT FROM 'object'`)),
  );
  // registered through /auth/register: each must be able to log in (a stored hash)
  if (opts.registeredIds.length) {
    problems.push(
      ...(await rowsOf(db, 'registered identity without a password hash', `SELECT id, login FROM identity
          WHERE id = ANY('{${opts.registeredIds.join(',')}}'::bigint[]) AND (password_hash IS NULL OR password_hash NOT LIKE '$argon2%')`)),
    );
  }

  // encrypted keys: ciphertext that decrypts with the configured key, and the key's hash beside it
  const keyHash = createHash('sha256').update(opts.encryptionKey, 'utf8').digest('hex');
  const aes = createHash('sha256').update(opts.encryptionKey, 'utf8').digest();
  const { rows: keys } = await db.query('SELECT id, ref, encrypted, encryption_key_hash, value FROM key');
  for (const k of keys) {
    if (!k.encrypted) {
      if (k.encryption_key_hash !== null) problems.push(`plain key ${k.ref} carries an encryption key hash`);
      continue;
    }
    if (k.encryption_key_hash !== keyHash) problems.push(`encrypted key ${k.ref}: encryption_key_hash does not match the configured key`);
    try {
      if (typeof k.value !== 'string') throw new Error(`stored value is ${typeof k.value}, not ciphertext`);
      const raw = Buffer.from(k.value, 'base64');
      if (raw.length < 28 || raw.toString('base64') !== k.value) throw new Error('not base64 ciphertext');
      const d = createDecipheriv('aes-256-gcm', aes, raw.subarray(0, 12));
      d.setAuthTag(raw.subarray(raw.length - 16));
      JSON.parse(Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]).toString('utf8'));
    } catch (err) {
      problems.push(`encrypted key ${k.ref}: ${(err as Error).message}`);
    }
  }

  // pack folders: every copied/uploaded pack has its folder; every folder belongs to a pack; no scratch left over
  const { rows: packs } = await db.query(`SELECT ref, installation_method, storage_path FROM pack`);
  const refs = new Set(packs.map((p) => p.ref as string));
  for (const p of packs) {
    if (!['upload', 'local_copy'].includes(p.installation_method)) continue;
    const dir = path.resolve(opts.root, String(p.storage_path ?? ''));
    if (!p.storage_path || !fs.existsSync(path.join(dir, 'pack.yaml'))) problems.push(`pack ${p.ref} (${p.installation_method}) has no pack.yaml under ${p.storage_path}`);
  }
  const dir = path.resolve(opts.root, opts.packsDir);
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    if (name.startsWith('.')) problems.push(`scratch folder left behind in the packs folder: ${name}`);
    else if (!refs.has(name)) problems.push(`pack folder ${name} belongs to no pack`);
  }
  return problems;
}
