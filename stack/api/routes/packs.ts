/**
 * Pack routes: list/get/create/update/delete, register a folder on this host, upload a .tar.gz,
 * and the per-pack component lists. Registered and uploaded packs are owned by the caller
 * (pack.installed_by) and live in `<packs_base_dir>/<ref>`; pack loading itself is pack-loader.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Multipart } from '@fastify/multipart';
import { fault } from '../../common/faults';
import { fromRoot } from '../../common/paths';
import { authorize, scopeSql, type Resource, type Target } from '../authz';
import { authenticate, type ApiContext } from '../context';
import { guard } from '../guards';
import { bearer, errors } from '../openapi';
import {
  ApiError,
  badRequest,
  conflict,
  deleted,
  forbidden,
  fromPgError,
  notFound,
  ok,
  pageOf,
  parsePaging,
  serialize,
  validationError,
} from '../http';
import { extractPackArchive } from '../pack-archive';
import { PACK_REF_RE, SEMVER_RE, parsePack, readPackFiles } from '../pack-files';
import { PackLoadResult, PackRow, loadPack, withPackLock } from '../pack-loader';
import { ensureDir, isInside, makeScratchDir, packDirFor, packsBaseDir, removeDirQuietly, samePath, syncDir } from '../pack-storage';
import { stringifyExact } from '../../common/exact-json';
import {
  acceptsResult, presentTestRun, runPackTests, storeTestRun, testingConfigIn, TestingConfigError, type PackTestResult, type TestingConfig,
} from '../pack-tests';

export const MAX_UPLOAD_BYTES = 100 * 1024 * 1024;

/** installation_method values whose folder under packs_base_dir we created (and so may remove). */
const COPIED_METHODS = new Set(['upload', 'local_copy', 'builtin', 'registry']);

// ------------------------------------------------------------------------------------------------
// Schemas (Attune 0.2.1's required fields; objects stay open so extra fields pass through)
// ------------------------------------------------------------------------------------------------

const openObject = { type: 'object', additionalProperties: true } as const;
const stringArray = { type: 'array', items: { type: 'string' } } as const;

const packResponseSchema = {
  type: 'object',
  additionalProperties: true,
  required: ['id', 'ref', 'label', 'version', 'conf_schema', 'config', 'meta', 'tags', 'runtime_deps', 'dependencies', 'is_standard', 'created', 'updated'],
  properties: {
    id: { type: 'integer' },
    ref: { type: 'string' },
    label: { type: 'string' },
    description: { type: ['string', 'null'] },
    version: { type: 'string' },
    conf_schema: openObject,
    config: openObject,
    meta: openObject,
    tags: stringArray,
    runtime_deps: stringArray,
    dependencies: stringArray,
    is_standard: { type: 'boolean' },
    created: { type: 'string', format: 'date-time' },
    updated: { type: 'string', format: 'date-time' },
  },
} as const;

const packSummarySchema = {
  type: 'object',
  additionalProperties: true,
  required: ['id', 'ref', 'label', 'version', 'tags', 'is_standard', 'created', 'updated'],
  properties: {
    id: { type: 'integer' },
    ref: { type: 'string' },
    label: { type: 'string' },
    description: { type: ['string', 'null'] },
    version: { type: 'string' },
    tags: stringArray,
    is_standard: { type: 'boolean' },
    created: { type: 'string', format: 'date-time' },
    updated: { type: 'string', format: 'date-time' },
  },
} as const;

const paginationSchema = {
  type: 'object',
  additionalProperties: true,
  required: ['page', 'page_size', 'has_previous', 'has_next'],
  properties: {
    page: { type: 'integer' },
    page_size: { type: 'integer' },
    total_items: { type: ['integer', 'null'] },
    total_pages: { type: ['integer', 'null'] },
    has_previous: { type: 'boolean' },
    has_next: { type: 'boolean' },
  },
} as const;

function listSchema(item: object) {
  return {
    type: 'object',
    additionalProperties: true,
    required: ['items', 'pagination'],
    properties: { items: { type: 'array', items: item }, data: { type: 'array', items: item }, pagination: paginationSchema },
  };
}

/** `{data, message}`: the answer shape of the pack routes (also the registry routes', ./pack-registry.ts). */
export function envelope(data: object) {
  return { type: 'object', additionalProperties: true, required: ['data'], properties: { data, message: { type: ['string', 'null'] } } };
}

const installResponseSchema = envelope({
  type: 'object',
  additionalProperties: true,
  required: ['pack', 'tests_skipped'],
  properties: { pack: packResponseSchema, test_result: { type: ['object', 'null'], additionalProperties: true }, tests_skipped: { type: 'boolean' } },
});

export const deletedSchema = {
  type: 'object',
  additionalProperties: true,
  required: ['success', 'message'],
  properties: { success: { type: 'boolean' }, message: { type: 'string' } },
} as const;

const pagingQuery = {
  type: 'object',
  properties: {
    page: { type: 'integer', minimum: 1 },
    page_size: { type: 'integer', minimum: 1 },
    per_page: { type: 'integer', minimum: 1 },
    q: { type: 'string' },
  },
} as const;

const refParams = { type: 'object', required: ['ref'], properties: { ref: { type: 'string' } } } as const;
const packRefParams = { type: 'object', required: ['pack_ref'], properties: { pack_ref: { type: 'string' } } } as const;

const createPackBody = {
  type: 'object',
  additionalProperties: true,
  required: ['ref', 'label', 'version'],
  properties: {
    ref: { type: 'string' },
    label: { type: 'string' },
    description: { type: ['string', 'null'] },
    version: { type: 'string' },
    conf_schema: openObject,
    config: openObject,
    meta: openObject,
    tags: stringArray,
    runtime_deps: stringArray,
    dependencies: stringArray,
    is_standard: { type: 'boolean' },
  },
} as const;

const updatePackBody = {
  type: 'object',
  additionalProperties: true,
  // Attune's document marks these three required; a missing one defaults to null (= unchanged).
  required: ['conf_schema', 'config', 'meta'],
  properties: {
    label: { type: ['string', 'null'] },
    description: { description: 'a string, null (unchanged), {"op": "set", "value": "..."} or {"op": "clear"}' },
    version: { type: ['string', 'null'] },
    conf_schema: { type: ['object', 'null'], additionalProperties: true, default: null },
    config: { type: ['object', 'null'], additionalProperties: true, default: null },
    meta: { type: ['object', 'null'], additionalProperties: true, default: null },
    tags: { type: ['array', 'null'], items: { type: 'string' } },
    runtime_deps: { type: ['array', 'null'], items: { type: 'string' } },
    dependencies: { type: ['array', 'null'], items: { type: 'string' } },
    is_standard: { type: ['boolean', 'null'] },
  },
} as const;

const registerBody = {
  type: 'object',
  additionalProperties: true,
  required: ['path'],
  properties: { path: { type: 'string' }, force: { type: 'boolean' }, skip_tests: { type: 'boolean' } },
} as const;

// ------------------------------------------------------------------------------------------------
// Row shapes
// ------------------------------------------------------------------------------------------------

const PACK_FIELDS = ['id', 'ref', 'label', 'description', 'version', 'conf_schema', 'config', 'meta', 'tags', 'runtime_deps', 'dependencies', 'is_standard', 'created', 'updated'] as const;
const SUMMARY_FIELDS = ['id', 'ref', 'label', 'description', 'version', 'tags', 'is_standard', 'created', 'updated'] as const;

function pick(row: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) out[f] = row[f] ?? null;
  return serialize(out);
}

export function packResponse(row: Record<string, unknown>): Record<string, unknown> {
  return pick(row, PACK_FIELDS);
}

function packSummary(row: Record<string, unknown>): Record<string, unknown> {
  return pick(row, SUMMARY_FIELDS);
}

/** Component lists under a pack: table, authz resource, columns, and the 0.2.1 summary schema. */
const COMPONENT_LISTS: Record<string, { table: string; resource: Resource; select: string; summary: string; required: string[] }> = {
  actions: {
    table: 'action',
    resource: 'actions',
    select: 'action.*, (SELECT r.ref FROM runtime r WHERE r.id = action.runtime) AS runtime_ref',
    summary: 'List actions by pack reference',
    required: ['id', 'ref', 'pack_ref', 'label', 'entrypoint', 'enabled', 'accesses_mcp', 'reference_visibility', 'created', 'updated'],
  },
  triggers: {
    table: 'trigger',
    resource: 'triggers',
    select:
      'trigger.id, trigger.ref, trigger.pack, trigger.pack_ref, trigger.label, trigger.description, trigger.enabled, trigger.is_adhoc, ' +
      'trigger.param_schema, trigger.out_schema, trigger.webhook_enabled, trigger.sensor, trigger.sensor_ref, ' +
      'trigger.reference_visibility, trigger.reference_allowed_pack_refs, trigger.created, trigger.updated',
    summary: 'List triggers by pack reference',
    required: ['id', 'ref', 'label', 'enabled', 'webhook_enabled', 'reference_visibility', 'created', 'updated'],
  },
  rules: {
    table: 'rule',
    resource: 'rules',
    select: 'rule.*',
    summary: 'List rules by pack reference',
    required: ['id', 'ref', 'pack_ref', 'label', 'action_ref', 'trigger_ref', 'action_params', 'trigger_params', 'enabled', 'created', 'updated'],
  },
  sensors: {
    table: 'sensor',
    resource: 'sensors',
    select: 'sensor.*',
    summary: 'List sensors by pack reference',
    required: ['id', 'ref', 'label', 'enabled', 'created', 'updated'],
  },
  workflows: {
    table: 'workflow_definition',
    resource: 'workflows',
    select:
      'workflow_definition.id, workflow_definition.ref, workflow_definition.pack, workflow_definition.pack_ref, workflow_definition.label, ' +
      'workflow_definition.description, workflow_definition.version, workflow_definition.tags, workflow_definition.created, workflow_definition.updated',
    summary: 'List workflows by pack reference',
    required: ['id', 'ref', 'pack_ref', 'label', 'version', 'tags', 'created', 'updated'],
  },
  runtimes: {
    table: 'runtime',
    resource: 'runtimes',
    select:
      'runtime.id, runtime.ref, runtime.pack, runtime.pack_ref, runtime.description, runtime.name, runtime.aliases, runtime.created, runtime.updated',
    summary: 'List runtimes by pack reference',
    required: ['id', 'ref', 'name', 'created', 'updated'],
  },
};

// ------------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------------

function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, '\\$&')}%`;
}

function pgToApi(err: unknown): unknown {
  if (err instanceof ApiError) return err;
  return fromPgError(err) ?? err;
}

/** The pack row when the caller may read it; 404 otherwise (existence is not revealed). */
async function visiblePack(ctx: ApiContext, req: FastifyRequest, ref: string, forGet = false): Promise<PackRow> {
  const params: unknown[] = [ref];
  // fault tenant-get-unscoped: a get by ref answers whatever the caller's scope
  const scope = forGet && fault('tenant-get-unscoped') ? 'TRUE' : await scopeSql(ctx, req, 'packs', params);
  const { rows } = await ctx.pool.query(`SELECT * FROM pack WHERE pack.ref = $1 AND ${scope}`, params);
  if (!rows[0]) throw notFound(`Pack '${ref}' not found`);
  return rows[0] as PackRow;
}

function packTarget(row: { id: number; ref: string; installed_by: number | null }): Target {
  return { pack_ref: row.ref, ref: row.ref, id: row.id, owner: row.installed_by };
}

function checkRef(ref: unknown): string {
  if (typeof ref !== 'string' || ref.length < 1 || ref.length > 255) throw validationError('ref must be 1 to 255 characters');
  if (!PACK_REF_RE.test(ref)) {
    throw validationError(`ref '${ref}' is invalid: use lower-case letters, digits, '_' and '-', starting with a letter, no dots`);
  }
  return ref;
}

function checkLabel(label: unknown): string {
  if (typeof label !== 'string' || label.trim().length < 1 || label.length > 255) throw validationError('label must be 1 to 255 characters');
  return label;
}

function checkVersion(version: unknown): string {
  if (typeof version !== 'string' || version.length < 1 || version.length > 50) throw validationError('version must be 1 to 50 characters');
  if (!SEMVER_RE.test(version)) throw validationError(`version '${version}' is not a semantic version (x.y.z)`);
  return version;
}

function truthy(v: unknown): boolean {
  return typeof v === 'string' ? ['true', '1', 'yes', 'on'].includes(v.trim().toLowerCase()) : v === true;
}

async function publishSafely(ctx: ApiContext, type: 'PackRegistered' | 'PackDeleted' | 'RuleDeleted', payload: Record<string, unknown>) {
  try {
    await ctx.mq.publish(type, payload);
  } catch (err) {
    ctx.log.error({ err, message_type: type, payload }, 'publishing failed');
  }
}

export async function publishLoad(ctx: ApiContext, result: PackLoadResult): Promise<void> {
  for (const r of result.retiredRules) await publishSafely(ctx, 'RuleDeleted', { ...r });
  await publishSafely(ctx, 'PackRegistered', {
    pack_id: result.pack.id,
    pack_ref: result.pack.ref,
    version: result.pack.version,
    runtime_names: result.runtimeNames,
  });
}

/**
 * Installs the pack folder `source` as `<packs_base_dir>/<ref>`, owned by the caller:
 * 409 when the ref exists without force; authz packs:create (new) or packs:update (replace).
 * A new pack's files are copied before the database load (and removed if it fails); a replaced
 * pack's files are synchronised after the load committed, so a failed load changes nothing.
 */
async function installPackFolder(
  ctx: ApiContext,
  req: FastifyRequest,
  source: string,
  opts: { force: boolean; method: InstallMethod; sourceUrl: string | null },
): Promise<PackLoadResult> {
  const principal = await authenticate(req);
  const parsed = parsePack(readPackFiles(source));
  const ref = parsed.pack.ref;
  const dest = packDirFor(ref);
  return withPackLock(ctx.pool, ref, async () => {
    const existing = (await ctx.pool.query('SELECT id, ref, installed_by FROM pack WHERE ref = $1', [ref])).rows[0] as
      | { id: number; ref: string; installed_by: number | null }
      | undefined;
    if (existing) {
      if (!opts.force) throw conflict(`Pack with ref '${ref}' already exists (use force=true to replace it)`);
      await authorize(ctx, req, 'packs', 'update', packTarget(existing));
    } else {
      await authorize(ctx, req, 'packs', 'create', { pack_ref: ref, ref, owner: principal.identityId });
    }
    const inPlace = samePath(source, dest);
    const method = opts.method !== 'local' ? opts.method : inPlace ? 'local' : 'local_copy';
    const loadOpts = {
      installedBy: principal.identityId,
      force: opts.force,
      installationMethod: method,
      storagePath: dest,
      sourceType: opts.method,
      sourceUrl: opts.sourceUrl,
    };
    if (inPlace) return loadPack(ctx, dest, loadOpts);
    const destExisted = fs.existsSync(dest);
    if (!destExisted) {
      ensureDir(packsBaseDir());
      syncDir(source, dest);
      try {
        return await loadPack(ctx, dest, loadOpts);
      } catch (err) {
        removeDirQuietly(dest);
        throw err;
      }
    }
    const result = await loadPack(ctx, source, loadOpts);
    syncDir(source, dest);
    return result;
  });
}

/** How a pack reached this host: an uploaded archive, a folder on this host, or an archive a registry index named. */
export type InstallMethod = 'upload' | 'local' | 'registry';

export interface TestedInstall {
  result: PackLoadResult;
  test_result: PackTestResult | null;
  tests_skipped: boolean;
}

function testingOf(dir: string): TestingConfig | null {
  try {
    return testingConfigIn(dir);
  } catch (err) {
    if (err instanceof TestingConfigError) throw badRequest(`pack.yaml: ${err.message}`);
    throw err;
  }
}

/** Removes a pack whose tests refused its install (nothing was announced yet); its folder only when this install made it. */
async function undoInstall(ctx: ApiContext, result: PackLoadResult, madeFolder: boolean): Promise<void> {
  const { id, ref } = result.pack as unknown as { id: number; ref: string };
  await ctx.pool.query(`DELETE FROM policy WHERE pack IS NULL AND split_part(ref, '.', 1) = $1`, [ref]);
  await ctx.pool.query('DELETE FROM pack WHERE id = $1', [id]);
  if (madeFolder) removeDirQuietly(packDirFor(ref));
}

/**
 * Installs a pack folder and runs its tests (pack.yaml `testing`, enabled) unless `skipTests`, as Attune's register
 * does: the run is stored (trigger_reason `install`, or `update` when `force` replaced an installed pack); a run the
 * pack's policy does not accept refuses the install (400, the pack removed again) unless `force`. A pack without
 * enabled tests installs as before, with no run (`tests_skipped: true`).
 */
export async function installAndTest(
  ctx: ApiContext,
  req: FastifyRequest,
  source: string,
  opts: { force: boolean; skipTests: boolean; method: InstallMethod; sourceUrl: string | null },
): Promise<TestedInstall> {
  // the pack's files first: a bad pack.yaml is the same 400 with or without tests
  const manifestRef = parsePack(readPackFiles(source)).pack.ref;
  const testing = opts.skipTests ? null : testingOf(source);
  const madeFolder = !samePath(source, packDirFor(manifestRef)) && !fs.existsSync(packDirFor(manifestRef));
  const result = await installPackFolder(ctx, req, source, opts).catch((err) => {
    throw pgToApi(err);
  });
  // fault pack-tests-never-run: the pack's tests are never run, whatever skip_tests says
  if (!testing || fault('pack-tests-never-run')) return { result, test_result: null, tests_skipped: true };
  const pack = result.pack as unknown as { id: number; ref: string; version: string };
  const run = await runPackTests(packDirFor(pack.ref), pack.ref, pack.version, testing);
  await storeTestRun(ctx.pool, pack.id, result.created ? 'install' : 'update', run);
  // fault pack-test-failure-ignored: a failing test run never refuses the install
  if (!acceptsResult(testing, run) && !opts.force && !fault('pack-test-failure-ignored')) {
    await undoInstall(ctx, result, madeFolder);
    throw badRequest(
      `Pack registration failed: tests did not pass (${run.passed} of ${run.totalTests} passed, ${run.failed} failed). Use force=true to register anyway.`,
    );
  }
  return { result, test_result: run, tests_skipped: false };
}

// ------------------------------------------------------------------------------------------------
// Routes
// ------------------------------------------------------------------------------------------------

export function registerPackRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const auth = guard(ctx);
  app.get(
    '/api/v1/packs',
    {
      onRequest: auth,
      schema: {
        tags: ['packs'],
        summary: 'List all packs with pagination',
        security: bearer,
        querystring: pagingQuery,
        response: { 200: listSchema(packSummarySchema), ...errors(400, 401) },
      },
    },
    async (req) => {
      const query = (req.query ?? {}) as Record<string, unknown>;
      const paging = parsePaging(query);
      const params: unknown[] = [];
      // fault tenant-lists-unscoped: every list shows every identity's rows
      let where = fault('tenant-lists-unscoped') ? 'TRUE' : await scopeSql(ctx, req, 'packs', params);
      if (typeof query.q === 'string' && query.q.trim() !== '') {
        params.push(likePattern(query.q.trim()));
        const n = params.length;
        where += ` AND (pack.ref ILIKE $${n} OR pack.label ILIKE $${n} OR COALESCE(pack.description, '') ILIKE $${n})`;
      }
      const total = Number((await ctx.pool.query(`SELECT count(*) AS n FROM pack WHERE ${where}`, params)).rows[0].n);
      const { rows } = await ctx.pool.query(
        `SELECT * FROM pack WHERE ${where} ORDER BY pack.ref LIMIT ${paging.limit} OFFSET ${paging.offset}`,
        params,
      );
      return pageOf(rows.map(packSummary), paging, total);
    },
  );

  app.get(
    '/api/v1/packs/:ref',
    {
      onRequest: auth,
      schema: {
        tags: ['packs'],
        summary: 'Get a single pack by reference',
        security: bearer,
        params: refParams,
        response: { 200: envelope(packResponseSchema), ...errors(401, 404) },
      },
    },
    async (req) => {
      const { ref } = req.params as { ref: string };
      return ok(packResponse(await visiblePack(ctx, req, ref, true)));
    },
  );

  app.post(
    '/api/v1/packs',
    {
      onRequest: auth,
      schema: {
        tags: ['packs'],
        summary: 'Create a new pack',
        security: bearer,
        body: createPackBody,
        response: { 201: envelope(packResponseSchema), ...errors(401, 403, 409, 422) },
      },
    },
    async (req, reply) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const ref = checkRef(body.ref);
      const label = checkLabel(body.label);
      const version = checkVersion(body.version);
      const principal = await authenticate(req);
      await authorize(ctx, req, 'packs', 'create', { pack_ref: ref, ref, owner: principal.identityId });
      const exists = await ctx.pool.query('SELECT 1 FROM pack WHERE ref = $1', [ref]);
      if (exists.rowCount) throw conflict(`Pack with ref '${ref}' already exists`);
      try {
        const { rows } = await ctx.pool.query(
          `INSERT INTO pack (ref, label, description, version, conf_schema, config, meta, tags, runtime_deps, dependencies,
                             is_standard, installed_by, installed_at, installation_method)
           VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb, $8, $9, $10, $11, $12, now(), 'api')
           RETURNING *`,
          [
            ref,
            label,
            typeof body.description === 'string' ? body.description : null,
            version,
            stringifyExact(body.conf_schema ?? {}),
            stringifyExact(body.config ?? {}),
            stringifyExact(body.meta ?? {}),
            (body.tags as string[] | undefined) ?? [],
            (body.runtime_deps as string[] | undefined) ?? [],
            (body.dependencies as string[] | undefined) ?? [],
            body.is_standard === true,
            principal.identityId,
          ],
        );
        reply.code(201);
        return ok(packResponse(rows[0]), 'Pack created successfully');
      } catch (err) {
        if ((err as { code?: string }).code === '23505') throw conflict(`Pack with ref '${ref}' already exists`);
        throw pgToApi(err);
      }
    },
  );

  app.put(
    '/api/v1/packs/:ref',
    {
      onRequest: auth,
      schema: {
        tags: ['packs'],
        summary: 'Update an existing pack',
        security: bearer,
        params: refParams,
        body: updatePackBody,
        response: { 200: envelope(packResponseSchema), ...errors(401, 403, 404, 422) },
      },
    },
    async (req) => {
      const { ref } = req.params as { ref: string };
      const body = (req.body ?? {}) as Record<string, unknown>;
      const pack = await visiblePack(ctx, req, ref);
      await authorize(ctx, req, 'packs', 'update', packTarget(pack));
      const sets: string[] = [];
      const params: unknown[] = [pack.id];
      const set = (col: string, value: unknown, cast = '') => {
        params.push(value);
        sets.push(`${col} = $${params.length}${cast}`);
      };
      if (body.label !== undefined && body.label !== null) set('label', checkLabel(body.label));
      const d = body.description;
      if (typeof d === 'string') set('description', d);
      else if (d !== undefined && d !== null) {
        const patch = d as { op?: unknown; value?: unknown };
        if (typeof d !== 'object' || Array.isArray(d)) throw validationError('description must be a string or {"op": "set"|"clear"}');
        if (patch.op === 'clear') set('description', null);
        else if (patch.op === 'set' && typeof patch.value === 'string') set('description', patch.value);
        else throw validationError('description patch must be {"op": "set", "value": "<text>"} or {"op": "clear"}');
      }
      if (body.version !== undefined && body.version !== null) set('version', checkVersion(body.version));
      for (const col of ['conf_schema', 'config', 'meta'] as const) {
        if (body[col] !== undefined && body[col] !== null) set(col, stringifyExact(body[col]), '::jsonb');
      }
      for (const col of ['tags', 'runtime_deps', 'dependencies'] as const) {
        if (body[col] !== undefined && body[col] !== null) set(col, body[col]);
      }
      if (typeof body.is_standard === 'boolean') set('is_standard', body.is_standard);
      if (sets.length === 0) return ok(packResponse(pack), 'Pack updated successfully');
      try {
        const { rows } = await ctx.pool.query(`UPDATE pack SET ${sets.join(', ')} WHERE id = $1 RETURNING *`, params);
        if (!rows[0]) throw notFound(`Pack '${ref}' not found`);
        return ok(packResponse(rows[0]), 'Pack updated successfully');
      } catch (err) {
        throw pgToApi(err);
      }
    },
  );

  app.delete(
    '/api/v1/packs/:ref',
    {
      onRequest: auth,
      schema: {
        tags: ['packs'],
        summary: 'Delete a pack',
        security: bearer,
        params: refParams,
        response: { 200: deletedSchema, ...errors(401, 403, 404) },
      },
    },
    async (req) => {
      const { ref } = req.params as { ref: string };
      const pack = await visiblePack(ctx, req, ref);
      // a system pack (is_standard, owned by nobody: core) is part of the platform: no identity may delete it
      // fault core-pack-deletable: the guard is skipped and an identity holding packs:delete removes core
      if (pack.is_standard && pack.installed_by == null && !fault('core-pack-deletable')) {
        throw forbidden(`Pack '${ref}' is a system pack and cannot be deleted`);
      }
      await authorize(ctx, req, 'packs', 'delete', packTarget(pack));
      const rules = await withPackLock(ctx.pool, ref, async () => {
        const client = await ctx.pool.connect();
        try {
          await client.query('BEGIN');
          const found = await client.query('SELECT id FROM pack WHERE id = $1 FOR UPDATE', [pack.id]);
          if (!found.rowCount) throw notFound(`Pack '${ref}' not found`);
          const r = await client.query('SELECT id, ref, "trigger", trigger_ref FROM rule WHERE pack = $1 ORDER BY id', [pack.id]);
          // global policies this pack declared carry its ref prefix but no pack id
          await client.query(`DELETE FROM policy WHERE pack IS NULL AND split_part(ref, '.', 1) = $1`, [ref]);
          await client.query('DELETE FROM pack WHERE id = $1', [pack.id]);
          await client.query('COMMIT');
          return r.rows;
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw pgToApi(err);
        } finally {
          client.release();
        }
      });
      for (const r of rules) {
        await publishSafely(ctx, 'RuleDeleted', {
          rule_id: Number(r.id),
          rule_ref: r.ref,
          trigger_id: r.trigger === null ? null : Number(r.trigger),
          trigger_ref: r.trigger_ref,
        });
      }
      await publishSafely(ctx, 'PackDeleted', { pack_id: pack.id, pack_ref: ref });
      const dir = packDirFor(ref);
      if (
        pack.storage_path &&
        COPIED_METHODS.has(String(pack.installation_method)) &&
        samePath(pack.storage_path, dir) &&
        isInside(packsBaseDir(), dir) &&
        !samePath(packsBaseDir(), dir)
      ) {
        removeDirQuietly(dir);
      }
      return deleted(`Pack '${ref}' deleted successfully`);
    },
  );

  app.post(
    '/api/v1/packs/register',
    {
      onRequest: auth,
      schema: {
        tags: ['packs'],
        summary: 'Register a pack from local filesystem',
        security: bearer,
        body: registerBody,
        response: { 201: installResponseSchema, ...errors(400, 401, 403, 409) },
      },
    },
    async (req, reply) => {
      const body = (req.body ?? {}) as { path?: unknown; force?: unknown; skip_tests?: unknown };
      if (typeof body.path !== 'string' || body.path.trim() === '') throw badRequest("'path' must name a pack directory");
      const source = path.resolve(fromRoot(body.path.trim()));
      const tested = await installAndTest(ctx, req, source, {
        force: truthy(body.force), skipTests: truthy(body.skip_tests), method: 'local', sourceUrl: source,
      });
      await publishLoad(ctx, tested.result);
      reply.code(201);
      return ok(
        { pack: packResponse(tested.result.pack), test_result: tested.test_result, tests_skipped: tested.tests_skipped },
        'Pack registered successfully',
      );
    },
  );

  app.post(
    '/api/v1/packs/upload',
    {
      onRequest: auth,
      schema: {
        tags: ['packs'],
        summary: 'Upload and register a pack from a tar.gz archive (multipart/form-data)',
        security: bearer,
        description:
          'multipart/form-data with a file part `pack` (.tar.gz, pack.yaml at the root or inside one top-level folder) ' +
          'and optional text parts `force` and `skip_tests` ("true").',
        consumes: ['multipart/form-data'],
        response: { 201: installResponseSchema, ...errors(400, 401, 403, 409) },
      },
    },
    async (req, reply) => {
      await authenticate(req);
      if (typeof req.isMultipart !== 'function' || typeof req.parts !== 'function' || !req.isMultipart()) {
        throw badRequest('Expected a multipart/form-data request with a file part named "pack"');
      }
      const scratch = makeScratchDir('upload');
      try {
        const archive = path.join(scratch, 'pack.tar.gz');
        const fields: Record<string, string> = {};
        let gotFile = false;
        try {
          for await (const part of req.parts({ limits: { fileSize: MAX_UPLOAD_BYTES, files: 4, fields: 20, parts: 30 } }) as AsyncIterable<Multipart>) {
            if (part.type === 'file') {
              if (part.fieldname !== 'pack' || gotFile) {
                part.file.resume();
                continue;
              }
              // a body that ends inside this part (no closing boundary) and had fully arrived before parsing
              // began hands us a stream the parser already tore down without an error: piping it waits forever
              if (part.file.destroyed && !part.file.readableEnded) {
                throw badRequest('Invalid multipart request: the "pack" part ends before its closing boundary');
              }
              await pipeline(part.file, fs.createWriteStream(archive));
              if (part.file.truncated) throw badRequest(`The archive is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`);
              gotFile = true;
            } else {
              fields[part.fieldname] = String(part.value ?? '');
            }
          }
        } catch (err) {
          if (err instanceof ApiError) throw err;
          const status = (err as { statusCode?: number }).statusCode;
          if (status && status >= 400 && status < 500) throw badRequest(`Invalid multipart request: ${(err as Error).message}`);
          // the multipart parser's own errors carry no status ("Multipart: Boundary not found", "Unexpected end of
          // form", …): the request is malformed. Only a system error (writing the archive to disk) is ours.
          if (typeof (err as NodeJS.ErrnoException).syscall !== 'string') throw badRequest(`Invalid multipart request: ${(err as Error).message}`);
          throw err;
        }
        if (!gotFile) throw badRequest('Missing file part "pack" (a .tar.gz of the pack)');
        const extractDir = path.join(scratch, 'files');
        fs.mkdirSync(extractDir);
        const root = await extractPackArchive(archive, extractDir);
        const tested = await installAndTest(ctx, req, root, {
          force: truthy(fields.force), skipTests: truthy(fields.skip_tests), method: 'upload', sourceUrl: null,
        });
        await publishLoad(ctx, tested.result);
        reply.code(201);
        return ok(
          { pack: packResponse(tested.result.pack), test_result: tested.test_result, tests_skipped: tested.tests_skipped },
          'Pack uploaded and registered successfully',
        );
      } finally {
        removeDirQuietly(scratch);
      }
    },
  );

  // ---- pack tests (Attune: POST /packs/{ref}/test, GET /packs/{ref}/tests, GET /packs/{ref}/tests/latest) --------
  const testRunSchema = {
    type: 'object',
    additionalProperties: true,
    description: 'Pack test execution record (PackTestExecution)',
    required: ['id', 'packId', 'packVersion', 'executionTime', 'triggerReason', 'totalTests', 'passed', 'failed', 'skipped', 'passRate', 'durationMs', 'result', 'created'],
    properties: {
      id: { type: 'integer' }, packId: { type: 'integer' }, packVersion: { type: 'string' }, executionTime: { type: 'string', format: 'date-time' },
      triggerReason: { type: 'string', enum: ['install', 'update', 'manual', 'validation'] }, totalTests: { type: 'integer' }, passed: { type: 'integer' },
      failed: { type: 'integer' }, skipped: { type: 'integer' }, passRate: { type: 'number' }, durationMs: { type: 'integer' },
      result: { type: 'object', additionalProperties: true, description: 'the PackTestResult of the run' }, created: { type: 'string', format: 'date-time' },
    },
  };
  const testResultSchema = {
    type: 'object',
    additionalProperties: true,
    description: 'Pack test result (PackTestResult)',
    required: ['packRef', 'packVersion', 'executionTime', 'status', 'totalTests', 'passed', 'failed', 'skipped', 'passRate', 'durationMs', 'testSuites'],
    properties: {
      packRef: { type: 'string' }, packVersion: { type: 'string' }, executionTime: { type: 'string', format: 'date-time' },
      status: { type: 'string', enum: ['passed', 'failed', 'skipped', 'partial'] }, totalTests: { type: 'integer' }, passed: { type: 'integer' },
      failed: { type: 'integer' }, skipped: { type: 'integer' }, passRate: { type: 'number' }, durationMs: { type: 'integer' },
      testSuites: { type: 'array', items: { type: 'object', additionalProperties: true } },
    },
  };

  app.post(
    '/api/v1/packs/:pack_ref/test',
    {
      onRequest: auth,
      schema: {
        tags: ['packs'],
        summary: "Run a pack's tests (pack.yaml `testing`) and store the run (trigger_reason manual)",
        security: bearer,
        params: packRefParams,
        response: { 200: envelope(testResultSchema), ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const { pack_ref: ref } = req.params as { pack_ref: string };
      const pack = await visiblePack(ctx, req, ref);
      await authorize(ctx, req, 'packs', 'update', packTarget(pack));
      const dir = packDirFor(pack.ref);
      if (!fs.existsSync(path.join(dir, 'pack.yaml'))) throw notFound(`pack.yaml not found for pack '${pack.ref}'`);
      const testing = testingOf(dir);
      if (!testing) throw badRequest(`Testing is not enabled for pack '${pack.ref}' (no testing section with enabled: true in pack.yaml)`);
      const run = await runPackTests(dir, pack.ref, String(pack.version), testing);
      await storeTestRun(ctx.pool, Number(pack.id), 'manual', run);
      return ok(run, 'Pack tests executed successfully');
    },
  );

  app.get(
    '/api/v1/packs/:pack_ref/tests',
    {
      onRequest: auth,
      schema: {
        tags: ['packs'],
        summary: "A pack's test runs, newest first",
        security: bearer,
        params: packRefParams,
        querystring: pagingQuery,
        response: { 200: listSchema(testRunSchema), ...errors(400, 401, 404) },
      },
    },
    async (req) => {
      const { pack_ref: ref } = req.params as { pack_ref: string };
      const paging = parsePaging(req.query);
      const pack = await visiblePack(ctx, req, ref);
      const total = Number((await ctx.pool.query('SELECT count(*) AS n FROM pack_test_execution WHERE pack_id = $1', [pack.id])).rows[0].n);
      const { rows } = await ctx.pool.query(
        `SELECT * FROM pack_test_execution WHERE pack_id = $1 ORDER BY execution_time DESC, id DESC LIMIT ${paging.limit} OFFSET ${paging.offset}`,
        [pack.id],
      );
      return pageOf(rows.map((r) => presentTestRun(r as Record<string, unknown>)), paging, total);
    },
  );

  app.get(
    '/api/v1/packs/:pack_ref/tests/latest',
    {
      onRequest: auth,
      schema: {
        tags: ['packs'],
        summary: "A pack's latest test run (404 when it has none)",
        security: bearer,
        params: packRefParams,
        response: { 200: envelope(testRunSchema), ...errors(401, 404) },
      },
    },
    async (req) => {
      const { pack_ref: ref } = req.params as { pack_ref: string };
      const pack = await visiblePack(ctx, req, ref);
      // fault pack-tests-latest-is-oldest: "latest" answers the pack's first run
      const order = fault('pack-tests-latest-is-oldest') ? 'ASC' : 'DESC';
      const { rows } = await ctx.pool.query(
        `SELECT * FROM pack_test_execution WHERE pack_id = $1 ORDER BY execution_time ${order}, id ${order} LIMIT 1`,
        [pack.id],
      );
      if (!rows[0]) throw notFound(`No test results found for pack '${pack.ref}'`);
      return ok(presentTestRun(rows[0] as Record<string, unknown>));
    },
  );

  for (const [kind, spec] of Object.entries(COMPONENT_LISTS)) {
    const item = { type: 'object', additionalProperties: true, required: spec.required };
    app.get(
      `/api/v1/packs/:pack_ref/${kind}`,
      {
        onRequest: auth,
        schema: {
          tags: ['packs'],
          summary: spec.summary,
          security: bearer,
          params: packRefParams,
          querystring: pagingQuery,
          response: { 200: listSchema(item), ...errors(400, 401, 404) },
        },
      },
      async (req) => {
        const { pack_ref: packRef } = req.params as { pack_ref: string };
        const query = (req.query ?? {}) as Record<string, unknown>;
        const paging = parsePaging(query);
        const pack = await visiblePack(ctx, req, packRef);
        const params: unknown[] = [pack.id];
        // runtimes are reference data (any authenticated caller reads them, as on /api/v1/runtimes)
        const scope = spec.table === 'runtime' ? 'TRUE' : await scopeSql(ctx, req, spec.resource, params);
        let where = `${spec.table}.pack = $1 AND ${scope}`;
        if (typeof query.q === 'string' && query.q.trim() !== '') {
          params.push(likePattern(query.q.trim()));
          const n = params.length;
          const labelCol = spec.table === 'runtime' ? 'name' : 'label';
          where += ` AND (${spec.table}.ref ILIKE $${n} OR ${spec.table}.${labelCol} ILIKE $${n})`;
        }
        const total = Number((await ctx.pool.query(`SELECT count(*) AS n FROM ${spec.table} WHERE ${where}`, params)).rows[0].n);
        const { rows } = await ctx.pool.query(
          `SELECT ${spec.select} FROM ${spec.table} WHERE ${where} ORDER BY ${spec.table}.ref LIMIT ${paging.limit} OFFSET ${paging.offset}`,
          params,
        );
        return pageOf(rows.map((r) => serialize(r as Record<string, unknown>)), paging, total);
      },
    );
  }
}
