import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fault } from '../../common/faults';
import { TIMER_SENSOR_REF } from '../../common/models';
import { ownerOf } from '../authz';
import type { ApiContext } from '../context';
import { guard, principalOf } from '../guards';
import { badRequest, forbidden, notFound, ok, pageOf, parsePaging } from '../http';
import { isObject, packOfRef, present, triggerByRef } from '../lookups';
import {
  anyJson, bearer, dataOf, errors, EventResponse, EventSummary, idParams, int, nobj, nstr, object, pageQuery, pageSchema, str,
} from '../openapi';
import { asJson } from '../patch';
import { listScope, readableOr404 } from '../scope';
import { SENSOR_LOGIN_PREFIX } from './auth';

const tags = ['events'];

interface CreateEventBody {
  trigger_ref: string;
  payload?: unknown;
  config?: Record<string, unknown> | null;
  trigger_instance_id?: string | null;
  trace_tag?: string | null;
}

const RULE_INSTANCE = /^rule_(\d+)$/;

/** /api/v1/events: reads filtered by events:read; creation for sensor and execution tokens only. */
export function registerEventRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const auth = guard(ctx);

  app.get<{ Querystring: Record<string, unknown> }>('/api/v1/events', {
    onRequest: auth,
    schema: {
      tags, summary: 'List events (newest first, no payloads)', security: bearer,
      querystring: object({ ...pageQuery, trigger: int, trigger_ref: str, rule: int, rule_ref: str, source: int, source_ref: str }),
      response: { 200: pageSchema(EventSummary, 'List of events'), ...errors(400, 401) },
    },
  }, async (req) => {
    const paging = parsePaging(req.query, 50);
    const params: unknown[] = [];
    const where = [await listScope(ctx, req, 'events', params)];
    for (const col of ['trigger', 'trigger_ref', 'rule', 'rule_ref', 'source', 'source_ref'] as const) {
      const v = req.query[col];
      if (v === undefined || v === '') continue;
      params.push(v);
      where.push(`event.${col} = $${params.length}`);
    }
    const cond = where.join(' AND ');
    const total = Number((await ctx.pool.query(`SELECT count(*) AS n FROM event WHERE ${cond}`, params)).rows[0].n);
    const { rows } = await ctx.pool.query(
      `SELECT event.id, event.trigger, event.trigger_ref, event.source, event.source_ref, event.rule, event.rule_ref,
              (event.payload IS NOT NULL) AS has_payload, event.trace_tag, event.created
         FROM event WHERE ${cond} ORDER BY event.created DESC, event.id DESC LIMIT ${paging.limit} OFFSET ${paging.offset}`,
      params,
    );
    return pageOf(rows.map((r) => present(r)), paging, total);
  });

  app.get<{ Params: { id: number } }>('/api/v1/events/:id', {
    onRequest: auth,
    schema: {
      tags, summary: 'Get an event with its payload (404 when missing or not readable)', security: bearer, params: idParams(),
      response: { 200: dataOf(EventResponse, 'Event details'), ...errors(400, 401, 404) },
    },
  }, async (req) => {
    const { rows } = await ctx.pool.query('SELECT * FROM event WHERE id = $1', [req.params.id]);
    const missing = `Event with ID ${req.params.id} not found`;
    const ev = rows[0];
    if (!ev) throw notFound(missing);
    const owner = await ownerOf(ctx.pool, 'events', ev.id);
    await readableOr404(ctx, req, 'events', { pack_ref: packOfRef(ev.trigger_ref), owner, ref: ev.trigger_ref, id: ev.id }, missing);
    return ok(present(ev));
  });

  app.post<{ Body: CreateEventBody }>('/api/v1/events', {
    onRequest: guard(ctx, { serviceTokensOnly: true }),
    // `trigger_type` is accepted as an alias of `trigger_ref`.
    preValidation: async (req: FastifyRequest) => {
      const b = req.body as Record<string, unknown> | undefined;
      if (isObject(b) && b.trigger_ref === undefined && typeof b.trigger_type === 'string') b.trigger_ref = b.trigger_type;
    },
    schema: {
      tags, summary: 'Create an event (sensor and execution tokens only; publishes EventCreated)', security: bearer,
      description:
        'A sensor token may only create events for the triggers listed in its trigger_types. trigger_instance_id "rule_<id>" binds the event to that rule.',
      body: object(
        {
          trigger_ref: { type: 'string', minLength: 1, description: 'alias: trigger_type' },
          payload: { ...anyJson, description: 'event payload (usually an object)' },
          config: nobj,
          trigger_instance_id: nstr,
          trace_tag: nstr,
        },
        ['trigger_ref'],
      ),
      response: { 201: dataOf(EventResponse, 'Event created successfully'), ...errors(400, 401, 403, 404, 422) },
    },
  }, async (req, reply) => {
    const principal = principalOf(req);
    const b = req.body;
    const trigger = await triggerByRef(ctx.pool, b.trigger_ref);
    if (!trigger) throw notFound(`Trigger '${b.trigger_ref}' not found`);
    let sourceId: number | null = null;
    let sourceRef: string | null = null;
    if (principal.tokenType === 'sensor') {
      const allowedTypes = principal.metadata?.trigger_types;
      if (!Array.isArray(allowedTypes) || !allowedTypes.includes(trigger.ref)) {
        throw forbidden(`Sensor token may not create events for trigger '${trigger.ref}'`);
      }
      sourceRef = principal.login.startsWith(SENSOR_LOGIN_PREFIX) ? principal.login.slice(SENSOR_LOGIN_PREFIX.length) : principal.login;
      const s = await ctx.pool.query('SELECT id FROM sensor WHERE ref = $1', [sourceRef]);
      sourceId = s.rows[0]?.id ?? null;
    }
    if (!trigger.enabled) throw badRequest(`Trigger '${trigger.ref}' is disabled`);

    let ruleId: number | null = null;
    let ruleRef: string | null = null;
    const instance = typeof b.trigger_instance_id === 'string' ? RULE_INSTANCE.exec(b.trigger_instance_id) : null;
    if (instance) {
      const r = (await ctx.pool.query('SELECT id, ref, trigger_ref FROM rule WHERE id = $1', [Number(instance[1])])).rows[0];
      if (!r) throw notFound(`Rule with ID ${instance[1]} not found`);
      if (r.trigger_ref !== trigger.ref) throw badRequest(`Rule '${r.ref}' does not use trigger '${trigger.ref}'`);
      ruleId = r.id;
      ruleRef = r.ref;
    }

    // fault sensor-payload-dropped: a pack sensor's events lose their payload
    const dropped = fault('sensor-payload-dropped') && principal.tokenType === 'sensor' && sourceRef !== TIMER_SENSOR_REF;
    const payload = b.payload === undefined || dropped ? {} : b.payload;
    const config = b.config ?? null;
    const { rows } = await ctx.pool.query(
      `INSERT INTO event (trigger, trigger_ref, config, payload, source, source_ref, rule, rule_ref, trace_tag)
       VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6, $7, $8, $9) RETURNING *`,
      [trigger.id, trigger.ref, config === null ? null : asJson(config), asJson(payload), sourceId, sourceRef, ruleId, ruleRef, b.trace_tag ?? null],
    );
    const ev = rows[0];
    await ctx.mq.publish('EventCreated', {
      event_id: ev.id,
      trigger_id: trigger.id,
      trigger_ref: trigger.ref,
      sensor_id: sourceId,
      sensor_ref: sourceRef,
      payload: payload ?? {},
      config,
    });
    reply.code(201);
    return ok(present(ev));
  });
}
