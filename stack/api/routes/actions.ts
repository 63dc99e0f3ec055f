import { fault } from '../../common/faults';
import type { FastifyInstance } from 'fastify';
import type { Queryable } from '../../common/db';
import { authorize } from '../authz';
import type { ApiContext } from '../context';
import { guard } from '../guards';
import { conflict, deleted, notFound, ok, pageOf, parsePaging } from '../http';
import {
  actionByRef, presentAction, requirePack, Row, runtimeById, runtimeByRefOrAlias,
} from '../lookups';
import {
  ActionResponse, ActionSummary, bearer, bool, dataOf, errors, nbool, nint, nobj, nstr, object,
  pageQuery, pageSchema, patchOf, QueueStatsResponse, refParams, str, SuccessResponse,
} from '../openapi';
import { asJson, UpdateBuilder } from '../patch';
import { listScope, packReadableOr404, readableOr404, writableOr404 } from '../scope';

const tags = ['actions'];

export const actionTarget = (row: Row) => ({
  pack_ref: row.pack_ref as string,
  owner: (row._owner as number | null) ?? null,
  ref: row.ref as string,
  id: row.id as number,
});

/** Resolves `runtime` (id) or `runtime_ref` (ref, alias or name) to a runtime id; undefined when neither is given. */
async function resolveRuntime(db: Queryable, runtime: unknown, runtimeRef: unknown): Promise<number | undefined> {
  if (typeof runtime === 'number') {
    const row = await runtimeById(db, runtime);
    if (!row) throw notFound(`Runtime with ID ${runtime} not found`);
    return row.id as number;
  }
  if (typeof runtimeRef === 'string' && runtimeRef !== '') {
    const row = await runtimeByRefOrAlias(db, runtimeRef);
    if (!row) throw notFound(`Runtime '${runtimeRef}' not found`);
    return row.id as number;
  }
  return undefined;
}

const commonFields = {
  description: nstr,
  runtime: { ...nint, description: 'runtime id' },
  runtime_ref: { ...nstr, description: 'runtime ref, alias or name (e.g. core.shell, shell, python)' },
  param_schema: { ...nobj, description: 'flat parameter schema {name: {type, required, default, ...}}' },
  out_schema: nobj,
  enabled: nbool,
  max_retries: { type: ['integer', 'null'], minimum: 0 },
  parameter_delivery: { type: ['string', 'null'], enum: ['stdin', 'file', null] },
  parameter_format: { type: ['string', 'null'], enum: ['json', 'dotenv', 'yaml', null] },
  output_format: { type: ['string', 'null'], enum: ['text', 'json', 'yaml', 'jsonl', null] },
  required_worker_runtimes: { type: ['object', 'null'] },
  worker_selector: { type: ['object', 'null'] },
  worker_tolerations: { type: ['array', 'null'] },
  worker_affinity: { type: ['object', 'null'] },
  default_execution_permission_set_refs: { type: ['array', 'null'], items: str },
  accesses_mcp: nbool,
  reference_visibility: { type: ['string', 'null'], enum: ['public', 'private', 'restricted', null] },
  reference_allowed_pack_refs: { type: ['array', 'null'], items: str },
};

const CreateActionBody = object(
  {
    ref: { type: 'string', minLength: 1, maxLength: 255, description: 'pack.name' },
    pack_ref: { type: 'string', minLength: 1 },
    label: { type: 'string', minLength: 1, maxLength: 255 },
    entrypoint: { type: 'string', minLength: 1, maxLength: 1024 },
    runtime_version_constraint: nstr,
    timeout_seconds: { type: ['integer', 'null'], minimum: 1 },
    ...commonFields,
  },
  ['ref', 'pack_ref', 'label', 'entrypoint'],
);

const UpdateActionBody = object(
  {
    label: { type: ['string', 'null'], minLength: 1, maxLength: 255 },
    entrypoint: { type: ['string', 'null'], minLength: 1, maxLength: 1024 },
    runtime_version_constraint: patchOf('semver range'),
    timeout_seconds: patchOf('default timeout in seconds (>= 1)'),
    ...commonFields,
  },
  [],
  { type: ['object', 'null'] },
);

type Body = Record<string, unknown>;

/** Columns a create/update may set directly from the body (JSON columns encoded). */
function applyCommon(upd: UpdateBuilder, b: Body): void {
  const val = (k: string) => (b[k] === null ? undefined : b[k]);
  upd
    .set('description', b.description === null ? undefined : b.description)
    .set('param_schema', b.param_schema === undefined || b.param_schema === null ? undefined : asJson(b.param_schema), '::jsonb')
    .set('out_schema', b.out_schema === undefined || b.out_schema === null ? undefined : asJson(b.out_schema), '::jsonb')
    .set('enabled', val('enabled'))
    .set('max_retries', val('max_retries'))
    .set('parameter_delivery', val('parameter_delivery'))
    .set('parameter_format', val('parameter_format'))
    .set('output_format', val('output_format'))
    .set('accesses_mcp', val('accesses_mcp'))
    .set('reference_visibility', val('reference_visibility'), '::action_reference_visibility_enum')
    .set('default_execution_permission_set_refs', val('default_execution_permission_set_refs'), '::text[]')
    .set('reference_allowed_pack_refs', val('reference_allowed_pack_refs'), '::text[]');
  for (const k of ['required_worker_runtimes', 'worker_selector', 'worker_tolerations', 'worker_affinity']) {
    if (b[k] !== undefined && b[k] !== null) upd.set(k, asJson(b[k]), '::jsonb');
  }
}

/** /api/v1/actions: CRUD (RBAC actions:create/update/delete against the pack owner), reads filtered by actions:read. */
export function registerActionRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const auth = guard(ctx);

  app.get<{ Querystring: Record<string, unknown> }>('/api/v1/actions', {
    onRequest: auth,
    schema: {
      tags, summary: 'List actions the caller may read (ref order)', security: bearer,
      querystring: object({ ...pageQuery, pack_ref: str, q: { ...str, description: 'substring of ref, label or description' }, enabled: bool }),
      response: { 200: pageSchema(ActionSummary, 'List of actions'), ...errors(400, 401) },
    },
  }, async (req) => {
    const paging = parsePaging(req.query, 50);
    const params: unknown[] = [];
    const where = [await listScope(ctx, req, 'actions', params)];
    const q = req.query;
    if (typeof q.pack_ref === 'string') {
      params.push(q.pack_ref);
      where.push(`action.pack_ref = $${params.length}`);
    }
    if (typeof q.q === 'string' && q.q !== '') {
      params.push(`%${q.q}%`);
      where.push(`(action.ref ILIKE $${params.length} OR action.label ILIKE $${params.length} OR action.description ILIKE $${params.length})`);
    }
    if (typeof q.enabled === 'boolean') {
      params.push(q.enabled);
      where.push(`action.enabled = $${params.length}`);
    }
    const cond = where.join(' AND ');
    const total = Number((await ctx.pool.query(`SELECT count(*) AS n FROM action WHERE ${cond}`, params)).rows[0].n);
    const { rows } = await ctx.pool.query(
      `SELECT action.id, action.ref, action.pack, action.pack_ref, action.label, action.description, action.entrypoint,
              action.runtime, rt.ref AS runtime_ref, action.runtime_version_constraint, action.workflow_def, action.enabled,
              action.is_adhoc, action.accesses_mcp, action.reference_visibility, action.timeout_seconds, action.created, action.updated
         FROM action LEFT JOIN runtime rt ON rt.id = action.runtime
        WHERE ${cond} ORDER BY action.ref LIMIT ${paging.limit} OFFSET ${paging.offset}`,
      params,
    );
    return pageOf(rows.map(presentAction), paging, total);
  });

  const ActionSearchHit = object(
    {
      ref: str, pack_ref: str, label: str, description: nstr, runtime_ref: nstr, is_workflow: bool, accesses_mcp: bool,
      reference_visibility: { type: 'string', enum: ['public', 'private', 'restricted'] },
    },
    ['ref', 'pack_ref', 'label', 'is_workflow', 'accesses_mcp', 'reference_visibility'],
  );

  app.get<{ Querystring: Record<string, unknown> }>('/api/v1/actions/search', {
    onRequest: auth,
    schema: {
      tags, summary: 'Search actions: q tokens AND-matched (case-insensitive substrings of ref, label, description, pack_ref); packs narrows to pack refs (ref order)', security: bearer,
      querystring: object({
        ...pageQuery,
        q: nstr,
        packs: { anyOf: [{ type: 'string' }, { type: 'array', items: str }], description: 'comma-separated or repeated pack refs' },
        referencing_pack_ref: nstr,
      }),
      response: { 200: pageSchema(ActionSearchHit, 'Matching actions'), ...errors(400, 401, 404) },
    },
  }, async (req) => {
    const paging = parsePaging(req.query, 50);
    const params: unknown[] = [];
    const where = [await listScope(ctx, req, 'actions', params)];
    const q = req.query;
    const packs = (Array.isArray(q.packs) ? q.packs : typeof q.packs === 'string' ? [q.packs] : [])
      .flatMap((p) => String(p).split(','))
      .map((p) => p.trim())
      .filter(Boolean);
    if (packs.length) {
      const known = await ctx.pool.query('SELECT ref FROM pack WHERE ref = ANY($1::text[])', [packs]);
      const missing = packs.filter((p) => !known.rows.some((r) => r.ref === p));
      if (missing.length) throw notFound(`Pack(s) not found: ${missing.join(', ')}`);
      params.push(packs);
      where.push(`action.pack_ref = ANY($${params.length}::text[])`);
    }
    const tokens = typeof q.q === 'string' ? q.q.trim().split(/\s+/).filter(Boolean) : [];
    const matches: string[] = [];
    for (const token of tokens) {
      params.push(`%${token.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      const n = `$${params.length}`;
      matches.push(`(action.ref ILIKE ${n} OR action.label ILIKE ${n} OR coalesce(action.description, '') ILIKE ${n} OR action.pack_ref ILIKE ${n})`);
    }
    // fault search-tokens-or-matched: an action matching any one token is a hit (instead of all of them)
    if (matches.length) where.push(fault('search-tokens-or-matched') ? `(${matches.join(' OR ')})` : matches.join(' AND '));
    const cond = where.join(' AND ');
    const total = Number((await ctx.pool.query(`SELECT count(*) AS n FROM action WHERE ${cond}`, params)).rows[0].n);
    const { rows } = await ctx.pool.query(
      `SELECT action.ref, action.pack_ref, action.label, action.description, rt.ref AS runtime_ref,
              (action.workflow_def IS NOT NULL) AS is_workflow, action.accesses_mcp, action.reference_visibility
         FROM action LEFT JOIN runtime rt ON rt.id = action.runtime
        WHERE ${cond} ORDER BY action.ref LIMIT ${paging.limit} OFFSET ${paging.offset}`,
      params,
    );
    return pageOf(rows.map((r) => ({ ...r, description: r.description ?? null })), paging, total);
  });

  app.get<{ Params: { ref: string } }>('/api/v1/actions/:ref', {
    onRequest: auth,
    schema: {
      tags, summary: 'Get an action by ref (404 when missing or not readable)', security: bearer, params: refParams(),
      response: { 200: dataOf(ActionResponse, 'Action details'), ...errors(401, 404) },
    },
  }, async (req) => {
    const row = await actionByRef(ctx.pool, req.params.ref);
    const missing = `Action '${req.params.ref}' not found`;
    if (!row) throw notFound(missing);
    await readableOr404(ctx, req, 'actions', actionTarget(row), missing);
    return ok(presentAction(row));
  });

  app.post<{ Body: Body }>('/api/v1/actions', {
    onRequest: auth,
    schema: {
      tags, summary: 'Create an ad-hoc action', security: bearer,
      body: CreateActionBody,
      response: { 201: dataOf(ActionResponse, 'Action created successfully'), ...errors(401, 403, 404, 409, 422) },
    },
  }, async (req, reply) => {
    const b = req.body;
    const ref = b.ref as string;
    const pack = await requirePack(ctx.pool, b.pack_ref as string);
    await packReadableOr404(ctx, req, pack);
    await authorize(ctx, req, 'actions', 'create', { pack_ref: pack.ref, owner: pack.installed_by, ref });
    if (await actionByRef(ctx.pool, ref)) throw conflict(`Action with ref '${ref}' already exists`);
    const runtime = await resolveRuntime(ctx.pool, b.runtime, b.runtime_ref);
    const params: unknown[] = [];
    const cols = new UpdateBuilder(params)
      .set('ref', ref)
      .set('pack', pack.id)
      .set('pack_ref', pack.ref)
      .set('label', b.label)
      .set('entrypoint', b.entrypoint)
      .set('runtime', runtime)
      .set('runtime_version_constraint', b.runtime_version_constraint ?? undefined)
      .set('timeout_seconds', b.timeout_seconds ?? undefined)
      .set('is_adhoc', true);
    applyCommon(cols, b);
    const ins = await ctx.pool.query(
      `INSERT INTO action ${cols.insertSql()} ON CONFLICT (ref) DO NOTHING RETURNING id`,
      params,
    );
    if (ins.rowCount === 0) throw conflict(`Action with ref '${ref}' already exists`);
    reply.code(201);
    return ok(presentAction((await actionByRef(ctx.pool, ref))!), 'Action created successfully');
  });

  app.put<{ Params: { ref: string }; Body: Body | null }>('/api/v1/actions/:ref', {
    onRequest: auth,
    schema: {
      tags, summary: 'Update an action', security: bearer, params: refParams(),
      body: UpdateActionBody,
      response: { 200: dataOf(ActionResponse, 'Action updated successfully'), ...errors(401, 403, 404, 422) },
    },
  }, async (req) => {
    const row = await actionByRef(ctx.pool, req.params.ref);
    const missing = `Action '${req.params.ref}' not found`;
    if (!row) throw notFound(missing);
    await writableOr404(ctx, req, 'actions', 'update', actionTarget(row), missing);
    const b = req.body ?? {};
    const params: unknown[] = [];
    const upd = new UpdateBuilder(params)
      .set('label', b.label ?? undefined)
      .set('entrypoint', b.entrypoint ?? undefined)
      .set('runtime', await resolveRuntime(ctx.pool, b.runtime, b.runtime_ref))
      .patch('runtime_version_constraint', b.runtime_version_constraint)
      .patch('timeout_seconds', b.timeout_seconds);
    applyCommon(upd, b);
    if (!upd.empty) {
      params.push(row.id);
      await ctx.pool.query(`UPDATE action SET ${upd.sql()} WHERE id = $${params.length}`, params);
    }
    return ok(presentAction((await actionByRef(ctx.pool, row.ref as string))!), 'Action updated successfully');
  });

  app.delete<{ Params: { ref: string } }>('/api/v1/actions/:ref', {
    onRequest: auth,
    schema: {
      tags, summary: 'Delete an action (executions and rules keep their action_ref)', security: bearer, params: refParams(),
      response: { 200: SuccessResponse, ...errors(401, 403, 404) },
    },
  }, async (req) => {
    const row = await actionByRef(ctx.pool, req.params.ref);
    const missing = `Action '${req.params.ref}' not found`;
    if (!row) throw notFound(missing);
    await writableOr404(ctx, req, 'actions', 'delete', actionTarget(row), missing);
    await ctx.pool.query('DELETE FROM action WHERE id = $1', [row.id]);
    return deleted(`Action '${row.ref}' deleted successfully`);
  });

  app.get<{ Params: { ref: string } }>('/api/v1/actions/:ref/queue-stats', {
    onRequest: auth,
    schema: {
      tags, summary: 'FIFO queue statistics of an action (404 until the executor wrote some)', security: bearer, params: refParams(),
      response: { 200: dataOf(QueueStatsResponse, 'Queue statistics'), ...errors(401, 404) },
    },
  }, async (req) => {
    const row = await actionByRef(ctx.pool, req.params.ref);
    const missing = `Action '${req.params.ref}' not found`;
    if (!row) throw notFound(missing);
    await readableOr404(ctx, req, 'actions', actionTarget(row), missing);
    const { rows } = await ctx.pool.query('SELECT * FROM queue_stats WHERE action_id = $1', [row.id]);
    if (!rows[0]) throw notFound(`No queue statistics available for action '${row.ref}'`);
    return ok({ ...presentAction(rows[0]), action_ref: row.ref });
  });
}
