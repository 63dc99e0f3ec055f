import type { FastifyInstance } from 'fastify';
import { ownerOf } from '../authz';
import type { ApiContext } from '../context';
import { guard } from '../guards';
import { notFound, ok, pageOf, parsePaging } from '../http';
import { packOfRef, present } from '../lookups';
import {
  bearer, dataOf, EnforcementResponse, EnforcementSummary, errors, ExecutionSummary, idParams, int, object, pageQuery, pageSchema, str,
} from '../openapi';
import { listScope, readableOr404 } from '../scope';
import { EXECUTION_SUMMARY_SELECT } from './executions';

const tags = ['enforcements'];

/** /api/v1/enforcements: reads filtered by enforcements:read, and the executions of one enforcement. */
export function registerEnforcementRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const auth = guard(ctx);

  app.get<{ Querystring: Record<string, unknown> }>('/api/v1/enforcements', {
    onRequest: auth,
    schema: {
      tags, summary: 'List enforcements (newest first; filters AND together)', security: bearer,
      querystring: object({
        ...pageQuery,
        rule: int,
        event: int,
        status: { type: 'string', enum: ['created', 'processed', 'disabled'] },
        trigger_ref: str,
        rule_ref: str,
      }),
      response: { 200: pageSchema(EnforcementSummary, 'List of enforcements'), ...errors(400, 401) },
    },
  }, async (req) => {
    const paging = parsePaging(req.query, 50);
    const params: unknown[] = [];
    const where = [await listScope(ctx, req, 'enforcements', params)];
    for (const col of ['rule', 'event', 'status', 'trigger_ref', 'rule_ref'] as const) {
      const v = req.query[col];
      if (v === undefined || v === '') continue;
      params.push(v);
      where.push(`enforcement.${col} = $${params.length}${col === 'status' ? '::enforcement_status_enum' : ''}`);
    }
    const cond = where.join(' AND ');
    const total = Number((await ctx.pool.query(`SELECT count(*) AS n FROM enforcement WHERE ${cond}`, params)).rows[0].n);
    const { rows } = await ctx.pool.query(
      `SELECT enforcement.id, enforcement.rule, enforcement.rule_ref, enforcement.trigger_ref, enforcement.event, enforcement.status,
              enforcement.condition, enforcement.trace_tag, enforcement.created, enforcement.resolved_at
         FROM enforcement WHERE ${cond}
        ORDER BY enforcement.created DESC, enforcement.id DESC LIMIT ${paging.limit} OFFSET ${paging.offset}`,
      params,
    );
    return pageOf(rows.map((r) => present(r)), paging, total);
  });

  app.get<{ Params: { id: number } }>('/api/v1/enforcements/:id', {
    onRequest: auth,
    schema: {
      tags, summary: 'Get an enforcement (404 when missing or not readable)', security: bearer, params: idParams(),
      response: { 200: dataOf(EnforcementResponse, 'Enforcement details'), ...errors(400, 401, 404) },
    },
  }, async (req) => {
    const { rows } = await ctx.pool.query('SELECT * FROM enforcement WHERE id = $1', [req.params.id]);
    const missing = `Enforcement with ID ${req.params.id} not found`;
    const en = rows[0];
    if (!en) throw notFound(missing);
    const owner = await ownerOf(ctx.pool, 'enforcements', en.id);
    await readableOr404(ctx, req, 'enforcements', { pack_ref: packOfRef(en.rule_ref), owner, ref: en.rule_ref, id: en.id }, missing);
    return ok(present(en));
  });

  app.get<{ Params: { enforcement_id: number }; Querystring: Record<string, unknown> }>('/api/v1/enforcements/:enforcement_id/executions', {
    onRequest: auth,
    schema: {
      tags: ['executions'], summary: 'Executions created for an enforcement (filtered by executions:read)', security: bearer,
      params: idParams('enforcement_id'),
      querystring: object(pageQuery),
      response: { 200: pageSchema(ExecutionSummary, 'List of executions for enforcement'), ...errors(400, 401) },
    },
  }, async (req) => {
    const paging = parsePaging(req.query, 50);
    const params: unknown[] = [];
    const scope = await listScope(ctx, req, 'executions', params);
    params.push(req.params.enforcement_id);
    const cond = `${scope} AND execution.enforcement = $${params.length}`;
    const total = Number((await ctx.pool.query(`SELECT count(*) AS n FROM execution WHERE ${cond}`, params)).rows[0].n);
    const { rows } = await ctx.pool.query(
      `${EXECUTION_SUMMARY_SELECT} WHERE ${cond} ORDER BY execution.created DESC, execution.id DESC LIMIT ${paging.limit} OFFSET ${paging.offset}`,
      params,
    );
    return pageOf(rows.map((r) => present(r)), paging, total);
  });
}
