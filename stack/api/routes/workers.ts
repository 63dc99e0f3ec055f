import type { FastifyInstance, FastifyRequest } from 'fastify';
import { config } from '../../common/config';
import { authorize } from '../authz';
import type { ApiContext } from '../context';
import { guard } from '../guards';
import { notFound, pageOf, parsePaging, serialize } from '../http';
import type { Row } from '../lookups';
import { arrayOf, bearer, bool, errors, idParams, int, nint, nstr, nts, object, pageQuery, pageSchema, str, ts } from '../openapi';

/**
 * /api/v1/workers: the registered workers with their runtimes and current load (Attune 0.2.1's WorkerSummary, a bare
 * object, not wrapped in {data}), and cordoning: a cordoned worker keeps what it runs but the executor gives it no new
 * execution (stack/executor/worker-selection.ts) until it is uncordoned. The cordon lives in the worker's row, so it
 * survives the worker's restart. Reading needs workers:read, cordoning workers:update (core.admin holds both).
 */
const tags = ['workers'];

const workerRole = { type: 'string', enum: ['action', 'sensor', 'hybrid'] };
const workerStatus = { type: ['string', 'null'], enum: ['active', 'inactive', 'busy', 'error', null] };
const healthState = { type: 'string', enum: ['active', 'busy', 'cordoned', 'offline', 'error', 'inactive'] };

const WorkerLoadSnapshot = object(
  {
    requested: int, scheduling: int, scheduled: int, running: int, canceling: int, total_active: int,
    max_concurrent_executions: nint, utilization_percent: nint,
  },
  ['requested', 'scheduling', 'scheduled', 'running', 'canceling', 'total_active'],
);

export const WorkerSummary = object(
  {
    id: int, name: str, worker_type: { type: 'string', enum: ['local', 'remote', 'container'] }, worker_role: workerRole,
    host: nstr, port: nint, status: workerStatus, last_heartbeat: nts, heartbeat_age_seconds: nint, heartbeat_stale: bool,
    cordoned: bool, cordon_reason: nstr, cordoned_by: nint, cordoned_at: nts, health_state: healthState,
    supported_runtimes: arrayOf(object({ name: str, versions: arrayOf(str) }, ['name', 'versions'])),
    load: WorkerLoadSnapshot, created: ts, updated: ts,
  },
  ['id', 'name', 'worker_type', 'worker_role', 'heartbeat_stale', 'cordoned', 'health_state', 'supported_runtimes', 'load', 'created', 'updated'],
);

const WORKER_SELECT = `
  SELECT w.*, EXTRACT(EPOCH FROM (now() - w.last_heartbeat))::float8 AS heartbeat_age,
         count(e.id) FILTER (WHERE e.status = 'requested') AS n_requested,
         count(e.id) FILTER (WHERE e.status = 'scheduling') AS n_scheduling,
         count(e.id) FILTER (WHERE e.status = 'scheduled') AS n_scheduled,
         count(e.id) FILTER (WHERE e.status = 'running') AS n_running,
         count(e.id) FILTER (WHERE e.status = 'canceling') AS n_canceling
    FROM worker w
    LEFT JOIN execution e ON e.worker = w.id AND e.status IN ('requested', 'scheduling', 'scheduled', 'running', 'canceling')`;

/** The summary Attune gives: health from cordon, heartbeat and status; load from the worker's unfinished executions. */
function presentWorker(row: Row): Row {
  const w = serialize(row);
  const age = row.heartbeat_age === null || row.heartbeat_age === undefined ? null : Math.max(0, Math.floor(Number(row.heartbeat_age)));
  const stale = age === null || age > 3 * config().worker.heartbeat_interval;
  const caps = (row.capabilities ?? {}) as { runtimes?: unknown; max_concurrent_executions?: unknown };
  const runtimes = Array.isArray(caps.runtimes) ? caps.runtimes.filter((r): r is string => typeof r === 'string') : [];
  const max = typeof caps.max_concurrent_executions === 'number' ? caps.max_concurrent_executions : null;
  const n = (k: string) => Number(row[k] ?? 0);
  const active = n('n_requested') + n('n_scheduling') + n('n_scheduled') + n('n_running') + n('n_canceling');
  let health: string;
  if (row.cordoned) health = 'cordoned';
  else if (row.status === 'error') health = 'error';
  else if (row.status === 'inactive') health = 'inactive';
  else if (stale) health = 'offline';
  else if (row.status === 'busy' || (max !== null && active >= max)) health = 'busy';
  else health = 'active';
  return {
    id: w.id, name: w.name, worker_type: w.worker_type, worker_role: w.worker_role, host: w.host ?? null, port: w.port ?? null,
    status: w.status ?? null, last_heartbeat: w.last_heartbeat ?? null, heartbeat_age_seconds: age, heartbeat_stale: stale,
    cordoned: Boolean(w.cordoned), cordon_reason: w.cordon_reason ?? null, cordoned_by: w.cordoned_by ?? null, cordoned_at: w.cordoned_at ?? null,
    health_state: health,
    supported_runtimes: runtimes.map((name) => ({ name, versions: [] })),
    load: {
      requested: n('n_requested'), scheduling: n('n_scheduling'), scheduled: n('n_scheduled'), running: n('n_running'), canceling: n('n_canceling'),
      total_active: active, max_concurrent_executions: max, utilization_percent: max ? Math.round((100 * active) / max) : null,
    },
    created: w.created, updated: w.updated,
  };
}

export function registerWorkerRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const auth = guard(ctx);

  const one = async (id: number): Promise<Row> => {
    const { rows } = await ctx.pool.query(`${WORKER_SELECT} WHERE w.id = $1 GROUP BY w.id`, [id]);
    if (!rows[0]) throw notFound(`Worker with ID ${id} not found`);
    return presentWorker(rows[0]);
  };

  app.get<{ Querystring: Record<string, unknown> }>('/api/v1/workers', {
    onRequest: auth,
    schema: {
      tags, summary: 'List workers with runtime support and current load (id order)', security: bearer,
      querystring: object({
        ...pageQuery, q: str, role: workerRole, status: { type: 'string', enum: ['active', 'inactive', 'busy', 'error'] }, cordoned: bool, health_state: healthState,
      }),
      response: { 200: pageSchema(WorkerSummary, 'List workers with runtime support and current load'), ...errors(400, 401, 403) },
    },
  }, async (req: FastifyRequest<{ Querystring: Record<string, unknown> }>) => {
    await authorize(ctx, req, 'workers', 'read');
    const q = req.query;
    const paging = parsePaging(q, 50);
    const params: unknown[] = [];
    const where = ['TRUE'];
    const add = (sql: (p: string) => string, v: unknown) => {
      if (v === undefined || v === null || v === '') return;
      params.push(v);
      where.push(sql(`$${params.length}`));
    };
    add((p) => `w.worker_role = ${p}::worker_role_enum`, q.role);
    add((p) => `w.status = ${p}::worker_status_enum`, q.status);
    add((p) => `w.cordoned = ${p}`, q.cordoned);
    const { rows } = await ctx.pool.query(`${WORKER_SELECT} WHERE ${where.join(' AND ')} GROUP BY w.id ORDER BY w.id`, params);
    let items = rows.map(presentWorker);
    if (typeof q.health_state === 'string') items = items.filter((w) => w.health_state === q.health_state);
    if (typeof q.q === 'string') {
      // tokens are AND-matched across name, host, status, worker type and worker role
      const tokens = q.q.toLowerCase().split(/\s+/).filter(Boolean);
      items = items.filter((w) => {
        const text = [w.name, w.host, w.status, w.worker_type, w.worker_role].map((v) => String(v ?? '').toLowerCase()).join(' ');
        return tokens.every((t) => text.includes(t));
      });
    }
    return pageOf(items.slice(paging.offset, paging.offset + paging.limit), paging, items.length);
  });

  app.get<{ Params: { id: number } }>('/api/v1/workers/:id', {
    onRequest: auth,
    schema: {
      tags, summary: 'Get a worker with runtime support and current load', security: bearer, params: idParams(),
      response: { 200: WorkerSummary, ...errors(400, 401, 403, 404) },
    },
  }, async (req) => {
    await authorize(ctx, req, 'workers', 'read');
    return one(req.params.id);
  });

  app.post<{ Params: { id: number }; Body: { reason?: string | null } | null }>('/api/v1/workers/:id/cordon', {
    onRequest: auth,
    schema: {
      tags, summary: 'Cordon a worker: it gets no new execution until uncordoned (what it runs goes on)', security: bearer, params: idParams(),
      body: object({ reason: { type: ['string', 'null'], maxLength: 1000 } }, [], { type: ['object', 'null'] }),
      response: { 200: WorkerSummary, ...errors(400, 401, 403, 404) },
    },
  }, async (req) => {
    const principal = await authorize(ctx, req, 'workers', 'update');
    await one(req.params.id);
    await ctx.pool.query(
      'UPDATE worker SET cordoned = true, cordon_reason = $2, cordoned_by = $3, cordoned_at = now() WHERE id = $1',
      [req.params.id, req.body?.reason ?? null, principal.identityId],
    );
    return one(req.params.id);
  });

  app.post<{ Params: { id: number } }>('/api/v1/workers/:id/uncordon', {
    onRequest: auth,
    schema: {
      tags, summary: 'Uncordon a worker: it takes new executions again', security: bearer, params: idParams(),
      response: { 200: WorkerSummary, ...errors(400, 401, 403, 404) },
    },
  }, async (req) => {
    await authorize(ctx, req, 'workers', 'update');
    await one(req.params.id);
    await ctx.pool.query(
      'UPDATE worker SET cordoned = false, cordon_reason = NULL, cordoned_by = NULL, cordoned_at = NULL WHERE id = $1',
      [req.params.id],
    );
    return one(req.params.id);
  });
}
