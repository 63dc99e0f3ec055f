import type { FastifyInstance, FastifyRequest } from 'fastify';
import { withTransaction, type Queryable } from '../../common/db';
import { fault } from '../../common/faults';
import {
  inquiryStatusOf, isPastTimeout, notPendingMessage, responseMismatchMessage, responseProblems, responseSchemaProblem,
  timedOutMessage,
} from '../../common/inquiries';
import type { Grant } from '../../common/authz-model';
import { allowed, authorize, requestGrants } from '../authz';
import type { ApiContext } from '../context';
import { guard, principalOf } from '../guards';
import { ApiError, badRequest, deleted, forbidden, notFound, ok, pageOf, Paging, serialize, validationError } from '../http';
import { packOfRef, Row } from '../lookups';
import {
  anyJson, bearer, dataOf, errors, idParams, InquiryResponse, inquiryStatus, InquirySummary, nint, nobj, nts, object, pageQuery,
  pageSchema, str, SuccessResponse,
} from '../openapi';
import { asJson } from '../patch';
import { listScope } from '../scope';
import { stringifyExact } from '../../common/exact-json';

const tags = ['inquiries'];
/** The largest response_schema (JSON text) an inquiry may carry. */
export const MAX_RESPONSE_SCHEMA_BYTES = 16 * 1024;

const RESPONSE_FIELDS = ['id', 'execution', 'prompt', 'response_schema', 'assigned_to', 'status', 'response', 'timeout_at', 'responded_at', 'created', 'updated'];
const SUMMARY_FIELDS = ['id', 'execution', 'prompt', 'assigned_to', 'status', 'has_response', 'timeout_at', 'created'];

/** An inquiry row with the owner of its execution (`_owner` = execution.executor) and the execution's action ref. */
const INQUIRY_SELECT = `SELECT inquiry.*, e.executor AS _owner, e.action_ref AS _action_ref
  FROM inquiry LEFT JOIN execution e ON e.id = inquiry.execution`;

const SUMMARY_SELECT = `SELECT inquiry.id, inquiry.execution, inquiry.prompt, inquiry.assigned_to, inquiry.status,
    (inquiry.response IS NOT NULL) AS has_response, inquiry.timeout_at, inquiry.created
  FROM inquiry`;

function pick(row: Row, fields: string[]): Row {
  const out: Row = {};
  for (const f of fields) out[f] = row[f] ?? null;
  out.id = Number(out.id);
  out.execution = Number(out.execution);
  if (out.assigned_to !== null) out.assigned_to = Number(out.assigned_to);
  return serialize(out);
}

export const presentInquiry = (row: Row): Row => pick(row, RESPONSE_FIELDS);
const presentSummary = (row: Row): Row => pick(row, SUMMARY_FIELDS);

/** What grants are checked against: the owner of an inquiry is the identity its execution runs as. */
const inquiryTarget = (row: Row) => ({
  owner: row._owner === null || row._owner === undefined ? null : Number(row._owner),
  id: Number(row.id),
  pack_ref: typeof row._action_ref === 'string' ? packOfRef(row._action_ref) : null,
  ref: null,
});

async function inquiryById(db: Queryable, id: number, lock = false): Promise<Row | undefined> {
  // FOR UPDATE OF inquiry: only the inquiry row is locked (the execution stays the executor's)
  const { rows } = await db.query(`${INQUIRY_SELECT} WHERE inquiry.id = $1${lock ? ' FOR UPDATE OF inquiry' : ''}`, [id]);
  return rows[0];
}

/** Holds `resource:action` without an owner/pack/ref restriction (the admin persona). */
function unrestricted(grants: Grant[], resource: string, action: string): boolean {
  return grants.some(
    (g) =>
      (g.resource === resource || g.resource === '*') &&
      Array.isArray(g.actions) &&
      (g.actions.includes(action) || g.actions.includes('*')) &&
      Object.entries(g.constraints ?? {}).every(([k, v]) => k === 'owner' && v === 'any'),
  );
}

/** Paging of the inquiry lists: Attune's `offset`/`limit` (default 50, max 500), or `page`/`page_size`. */
export function inquiryPaging(query: unknown): Paging {
  const q = (query ?? {}) as Record<string, unknown>;
  const num = (v: unknown, min: number): number | undefined => {
    if (v === undefined || v === null || v === '') return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw badRequest(`invalid paging value ${stringifyExact(v)}: must be an integer >= ${min}`);
    return n;
  };
  const offset = num(q.offset, 0);
  const limitRaw = num(q.limit, 1);
  if (offset !== undefined || limitRaw !== undefined) {
    const limit = Math.min(limitRaw ?? 50, 500);
    const off = offset ?? 0;
    return { page: Math.floor(off / limit) + 1, pageSize: limit, limit, offset: off };
  }
  const page = num(q.page, 1) ?? 1;
  const pageSize = num(q.page_size ?? q.per_page, 1) ?? 50;
  const limit = Math.min(pageSize, 500);
  return { page, pageSize, limit, offset: (page - 1) * limit };
}

const listQuery = {
  status: { ...str, description: 'pending, responded, timeout, cancelled (canceled accepted)' },
  execution: { type: 'integer', description: 'only the inquiries of this execution' },
  assigned_to: { type: 'integer', description: 'only the inquiries assigned to this identity' },
  offset: { type: 'integer', minimum: 0, description: 'rows to skip (default 0)' },
  limit: { type: 'integer', minimum: 1, description: 'rows to return (default 50, at most 500)' },
  ...pageQuery,
};

interface CreateBody {
  execution: number;
  prompt: string;
  response_schema?: Record<string, unknown> | null;
  assigned_to?: number | null;
  timeout_at?: string | null;
}

interface UpdateBody {
  status?: string | null;
  response?: unknown;
  assigned_to?: number | null;
}

/**
 * /api/v1/inquiries: a person answers a question an execution asked (docs/inquiries.md).
 * Visibility: inquiries:read on the inquiry (its owner is its execution's `executor`), or being
 * its assignee; an inquiry the caller may not see answers 404.
 */
export function registerInquiryRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const auth = guard(ctx);

  const visible = async (req: FastifyRequest, row: Row): Promise<boolean> =>
    (row.assigned_to !== null && Number(row.assigned_to) === principalOf(req).identityId) ||
    (await allowed(ctx, req, 'inquiries', 'read', inquiryTarget(row)));

  const loadVisible = async (req: FastifyRequest, id: number): Promise<Row> => {
    const row = await inquiryById(ctx.pool, id);
    const missing = `Inquiry with ID ${id} not found`;
    if (!row) throw notFound(missing);
    if (!fault('tenant-get-unscoped') && !(await visible(req, row))) throw notFound(missing);
    return row;
  };

  /** `cond` selecting the inquiries the caller may see (pushes its params). */
  const scope = async (req: FastifyRequest, params: unknown[]): Promise<string> => {
    const byGrant = await listScope(ctx, req, 'inquiries', params);
    if (byGrant === 'TRUE') return 'TRUE';
    params.push(principalOf(req).identityId);
    return `(${byGrant} OR inquiry.assigned_to = $${params.length})`;
  };

  const list = async (req: FastifyRequest, filters: { status?: string; execution?: number; assigned_to?: number }, query: unknown) => {
    const paging = inquiryPaging(query);
    const params: unknown[] = [];
    const where = [await scope(req, params)];
    if (filters.status !== undefined) {
      const status = inquiryStatusOf(filters.status);
      if (!status) throw badRequest(`Invalid inquiry status '${filters.status}': expected pending, responded, timeout or cancelled`);
      params.push(status);
      where.push(`inquiry.status = $${params.length}::inquiry_status_enum`);
    }
    if (filters.execution !== undefined) {
      params.push(filters.execution);
      where.push(`inquiry.execution = $${params.length}`);
    }
    if (filters.assigned_to !== undefined) {
      params.push(filters.assigned_to);
      where.push(`inquiry.assigned_to = $${params.length}`);
    }
    const cond = where.join(' AND ');
    const total = Number((await ctx.pool.query(`SELECT count(*) AS n FROM inquiry WHERE ${cond}`, params)).rows[0].n);
    const { rows } = await ctx.pool.query(
      `${SUMMARY_SELECT} WHERE ${cond} ORDER BY inquiry.created DESC, inquiry.id DESC LIMIT ${paging.limit} OFFSET ${paging.offset}`,
      params,
    );
    return pageOf(rows.map(presentSummary), paging, total);
  };

  app.get<{ Querystring: Record<string, unknown> }>('/api/v1/inquiries', {
    onRequest: auth,
    schema: {
      tags, summary: 'List the inquiries the caller may see (newest first)', security: bearer,
      description: 'Filters `status`, `execution`, `assigned_to`; paging `offset`/`limit` (default 50, max 500) or `page`/`page_size`.',
      querystring: object(listQuery),
      response: { 200: pageSchema(InquirySummary, 'List of inquiries'), ...errors(400, 401) },
    },
  }, async (req) => {
    const q = req.query;
    return list(req, {
      status: typeof q.status === 'string' && q.status !== '' ? q.status : undefined,
      execution: typeof q.execution === 'number' ? q.execution : undefined,
      assigned_to: typeof q.assigned_to === 'number' ? q.assigned_to : undefined,
    }, q);
  });

  app.get<{ Params: { status: string }; Querystring: Record<string, unknown> }>('/api/v1/inquiries/status/:status', {
    onRequest: auth,
    schema: {
      tags, summary: 'List the inquiries in one status (pending, responded, timeout, cancelled or canceled)', security: bearer,
      params: object({ status: str }, ['status']),
      querystring: object({ offset: listQuery.offset, limit: listQuery.limit, ...pageQuery }),
      response: { 200: pageSchema(InquirySummary, 'List of inquiries with specified status'), ...errors(400, 401) },
    },
  }, async (req) => list(req, { status: req.params.status }, req.query));

  app.get<{ Params: { execution_id: number }; Querystring: Record<string, unknown> }>('/api/v1/executions/:execution_id/inquiries', {
    onRequest: auth,
    schema: {
      tags, summary: 'The inquiries of one execution (404 when the execution is missing or not readable)', security: bearer,
      params: idParams('execution_id'),
      querystring: object({ offset: listQuery.offset, limit: listQuery.limit, ...pageQuery }),
      response: { 200: pageSchema(InquirySummary, 'List of inquiries for execution'), ...errors(400, 401, 404) },
    },
  }, async (req) => {
    const id = req.params.execution_id;
    const { rows } = await ctx.pool.query('SELECT id, executor, action_ref FROM execution WHERE id = $1', [id]);
    const missing = `Execution with ID ${id} not found`;
    if (!rows[0]) throw notFound(missing);
    const target = { owner: rows[0].executor ?? null, pack_ref: packOfRef(rows[0].action_ref), ref: rows[0].action_ref, id: Number(rows[0].id) };
    if (!fault('tenant-get-unscoped') && !(await allowed(ctx, req, 'executions', 'read', target))) {
      // the assignee of one of its inquiries may list them too
      const assigned = await ctx.pool.query('SELECT 1 FROM inquiry WHERE execution = $1 AND assigned_to = $2 LIMIT 1', [id, principalOf(req).identityId]);
      if (!assigned.rowCount) throw notFound(missing);
    }
    return list(req, { execution: id }, req.query);
  });

  app.get<{ Params: { id: number } }>('/api/v1/inquiries/:id', {
    onRequest: auth,
    schema: {
      tags, summary: 'Get an inquiry (404 when missing or not visible)', security: bearer, params: idParams(),
      response: { 200: dataOf(InquiryResponse, 'Inquiry details'), ...errors(400, 401, 404) },
    },
  }, async (req) => ok(presentInquiry(await loadVisible(req, req.params.id))));

  app.post<{ Body: CreateBody }>('/api/v1/inquiries', {
    onRequest: auth,
    schema: {
      tags, summary: 'Create a pending inquiry for an execution (needs inquiries:create)', security: bearer,
      body: object(
        {
          execution: { type: 'integer', description: 'the execution waiting on the answer' },
          prompt: { type: 'string', minLength: 1, maxLength: 10000 },
          response_schema: { ...nobj, default: null, description: 'JSON schema (or Attune\'s flat form) a response must satisfy; null = any response' },
          assigned_to: { ...nint, description: 'identity id of the only person (besides admins) who may answer' },
          timeout_at: { ...nts, description: 'RFC 3339; past it the inquiry times out' },
        },
        ['execution', 'prompt', 'response_schema'],
      ),
      response: { 201: dataOf(InquiryResponse, 'Inquiry created successfully'), ...errors(400, 401, 403, 404, 422) },
    },
  }, async (req, reply) => {
    const b = req.body;
    const { rows: ex } = await ctx.pool.query('SELECT id, executor, action_ref FROM execution WHERE id = $1', [b.execution]);
    const missing = `Execution with ID ${b.execution} not found`;
    if (!ex[0]) throw notFound(missing);
    const execTarget = { owner: ex[0].executor ?? null, pack_ref: packOfRef(ex[0].action_ref), ref: ex[0].action_ref, id: Number(ex[0].id) };
    if (!(await allowed(ctx, req, 'executions', 'read', execTarget))) throw notFound(missing);
    await authorize(ctx, req, 'inquiries', 'create', { owner: execTarget.owner, pack_ref: execTarget.pack_ref });
    // compiling a schema runs on the api's only thread and ajv's cost grows faster than the schema (a
    // 600 KB one held every request for ~45 s): larger ones are refused before they are compiled
    if (b.response_schema != null && Buffer.byteLength(stringifyExact(b.response_schema)) > MAX_RESPONSE_SCHEMA_BYTES) {
      throw validationError(`response_schema: larger than ${MAX_RESPONSE_SCHEMA_BYTES / 1024} KB`);
    }
    const schemaProblem = responseSchemaProblem(b.response_schema ?? null);
    if (schemaProblem) throw validationError(schemaProblem);
    let timeoutAt: Date | null = null;
    if (b.timeout_at !== undefined && b.timeout_at !== null) {
      timeoutAt = new Date(b.timeout_at);
      if (Number.isNaN(timeoutAt.getTime())) throw validationError(`timeout_at: '${b.timeout_at}' is not an RFC 3339 timestamp`);
    }
    if (b.assigned_to !== undefined && b.assigned_to !== null) {
      const who = await ctx.pool.query('SELECT 1 FROM identity WHERE id = $1', [b.assigned_to]);
      if (!who.rowCount) throw validationError(`assigned_to: identity ${b.assigned_to} not found`);
    }
    const { rows } = await ctx.pool.query(
      `INSERT INTO inquiry (execution, prompt, response_schema, assigned_to, status, timeout_at)
       VALUES ($1, $2, $3::jsonb, $4, 'pending', $5) RETURNING *`,
      [b.execution, b.prompt, asJson(b.response_schema ?? null), b.assigned_to ?? null, timeoutAt],
    );
    const row = rows[0];
    await ctx.mq.publish('InquiryCreated', {
      inquiry_id: Number(row.id),
      execution_id: Number(row.execution),
      prompt: row.prompt,
      response_schema: row.response_schema,
      assigned_to: row.assigned_to === null ? null : Number(row.assigned_to),
      timeout_at: row.timeout_at ? new Date(row.timeout_at as Date).toISOString() : null,
    });
    reply.code(201);
    return ok(presentInquiry(row), 'Inquiry created successfully');
  });

  app.post<{ Params: { id: number }; Body: { response: unknown } }>('/api/v1/inquiries/:id/respond', {
    onRequest: auth,
    schema: {
      tags, summary: 'Answer a pending inquiry (publishes InquiryResponded)', security: bearer, params: idParams(),
      description:
        '400 when the inquiry is not pending, when it is past timeout_at (it then becomes `timeout`) or when the response does not satisfy response_schema (naming the field); 403 when assigned to another identity (admins excepted); 404 when not visible.',
      body: object({ response: { ...anyJson, description: 'the answer (any JSON; must satisfy the inquiry\'s response_schema)' } }, ['response']),
      response: { 200: dataOf(InquiryResponse, 'Response submitted successfully'), ...errors(400, 401, 403, 404, 422) },
    },
  }, async (req) => {
    const id = req.params.id;
    await loadVisible(req, id);
    const principal = principalOf(req);
    const grants = await requestGrants(ctx, req, principal);
    const response = req.body.response;
    type Outcome = { ok: Row } | { refuse: ApiError };
    const outcome = await withTransaction<Outcome>(ctx.pool, async (c) => {
      const row = await inquiryById(c, id, true);
      if (!row) return { refuse: notFound(`Inquiry with ID ${id} not found`) };
      if (row.status !== 'pending') return { refuse: badRequest(notPendingMessage(id, String(row.status))) };
      // fault inquiry-late-response-accepted: an answer after timeout_at is taken as if in time
      if (!fault('inquiry-late-response-accepted') && isPastTimeout(row.timeout_at as Date | null)) {
        await c.query(`UPDATE inquiry SET status = 'timeout' WHERE id = $1 AND status = 'pending'`, [id]);
        return { refuse: badRequest(timedOutMessage(id, new Date(row.timeout_at as Date))) };
      }
      if (principal.tokenType === 'execution' && principal.scope === `execution:${row.execution}`) {
        return { refuse: forbidden('An execution may not answer its own inquiry') };
      }
      const assignee = row.assigned_to === null ? null : Number(row.assigned_to);
      // fault inquiry-anyone-may-respond: whoever sees the inquiry may answer it, assignee or not
      if (!fault('inquiry-anyone-may-respond')) {
        if (assignee !== null) {
          if (assignee !== principal.identityId && !unrestricted(grants, 'inquiries', 'respond')) {
            return { refuse: forbidden(`Inquiry ${id} is assigned to another identity`) };
          }
        } else if (!(await allowed(ctx, req, 'inquiries', 'respond', inquiryTarget(row)))) {
          return { refuse: forbidden('Permission denied: inquiries:respond') };
        }
      }
      // fault inquiry-response-not-validated: the response is stored whatever the schema says
      if (!fault('inquiry-response-not-validated')) {
        const problems = responseProblems(row.response_schema, response);
        if (problems.length) return { refuse: badRequest(responseMismatchMessage(problems)) };
      }
      const upd = await c.query(
        `UPDATE inquiry SET status = 'responded', response = $2::jsonb, responded_at = now() WHERE id = $1 RETURNING *`,
        [id, asJson(response === undefined ? null : response)],
      );
      return { ok: upd.rows[0] };
    });
    if ('refuse' in outcome) throw outcome.refuse;
    const row = outcome.ok;
    await ctx.mq.publish('InquiryResponded', {
      inquiry_id: Number(row.id),
      execution_id: Number(row.execution),
      response: row.response,
      responded_by: principal.identityId,
      responded_at: new Date(row.responded_at as Date).toISOString(),
    });
    return ok(presentInquiry(row), 'Response submitted successfully');
  });

  app.put<{ Params: { id: number }; Body: UpdateBody }>('/api/v1/inquiries/:id', {
    onRequest: auth,
    schema: {
      tags, summary: 'Update an inquiry (needs inquiries:update); null or absent fields stay unchanged', security: bearer, params: idParams(),
      description: 'Setting status `responded` stamps responded_at and publishes InquiryResponded, like /respond but without its checks.',
      body: object(
        {
          status: { oneOf: [{ type: 'null' }, inquiryStatus], default: null },
          response: { ...anyJson, default: null, description: 'the stored answer (null leaves it unchanged)' },
          assigned_to: nint,
        },
        ['response'],
        { type: ['object', 'null'] },
      ),
      response: { 200: dataOf(InquiryResponse, 'Inquiry updated successfully'), ...errors(400, 401, 403, 404, 422) },
    },
  }, async (req) => {
    const id = req.params.id;
    const current = await loadVisible(req, id);
    await authorize(ctx, req, 'inquiries', 'update', inquiryTarget(current));
    const b = req.body ?? {};
    const sets: string[] = [];
    const params: unknown[] = [id];
    let status: string | undefined;
    if (b.status !== undefined && b.status !== null) {
      status = inquiryStatusOf(String(b.status));
      if (!status) throw validationError(`status: must be one of pending, responded, timeout, cancelled`);
      params.push(status);
      sets.push(`status = $${params.length}::inquiry_status_enum`);
      if (status === 'responded') sets.push('responded_at = coalesce(responded_at, now())');
    }
    if (b.response !== undefined && b.response !== null) {
      params.push(asJson(b.response));
      sets.push(`response = $${params.length}::jsonb`);
    }
    if (b.assigned_to !== undefined) {
      if (b.assigned_to !== null && !(await ctx.pool.query('SELECT 1 FROM identity WHERE id = $1', [b.assigned_to])).rowCount) {
        throw validationError(`assigned_to: identity ${b.assigned_to} not found`);
      }
      params.push(b.assigned_to);
      sets.push(`assigned_to = $${params.length}`);
    }
    let row = current;
    if (sets.length) {
      const { rows } = await ctx.pool.query(`UPDATE inquiry SET ${sets.join(', ')} WHERE id = $1 RETURNING *`, params);
      if (!rows[0]) throw notFound(`Inquiry with ID ${id} not found`);
      row = rows[0];
    }
    if (status === 'responded' && current.status !== 'responded') {
      await ctx.mq.publish('InquiryResponded', {
        inquiry_id: Number(row.id),
        execution_id: Number(row.execution),
        response: row.response,
        responded_by: principalOf(req).identityId,
        responded_at: new Date(row.responded_at as Date).toISOString(),
      });
    }
    return ok(presentInquiry(row), 'Inquiry updated successfully');
  });

  app.delete<{ Params: { id: number } }>('/api/v1/inquiries/:id', {
    onRequest: auth,
    schema: {
      tags, summary: 'Delete an inquiry (needs inquiries:delete)', security: bearer, params: idParams(),
      response: { 200: SuccessResponse, ...errors(400, 401, 403, 404) },
    },
  }, async (req) => {
    const id = req.params.id;
    const current = await loadVisible(req, id);
    await authorize(ctx, req, 'inquiries', 'delete', inquiryTarget(current));
    const res = await ctx.pool.query('DELETE FROM inquiry WHERE id = $1', [id]);
    if (!res.rowCount) throw notFound(`Inquiry with ID ${id} not found`);
    return deleted('Inquiry deleted successfully');
  });
}
