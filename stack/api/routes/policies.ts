import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiContext } from '../context';
import { guard } from '../guards';
import { badRequest, conflict, deleted, notFound, ok, pageOf, parsePaging } from '../http';
import { actionByRef, packByRef, present, Row } from '../lookups';
import {
  bearer, bool, ConcurrencyPolicyRequest, dataOf, errors, nstr, object, pageQuery, pageSchema, PolicyResponse,
  PolicyScopeRequest, policyScopeType, QuotaPolicyRequest, RateLimitPolicyRequest, refParams, str, WrappedSuccess,
} from '../openapi';
import { authorize, listScope, readableOr404 } from '../scope';
import { actionTarget } from './actions';
import { stringifyExact } from '../../common/exact-json';
import { fault } from '../../common/faults';

/**
 * Execution policies (contract §16, Attune Late's /api/v1/policies): concurrency (limit + method enqueue|cancel +
 * group-by parameters), rate limit and quotas, scoped to an action, a pack or everything. The executor's admission
 * (stack/executor/admission) reads them; these routes only store them.
 *
 * Access: resource `policies`. A pack- or action-scoped policy belongs to its pack's owner (grants constrained by
 * `owner: self` reach it); a global one belongs to nobody, so only an unconstrained grant writes it. The pack or
 * action a new policy names must be readable by the caller (404 like a missing one otherwise).
 */
const tags = ['policies'];

const SELECT = `SELECT policy.*, (SELECT p.installed_by FROM pack p WHERE p.id = policy.pack) AS _owner FROM policy`;

const policyTarget = (row: Row) => ({
  pack_ref: (row.pack_ref as string | null) ?? null,
  owner: (row._owner as number | null) ?? null,
  ref: row.ref as string,
  id: Number(row.id),
});

function scopeOf(row: Row): Record<string, unknown> {
  const type = row.action !== null || row.action_ref !== null ? 'action' : row.pack !== null || row.pack_ref !== null ? 'pack' : 'global';
  return { type, pack: row.pack ?? null, pack_ref: row.pack_ref ?? null, action: row.action ?? null, action_ref: row.action_ref ?? null };
}

function presentPolicy(row: Row): Row {
  const base = present(row, ['_owner']);
  return {
    id: Number(row.id),
    ref: row.ref,
    name: row.name ?? row.ref,
    description: row.description ?? null,
    enabled: row.enabled,
    priority: row.priority,
    scope: scopeOf(row),
    concurrency: row.threshold === null ? null : { limit: row.threshold, method: row.method, parameters: row.parameters ?? [] },
    rate_limit: row.rate_limit_max_executions === null
      ? null
      : { max_executions: row.rate_limit_max_executions, window_seconds: row.rate_limit_window_seconds },
    quotas: row.quotas ?? [],
    tags: row.tags ?? [],
    created: base.created,
    updated: base.updated,
  };
}

async function policyByRef(ctx: ApiContext, ref: string): Promise<Row | null> {
  const { rows } = await ctx.pool.query(`${SELECT} WHERE policy.ref = $1`, [ref]);
  return rows[0] ?? null;
}

const REF = /^[^.]+\.[^.]+$/;

type Body = Record<string, unknown>;
interface Concurrency { limit: number; method: 'enqueue' | 'cancel'; parameters?: string[] }
interface RateLimit { max_executions: number; window_seconds: number }

const nullable = (schema: Record<string, unknown>) => ({ ...schema, type: ['object', 'null'] });

const CreatePolicyBody = object(
  {
    ref: { type: 'string', minLength: 1, maxLength: 255, description: 'pack.name, lower case' },
    name: { type: 'string', minLength: 1, maxLength: 255 },
    description: nstr,
    enabled: { type: 'boolean', default: true },
    priority: { type: 'integer', default: 0, minimum: -2147483648, maximum: 2147483647 },
    scope: PolicyScopeRequest,
    concurrency: nullable(ConcurrencyPolicyRequest),
    rate_limit: nullable(RateLimitPolicyRequest),
    quotas: { type: 'array', items: QuotaPolicyRequest, default: [] },
    tags: { type: 'array', items: str, default: [] },
  },
  ['ref', 'name', 'scope'],
);

const UpdatePolicyBody = object({
  name: { type: ['string', 'null'], minLength: 1, maxLength: 255 },
  description: nstr,
  enabled: { type: ['boolean', 'null'] },
  priority: { type: ['integer', 'null'], minimum: -2147483648, maximum: 2147483647 },
  concurrency: { ...nullable(ConcurrencyPolicyRequest), description: 'absent: unchanged; null: removed' },
  rate_limit: { ...nullable(RateLimitPolicyRequest), description: 'absent: unchanged; null: removed' },
  quotas: { type: ['array', 'null'], items: QuotaPolicyRequest },
  tags: { type: ['array', 'null'], items: str },
});

function hasLimit(threshold: unknown, rateMax: unknown, quotas: unknown[]): boolean {
  return threshold !== null || rateMax !== null || quotas.length > 0;
}

export function registerPolicyRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const auth = guard(ctx);

  async function listWhere(req: FastifyRequest, extra: (params: unknown[]) => string[]): Promise<{ items: Row[]; total: number; paging: ReturnType<typeof parsePaging> }> {
    const paging = parsePaging(req.query, 50);
    const params: unknown[] = [];
    const where = [await listScope(ctx, req, 'policies', params), ...extra(params)];
    const cond = where.join(' AND ');
    const total = Number((await ctx.pool.query(`SELECT count(*) AS n FROM policy WHERE ${cond}`, params)).rows[0].n);
    const { rows } = await ctx.pool.query(`${SELECT} WHERE ${cond} ORDER BY policy.ref LIMIT ${paging.limit} OFFSET ${paging.offset}`, params);
    return { items: rows.map(presentPolicy), total, paging };
  }

  app.get<{ Querystring: Record<string, unknown> }>('/api/v1/policies', {
    onRequest: auth,
    schema: {
      tags, summary: 'List the policies the caller may read (ref order)', security: bearer,
      querystring: object({ ...pageQuery, pack_ref: str, action_ref: str, scope: policyScopeType, enabled: bool, tag: str }),
      response: { 200: pageSchema(PolicyResponse, 'List of policies'), ...errors(400, 401) },
    },
  }, async (req) => {
    const q = req.query;
    const { items, total, paging } = await listWhere(req, (params) => {
      const where: string[] = [];
      for (const col of ['pack_ref', 'action_ref'] as const) {
        if (typeof q[col] === 'string') {
          params.push(q[col]);
          where.push(`policy.${col} = $${params.length}`);
        }
      }
      if (q.scope === 'action') where.push('(policy.action IS NOT NULL OR policy.action_ref IS NOT NULL)');
      if (q.scope === 'pack') where.push('policy.action IS NULL AND policy.action_ref IS NULL AND (policy.pack IS NOT NULL OR policy.pack_ref IS NOT NULL)');
      if (q.scope === 'global') where.push('policy.action IS NULL AND policy.action_ref IS NULL AND policy.pack IS NULL AND policy.pack_ref IS NULL');
      if (typeof q.enabled === 'boolean') {
        params.push(q.enabled);
        where.push(`policy.enabled = $${params.length}`);
      }
      if (typeof q.tag === 'string') {
        params.push(q.tag);
        where.push(`$${params.length} = ANY(policy.tags)`);
      }
      return where;
    });
    return pageOf(items, paging, total);
  });

  app.get<{ Params: { pack_ref: string } }>('/api/v1/packs/:pack_ref/policies', {
    onRequest: auth,
    schema: {
      tags, summary: "List a pack's policies (pack- and action-scoped)", security: bearer, params: refParams('pack_ref'),
      querystring: object(pageQuery),
      response: { 200: pageSchema(PolicyResponse, 'List of policies for a pack'), ...errors(400, 401, 404) },
    },
  }, async (req) => {
    const pack = await packByRef(ctx.pool, req.params.pack_ref);
    const missing = `Pack '${req.params.pack_ref}' not found`;
    if (!pack) throw notFound(missing);
    await readableOr404(ctx, req, 'packs', { pack_ref: pack.ref, ref: pack.ref, id: pack.id, owner: pack.installed_by }, missing);
    const { items, total, paging } = await listWhere(req, (params) => {
      params.push(pack.id, pack.ref);
      return [`(policy.pack = $${params.length - 1} OR policy.pack_ref = $${params.length})`];
    });
    return pageOf(items, paging, total);
  });

  app.get<{ Params: { action_ref: string } }>('/api/v1/actions/:action_ref/policies', {
    onRequest: auth,
    schema: {
      tags, summary: "List an action's own (action-scoped) policies", security: bearer, params: refParams('action_ref'),
      querystring: object(pageQuery),
      response: { 200: pageSchema(PolicyResponse, 'List of policies for an action'), ...errors(400, 401, 404) },
    },
  }, async (req) => {
    const action = await actionByRef(ctx.pool, req.params.action_ref);
    const missing = `Action '${req.params.action_ref}' not found`;
    if (!action) throw notFound(missing);
    await readableOr404(ctx, req, 'actions', actionTarget(action), missing);
    const { items, total, paging } = await listWhere(req, (params) => {
      params.push(action.id, action.ref);
      return [`(policy.action = $${params.length - 1} OR policy.action_ref = $${params.length})`];
    });
    return pageOf(items, paging, total);
  });

  app.get<{ Params: { ref: string } }>('/api/v1/policies/:ref', {
    onRequest: auth,
    schema: {
      tags, summary: 'Get a policy by ref (404 when missing or not readable)', security: bearer, params: refParams(),
      response: { 200: dataOf(PolicyResponse, 'Policy details'), ...errors(401, 404) },
    },
  }, async (req) => {
    const row = await policyByRef(ctx, req.params.ref);
    const missing = `Policy '${req.params.ref}' not found`;
    if (!row) throw notFound(missing);
    await readableOr404(ctx, req, 'policies', policyTarget(row), missing);
    return ok(presentPolicy(row));
  });

  app.post<{ Body: Body }>('/api/v1/policies', {
    onRequest: auth,
    schema: {
      tags, summary: 'Create a policy (scope global, pack or action)', security: bearer, body: CreatePolicyBody,
      response: { 201: dataOf(PolicyResponse, 'Policy created'), ...errors(400, 401, 403, 404, 409, 422) },
    },
  }, async (req, reply) => {
    const b = req.body;
    const ref = b.ref as string;
    if (ref !== ref.toLowerCase() || !REF.test(ref)) throw badRequest(`Policy ref '${ref}' must be lower case 'pack.name' with exactly one dot`);
    const scope = b.scope as { type: 'global' | 'pack' | 'action'; pack_ref?: string | null; action_ref?: string | null };
    let pack: { id: number; ref: string; owner: number | null } | null = null;
    let action: Row | null = null;
    if (scope.type === 'action') {
      if (!scope.action_ref) throw badRequest('An action-scoped policy needs scope.action_ref');
      action = await actionByRef(ctx.pool, scope.action_ref);
      const missing = `Action '${scope.action_ref}' not found`;
      if (!action) throw notFound(missing);
      await readableOr404(ctx, req, 'actions', actionTarget(action), missing);
      if (scope.pack_ref && scope.pack_ref !== action.pack_ref) {
        throw badRequest(`Action '${action.ref}' is not in pack '${scope.pack_ref}'`);
      }
      pack = { id: Number(action.pack), ref: action.pack_ref as string, owner: (action._owner as number | null) ?? null };
    } else if (scope.type === 'pack') {
      if (!scope.pack_ref) throw badRequest('A pack-scoped policy needs scope.pack_ref');
      const row = await packByRef(ctx.pool, scope.pack_ref);
      const missing = `Pack '${scope.pack_ref}' not found`;
      if (!row) throw notFound(missing);
      await readableOr404(ctx, req, 'packs', { pack_ref: row.ref, ref: row.ref, id: row.id, owner: row.installed_by }, missing);
      pack = { id: row.id, ref: row.ref, owner: row.installed_by };
    }
    await authorize(ctx, req, 'policies', 'create', { pack_ref: pack?.ref ?? null, owner: pack?.owner ?? null, ref });
    const conc = (b.concurrency ?? null) as Concurrency | null;
    const rate = (b.rate_limit ?? null) as RateLimit | null;
    const quotas = (b.quotas as unknown[]) ?? [];
    if (!hasLimit(conc, rate, quotas)) throw badRequest('A policy needs at least one of concurrency, rate_limit or quotas');
    if (await policyByRef(ctx, ref)) throw conflict(`Policy '${ref}' already exists`);
    const { rows } = await ctx.pool.query(
      `INSERT INTO policy (ref, pack, pack_ref, action, action_ref, parameters, method, threshold, name, description, tags,
                           enabled, priority, rate_limit_max_executions, rate_limit_window_seconds, quotas)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16::jsonb) RETURNING id`,
      [
        ref, pack?.id ?? null, pack?.ref ?? null, action ? action.id : null, action ? action.ref : null,
        conc?.parameters ?? [], conc?.method ?? null, conc?.limit ?? null, b.name, b.description ?? null, b.tags ?? [],
        b.enabled ?? true, b.priority ?? 0, rate?.max_executions ?? null, rate?.window_seconds ?? null, stringifyExact(quotas),
      ],
    );
    const created = (await ctx.pool.query(`${SELECT} WHERE policy.id = $1`, [rows[0].id])).rows[0];
    reply.code(201);
    return ok(presentPolicy(created), 'Policy created successfully');
  });

  app.put<{ Params: { ref: string }; Body: Body }>('/api/v1/policies/:ref', {
    onRequest: auth,
    schema: {
      tags, summary: 'Update a policy (absent fields unchanged; concurrency/rate_limit null removes them)', security: bearer,
      params: refParams(), body: UpdatePolicyBody,
      response: { 200: dataOf(PolicyResponse, 'Policy updated'), ...errors(400, 401, 403, 404, 422) },
    },
  }, async (req) => {
    const row = await policyByRef(ctx, req.params.ref);
    const missing = `Policy '${req.params.ref}' not found`;
    if (!row) throw notFound(missing);
    await readableOr404(ctx, req, 'policies', policyTarget(row), missing);
    await authorize(ctx, req, 'policies', 'update', policyTarget(row));
    const b = req.body ?? {};
    const next = { ...row };
    if (typeof b.name === 'string') next.name = b.name;
    if ('description' in b) next.description = b.description ?? null;
    if (typeof b.enabled === 'boolean') next.enabled = b.enabled;
    if (typeof b.priority === 'number') next.priority = b.priority;
    if (Array.isArray(b.tags)) next.tags = b.tags;
    if (Array.isArray(b.quotas)) next.quotas = b.quotas;
    // fault policy-update-not-stored: the answer shows the change, but the stored concurrency settings stay as they were
    if ('concurrency' in b && fault('policy-update-not-stored')) {
      const conc = b.concurrency as Concurrency | null;
      const shown = { ...next, threshold: conc?.limit ?? null, method: conc?.method ?? null, parameters: conc?.parameters ?? [] };
      await ctx.pool.query('UPDATE policy SET name = $2 WHERE id = $1', [row.id, next.name]);
      return ok(presentPolicy({ ...shown, updated: new Date() }), 'Policy updated successfully');
    }
    if ('concurrency' in b) {
      const conc = b.concurrency as Concurrency | null;
      next.threshold = conc?.limit ?? null;
      next.method = conc?.method ?? null;
      next.parameters = conc?.parameters ?? [];
    }
    if ('rate_limit' in b) {
      const rate = b.rate_limit as RateLimit | null;
      next.rate_limit_max_executions = rate?.max_executions ?? null;
      next.rate_limit_window_seconds = rate?.window_seconds ?? null;
    }
    if (!hasLimit(next.threshold, next.rate_limit_max_executions, (next.quotas as unknown[]) ?? [])) {
      throw badRequest('A policy needs at least one of concurrency, rate_limit or quotas');
    }
    await ctx.pool.query(
      `UPDATE policy SET name = $2, description = $3, enabled = $4, priority = $5, tags = $6, quotas = $7::jsonb,
              threshold = $8, method = $9, parameters = $10, rate_limit_max_executions = $11, rate_limit_window_seconds = $12
        WHERE id = $1`,
      [
        row.id, next.name, next.description, next.enabled, next.priority, next.tags, stringifyExact(next.quotas ?? []),
        next.threshold, next.method, next.parameters, next.rate_limit_max_executions, next.rate_limit_window_seconds,
      ],
    );
    return ok(presentPolicy((await policyByRef(ctx, row.ref as string))!), 'Policy updated successfully');
  });

  app.delete<{ Params: { ref: string } }>('/api/v1/policies/:ref', {
    onRequest: auth,
    schema: {
      tags, summary: 'Delete a policy', security: bearer, params: refParams(),
      response: { 200: WrappedSuccess, ...errors(401, 403, 404) },
    },
  }, async (req) => {
    const row = await policyByRef(ctx, req.params.ref);
    const missing = `Policy '${req.params.ref}' not found`;
    if (!row) throw notFound(missing);
    await readableOr404(ctx, req, 'policies', policyTarget(row), missing);
    await authorize(ctx, req, 'policies', 'delete', policyTarget(row));
    await ctx.pool.query('DELETE FROM policy WHERE id = $1', [row.id]);
    const message = `Policy '${row.ref}' deleted successfully`;
    return ok(deleted(message), message);
  });
}

