/**
 * Pack registry routes (Attune 0.2.1): the configured indices (`/api/v1/pack-indices`, records in
 * `pack_registry_index`), the packs they offer (fetched from each index's URL when asked), installing a pack an index
 * names (`POST /api/v1/packs/install`: its archive fetched, its checksum checked, then registered as an upload is),
 * fetching packs without installing them (`POST /api/v1/packs/download`) and the environment report of pack folders
 * (`POST /api/v1/packs/build-envs`). Index writes need packs:manage (Attune: packs:configure), reads packs:read.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parse as parseYaml } from 'yaml';
import { fault } from '../../common/faults';
import { authenticate, type ApiContext } from '../context';
import { authorize } from '../authz';
import { guard } from '../guards';
import { ApiError, badRequest, deleted, fromPgError, notFound, ok, serialize, validationError } from '../http';
import { bearer, errors, idParams } from '../openapi';
import { extractPackArchive } from '../pack-archive';
import { parsePack, readPackFiles } from '../pack-files';
import {
  ARCHIVE_FETCH_TIMEOUT_MS, ARCHIVE_MAX_BYTES, FetchError, entryMatches, fetchBounded, fetchIndices, headersProblem, urlProblem, verifyChecksum,
  type IndexEntry, type IndexSource,
} from '../pack-registry';
import { removeDirQuietly } from '../pack-storage';
import { deletedSchema, envelope, installAndTest, packResponse, publishLoad } from './packs';

// ---- schemas ------------------------------------------------------------------------------------------------------

const indexSchema = {
  type: 'object',
  additionalProperties: true,
  description: 'API-managed pack registry index configuration.',
  required: ['id', 'url', 'position', 'enabled', 'headers', 'created', 'updated'],
  properties: {
    id: { type: 'integer' }, name: { type: ['string', 'null'] }, url: { type: 'string' }, position: { type: 'integer' },
    enabled: { type: 'boolean' }, headers: { type: 'object', additionalProperties: true },
    created: { type: 'string', format: 'date-time' }, updated: { type: 'string', format: 'date-time' },
  },
} as const;

const summarySchema = {
  type: 'object',
  additionalProperties: true,
  required: ['url', 'position'],
  properties: { id: { type: ['integer', 'null'] }, name: { type: ['string', 'null'] }, url: { type: 'string' }, position: { type: 'integer' } },
} as const;

const componentList = { type: 'array', items: { type: 'object', additionalProperties: true, required: ['name', 'description'], properties: { name: { type: 'string' }, description: { type: 'string' } } } } as const;

const entrySchema = {
  type: 'object',
  additionalProperties: true,
  description: 'Pack entry in a registry index',
  required: ['ref', 'label', 'description', 'version', 'author', 'license', 'runtime_deps', 'install_sources', 'contents'],
  properties: {
    ref: { type: 'string' }, label: { type: 'string' }, description: { type: 'string' }, use_case: { type: ['string', 'null'] },
    version: { type: 'string' }, author: { type: 'string' }, email: { type: ['string', 'null'] }, homepage: { type: ['string', 'null'] },
    repository: { type: ['string', 'null'] }, license: { type: 'string' }, keywords: { type: 'array', items: { type: 'string' } },
    runtime_deps: { type: 'array', items: { type: 'string' } },
    install_sources: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: true,
        required: ['type', 'url', 'checksum'],
        properties: { type: { type: 'string', enum: ['git', 'archive'] }, url: { type: 'string' }, ref: { type: ['string', 'null'] }, checksum: { type: 'string' } },
      },
    },
    contents: {
      type: 'object',
      additionalProperties: true,
      properties: { actions: componentList, sensors: componentList, triggers: componentList, rules: componentList, workflows: componentList },
    },
    dependencies: { type: ['object', 'null'], additionalProperties: true },
    meta: { type: ['object', 'null'], additionalProperties: true },
  },
} as const;

const indexedPackSchema = {
  type: 'object',
  additionalProperties: true,
  description: 'Indexed pack summary with the registry it was resolved from.',
  required: ['pack', 'registry'],
  properties: { pack: entrySchema, registry: summarySchema },
} as const;

const createIndexBody = {
  type: 'object',
  additionalProperties: true,
  description: 'Request to add a configured pack registry index.',
  required: ['url'],
  properties: {
    url: { type: 'string' }, name: { type: ['string', 'null'] },
    position: { type: ['integer', 'null'], description: 'Optional explicit search order position. Omit to append to the end.' },
    enabled: { type: 'boolean' }, headers: { type: 'object', additionalProperties: true },
  },
} as const;

const updateIndexBody = {
  type: 'object',
  additionalProperties: true,
  description: 'Request to update a configured pack registry index (a field absent or null stays as it is).',
  // Attune's document marks `headers` required (nullable); a request without it changes no headers.
  required: ['headers'],
  properties: {
    url: { type: ['string', 'null'] }, name: { type: ['string', 'null'] }, position: { type: ['integer', 'null'] },
    enabled: { type: ['boolean', 'null'] }, headers: { type: ['object', 'null'], additionalProperties: true, default: null },
  },
} as const;


const installBody = {
  type: 'object',
  additionalProperties: true,
  description: 'Request DTO for installing a pack from remote source',
  required: ['source'],
  properties: {
    source: { type: 'string', description: 'A registry reference (`ref` or `ref@version`); direct Git and archive URLs are refused as unverified' },
    ref_spec: { type: ['string', 'null'] }, skip_tests: { type: 'boolean' }, skip_deps: { type: 'boolean' },
  },
} as const;

const installResponseSchema = envelope({
  type: 'object',
  additionalProperties: true,
  required: ['pack', 'tests_skipped'],
  properties: { pack: { type: 'object', additionalProperties: true }, test_result: { type: ['object', 'null'], additionalProperties: true }, tests_skipped: { type: 'boolean' } },
});

const downloadBody = {
  type: 'object',
  additionalProperties: true,
  description: 'Request DTO for downloading packs',
  required: ['packs', 'destination_dir'],
  properties: {
    packs: { type: 'array', items: { type: 'string' } }, destination_dir: { type: 'string' }, ref_spec: { type: ['string', 'null'] },
    registry_url: { type: ['string', 'null'] }, timeout: { type: 'integer', minimum: 0 }, verify_ssl: { type: 'boolean' },
  },
} as const;

const downloadResponseSchema = envelope({
  type: 'object',
  additionalProperties: true,
  required: ['downloaded_packs', 'failed_packs', 'total_count', 'success_count', 'failure_count'],
  properties: {
    downloaded_packs: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: true,
        required: ['source', 'source_type', 'pack_path', 'pack_ref', 'pack_version'],
        properties: {
          source: { type: 'string' }, source_type: { type: 'string' }, pack_path: { type: 'string' }, pack_ref: { type: 'string' },
          pack_version: { type: 'string' }, git_commit: { type: ['string', 'null'] }, checksum: { type: ['string', 'null'] },
        },
      },
    },
    failed_packs: { type: 'array', items: { type: 'object', additionalProperties: true, required: ['source', 'error'], properties: { source: { type: 'string' }, error: { type: 'string' } } } },
    total_count: { type: 'integer' }, success_count: { type: 'integer' }, failure_count: { type: 'integer' },
  },
});

const buildEnvsBody = {
  type: 'object',
  additionalProperties: true,
  description: 'Request DTO for building pack environments',
  required: ['pack_paths'],
  properties: {
    pack_paths: { type: 'array', items: { type: 'string' } }, packs_base_dir: { type: ['string', 'null'] }, python_version: { type: 'string' },
    nodejs_version: { type: 'string' }, skip_python: { type: 'boolean' }, skip_nodejs: { type: 'boolean' }, force_rebuild: { type: 'boolean' },
    timeout: { type: 'integer', minimum: 0 },
  },
} as const;

const buildEnvsResponseSchema = envelope({
  type: 'object',
  additionalProperties: true,
  required: ['built_environments', 'failed_environments', 'summary'],
  properties: {
    built_environments: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: true,
        required: ['pack_ref', 'pack_path', 'environments', 'duration_ms'],
        properties: { pack_ref: { type: 'string' }, pack_path: { type: 'string' }, environments: { type: 'object', additionalProperties: true }, duration_ms: { type: 'integer' } },
      },
    },
    failed_environments: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: true,
        required: ['pack_ref', 'pack_path', 'runtime', 'error'],
        properties: { pack_ref: { type: 'string' }, pack_path: { type: 'string' }, runtime: { type: 'string' }, error: { type: 'string' } },
      },
    },
    summary: {
      type: 'object',
      additionalProperties: true,
      required: ['total_packs', 'success_count', 'failure_count', 'python_envs_built', 'nodejs_envs_built', 'total_duration_ms'],
      properties: {
        total_packs: { type: 'integer' }, success_count: { type: 'integer' }, failure_count: { type: 'integer' },
        python_envs_built: { type: 'integer' }, nodejs_envs_built: { type: 'integer' }, total_duration_ms: { type: 'integer' },
      },
    },
  },
});

// ---- helpers ------------------------------------------------------------------------------------------------------

/** At most this many sources per download and folders per build-envs request (each may cost a fetch or a disk read). */
const MAX_BATCH = 50;
const INDEX_FIELDS = ['id', 'name', 'url', 'position', 'enabled', 'headers', 'created', 'updated'] as const;

interface IndexRow {
  id: number;
  name: string | null;
  url: string;
  position: number;
  enabled: boolean;
  headers: Record<string, string>;
}

function indexResponse(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of INDEX_FIELDS) out[f] = row[f] ?? null;
  return serialize(out);
}

function parseId(raw: unknown): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id < 0) throw badRequest(`Invalid pack index id '${String(raw)}'`);
  return id;
}

function checkName(name: unknown): string | null | undefined {
  if (name === undefined || name === null) return name;
  if (typeof name !== 'string' || name.length > 255) throw validationError('name must be a string of at most 255 characters');
  return name;
}

function checkPosition(position: unknown): number | null | undefined {
  if (position === undefined || position === null) return position;
  if (typeof position !== 'number' || !Number.isInteger(position) || position < 0 || position > 2_147_483_647) {
    throw validationError('position must be an integer from 0 to 2147483647');
  }
  return position;
}

function checkHeaders(headers: unknown): Record<string, string> | null | undefined {
  if (headers === undefined || headers === null) return headers;
  const problem = headersProblem(headers);
  if (problem) throw validationError(problem);
  return headers as Record<string, string>;
}

function checkUrl(url: unknown): string {
  const problem = urlProblem(url);
  if (problem) throw validationError(problem);
  return url as string;
}

function pgToApi(err: unknown): unknown {
  if (err instanceof ApiError) return err;
  return fromPgError(err) ?? err;
}

/** The indices to consult, in search order (position, then id); disabled ones only when asked. */
async function indexSources(ctx: ApiContext, includeDisabled: boolean): Promise<IndexSource[]> {
  const { rows } = await ctx.pool.query(
    `SELECT id, name, url, position, enabled, headers FROM pack_registry_index ${includeDisabled ? '' : 'WHERE enabled'} ORDER BY position, id`,
  );
  return (rows as IndexRow[]).map((r) => ({ id: Number(r.id), name: r.name, url: r.url, position: r.position, headers: r.headers ?? {} }));
}

function summaryOf(source: IndexSource) {
  return { id: source.id, name: source.name, url: source.url, position: source.position };
}

async function offeredPacks(ctx: ApiContext, sources: IndexSource[]) {
  return fetchIndices(sources, (source, err) => ctx.log.warn({ url: source.url, err: (err as Error).message }, 'pack index could not be read'));
}

interface Resolved {
  entry: IndexEntry;
  checksum: string;
  /** the pack folder (inside `scratch`) */
  root: string;
  scratch: string;
}

/**
 * Fetches the pack a registry reference (`ref` or `ref@version`) names: the first enabled index (search order) that
 * lists the ref decides; its archive source is fetched, its checksum checked and the archive extracted into a new
 * folder under `scratchBase`. Direct URLs are refused as Attune refuses them by default (unverified).
 */
async function fetchRegistryPack(ctx: ApiContext, source: string, scratchBase: string): Promise<Resolved> {
  if (source.trim() === '') throw badRequest('source must name a pack: a registry reference (ref or ref@version)');
  if (/^(https?:\/\/|git@)/.test(source) || source.includes('git://')) {
    throw badRequest(
      'Direct remote Git and archive pack installs are unverified and disabled; use a registry reference or set pack_registry.allow_unverified_direct_remote_installs to true',
    );
  }
  const at = source.indexOf('@');
  const ref = at < 0 ? source : source.slice(0, at);
  const version = at < 0 ? null : source.slice(at + 1);
  let found: { entry: IndexEntry; source: IndexSource } | undefined;
  for (const { source: index, entries } of await offeredPacks(ctx, await indexSources(ctx, false))) {
    const entry = entries.find((e) => e.ref === ref);
    if (entry) {
      found = { entry, source: index };
      break;
    }
  }
  if (!found) throw notFound(`Pack '${ref}' not found in any enabled pack index`);
  const { entry } = found;
  if (version !== null && version !== 'latest' && version !== entry.version) {
    throw badRequest(`Pack ${ref} version ${version} not found (available: ${entry.version})`);
  }
  if (entry.install_sources.length === 0) throw badRequest(`Pack ${ref} has no install sources`);
  const archive = entry.install_sources.find((s) => s.type === 'archive');
  if (!archive) throw new ApiError(501, 'NOT_IMPLEMENTED', `Pack ${ref} offers only Git sources, which this server does not install`);
  let bytes: Buffer;
  try {
    bytes = await fetchBounded(archive.url, {}, ARCHIVE_FETCH_TIMEOUT_MS, ARCHIVE_MAX_BYTES);
  } catch (err) {
    if (err instanceof FetchError) throw badRequest(`Failed to download archive ${archive.url}: ${err.message}`);
    throw err;
  }
  // fault install-checksum-ignored: the archive is extracted whatever checksum the index gives for it
  if (!fault('install-checksum-ignored')) verifyChecksum(bytes, archive.checksum);
  fs.mkdirSync(scratchBase, { recursive: true });
  const scratch = fs.mkdtempSync(path.join(scratchBase, `${ref.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64)}-`));
  try {
    const file = path.join(scratch, 'pack.tar.gz');
    fs.writeFileSync(file, bytes);
    const files = path.join(scratch, 'files');
    fs.mkdirSync(files);
    const root = await extractPackArchive(file, files);
    fs.rmSync(file, { force: true });
    const manifestRef = parsePack(readPackFiles(root)).pack.ref;
    if (manifestRef !== entry.ref) throw badRequest(`The archive of pack ${entry.ref} holds pack '${manifestRef}'`);
    return { entry, checksum: archive.checksum, root, scratch };
  } catch (err) {
    removeDirQuietly(scratch);
    throw err;
  }
}

const PYTHON_VERSION_TIMEOUT_MS = 5_000;

function toolVersion(command: string): string | null {
  try {
    return execFileSync(command, ['--version'], { timeout: PYTHON_VERSION_TIMEOUT_MS, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    return null;
  }
}

function readManifest(dir: string): Record<string, unknown> | string {
  const file = path.join(dir, 'pack.yaml');
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return 'pack.yaml not found';
  }
  if (!stat.isFile()) return 'pack.yaml not found';
  if (stat.size > 1024 * 1024) return 'Failed to read pack.yaml: larger than 1 MB';
  try {
    const doc = parseYaml(fs.readFileSync(file, 'utf8')) as unknown;
    return doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>) : {};
  } catch (err) {
    return `Failed to parse pack.yaml: ${(err as Error).message}`;
  }
}

// ---- routes -------------------------------------------------------------------------------------------------------

export function registerPackRegistryRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const auth = guard(ctx);

  app.get(
    '/api/v1/pack-indices',
    {
      onRequest: auth,
      schema: { tags: ['packs'], summary: 'Configured pack registry indices', security: bearer, response: { 200: envelope({ type: 'array', items: indexSchema }), ...errors(401, 403) } },
    },
    async (req) => {
      await authorize(ctx, req, 'packs', 'read');
      const { rows } = await ctx.pool.query('SELECT * FROM pack_registry_index ORDER BY position, id');
      return ok(rows.map(indexResponse));
    },
  );

  app.post(
    '/api/v1/pack-indices',
    {
      onRequest: auth,
      schema: { tags: ['packs'], summary: 'Add a pack registry index', security: bearer, body: createIndexBody, response: { 201: envelope(indexSchema), ...errors(400, 401, 403, 409) } },
    },
    async (req, reply) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const url = checkUrl(body.url);
      const name = checkName(body.name) ?? null;
      const position = checkPosition(body.position);
      if (body.enabled !== undefined && typeof body.enabled !== 'boolean') throw validationError('enabled must be a boolean');
      const headers = checkHeaders(body.headers) ?? {};
      await authorize(ctx, req, 'packs', 'manage');
      const { rows } = await ctx.pool
        .query(
          `INSERT INTO pack_registry_index (name, url, position, enabled, headers)
           VALUES ($1, $2, COALESCE($3::int, (SELECT COALESCE(MAX(position) + 1, 0) FROM pack_registry_index)), $4, $5::jsonb)
           RETURNING *`,
          [name, url, position ?? null, body.enabled ?? true, JSON.stringify(headers)],
        )
        .catch((err) => {
          throw pgToApi(err);
        });
      reply.code(201);
      return ok(indexResponse(rows[0]));
    },
  );

  app.put(
    '/api/v1/pack-indices/:id',
    {
      onRequest: auth,
      schema: {
        tags: ['packs'], summary: 'Update a pack registry index', security: bearer, params: idParams(), body: updateIndexBody,
        response: { 200: envelope(indexSchema), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req) => {
      const id = parseId((req.params as { id: unknown }).id);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const url = body.url === undefined || body.url === null ? null : checkUrl(body.url);
      const name = checkName(body.name) ?? null;
      const position = checkPosition(body.position) ?? null;
      if (body.enabled !== undefined && body.enabled !== null && typeof body.enabled !== 'boolean') throw validationError('enabled must be a boolean');
      const headers = checkHeaders(body.headers) ?? null;
      await authorize(ctx, req, 'packs', 'manage');
      const { rows } = await ctx.pool
        .query(
          `UPDATE pack_registry_index SET
             url = COALESCE($2, url), name = COALESCE($3, name), position = COALESCE($4::int, position),
             enabled = COALESCE($5, enabled), headers = COALESCE($6::jsonb, headers)
           WHERE id = $1 RETURNING *`,
          [id, url, name, position, body.enabled ?? null, headers === null ? null : JSON.stringify(headers)],
        )
        .catch((err) => {
          throw pgToApi(err);
        });
      if (!rows[0]) throw notFound(`Pack index ${id} not found`);
      return ok(indexResponse(rows[0]));
    },
  );

  app.delete(
    '/api/v1/pack-indices/:id',
    {
      onRequest: auth,
      schema: { tags: ['packs'], summary: 'Delete a pack registry index', security: bearer, params: idParams(), response: { 200: deletedSchema, ...errors(400, 401, 403, 404) } },
    },
    async (req) => {
      const id = parseId((req.params as { id: unknown }).id);
      await authorize(ctx, req, 'packs', 'manage');
      // fault index-delete-ignored: the delete answers success but the index stays configured
      const sql = fault('index-delete-ignored') ? 'SELECT id FROM pack_registry_index WHERE id = $1' : 'DELETE FROM pack_registry_index WHERE id = $1 RETURNING id';
      const { rowCount } = await ctx.pool.query(sql, [id]);
      if (!rowCount) throw notFound(`Pack index ${id} not found`);
      return deleted(`Pack index ${id} deleted`);
    },
  );

  app.get(
    '/api/v1/pack-indices/packs',
    {
      onRequest: auth,
      schema: {
        tags: ['packs'], summary: 'Packs the configured indices offer', security: bearer,
        querystring: {
          type: 'object',
          properties: {
            q: { type: 'string', description: 'Text to match against indexed packs' },
            registry_id: { type: 'integer', description: 'Restrict results to a configured registry index' },
            include_disabled: { type: 'boolean', description: 'Include disabled registry indices' },
          },
        },
        response: { 200: envelope({ type: 'array', items: indexedPackSchema }), ...errors(400, 401, 403) },
      },
    },
    async (req) => {
      const query = (req.query ?? {}) as { q?: string; registry_id?: number; include_disabled?: boolean };
      await authorize(ctx, req, 'packs', 'read');
      let sources = await indexSources(ctx, query.include_disabled === true);
      // fault index-packs-unfiltered: registry_id is ignored, every index's packs are answered
      if (query.registry_id !== undefined && !fault('index-packs-unfiltered')) sources = sources.filter((s) => s.id === query.registry_id);
      const q = (query.q ?? '').toLowerCase();
      const seen = new Set<string>();
      const packs: { pack: IndexEntry; registry: ReturnType<typeof summaryOf> }[] = [];
      for (const { source, entries } of await offeredPacks(ctx, sources)) {
        for (const entry of entries) {
          if (seen.has(entry.ref)) continue; // the first index (search order) that lists a ref is where it comes from
          seen.add(entry.ref);
          if (entryMatches(entry, q)) packs.push({ pack: entry, registry: summaryOf(source) });
        }
      }
      return ok(packs);
    },
  );

  app.get(
    '/api/v1/pack-indices/packs/:ref',
    {
      onRequest: auth,
      schema: {
        tags: ['packs'], summary: 'One pack the enabled indices offer', security: bearer,
        params: { type: 'object', required: ['ref'], properties: { ref: { type: 'string', description: 'Indexed pack reference identifier' } } },
        response: { 200: envelope(indexedPackSchema), ...errors(401, 403, 404) },
      },
    },
    async (req) => {
      const { ref } = req.params as { ref: string };
      await authorize(ctx, req, 'packs', 'read');
      for (const { source, entries } of await offeredPacks(ctx, await indexSources(ctx, false))) {
        const entry = entries.find((e) => e.ref === ref);
        if (entry) return ok({ pack: entry, registry: summaryOf(source) });
      }
      throw notFound(`Indexed pack '${ref}' not found`);
    },
  );

  app.post(
    '/api/v1/packs/install',
    {
      onRequest: auth,
      schema: {
        tags: ['packs'], summary: 'Install a pack from a registry index', security: bearer, body: installBody,
        response: { 201: installResponseSchema, ...errors(400, 401, 403, 404, 409, 501) },
      },
    },
    async (req: FastifyRequest, reply) => {
      await authenticate(req);
      const body = (req.body ?? {}) as { source?: unknown; skip_tests?: unknown };
      if (typeof body.source !== 'string') throw badRequest('source must be a string');
      const fetched = await fetchRegistryPack(ctx, body.source, path.join(os.tmpdir(), 'attune-pack-installs'));
      try {
        // a remote install always replaces the installed pack of that ref (Attune: force for remote installs)
        const tested = await installAndTest(ctx, req, fetched.root, {
          force: true, skipTests: body.skip_tests === true, method: 'registry', sourceUrl: body.source,
        });
        await publishLoad(ctx, tested.result);
        reply.code(201);
        return ok(
          { pack: packResponse(tested.result.pack), test_result: tested.test_result, tests_skipped: tested.tests_skipped },
          `Pack '${fetched.entry.ref}' installed from its registry index`,
        );
      } finally {
        removeDirQuietly(fetched.scratch);
      }
    },
  );

  app.post(
    '/api/v1/packs/download',
    {
      onRequest: auth,
      schema: { tags: ['packs'], summary: 'Download packs from registry indices without installing them', security: bearer, body: downloadBody, response: { 200: downloadResponseSchema, ...errors(400, 401) } },
    },
    async (req) => {
      await authenticate(req);
      const body = (req.body ?? {}) as { packs?: unknown; destination_dir?: unknown };
      if (!Array.isArray(body.packs) || !body.packs.every((p) => typeof p === 'string')) throw badRequest('packs must be a list of strings');
      if (typeof body.destination_dir !== 'string') throw badRequest('destination_dir must be a string');
      if (body.packs.length > MAX_BATCH) throw badRequest(`at most ${MAX_BATCH} packs per request`);
      // as in Attune, the packs land in a folder of the server's temporary directory (destination_dir is not used)
      const base = path.join(os.tmpdir(), 'attune-pack-downloads');
      const downloaded: Record<string, unknown>[] = [];
      const failed: { source: string; error: string }[] = [];
      for (const source of body.packs as string[]) {
        try {
          const got = await fetchRegistryPack(ctx, source, base);
          const pack = parsePack(readPackFiles(got.root)).pack;
          downloaded.push({
            source, source_type: 'registry', pack_path: got.root, pack_ref: pack.ref, pack_version: pack.version, git_commit: null, checksum: got.checksum,
          });
        } catch (err) {
          if (!(err instanceof ApiError)) throw err;
          failed.push({ source, error: err.message });
        }
      }
      return ok({
        downloaded_packs: downloaded, failed_packs: failed, total_count: body.packs.length, success_count: downloaded.length, failure_count: failed.length,
      });
    },
  );

  app.post(
    '/api/v1/packs/build-envs',
    {
      onRequest: auth,
      schema: { tags: ['packs'], summary: 'Report the runtime environments of pack folders', security: bearer, body: buildEnvsBody, response: { 200: buildEnvsResponseSchema, ...errors(400, 401) } },
    },
    async (req) => {
      await authenticate(req);
      const body = (req.body ?? {}) as { pack_paths?: unknown; skip_python?: unknown; skip_nodejs?: unknown };
      if (!Array.isArray(body.pack_paths) || !body.pack_paths.every((p) => typeof p === 'string')) throw badRequest('pack_paths must be a list of strings');
      if (body.pack_paths.length > MAX_BATCH) throw badRequest(`at most ${MAX_BATCH} pack paths per request`);
      const started = Date.now();
      const built: Record<string, unknown>[] = [];
      const failed: { pack_ref: string; pack_path: string; runtime: string; error: string }[] = [];
      let pythonBuilt = 0;
      let nodeBuilt = 0;
      for (const packPath of body.pack_paths as string[]) {
        const packStarted = Date.now();
        const manifest = packPath.includes('\0') ? 'pack.yaml not found' : readManifest(packPath);
        if (typeof manifest === 'string') {
          failed.push({ pack_ref: 'unknown', pack_path: packPath, runtime: 'unknown', error: manifest });
          continue;
        }
        const packRef = typeof manifest.ref === 'string' ? manifest.ref : 'unknown';
        let python: Record<string, unknown> | null = null;
        let nodejs: Record<string, unknown> | null = null;
        let broken = false;
        if (body.skip_python !== true && typeof manifest.python === 'string' && fs.existsSync(path.join(packPath, 'requirements.txt'))) {
          const version = toolVersion('python3');
          const venv = path.join(packPath, 'venv');
          if (version === null) {
            failed.push({ pack_ref: packRef, pack_path: packPath, runtime: 'python', error: 'Python 3 not available in system' });
            broken = true;
          } else {
            python = { virtualenv_path: venv, requirements_installed: fs.existsSync(venv), package_count: 0, python_version: version };
            pythonBuilt += 1;
          }
        }
        if (!broken && body.skip_nodejs !== true && typeof manifest.nodejs === 'string' && fs.existsSync(path.join(packPath, 'package.json'))) {
          const version = toolVersion('node');
          const modules = path.join(packPath, 'node_modules');
          if (version === null) {
            failed.push({ pack_ref: packRef, pack_path: packPath, runtime: 'nodejs', error: 'Node.js not available in system' });
            broken = true;
          } else {
            nodejs = { node_modules_path: modules, dependencies_installed: fs.existsSync(modules), package_count: 0, nodejs_version: version };
            nodeBuilt += 1;
          }
        }
        if (!broken && (python || nodejs)) {
          built.push({ pack_ref: packRef, pack_path: packPath, environments: { python, nodejs }, duration_ms: Date.now() - packStarted });
        }
      }
      return ok({
        built_environments: built,
        failed_environments: failed,
        summary: {
          total_packs: body.pack_paths.length, success_count: built.length, failure_count: failed.length,
          python_envs_built: pythonBuilt, nodejs_envs_built: nodeBuilt, total_duration_ms: Date.now() - started,
        },
      });
    },
  );
}
