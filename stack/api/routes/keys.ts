import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Queryable } from '../../common/db';
import { withTransaction } from '../../common/db';
import { decryptJson, encryptJson, encryptionKeyHash } from '../../common/crypto';
import { fault } from '../../common/faults';
import { allowed, authorize, ownerOf, Target } from '../authz';
import type { ApiContext } from '../context';
import { guard, principalOf } from '../guards';
import { badRequest, conflict, deleted, notFound, ok, pageOf, parsePaging, validationError } from '../http';
import { present, Row } from '../lookups';
import {
  anyJson, bearer, dataOf, errors, KeyResponse, KeySummary, nbool, nint, nstr, object, ownerType, pageQuery, pageSchema, refParams,
  str, SuccessResponse,
} from '../openapi';
import { asJson } from '../patch';
import { listScope } from '../scope';

const tags = ['secrets'];
// fault keys-ttl-ignored: expires_at is still stored and echoed, but an expired key keeps being served
const LIVE = fault('keys-ttl-ignored') ? 'TRUE' : '(key.expires_at IS NULL OR key.expires_at > now())';
const TTL_NOTE =
  'Project extension: `ttl_seconds` (integer >= 1) sets expires_at = now + ttl (null on update removes the expiry); an expired key behaves as missing — 404 on get, absent from lists, never merged into action input.';

interface KeyBody {
  ref: string;
  owner_type: 'system' | 'identity' | 'pack' | 'action' | 'sensor';
  owner?: string | null;
  owner_identity?: number | null;
  owner_pack?: number | null;
  owner_pack_ref?: string | null;
  owner_action?: number | null;
  owner_action_ref?: string | null;
  owner_sensor?: number | null;
  owner_sensor_ref?: string | null;
  name: string;
  value: unknown;
  encrypted?: boolean;
  ttl_seconds?: number | null;
}

interface ResolvedOwner {
  columns: Record<string, number | null>;
  /** The `owner` text the database computes ('system' or the owning row id). */
  ownerText: string;
  /** The identity that owns the key for RBAC (null for system keys). */
  ownerIdentity: number | null;
  packRef: string | null;
}

async function one(db: Queryable, sql: string, value: unknown): Promise<Row | undefined> {
  return (await db.query(sql, [value])).rows[0];
}

/** Resolves the owner_* fields of a create request (refs to ids); 400 when an owner does not exist. */
async function resolveOwner(db: Queryable, b: KeyBody, callerId: number): Promise<ResolvedOwner> {
  const none = { owner_identity: null, owner_pack: null, owner_action: null, owner_sensor: null };
  const own: Record<string, string[]> = {
    system: [],
    identity: ['owner_identity'],
    pack: ['owner_pack', 'owner_pack_ref'],
    action: ['owner_action', 'owner_action_ref'],
    sensor: ['owner_sensor', 'owner_sensor_ref'],
  };
  for (const field of Object.values(own).flat()) {
    const v = (b as unknown as Record<string, unknown>)[field];
    if (v !== undefined && v !== null && !own[b.owner_type].includes(field)) {
      throw validationError(`${field}: not allowed for owner_type ${b.owner_type}`);
    }
  }
  switch (b.owner_type) {
    case 'system':
      return { columns: none, ownerText: 'system', ownerIdentity: null, packRef: null };
    case 'identity': {
      const id = b.owner_identity ?? callerId;
      if (!(await one(db, 'SELECT id FROM identity WHERE id = $1', id))) throw badRequest(`Identity with ID ${id} not found`);
      return { columns: { ...none, owner_identity: id }, ownerText: String(id), ownerIdentity: id, packRef: null };
    }
    case 'pack': {
      const p = b.owner_pack != null
        ? await one(db, 'SELECT id, ref, installed_by FROM pack WHERE id = $1', b.owner_pack)
        : b.owner_pack_ref ? await one(db, 'SELECT id, ref, installed_by FROM pack WHERE ref = $1', b.owner_pack_ref) : undefined;
      if (!p) throw badRequest(b.owner_pack != null || b.owner_pack_ref ? `Pack '${b.owner_pack_ref ?? b.owner_pack}' not found` : 'owner_pack or owner_pack_ref is required for owner_type pack');
      return { columns: { ...none, owner_pack: p.id as number }, ownerText: String(p.id), ownerIdentity: (p.installed_by as number | null) ?? null, packRef: p.ref as string };
    }
    case 'action': {
      const sql = `SELECT a.id, a.ref, p.installed_by FROM action a JOIN pack p ON p.id = a.pack WHERE a.${b.owner_action != null ? 'id' : 'ref'} = $1`;
      const key = b.owner_action ?? b.owner_action_ref;
      const a = key != null ? await one(db, sql, key) : undefined;
      if (!a) throw badRequest(key != null ? `Action '${key}' not found` : 'owner_action or owner_action_ref is required for owner_type action');
      return { columns: { ...none, owner_action: a.id as number }, ownerText: String(a.id), ownerIdentity: (a.installed_by as number | null) ?? null, packRef: null };
    }
    case 'sensor': {
      const sql = `SELECT s.id, s.ref, p.installed_by FROM sensor s LEFT JOIN pack p ON p.id = s.pack WHERE s.${b.owner_sensor != null ? 'id' : 'ref'} = $1`;
      const key = b.owner_sensor ?? b.owner_sensor_ref;
      const s = key != null ? await one(db, sql, key) : undefined;
      if (!s) throw badRequest(key != null ? `Sensor '${key}' not found` : 'owner_sensor or owner_sensor_ref is required for owner_type sensor');
      return { columns: { ...none, owner_sensor: s.id as number }, ownerText: String(s.id), ownerIdentity: (s.installed_by as number | null) ?? null, packRef: null };
    }
  }
}

function encryptionKey(ctx: ApiContext): string {
  const k = ctx.cfg.security.encryption_key;
  if (!k || k.length < 32) throw badRequest('Encryption key is not configured (security.encryption_key)');
  return k;
}

async function keyTarget(ctx: ApiContext, row: Row): Promise<Target> {
  return {
    owner: await ownerOf(ctx.pool, 'keys', row.id as number),
    owner_type: row.owner_type as string,
    pack_ref: (row.owner_pack_ref as string | null) ?? null,
    ref: row.ref as string,
    id: row.id as number,
    encrypted: row.encrypted as boolean,
  };
}

/** What an encrypted key's value is stored as (fault keys-stored-plaintext: the value itself, still marked encrypted). */
function seal(ctx: ApiContext, value: unknown): unknown {
  return fault('keys-stored-plaintext') ? value : encryptJson(value, encryptionKey(ctx));
}

/** The stored value in clear (decrypting when needed); throws when it cannot be decrypted. */
function plaintextOf(ctx: ApiContext, row: Row): unknown {
  if (!row.encrypted || fault('keys-stored-plaintext')) return row.value;
  if (typeof row.value !== 'string') throw new Error('encrypted key value is not a string');
  return decryptJson(row.value, encryptionKey(ctx));
}

/** KeyResponse with the given value. */
function presentKey(row: Row, value: unknown): Row {
  return { ...present(row, ['encryption_key_hash', 'value']), value };
}

/** The value a caller sees: plain values as stored; encrypted ones only with keys:decrypt, else null. */
async function visibleValue(ctx: ApiContext, req: FastifyRequest, row: Row, target: Target): Promise<unknown> {
  if (!row.encrypted) return row.value;
  if (!(await allowed(ctx, req, 'keys', 'decrypt', target))) return null;
  try {
    return plaintextOf(ctx, row);
  } catch (err) {
    ctx.log.warn({ err, key: row.ref }, 'could not decrypt key value');
    return null;
  }
}

/**
 * A write (update, delete) on an existing key: a key the caller may neither read nor write is hidden (404); one it
 * may read but not write is a 403. Execution tokens are held to exactly the same rules as their identity.
 */
async function writableKeyOr404(ctx: ApiContext, req: FastifyRequest, action: 'update' | 'delete', target: Target, missing: string): Promise<void> {
  // fault execution-token-cross-tenant: an execution token may change or delete any key
  if (fault('execution-token-cross-tenant') && principalOf(req).tokenType === 'execution') return;
  if (!(await allowed(ctx, req, 'keys', 'read', target)) && !(await allowed(ctx, req, 'keys', action, target))) throw notFound(missing);
  await authorize(ctx, req, 'keys', action, target);
}

/**
 * The live key a request names by ref. A ref is unique per owner, so several owners may hold one: the caller's own
 * identity key comes first, then keys of no identity (system, pack, action, sensor), then other identities' keys; the
 * first the caller may read (or may do `action` on) is the one meant. When the caller may touch none of them, the
 * first is returned and the route answers 404 for it as for any key it may not see.
 */
async function keyByRef(ctx: ApiContext, req: FastifyRequest, ref: string, action: 'read' | 'update' | 'delete'): Promise<Row | undefined> {
  const { rows } = await ctx.pool.query(
    `SELECT * FROM key WHERE ref = $1 AND ${LIVE}
      ORDER BY (owner_type = 'identity' AND owner_identity = $2) DESC, (owner_type = 'identity') ASC, id`,
    [ref, principalOf(req).identityId],
  );
  if (rows.length <= 1) return rows[0];
  for (const row of rows) {
    const target = await keyTarget(ctx, row);
    if ((await allowed(ctx, req, 'keys', 'read', target)) || (action !== 'read' && (await allowed(ctx, req, 'keys', action, target)))) return row;
  }
  return rows[0];
}

const ownerFields = {
  owner: { ...nstr, description: 'ignored: computed by the server' },
  owner_identity: { ...nint, description: 'owner_type identity (defaults to the caller)' },
  owner_pack: nint, owner_pack_ref: nstr,
  owner_action: nint, owner_action_ref: nstr,
  owner_sensor: nint, owner_sensor_ref: nstr,
};

/** /api/v1/keys: the key/secret store (keys:read/create/update/delete, keys:decrypt to see encrypted values). */
export function registerKeyRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const auth = guard(ctx);

  app.get<{ Querystring: Record<string, unknown> }>('/api/v1/keys', {
    onRequest: auth,
    schema: {
      tags, summary: 'List keys the caller may read (values never included)', security: bearer, description: TTL_NOTE,
      querystring: object({ ...pageQuery, owner_type: ownerType, owner: str }),
      response: { 200: pageSchema(KeySummary, 'List of keys (values redacted)'), ...errors(400, 401, 403) },
    },
  }, async (req) => {
    const paging = parsePaging(req.query, 50);
    const params: unknown[] = [];
    const where = [await listScope(ctx, req, 'keys', params, { forbidWhenNone: true }), LIVE];
    if (typeof req.query.owner_type === 'string') {
      params.push(req.query.owner_type);
      where.push(`key.owner_type = $${params.length}::owner_type_enum`);
    }
    if (typeof req.query.owner === 'string') {
      params.push(req.query.owner);
      where.push(`key.owner = $${params.length}`);
    }
    const cond = where.join(' AND ');
    const total = Number((await ctx.pool.query(`SELECT count(*) AS n FROM key WHERE ${cond}`, params)).rows[0].n);
    const { rows } = await ctx.pool.query(
      `SELECT key.id, key.ref, key.owner_type, key.owner, key.owner_identity, key.owner_pack, key.owner_pack_ref, key.owner_action,
              key.owner_action_ref, key.owner_sensor, key.owner_sensor_ref, key.name, key.encrypted, key.expires_at, key.created, key.updated
         FROM key WHERE ${cond} ORDER BY key.ref LIMIT ${paging.limit} OFFSET ${paging.offset}`,
      params,
    );
    return pageOf(rows.map((r) => present(r)), paging, total);
  });

  app.get<{ Params: { ref: string } }>('/api/v1/keys/:ref', {
    onRequest: auth,
    schema: {
      tags, summary: 'Get a key (404 when missing, expired or not readable; encrypted values need keys:decrypt)', security: bearer,
      params: refParams(), description: TTL_NOTE,
      response: { 200: dataOf(KeyResponse, 'Key details with decrypted value'), ...errors(401, 404) },
    },
  }, async (req) => {
    const row = await keyByRef(ctx, req, req.params.ref, 'read');
    const missing = `Key '${req.params.ref}' not found`;
    if (!row) throw notFound(missing);
    const target = await keyTarget(ctx, row);
    // fault identity-key-readable-by-others: anyone may read an identity-owned key, its value decrypted
    if (fault('identity-key-readable-by-others') && row.owner_type === 'identity') return ok(presentKey(row, plaintextOf(ctx, row)));
    // fault tenant-get-unscoped: a get by ref answers whatever the caller's scope
    if (!fault('tenant-get-unscoped') && !(await allowed(ctx, req, 'keys', 'read', target))) throw notFound(missing);
    return ok(presentKey(row, await visibleValue(ctx, req, row, target)));
  });

  app.post<{ Body: KeyBody }>('/api/v1/keys', {
    onRequest: auth,
    schema: {
      tags, summary: 'Create a key/secret', security: bearer, description: TTL_NOTE,
      body: object(
        {
          ref: { type: 'string', minLength: 1, maxLength: 255, description: 'lower-case, dot-separated' },
          owner_type: ownerType,
          ...ownerFields,
          name: { type: 'string', minLength: 1, maxLength: 255, description: 'the name actions see the value under' },
          value: { ...anyJson, description: 'any JSON value' },
          encrypted: { type: 'boolean', default: false },
          ttl_seconds: { type: ['integer', 'null'], minimum: 1, description: 'project extension: expire the key after this many seconds' },
        },
        ['ref', 'owner_type', 'name', 'value'],
      ),
      response: { 201: dataOf(KeyResponse, 'Key created successfully'), ...errors(400, 401, 403, 409, 422) },
    },
  }, async (req, reply) => {
    const b = req.body;
    // fault key-bodies-logged: the API logs the bodies of key requests, values included
    if (fault('key-bodies-logged')) ctx.log.info({ method: req.method, url: req.url, body: b }, 'key request');
    const principal = principalOf(req);
    const owner = await resolveOwner(ctx.pool, b, principal.identityId);
    await authorize(ctx, req, 'keys', 'create', {
      owner: owner.ownerIdentity, owner_type: b.owner_type, pack_ref: owner.packRef, ref: b.ref, encrypted: b.encrypted ?? false,
    });
    const encrypted = b.encrypted ?? false;
    const stored = encrypted ? seal(ctx, b.value) : b.value;
    const row = await withTransaction(ctx.pool, async (c) => {
      // An expired key is gone: it neither blocks its ref nor its name for its owner.
      await c.query(
        `DELETE FROM key WHERE expires_at IS NOT NULL AND expires_at <= now()
            AND owner_type = $2::owner_type_enum AND owner = $3 AND (ref = $1 OR name = $4)`,
        [b.ref, b.owner_type, owner.ownerText, b.name],
      );
      // A ref is unique per owner: a key of another owner under the same ref is no conflict, so creating one tells
      // the caller nothing about keys it may not see (docs/decisions.md, "Key refs are scoped to their owner").
      // fault key-ref-conflict-across-owners: any key under the ref, whoever owns it, answers 409
      const sameRef = fault('key-ref-conflict-across-owners')
        ? await c.query('SELECT 1 FROM key WHERE ref = $1', [b.ref])
        : await c.query('SELECT 1 FROM key WHERE ref = $1 AND owner_type = $2::owner_type_enum AND owner = $3', [b.ref, b.owner_type, owner.ownerText]);
      if (sameRef.rowCount) throw conflict(`Key with ref '${b.ref}' already exists`);
      if ((await c.query('SELECT 1 FROM key WHERE owner_type = $1::owner_type_enum AND owner = $2 AND name = $3', [b.owner_type, owner.ownerText, b.name])).rowCount) {
        throw conflict(`Key with name '${b.name}' already exists for this owner`);
      }
      const { rows } = await c.query(
        `INSERT INTO key (ref, owner_type, owner, owner_identity, owner_pack, owner_pack_ref, owner_action, owner_action_ref,
                          owner_sensor, owner_sensor_ref, name, encrypted, encryption_key_hash, value, expires_at, created_by)
         VALUES ($1, $2::owner_type_enum, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb,
                 CASE WHEN $15::int IS NULL THEN NULL ELSE now() + make_interval(secs => $15::int) END, $16)
         RETURNING *`,
        [
          b.ref, b.owner_type, owner.ownerText, owner.columns.owner_identity, owner.columns.owner_pack, null,
          owner.columns.owner_action, null, owner.columns.owner_sensor, null, b.name, encrypted,
          encrypted ? encryptionKeyHash(ctx.cfg.security.encryption_key) : null, asJson(stored), b.ttl_seconds ?? null, principal.identityId,
        ],
      );
      return rows[0];
    }).catch((err: unknown) => {
      // two creates of one ref (or name) by one owner at once: the unique index decides, the loser gets the 409
      if ((err as { code?: string }).code === '23505') throw conflict(`Key with ref '${b.ref}' or name '${b.name}' already exists for this owner`);
      throw err;
    });
    reply.code(201);
    return ok(presentKey(row, b.value), 'Key created successfully');
  });

  app.put<{ Params: { ref: string }; Body: { name?: string | null; value?: unknown; encrypted?: boolean | null; ttl_seconds?: number | null } | null }>('/api/v1/keys/:ref', {
    onRequest: auth,
    schema: {
      tags, summary: 'Update a key (name, value, encrypted, ttl_seconds)', security: bearer, params: refParams(), description: TTL_NOTE,
      body: object(
        {
          name: { type: ['string', 'null'], minLength: 1, maxLength: 255 },
          value: { ...anyJson, description: 'new value (any JSON but null); absent keeps the current value, null is refused with 422' },
          encrypted: nbool,
          ttl_seconds: { type: ['integer', 'null'], minimum: 1, description: 'project extension: new time-to-live from now; null removes the expiry' },
        },
        [],
        { type: ['object', 'null'] },
      ),
      response: { 200: dataOf(KeyResponse, 'Key updated successfully'), ...errors(400, 401, 403, 404, 409, 422) },
    },
  }, async (req) => {
    const row = await keyByRef(ctx, req, req.params.ref, 'update');
    const missing = `Key '${req.params.ref}' not found`;
    if (!row) throw notFound(missing);
    const target = await keyTarget(ctx, row);
    await writableKeyOr404(ctx, req, 'update', target, missing);
    const b = req.body ?? {};
    if (fault('key-bodies-logged')) ctx.log.info({ method: req.method, url: req.url, body: b }, 'key request');
    // A null value is not "keep the current one" (an absent value is): refused, so nobody believes a value was cleared.
    // fault key-null-update-kept: null silently keeps the current value (200)
    if (b.value === null && !fault('key-null-update-kept')) {
      throw validationError("value must not be null: omit 'value' to keep the key's current value, or give the new value");
    }
    const newValue = b.value !== undefined && b.value !== null;
    const encrypted = typeof b.encrypted === 'boolean' ? b.encrypted : (row.encrypted as boolean);
    const sets: string[] = [];
    const params: unknown[] = [row.id];
    let plain: unknown = undefined;
    if (newValue || encrypted !== row.encrypted) {
      if (newValue) plain = b.value;
      else {
        try {
          plain = plaintextOf(ctx, row);
        } catch {
          throw badRequest('The stored value cannot be decrypted with the configured encryption key');
        }
      }
      params.push(asJson(encrypted ? seal(ctx, plain) : plain));
      sets.push(`value = $${params.length}::jsonb`);
      params.push(encrypted);
      sets.push(`encrypted = $${params.length}`);
      params.push(encrypted ? encryptionKeyHash(ctx.cfg.security.encryption_key) : null);
      sets.push(`encryption_key_hash = $${params.length}`);
    }
    if (typeof b.name === 'string') {
      params.push(b.name);
      sets.push(`name = $${params.length}`);
    }
    if (b.ttl_seconds === null) sets.push('expires_at = NULL');
    else if (typeof b.ttl_seconds === 'number') {
      params.push(b.ttl_seconds);
      sets.push(`expires_at = now() + make_interval(secs => $${params.length}::int)`);
    }
    let updated = row;
    if (sets.length) {
      try {
        updated = (await ctx.pool.query(`UPDATE key SET ${sets.join(', ')} WHERE id = $1 RETURNING *`, params)).rows[0];
      } catch (err) {
        if ((err as { code?: string }).code === '23505') throw conflict(`Key with name '${b.name}' already exists for this owner`);
        throw err;
      }
    }
    const value = plain !== undefined && newValue ? plain : await visibleValue(ctx, req, updated, target);
    return ok(presentKey(updated, value), 'Key updated successfully');
  });

  app.delete<{ Params: { ref: string } }>('/api/v1/keys/:ref', {
    onRequest: auth,
    schema: {
      tags, summary: 'Delete a key', security: bearer, params: refParams(),
      response: { 200: SuccessResponse, ...errors(401, 403, 404) },
    },
  }, async (req) => {
    const row = await keyByRef(ctx, req, req.params.ref, 'delete');
    const missing = `Key '${req.params.ref}' not found`;
    if (!row) throw notFound(missing);
    const target = await keyTarget(ctx, row);
    await writableKeyOr404(ctx, req, 'delete', target, missing);
    await ctx.pool.query('DELETE FROM key WHERE id = $1', [row.id]);
    return deleted('Key deleted successfully');
  });
}
