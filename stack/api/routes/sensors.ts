import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fault } from '../../common/faults';
import { authorize } from '../authz';
import type { ApiContext } from '../context';
import { guard } from '../guards';
import { ApiError, conflict, deleted, notFound, ok, pageOf, parsePaging } from '../http';
import { present, requirePack, Row, runtimeByRefOrAlias } from '../lookups';
import {
  bearer, bool, dataOf, errors, int, jsonObject, nbool, nint, nobj, nstr, object, pageQuery, pageSchema, refParams, str,
  SuccessResponse, ts,
} from '../openapi';
import { asJson, UpdateBuilder } from '../patch';
import { listScope, packReadableOr404, readableOr404, writableOr404 } from '../scope';
import { readableTrigger } from './triggers';

/**
 * /api/v1/sensors: sensors as catalog entries (Attune 0.2.1's SensorResponse/SensorSummary). Creating one links the
 * trigger it serves to it (`trigger.sensor`); enabling or disabling it is picked up by the sensor service's periodic
 * reconcile (a disabled sensor is never started, a running one is stopped). Reads are filtered by sensors:read, writes
 * need sensors:create/update/delete against the pack's owner, as for actions and triggers.
 */
const tags = ['sensors'];

const SENSOR_SELECT = `SELECT sensor.*, (SELECT p.installed_by FROM pack p WHERE p.id = sensor.pack) AS _owner FROM sensor`;

const sensorTarget = (row: Row) => ({
  pack_ref: (row.pack_ref as string | null) ?? null,
  owner: (row._owner as number | null) ?? null,
  ref: row.ref as string,
  id: row.id as number,
});

const retention = { type: ['string', 'null'] };

export const SensorSummary = object(
  {
    id: int, ref: str, pack_ref: nstr, label: str, description: nstr, enabled: bool,
    log_retention_policy: retention, log_retention_limit: nint, artifact_retention_policy: retention, artifact_retention_limit: nint,
    created: ts, updated: ts,
  },
  ['id', 'ref', 'label', 'enabled', 'created', 'updated'],
);

export const SensorResponse = object(
  {
    id: int, ref: str, pack: nint, pack_ref: nstr, label: str, description: nstr, entrypoint: str, runtime: int, runtime_ref: str,
    enabled: bool, param_schema: nobj, worker_selector: jsonObject, worker_tolerations: { type: 'array' }, worker_affinity: jsonObject,
    log_retention_policy: retention, log_retention_limit: nint, artifact_retention_policy: retention, artifact_retention_limit: nint,
    created: ts, updated: ts,
  },
  ['id', 'ref', 'label', 'entrypoint', 'runtime', 'runtime_ref', 'enabled', 'param_schema', 'worker_selector', 'worker_tolerations', 'worker_affinity', 'created', 'updated'],
);

const sensorRef = { type: 'string', minLength: 3, maxLength: 255, pattern: '^[a-z0-9_-]+\\.[a-z0-9_-]+$', description: 'pack.name (lower case)' };

const CreateSensorBody = object(
  {
    ref: sensorRef,
    pack_ref: { type: 'string', minLength: 1 },
    label: { type: 'string', minLength: 1, maxLength: 255 },
    description: nstr,
    entrypoint: { type: 'string', minLength: 1, maxLength: 1024 },
    runtime_ref: { type: 'string', minLength: 1 },
    trigger_ref: { type: 'string', minLength: 1 },
    enabled: { type: 'boolean', default: true },
    param_schema: nobj,
    config: nobj,
    worker_selector: { type: 'object' },
    worker_tolerations: { type: 'array' },
    worker_affinity: { type: 'object' },
  },
  ['ref', 'pack_ref', 'label', 'entrypoint', 'runtime_ref', 'trigger_ref'],
);

const UpdateSensorBody = object(
  {
    label: { type: ['string', 'null'], minLength: 1, maxLength: 255 },
    description: nstr,
    entrypoint: { type: ['string', 'null'], minLength: 1, maxLength: 1024 },
    enabled: nbool,
    param_schema: nobj,
    worker_selector: nobj,
    worker_tolerations: { type: ['array', 'null'] },
    worker_affinity: nobj,
  },
  [],
);

type Body = Record<string, unknown>;

const presentSensor = (row: Row): Row => present(row, ['_owner', 'config', 'is_adhoc', 'runtime_version_constraint']);

const SUMMARY_COLUMNS = `sensor.id, sensor.ref, sensor.pack_ref, sensor.label, sensor.description, sensor.enabled,
  sensor.log_retention_policy, sensor.log_retention_limit, sensor.artifact_retention_policy, sensor.artifact_retention_limit,
  sensor.created, sensor.updated`;

async function sensorByRef(ctx: ApiContext, ref: string): Promise<Row | null> {
  const { rows } = await ctx.pool.query(`${SENSOR_SELECT} WHERE sensor.ref = $1`, [ref]);
  return rows[0] ?? null;
}

export function registerSensorRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const auth = guard(ctx);

  /** A page of sensors the caller may read, ref order; `extra` narrows it further (SQL over table `sensor`). */
  const page = async (req: FastifyRequest, extra: (params: unknown[]) => string[]) => {
    const paging = parsePaging(req.query, 50);
    const params: unknown[] = [];
    const where = [await listScope(ctx, req, 'sensors', params), ...extra(params)];
    const q = (req.query ?? {}) as Record<string, unknown>;
    if (typeof q.q === 'string') {
      // tokens are AND-matched across ref, label, description and pack_ref
      for (const token of q.q.trim().split(/\s+/).filter(Boolean)) {
        params.push(`%${token.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
        const n = `$${params.length}`;
        where.push(`(sensor.ref ILIKE ${n} OR sensor.label ILIKE ${n} OR coalesce(sensor.description, '') ILIKE ${n} OR coalesce(sensor.pack_ref, '') ILIKE ${n})`);
      }
    }
    const cond = where.join(' AND ');
    const total = Number((await ctx.pool.query(`SELECT count(*) AS n FROM sensor WHERE ${cond}`, params)).rows[0].n);
    const { rows } = await ctx.pool.query(
      `SELECT ${SUMMARY_COLUMNS} FROM sensor WHERE ${cond} ORDER BY sensor.ref LIMIT ${paging.limit} OFFSET ${paging.offset}`,
      params,
    );
    return pageOf(rows.map((r) => present(r)), paging, total);
  };

  const listQuery = object({ ...pageQuery, q: str });

  app.get('/api/v1/sensors', {
    onRequest: auth,
    schema: {
      tags, summary: 'List sensors the caller may read (ref order; q: tokens AND-matched)', security: bearer, querystring: listQuery,
      response: { 200: pageSchema(SensorSummary, 'List of sensors'), ...errors(400, 401) },
    },
  }, (req) => page(req, () => []));

  app.get('/api/v1/sensors/enabled', {
    onRequest: auth,
    schema: {
      tags, summary: 'List enabled sensors (ref order)', security: bearer, querystring: object(pageQuery),
      response: { 200: pageSchema(SensorSummary, 'List of enabled sensors'), ...errors(400, 401) },
    },
  }, (req) => page(req, () => (fault('enabled-lists-show-disabled') ? [] : ['sensor.enabled'])));

  app.get<{ Params: { trigger_ref: string } }>('/api/v1/triggers/:trigger_ref/sensors', {
    onRequest: auth,
    schema: {
      tags, summary: 'List the sensors that serve a trigger', security: bearer, params: refParams('trigger_ref'), querystring: object(pageQuery),
      response: { 200: pageSchema(SensorSummary, 'List of sensors for trigger'), ...errors(400, 401, 404) },
    },
  }, async (req) => {
    const trigger = await readableTrigger(ctx, req, req.params.trigger_ref);
    return page(req, (params) => {
      params.push(trigger.id);
      return [`sensor.id = (SELECT t.sensor FROM trigger t WHERE t.id = $${params.length})`];
    });
  });

  app.get<{ Params: { ref: string } }>('/api/v1/sensors/:ref', {
    onRequest: auth,
    schema: {
      tags, summary: 'Get a sensor by ref (404 when missing or not readable)', security: bearer, params: refParams(),
      response: { 200: dataOf(SensorResponse, 'Sensor details'), ...errors(401, 404) },
    },
  }, async (req) => {
    const row = await sensorByRef(ctx, req.params.ref);
    const missing = `Sensor '${req.params.ref}' not found`;
    if (!row) throw notFound(missing);
    await readableOr404(ctx, req, 'sensors', sensorTarget(row), missing);
    return ok(presentSensor(row));
  });

  app.post<{ Body: Body }>('/api/v1/sensors', {
    onRequest: auth,
    schema: {
      tags, summary: 'Create a sensor for a trigger (the trigger is linked to it)', security: bearer, body: CreateSensorBody,
      response: { 201: dataOf(SensorResponse, 'Sensor created successfully'), ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req, reply) => {
    const b = req.body;
    const ref = b.ref as string;
    const pack = await requirePack(ctx.pool, b.pack_ref as string);
    await packReadableOr404(ctx, req, pack);
    if (!ref.startsWith(`${pack.ref}.`)) throw new ApiError(400, 'BAD_REQUEST', `Sensor ref '${ref}' must start with its pack ref '${pack.ref}.'`);
    await authorize(ctx, req, 'sensors', 'create', { pack_ref: pack.ref, owner: pack.installed_by ?? null, ref });
    const runtime = await runtimeByRefOrAlias(ctx.pool, b.runtime_ref as string);
    if (!runtime) throw notFound(`Runtime '${b.runtime_ref}' not found`);
    const trigger = await readableTrigger(ctx, req, b.trigger_ref as string);
    if (await sensorByRef(ctx, ref)) throw conflict(`Sensor with ref '${ref}' already exists`);
    const params: unknown[] = [];
    const cols = new UpdateBuilder(params)
      .set('ref', ref)
      .set('pack', pack.id)
      .set('pack_ref', pack.ref)
      .set('label', b.label)
      .set('description', b.description ?? undefined)
      .set('entrypoint', b.entrypoint)
      .set('runtime', runtime.id)
      .set('runtime_ref', runtime.ref)
      .set('enabled', b.enabled ?? true)
      .set('is_adhoc', true)
      .set('param_schema', b.param_schema ? asJson(b.param_schema) : undefined, '::jsonb')
      .set('config', b.config ? asJson(b.config) : undefined, '::jsonb')
      .set('worker_selector', b.worker_selector ? asJson(b.worker_selector) : undefined, '::jsonb')
      .set('worker_tolerations', b.worker_tolerations ? asJson(b.worker_tolerations) : undefined, '::jsonb')
      .set('worker_affinity', b.worker_affinity ? asJson(b.worker_affinity) : undefined, '::jsonb');
    const client = await ctx.pool.connect();
    try {
      await client.query('BEGIN');
      const ins = await client.query(`INSERT INTO sensor ${cols.insertSql()} ON CONFLICT (ref) DO NOTHING RETURNING id`, params);
      if (ins.rowCount === 0) throw conflict(`Sensor with ref '${ref}' already exists`);
      await client.query('UPDATE trigger SET sensor = $1, sensor_ref = $2 WHERE id = $3', [ins.rows[0].id, ref, trigger.id]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
    reply.code(201);
    return ok(presentSensor((await sensorByRef(ctx, ref))!), 'Sensor created successfully');
  });

  app.put<{ Params: { ref: string }; Body: Body }>('/api/v1/sensors/:ref', {
    onRequest: auth,
    schema: {
      tags, summary: 'Update a sensor (absent or null fields are left as they are)', security: bearer, params: refParams(), body: UpdateSensorBody,
      response: { 200: dataOf(SensorResponse, 'Sensor updated successfully'), ...errors(400, 401, 403, 404) },
    },
  }, async (req) => {
    const row = await sensorByRef(ctx, req.params.ref);
    const missing = `Sensor '${req.params.ref}' not found`;
    if (!row) throw notFound(missing);
    await writableOr404(ctx, req, 'sensors', 'update', sensorTarget(row), missing);
    const b = req.body ?? {};
    const val = (k: string) => (b[k] === null ? undefined : b[k]);
    const params: unknown[] = [];
    const upd = new UpdateBuilder(params)
      .set('label', val('label'))
      .set('description', val('description'))
      .set('entrypoint', val('entrypoint'))
      .set('enabled', val('enabled'))
      .set('param_schema', b.param_schema ? asJson(b.param_schema) : undefined, '::jsonb')
      .set('worker_selector', b.worker_selector ? asJson(b.worker_selector) : undefined, '::jsonb')
      .set('worker_tolerations', b.worker_tolerations ? asJson(b.worker_tolerations) : undefined, '::jsonb')
      .set('worker_affinity', b.worker_affinity ? asJson(b.worker_affinity) : undefined, '::jsonb');
    if (!upd.empty) {
      params.push(row.id);
      await ctx.pool.query(`UPDATE sensor SET ${upd.sql()} WHERE id = $${params.length}`, params);
    }
    return ok(presentSensor((await sensorByRef(ctx, row.ref as string))!), 'Sensor updated successfully');
  });

  app.delete<{ Params: { ref: string } }>('/api/v1/sensors/:ref', {
    onRequest: auth,
    schema: {
      tags, summary: 'Delete a sensor (its triggers stay, unlinked)', security: bearer, params: refParams(),
      response: { 200: SuccessResponse, ...errors(401, 403, 404) },
    },
  }, async (req) => {
    const row = await sensorByRef(ctx, req.params.ref);
    const missing = `Sensor '${req.params.ref}' not found`;
    if (!row) throw notFound(missing);
    await writableOr404(ctx, req, 'sensors', 'delete', sensorTarget(row), missing);
    await ctx.pool.query('UPDATE trigger SET sensor_ref = NULL WHERE sensor = $1', [row.id]);
    await ctx.pool.query('DELETE FROM sensor WHERE id = $1', [row.id]);
    return deleted(`Sensor '${row.ref}' deleted successfully`);
  });

  for (const [suffix, enabled] of [['enable', true], ['disable', false]] as const) {
    app.post<{ Params: { ref: string } }>(`/api/v1/sensors/:ref/${suffix}`, {
      onRequest: auth,
      schema: {
        tags, summary: `${enabled ? 'Enable' : 'Disable'} a sensor`, security: bearer, params: refParams(),
        response: { 200: dataOf(SensorResponse, `Sensor ${enabled ? 'enabled' : 'disabled'} successfully`), ...errors(401, 403, 404) },
      },
    }, async (req) => {
      const row = await sensorByRef(ctx, req.params.ref);
      const missing = `Sensor '${req.params.ref}' not found`;
      if (!row) throw notFound(missing);
      await writableOr404(ctx, req, 'sensors', 'update', sensorTarget(row), missing);
      // fault sensor-toggle-ignored: enable/disable answers 200 but leaves the sensor as it was
      if (!fault('sensor-toggle-ignored')) await ctx.pool.query('UPDATE sensor SET enabled = $2 WHERE id = $1', [row.id, enabled]);
      return ok(presentSensor((await sensorByRef(ctx, row.ref as string))!), `Sensor ${enabled ? 'enabled' : 'disabled'} successfully`);
    });
  }
}
