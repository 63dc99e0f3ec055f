import type { FastifyInstance, FastifyRequest } from 'fastify';
import { withRetriedTransaction, withTransaction, type Queryable } from '../../common/db';
import { fault } from '../../common/faults';
import { authorize } from '../authz';
import type { ApiContext } from '../context';
import { guard } from '../guards';
import { conflict, deleted, notFound, ok, pageOf, parsePaging, serialize, unprocessable, validationError } from '../http';
import { actionByRef, isObject, requirePack, Row } from '../lookups';
import {
  bearer, dataOf, errors, nobj, nstr, nstrArray, object, pageQuery, pageSchema, refParams, str, SuccessResponse,
  WorkflowResponse, WorkflowSummary,
} from '../openapi';
import { asJson, UpdateBuilder } from '../patch';
import { allowed, listScope, packReadableOr404, readableOr404, writableOr404 } from '../scope';
import { workflowDefinitionProblem } from '../workflow-checks';
import { actionTarget } from './actions';

const tags = ['workflows'];

const WORKFLOW_SELECT = `SELECT workflow_definition.*,
    (SELECT p.installed_by FROM pack p WHERE p.id = workflow_definition.pack) AS _owner
  FROM workflow_definition`;

const RESPONSE_FIELDS = ['id', 'ref', 'pack', 'pack_ref', 'label', 'description', 'version', 'param_schema', 'out_schema', 'definition', 'tags', 'created', 'updated'];
const SUMMARY_FIELDS = ['id', 'ref', 'pack_ref', 'label', 'description', 'version', 'tags', 'created', 'updated'];

function pick(row: Row, fields: string[]): Row {
  const out: Row = {};
  for (const f of fields) out[f] = row[f] ?? null;
  return serialize(out);
}

export const presentWorkflow = (row: Row): Row => pick(row, RESPONSE_FIELDS);
export const presentWorkflowSummary = (row: Row): Row => pick(row, SUMMARY_FIELDS);

const workflowTarget = (row: Row) => ({
  pack_ref: row.pack_ref as string,
  owner: (row._owner as number | null) ?? null,
  ref: row.ref as string,
  id: row.id as number,
});

async function workflowByRef(db: Queryable, ref: string): Promise<Row | null> {
  const { rows } = await db.query(`${WORKFLOW_SELECT} WHERE workflow_definition.ref = $1`, [ref]);
  return rows[0] ?? null;
}

const CreateWorkflowBody = object(
  {
    ref: { type: 'string', minLength: 1, maxLength: 255, description: 'pack.name (the pack part equals pack_ref)' },
    pack_ref: { type: 'string', minLength: 1 },
    label: { type: 'string', minLength: 1 },
    description: nstr,
    version: { type: 'string', minLength: 1, maxLength: 50 },
    // Attune's document marks both schemas required; a missing one is stored as null.
    param_schema: { ...nobj, default: null, description: 'flat parameter schema of the workflow (copied to its action)' },
    out_schema: { ...nobj, default: null, description: 'flat output schema (copied to its action)' },
    definition: {
      type: 'object', additionalProperties: true,
      description: '{version?, vars?, tasks: [...], output_map?, cancellation_policy?}; a missing version takes the body\'s version',
    },
    tags: nstrArray,
  },
  ['ref', 'pack_ref', 'label', 'version', 'param_schema', 'out_schema', 'definition'],
);

const UpdateWorkflowBody = object(
  {
    label: { type: ['string', 'null'], minLength: 1 },
    description: nstr,
    version: { type: ['string', 'null'], minLength: 1, maxLength: 50 },
    // Attune's document marks these three required; a missing one defaults to null (= unchanged).
    param_schema: { ...nobj, default: null, description: 'null leaves it unchanged' },
    out_schema: { ...nobj, default: null, description: 'null leaves it unchanged' },
    definition: { ...nobj, default: null, description: 'null leaves it unchanged' },
    tags: nstrArray,
  },
  ['param_schema', 'out_schema', 'definition'],
  { type: ['object', 'null'] },
);

type Body = Record<string, unknown>;

/** The definition as stored: the body's version fills a missing `definition.version`. */
function withVersion(definition: Record<string, unknown>, version: string): Record<string, unknown> {
  const v = definition.version;
  return v === undefined || v === null || v === '' ? { ...definition, version } : definition;
}

/** 422 (nothing stored) when the engine could never run the definition. */
async function checkDefinition(ctx: ApiContext, req: FastifyRequest, definition: unknown): Promise<void> {
  const problem = await workflowDefinitionProblem(definition, async (ref) => {
    const row = await actionByRef(ctx.pool, ref);
    return !!row && (await allowed(ctx, req, 'actions', 'read', actionTarget(row)));
  });
  if (problem) throw unprocessable(problem);
}

/** `pack.name`, lower-case, exactly one dot, pack part = pack_ref (action refs obey the same DB CHECK). */
function checkRef(ref: string, packRef: string): void {
  if (!/^[^.]+\.[^.]+$/.test(ref) || ref !== ref.toLowerCase()) {
    throw validationError(`ref: '${ref}' must be a lower-case 'pack.name' with exactly one dot`);
  }
  if (ref.slice(0, ref.indexOf('.')) !== packRef) throw validationError(`ref: '${ref}' must start with its pack '${packRef}.'`);
}

/** /api/v1/workflows: CRUD of workflow definitions, each with a companion action of the same ref. */
export function registerWorkflowRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const auth = guard(ctx);

  app.get<{ Querystring: Record<string, unknown> }>('/api/v1/workflows', {
    onRequest: auth,
    schema: {
      tags, summary: 'List workflows the caller may read (ref order)', security: bearer,
      querystring: object({
        ...pageQuery,
        pack_ref: str,
        tags: { ...str, description: 'comma-separated tags; a workflow with any of them matches' },
        search: { ...str, description: 'case-insensitive substring of ref, label or description' },
      }),
      response: { 200: pageSchema(WorkflowSummary, 'List of workflows'), ...errors(400, 401) },
    },
  }, async (req) => {
    const paging = parsePaging(req.query, 50);
    const params: unknown[] = [];
    const where = [await listScope(ctx, req, 'workflows', params)];
    const q = req.query;
    if (typeof q.pack_ref === 'string' && q.pack_ref !== '') {
      params.push(q.pack_ref);
      where.push(`workflow_definition.pack_ref = $${params.length}`);
    }
    if (typeof q.tags === 'string') {
      const wanted = q.tags.split(',').map((t) => t.trim()).filter(Boolean);
      if (wanted.length) {
        params.push(wanted);
        where.push(`workflow_definition.tags && $${params.length}::text[]`);
      }
    }
    if (typeof q.search === 'string' && q.search.trim() !== '') {
      params.push(`%${q.search.trim().replace(/[\\%_]/g, '\\$&')}%`);
      const n = params.length;
      where.push(`(workflow_definition.ref ILIKE $${n} OR workflow_definition.label ILIKE $${n} OR workflow_definition.description ILIKE $${n})`);
    }
    const cond = where.join(' AND ');
    const total = Number((await ctx.pool.query(`SELECT count(*) AS n FROM workflow_definition WHERE ${cond}`, params)).rows[0].n);
    const { rows } = await ctx.pool.query(
      `SELECT * FROM workflow_definition WHERE ${cond} ORDER BY workflow_definition.ref LIMIT ${paging.limit} OFFSET ${paging.offset}`,
      params,
    );
    return pageOf(rows.map(presentWorkflowSummary), paging, total);
  });

  app.get<{ Params: { ref: string } }>('/api/v1/workflows/:ref', {
    onRequest: auth,
    schema: {
      tags, summary: 'Get a workflow by ref (404 when missing or not readable)', security: bearer, params: refParams(),
      response: { 200: dataOf(WorkflowResponse, 'Workflow details'), ...errors(401, 404) },
    },
  }, async (req) => {
    const row = await workflowByRef(ctx.pool, req.params.ref);
    const missing = `Workflow '${req.params.ref}' not found`;
    if (!row) throw notFound(missing);
    await readableOr404(ctx, req, 'workflows', workflowTarget(row), missing);
    return ok(presentWorkflow(row));
  });

  app.post<{ Body: Body }>('/api/v1/workflows', {
    onRequest: auth,
    schema: {
      tags, summary: 'Create a workflow (and its companion action, same ref)', security: bearer,
      description:
        'The definition is checked first: unknown `do` targets, actions that do not exist or are not visible, templates that do not parse, ' +
        'joins larger than the inbound transitions, cycles no transition leaves and unreachable tasks answer 422 naming the task; nothing is stored.',
      body: CreateWorkflowBody,
      response: { 201: dataOf(WorkflowResponse, 'Workflow created successfully'), ...errors(400, 401, 403, 404, 409, 422) },
    },
  }, async (req, reply) => {
    const b = req.body;
    const ref = b.ref as string;
    const pack = await requirePack(ctx.pool, b.pack_ref as string);
    await packReadableOr404(ctx, req, pack);
    await authorize(ctx, req, 'workflows', 'create', { pack_ref: pack.ref, owner: pack.installed_by, ref });
    checkRef(ref, pack.ref);
    const exists = `Workflow with ref '${ref}' already exists`;
    if ((await workflowByRef(ctx.pool, ref)) || (await actionByRef(ctx.pool, ref))) throw conflict(exists);
    const definition = withVersion(b.definition as Record<string, unknown>, b.version as string);
    const row = {
      ref, pack: pack.id, pack_ref: pack.ref, label: b.label, description: b.description ?? null, version: b.version,
      param_schema: b.param_schema ?? null, out_schema: b.out_schema ?? null, definition, tags: Array.isArray(b.tags) ? b.tags : [],
    };
    // fault workflow-half-stored: the definition row is committed before the checks run (a refused one stays behind)
    const early = fault('workflow-half-stored') ? await insertDefinition(ctx.pool, row) : null;
    await checkDefinition(ctx, req, definition);
    await withTransaction(ctx.pool, async (c) => {
      const id = early ?? (await insertDefinition(c, row));
      const params: unknown[] = [];
      const cols = new UpdateBuilder(params)
        .set('ref', ref)
        .set('pack', pack.id)
        .set('pack_ref', pack.ref)
        .set('label', row.label)
        .set('description', row.description ?? undefined)
        .set('entrypoint', 'workflow')
        .set('param_schema', row.param_schema === null ? undefined : asJson(row.param_schema), '::jsonb')
        .set('out_schema', row.out_schema === null ? undefined : asJson(row.out_schema), '::jsonb')
        .set('workflow_def', id)
        .set('is_adhoc', true);
      const ins = await c.query(`INSERT INTO action ${cols.insertSql()} ON CONFLICT (ref) DO NOTHING RETURNING id`, params);
      if (ins.rowCount === 0) throw conflict(exists);
    });
    reply.code(201);
    return ok(presentWorkflow((await workflowByRef(ctx.pool, ref))!), 'Workflow created successfully');
  });

  app.put<{ Params: { ref: string }; Body: Body | null }>('/api/v1/workflows/:ref', {
    onRequest: auth,
    schema: {
      tags, summary: 'Update a workflow (its companion action follows label, description and schemas)', security: bearer, params: refParams(),
      description: 'A new definition is checked like on create (422 naming the task, nothing changed).',
      body: UpdateWorkflowBody,
      response: { 200: dataOf(WorkflowResponse, 'Workflow updated successfully'), ...errors(400, 401, 403, 404, 422) },
    },
  }, async (req) => {
    const current = await workflowByRef(ctx.pool, req.params.ref);
    const missing = `Workflow '${req.params.ref}' not found`;
    if (!current) throw notFound(missing);
    await writableOr404(ctx, req, 'workflows', 'update', workflowTarget(current), missing);
    const b = req.body ?? {};
    const version = (b.version ?? current.version) as string;
    let definition: Record<string, unknown> | undefined;
    if (isObject(b.definition)) {
      definition = withVersion(b.definition, version);
      await checkDefinition(ctx, req, definition);
    }
    const wdParams: unknown[] = [];
    const wd = new UpdateBuilder(wdParams)
      .set('label', b.label ?? undefined)
      .set('description', b.description ?? undefined)
      .set('version', b.version ?? undefined)
      .set('param_schema', isObject(b.param_schema) ? asJson(b.param_schema) : undefined, '::jsonb')
      .set('out_schema', isObject(b.out_schema) ? asJson(b.out_schema) : undefined, '::jsonb')
      .set('definition', definition === undefined ? undefined : asJson(definition), '::jsonb')
      .set('tags', Array.isArray(b.tags) ? b.tags : undefined, '::text[]');
    const actParams: unknown[] = [];
    const act = new UpdateBuilder(actParams)
      .set('label', b.label ?? undefined)
      .set('description', b.description ?? undefined)
      .set('param_schema', isObject(b.param_schema) ? asJson(b.param_schema) : undefined, '::jsonb')
      .set('out_schema', isObject(b.out_schema) ? asJson(b.out_schema) : undefined, '::jsonb');
    await withTransaction(ctx.pool, async (c) => {
      if (!wd.empty) {
        wdParams.push(current.id);
        await c.query(`UPDATE workflow_definition SET ${wd.sql()} WHERE id = $${wdParams.length}`, wdParams);
      }
      // fault workflow-update-skips-action: the companion action keeps its old label, description and schemas
      if (!act.empty && !fault('workflow-update-skips-action')) {
        actParams.push(current.id);
        await c.query(`UPDATE action SET ${act.sql()} WHERE workflow_def = $${actParams.length}`, actParams);
      }
    });
    return ok(presentWorkflow((await workflowByRef(ctx.pool, current.ref as string))!), 'Workflow updated successfully');
  });

  app.delete<{ Params: { ref: string } }>('/api/v1/workflows/:ref', {
    onRequest: auth,
    schema: {
      tags, summary: 'Delete a workflow (its companion action goes with it; executions keep their action_ref)', security: bearer, params: refParams(),
      response: { 200: SuccessResponse, ...errors(401, 403, 404) },
    },
  }, async (req) => {
    const row = await workflowByRef(ctx.pool, req.params.ref);
    const missing = `Workflow '${req.params.ref}' not found`;
    if (!row) throw notFound(missing);
    await writableOr404(ctx, req, 'workflows', 'delete', workflowTarget(row), missing);
    // a run of this workflow may be locking its rows right now (the executor winding it down): retried on deadlock
    await withRetriedTransaction(ctx.pool, async (c) => {
      // fault workflow-delete-keeps-action: the companion action is unlinked first, so the cascade spares it
      if (fault('workflow-delete-keeps-action')) await c.query('UPDATE action SET workflow_def = NULL WHERE workflow_def = $1', [row.id]);
      await c.query('DELETE FROM workflow_definition WHERE id = $1', [row.id]);
    });
    return deleted(`Workflow '${row.ref}' deleted successfully`);
  });
}

async function insertDefinition(db: Queryable, row: Record<string, unknown>): Promise<number> {
  const params: unknown[] = [];
  const cols = new UpdateBuilder(params)
    .set('ref', row.ref)
    .set('pack', row.pack)
    .set('pack_ref', row.pack_ref)
    .set('label', row.label)
    .set('description', row.description ?? undefined)
    .set('version', row.version)
    .set('param_schema', row.param_schema === null ? undefined : asJson(row.param_schema), '::jsonb')
    .set('out_schema', row.out_schema === null ? undefined : asJson(row.out_schema), '::jsonb')
    .set('definition', asJson(row.definition), '::jsonb')
    .set('tags', row.tags, '::text[]');
  const { rows } = await db.query(`INSERT INTO workflow_definition ${cols.insertSql()} RETURNING id`, params);
  return Number(rows[0].id);
}
