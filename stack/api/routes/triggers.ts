import { fault } from '../../common/faults';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authorize } from '../authz';
import type { ApiContext } from '../context';
import { guard, principalOf } from '../guards';
import { conflict, deleted, notFound, ok, pageOf, parsePaging } from '../http';
import { presentTrigger, requirePack, Row, triggerByRef } from '../lookups';
import {
  bearer, bool, dataOf, errors, nbool, nobj, nstr, object, pageQuery, pageSchema, patchOf, refParams, str,
  SuccessResponse, TriggerResponse, TriggerSummary,
} from '../openapi';
import { asJson, UpdateBuilder } from '../patch';
import { listScope, packReadableOr404, readableOr404, writableOr404 } from '../scope';

const tags = ['triggers'];

export const triggerTarget = (row: Row) => ({
  pack_ref: (row.pack_ref as string | null) ?? null,
  owner: (row._owner as number | null) ?? null,
  ref: row.ref as string,
  id: row.id as number,
});

/** Sensor tokens may read triggers without identity grants (they exist to post events for them). */
function isSensor(req: FastifyRequest): boolean {
  return principalOf(req).tokenType === 'sensor';
}

/** A trigger by ref that the caller may read; 404 otherwise (existence is not revealed). */
export async function readableTrigger(ctx: ApiContext, req: FastifyRequest, ref: string): Promise<Row> {
  const row = await triggerByRef(ctx.pool, ref);
  const missing = `Trigger '${ref}' not found`;
  if (!row) throw notFound(missing);
  if (!isSensor(req)) await readableOr404(ctx, req, 'triggers', triggerTarget(row), missing);
  return row;
}

const webhookConfigSchema = {
  type: ['object', 'null'],
  additionalProperties: true,
  description:
    'webhook receiver settings: payload_size_limit_kb, ip_whitelist {enabled, ips}, hmac {enabled, secret, algorithm}',
};

const CreateTriggerBody = object(
  {
    ref: { type: 'string', minLength: 1, maxLength: 255, description: 'pack.name' },
    pack_ref: { ...nstr, description: 'optional: a trigger may belong to no pack' },
    label: { type: 'string', minLength: 1, maxLength: 255 },
    description: nstr,
    param_schema: nobj,
    out_schema: nobj,
    enabled: { type: 'boolean', default: true },
    webhook_config: webhookConfigSchema,
    reference_visibility: { type: ['string', 'null'], enum: ['public', 'private', 'restricted', null] },
    reference_allowed_pack_refs: { type: 'array', items: str },
  },
  ['ref', 'label'],
);

const UpdateTriggerBody = object(
  {
    label: { type: ['string', 'null'], minLength: 1, maxLength: 255 },
    description: patchOf('description'),
    param_schema: { type: ['object', 'null'], default: null, ...patchOf('flat schema of rule trigger_params') },
    out_schema: { type: ['object', 'null'], default: null, ...patchOf('flat schema of event payloads') },
    enabled: nbool,
    webhook_config: webhookConfigSchema,
    reference_visibility: { type: ['string', 'null'], enum: ['public', 'private', 'restricted', null] },
    reference_allowed_pack_refs: { type: ['array', 'null'], items: str },
  },
  ['param_schema', 'out_schema'],
);

type Body = Record<string, unknown>;

/** /api/v1/triggers: CRUD + enable/disable (triggers:create/update/delete), reads filtered by triggers:read. */
export function registerTriggerRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const auth = guard(ctx);
  const authSensorOk = guard(ctx, { sensor: true });

  const list = (enabledOnly: boolean) => async (req: FastifyRequest) => {
    const paging = parsePaging(req.query, 50);
    const params: unknown[] = [];
    const where = [isSensor(req) ? 'TRUE' : await listScope(ctx, req, 'triggers', params)];
    const q = req.query as Record<string, unknown>;
    // fault enabled-lists-show-disabled: the enabled lists show disabled entries too
    if (enabledOnly) where.push(fault('enabled-lists-show-disabled') ? 'TRUE' : 'trigger.enabled');
    else if (typeof q.enabled === 'boolean') {
      params.push(q.enabled);
      where.push(`trigger.enabled = $${params.length}`);
    }
    if (typeof q.pack_ref === 'string') {
      params.push(q.pack_ref);
      where.push(`trigger.pack_ref = $${params.length}`);
    }
    if (typeof q.q === 'string' && q.q !== '') {
      params.push(`%${q.q}%`);
      where.push(`(trigger.ref ILIKE $${params.length} OR trigger.label ILIKE $${params.length})`);
    }
    const cond = where.join(' AND ');
    const total = Number((await ctx.pool.query(`SELECT count(*) AS n FROM trigger WHERE ${cond}`, params)).rows[0].n);
    const { rows } = await ctx.pool.query(
      `SELECT trigger.id, trigger.ref, trigger.pack, trigger.pack_ref, trigger.label, trigger.description, trigger.enabled,
              trigger.webhook_enabled, trigger.is_adhoc, trigger.reference_visibility, trigger.created, trigger.updated
         FROM trigger WHERE ${cond} ORDER BY trigger.ref LIMIT ${paging.limit} OFFSET ${paging.offset}`,
      params,
    );
    return pageOf(rows.map(presentTrigger), paging, total);
  };

  const listQuery = object({ ...pageQuery, pack_ref: str, q: str, enabled: bool });

  app.get('/api/v1/triggers', {
    onRequest: authSensorOk,
    schema: {
      tags, summary: 'List triggers the caller may read (ref order)', security: bearer, querystring: listQuery,
      response: { 200: pageSchema(TriggerSummary, 'List of triggers'), ...errors(400, 401) },
    },
  }, list(false));

  app.get('/api/v1/triggers/enabled', {
    onRequest: authSensorOk,
    schema: {
      tags, summary: 'List enabled triggers', security: bearer, querystring: listQuery,
      response: { 200: pageSchema(TriggerSummary, 'List of enabled triggers'), ...errors(400, 401) },
    },
  }, list(true));

  app.get<{ Params: { ref: string } }>('/api/v1/triggers/:ref', {
    onRequest: authSensorOk,
    schema: {
      tags, summary: 'Get a trigger by ref (404 when missing or not readable)', security: bearer, params: refParams(),
      response: { 200: dataOf(TriggerResponse, 'Trigger details'), ...errors(401, 404) },
    },
  }, async (req) => ok(presentTrigger(await readableTrigger(ctx, req, req.params.ref))));

  app.post<{ Body: Body }>('/api/v1/triggers', {
    onRequest: auth,
    schema: {
      tags, summary: 'Create an ad-hoc trigger (pack_ref optional)', security: bearer, body: CreateTriggerBody,
      response: { 201: dataOf(TriggerResponse, 'Trigger created successfully'), ...errors(401, 403, 404, 409, 422) },
    },
  }, async (req, reply) => {
    const b = req.body;
    const ref = b.ref as string;
    const pack = typeof b.pack_ref === 'string' ? await requirePack(ctx.pool, b.pack_ref) : null;
    if (pack) await packReadableOr404(ctx, req, pack);
    await authorize(ctx, req, 'triggers', 'create', { pack_ref: pack?.ref ?? null, owner: pack?.installed_by ?? null, ref });
    if (await triggerByRef(ctx.pool, ref)) throw conflict(`Trigger with ref '${ref}' already exists`);
    const params: unknown[] = [];
    const cols = new UpdateBuilder(params)
      .set('ref', ref)
      .set('pack', pack?.id)
      .set('pack_ref', pack?.ref)
      .set('label', b.label)
      .set('description', b.description ?? undefined)
      .set('param_schema', b.param_schema ? asJson(b.param_schema) : undefined, '::jsonb')
      .set('out_schema', b.out_schema ? asJson(b.out_schema) : undefined, '::jsonb')
      .set('enabled', b.enabled ?? true)
      .set('webhook_config', b.webhook_config ? asJson(b.webhook_config) : undefined, '::jsonb')
      .set('reference_visibility', b.reference_visibility ?? undefined, '::action_reference_visibility_enum')
      .set('reference_allowed_pack_refs', b.reference_allowed_pack_refs ?? undefined, '::text[]')
      .set('is_adhoc', true);
    const ins = await ctx.pool.query(`INSERT INTO trigger ${cols.insertSql()} ON CONFLICT (ref) DO NOTHING RETURNING id`, params);
    if (ins.rowCount === 0) throw conflict(`Trigger with ref '${ref}' already exists`);
    reply.code(201);
    return ok(presentTrigger((await triggerByRef(ctx.pool, ref))!), 'Trigger created successfully');
  });

  app.put<{ Params: { ref: string }; Body: Body }>('/api/v1/triggers/:ref', {
    onRequest: auth,
    schema: {
      tags, summary: 'Update a trigger', security: bearer, params: refParams(), body: UpdateTriggerBody,
      response: { 200: dataOf(TriggerResponse, 'Trigger updated successfully'), ...errors(401, 403, 404, 422) },
    },
  }, async (req) => {
    const row = await triggerByRef(ctx.pool, req.params.ref);
    const missing = `Trigger '${req.params.ref}' not found`;
    if (!row) throw notFound(missing);
    await writableOr404(ctx, req, 'triggers', 'update', triggerTarget(row), missing);
    const b = req.body;
    const params: unknown[] = [];
    const upd = new UpdateBuilder(params)
      .set('label', b.label ?? undefined)
      .patch('description', b.description)
      .patch('param_schema', b.param_schema, asJson, '::jsonb')
      .patch('out_schema', b.out_schema, asJson, '::jsonb')
      .set('enabled', typeof b.enabled === 'boolean' ? b.enabled : undefined)
      .set('webhook_config', b.webhook_config ? asJson(b.webhook_config) : undefined, '::jsonb')
      .set('reference_visibility', b.reference_visibility ?? undefined, '::action_reference_visibility_enum')
      .set('reference_allowed_pack_refs', b.reference_allowed_pack_refs ?? undefined, '::text[]');
    if (!upd.empty) {
      params.push(row.id);
      await ctx.pool.query(`UPDATE trigger SET ${upd.sql()} WHERE id = $${params.length}`, params);
    }
    return ok(presentTrigger((await triggerByRef(ctx.pool, row.ref as string))!), 'Trigger updated successfully');
  });

  app.delete<{ Params: { ref: string } }>('/api/v1/triggers/:ref', {
    onRequest: auth,
    schema: {
      tags, summary: 'Delete a trigger (rules and events keep their trigger_ref)', security: bearer, params: refParams(),
      response: { 200: SuccessResponse, ...errors(401, 403, 404) },
    },
  }, async (req) => {
    const row = await triggerByRef(ctx.pool, req.params.ref);
    const missing = `Trigger '${req.params.ref}' not found`;
    if (!row) throw notFound(missing);
    await writableOr404(ctx, req, 'triggers', 'delete', triggerTarget(row), missing);
    await ctx.pool.query('DELETE FROM trigger WHERE id = $1', [row.id]);
    return deleted(`Trigger '${row.ref}' deleted successfully`);
  });

  for (const [suffix, enabled] of [['enable', true], ['disable', false]] as const) {
    app.post<{ Params: { ref: string } }>(`/api/v1/triggers/:ref/${suffix}`, {
      onRequest: auth,
      schema: {
        tags, summary: `${enabled ? 'Enable' : 'Disable'} a trigger`, security: bearer, params: refParams(),
        response: { 200: dataOf(TriggerResponse, `Trigger ${enabled ? 'enabled' : 'disabled'} successfully`), ...errors(401, 403, 404) },
      },
    }, async (req) => {
      const row = await triggerByRef(ctx.pool, req.params.ref);
      const missing = `Trigger '${req.params.ref}' not found`;
      if (!row) throw notFound(missing);
      await writableOr404(ctx, req, 'triggers', 'update', triggerTarget(row), missing);
      await ctx.pool.query('UPDATE trigger SET enabled = $2 WHERE id = $1', [row.id, enabled]);
      return ok(presentTrigger((await triggerByRef(ctx.pool, row.ref as string))!), `Trigger ${enabled ? 'enabled' : 'disabled'} successfully`);
    });
  }
}

