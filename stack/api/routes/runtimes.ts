import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context';
import { guard } from '../guards';
import { notFound, ok, pageOf, parsePaging } from '../http';
import { present } from '../lookups';
import { bearer, dataOf, errors, object, pageQuery, pageSchema, refParams, RuntimeResponse, RuntimeSummary, str } from '../openapi';

const tags = ['runtimes'];

/** Runtimes are reference data: any authenticated caller may read them (the id is needed to create actions). */
export function registerRuntimeRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const auth = guard(ctx);

  app.get<{ Querystring: Record<string, unknown> }>('/api/v1/runtimes', {
    onRequest: auth,
    schema: {
      tags, summary: 'List runtimes (ref order)', security: bearer,
      querystring: object({ ...pageQuery, pack_ref: str, q: str }),
      response: { 200: pageSchema(RuntimeSummary, 'List of runtimes'), ...errors(400, 401) },
    },
  }, async (req) => {
    const paging = parsePaging(req.query, 50);
    const params: unknown[] = [];
    const where = ['TRUE'];
    if (typeof req.query.pack_ref === 'string') {
      params.push(req.query.pack_ref);
      where.push(`pack_ref = $${params.length}`);
    }
    if (typeof req.query.q === 'string' && req.query.q !== '') {
      params.push(`%${req.query.q}%`);
      where.push(`(ref ILIKE $${params.length} OR name ILIKE $${params.length})`);
    }
    const cond = where.join(' AND ');
    const total = Number((await ctx.pool.query(`SELECT count(*) AS n FROM runtime WHERE ${cond}`, params)).rows[0].n);
    const { rows } = await ctx.pool.query(
      `SELECT id, ref, pack, pack_ref, description, name, aliases, created, updated FROM runtime
        WHERE ${cond} ORDER BY ref LIMIT ${paging.limit} OFFSET ${paging.offset}`,
      params,
    );
    return pageOf(rows.map((r) => present(r)), paging, total);
  });

  app.get<{ Params: { ref: string } }>('/api/v1/runtimes/:ref', {
    onRequest: auth,
    schema: {
      tags, summary: 'Get a runtime by ref', security: bearer, params: refParams(),
      response: { 200: dataOf(RuntimeResponse, 'Runtime details'), ...errors(401, 404) },
    },
  }, async (req) => {
    const { rows } = await ctx.pool.query(
      `SELECT id, ref, pack, pack_ref, description, name, aliases, distributions, installation, execution_config, created, updated
         FROM runtime WHERE ref = $1`,
      [req.params.ref],
    );
    if (!rows[0]) throw notFound(`Runtime '${req.params.ref}' not found`);
    return ok(present(rows[0]));
  });
}
