import { fault } from '../../common/faults';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { allowed, authorize } from '../authz';
import type { ApiContext } from '../context';
import { guard, principalOf } from '../guards';
import { ApiError, conflict, deleted, forbidden, notFound, ok, pageOf, parsePaging } from '../http';
import { actionByRef, present, requirePack, Row, ruleByRef, triggerByRef } from '../lookups';
import {
  bearer, bool, dataOf, errors, nbool, nstr, nstrArray, object, pageQuery, pageSchema, refParams, RuleResponse, RuleSummary, str,
  SuccessResponse,
} from '../openapi';
import { asJson, UpdateBuilder } from '../patch';
import { actionParamsProblem, conditionsProblem, triggerParamsProblem } from '../rule-checks';
import { listScope, packReadableOr404, readableOr404, writableOr404 } from '../scope';
import { actionTarget } from './actions';
import { triggerTarget } from './triggers';

const tags = ['rules'];

const ruleTarget = (row: Row) => ({
  pack_ref: row.pack_ref as string,
  owner: (row.owner_identity as number | null) ?? null,
  ref: row.ref as string,
  id: row.id as number,
});

const invalid = (message: string) => new ApiError(422, 'VALIDATION_ERROR', message);

/** The rule's action must be executable and its trigger readable by whoever creates or re-targets it. */
async function requireUsable(ctx: ApiContext, req: FastifyRequest, action: Row | null, trigger: Row | null): Promise<void> {
  if (action && !(await allowed(ctx, req, 'actions', 'execute', actionTarget(action)))) {
    // an action the caller cannot even read is hidden: it answers like a missing one
    if (!(await allowed(ctx, req, 'actions', 'read', actionTarget(action)))) throw notFound(`Action '${action.ref}' not found`);
    throw forbidden(`Permission denied: actions:execute on '${action.ref}'`);
  }
  if (trigger && principalOf(req).tokenType !== 'sensor' && !(await allowed(ctx, req, 'triggers', 'read', triggerTarget(trigger)))) {
    throw notFound(`Trigger '${trigger.ref}' not found`);
  }
}

const conditionsSchema = { type: ['object', 'array', 'null'], description: 'array of {field, operator, value}, {"expression": "..."}, or empty' };

const CreateRuleBody = object(
  {
    ref: { type: 'string', minLength: 1, maxLength: 255, description: 'pack.name' },
    pack_ref: { type: 'string', minLength: 1 },
    label: { type: 'string', minLength: 1, maxLength: 255 },
    description: nstr,
    action_ref: { type: 'string', minLength: 1 },
    trigger_ref: { type: 'string', minLength: 1 },
    conditions: { ...conditionsSchema, default: {} },
    action_params: { type: 'object', default: {}, description: 'parameters for the action; strings may hold {{ event.payload.x }} templates' },
    trigger_params: { type: 'object', default: {}, description: 'per-rule trigger configuration (timer schedule, ...)' },
    enabled: { type: 'boolean', default: true },
    permission_set_refs: nstrArray,
    trace_tag_template: nstr,
  },
  ['ref', 'pack_ref', 'label', 'action_ref', 'trigger_ref'],
);

const UpdateRuleBody = object(
  {
    label: { type: ['string', 'null'], minLength: 1, maxLength: 255 },
    description: nstr,
    action_ref: { type: ['string', 'null'], minLength: 1 },
    trigger_ref: { type: ['string', 'null'], minLength: 1 },
    conditions: { ...conditionsSchema, default: null, description: 'null leaves conditions unchanged' },
    action_params: { type: ['object', 'null'], default: null, description: 'null leaves action_params unchanged' },
    trigger_params: { type: ['object', 'null'], default: null, description: 'null leaves trigger_params unchanged' },
    enabled: nbool,
    permission_set_refs: nstrArray,
    trace_tag_template: nstr,
  },
  ['conditions', 'action_params', 'trigger_params'],
);

type Body = Record<string, unknown>;

/** /api/v1/rules: CRUD + enable/disable; lifecycle messages (RuleCreated/Enabled/Disabled/Deleted) after each commit. */
export function registerRuleRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const auth = guard(ctx);

  const publishEnabled = (r: Row) =>
    ctx.mq.publish('RuleEnabled', { rule_id: r.id, rule_ref: r.ref, trigger_ref: r.trigger_ref, trigger_params: r.trigger_params });
  const publishDisabled = (r: Row, triggerRef = r.trigger_ref) =>
    ctx.mq.publish('RuleDisabled', { rule_id: r.id, rule_ref: r.ref, trigger_ref: triggerRef });

  const list = (enabledOnly: boolean, forced: Record<string, string> = {}) => async (req: FastifyRequest) => {
    const paging = parsePaging(req.query, 50);
    const params: unknown[] = [];
    const where = [await listScope(ctx, req, 'rules', params)];
    const q = { ...(req.query as Record<string, unknown>), ...forced };
    for (const col of ['pack_ref', 'action_ref', 'trigger_ref'] as const) {
      if (typeof q[col] === 'string') {
        params.push(q[col]);
        where.push(`rule.${col} = $${params.length}`);
      }
    }
    // fault enabled-lists-show-disabled: the enabled lists show disabled entries too
    if (enabledOnly) where.push(fault('enabled-lists-show-disabled') ? 'TRUE' : 'rule.enabled');
    else if (typeof q.enabled === 'boolean') {
      params.push(q.enabled);
      where.push(`rule.enabled = $${params.length}`);
    }
    if (typeof q.q === 'string' && q.q !== '') {
      params.push(`%${q.q}%`);
      where.push(`(rule.ref ILIKE $${params.length} OR rule.label ILIKE $${params.length})`);
    }
    const cond = where.join(' AND ');
    const total = Number((await ctx.pool.query(`SELECT count(*) AS n FROM rule WHERE ${cond}`, params)).rows[0].n);
    const { rows } = await ctx.pool.query(
      `SELECT rule.id, rule.ref, rule.pack, rule.pack_ref, rule.label, rule.description, rule.action, rule.action_ref, rule.trigger,
              rule.trigger_ref, rule.action_params, rule.trigger_params, rule.enabled, rule.is_adhoc, rule.owner_identity,
              rule.created, rule.updated
         FROM rule WHERE ${cond} ORDER BY rule.ref LIMIT ${paging.limit} OFFSET ${paging.offset}`,
      params,
    );
    return pageOf(rows.map((r) => present(r)), paging, total);
  };
  const listQuery = object({ ...pageQuery, pack_ref: str, action_ref: str, trigger_ref: str, enabled: bool, q: str });

  app.get('/api/v1/rules', {
    onRequest: auth,
    schema: {
      tags, summary: 'List rules the caller may read (ref order)', security: bearer, querystring: listQuery,
      response: { 200: pageSchema(RuleSummary, 'List of rules'), ...errors(400, 401) },
    },
  }, list(false));

  app.get('/api/v1/rules/enabled', {
    onRequest: auth,
    schema: {
      tags, summary: 'List enabled rules', security: bearer, querystring: listQuery,
      response: { 200: pageSchema(RuleSummary, 'List of enabled rules'), ...errors(400, 401) },
    },
  }, list(true));

  app.get<{ Params: { ref: string } }>('/api/v1/rules/:ref', {
    onRequest: auth,
    schema: {
      tags, summary: 'Get a rule by ref (404 when missing or not readable)', security: bearer, params: refParams(),
      response: { 200: dataOf(RuleResponse, 'Rule details'), ...errors(401, 404) },
    },
  }, async (req) => {
    const row = await ruleByRef(ctx.pool, req.params.ref);
    const missing = `Rule '${req.params.ref}' not found`;
    if (!row) throw notFound(missing);
    await readableOr404(ctx, req, 'rules', ruleTarget(row), missing);
    return ok(present(row));
  });

  app.post<{ Body: Body }>('/api/v1/rules', {
    onRequest: auth,
    schema: {
      tags, summary: 'Create a rule (publishes RuleCreated)', security: bearer, body: CreateRuleBody,
      description: 'Checks, in order: pack, action, trigger exist (404); rules:create, actions:execute on the action and triggers:read on the trigger (403); ref unused (409); conditions, trigger_params (timer schedules) and action_params types (422).',
      response: { 201: dataOf(RuleResponse, 'Rule created successfully'), ...errors(401, 403, 404, 409, 422) },
    },
  }, async (req, reply) => {
    const b = req.body;
    const ref = b.ref as string;
    const pack = await requirePack(ctx.pool, b.pack_ref as string);
    await packReadableOr404(ctx, req, pack);
    const action = await actionByRef(ctx.pool, b.action_ref as string);
    if (!action) throw notFound(`Action '${b.action_ref}' not found`);
    const trigger = await triggerByRef(ctx.pool, b.trigger_ref as string);
    if (!trigger) throw notFound(`Trigger '${b.trigger_ref}' not found`);
    await authorize(ctx, req, 'rules', 'create', { pack_ref: pack.ref, owner: pack.installed_by, ref });
    await requireUsable(ctx, req, action, trigger);
    if (await ruleByRef(ctx.pool, ref)) throw conflict(`Rule with ref '${ref}' already exists`);
    const problem =
      conditionsProblem(b.conditions) ??
      triggerParamsProblem(trigger.ref as string, trigger.param_schema, b.trigger_params) ??
      actionParamsProblem(action.ref as string, action.param_schema, b.action_params);
    if (problem) throw invalid(problem);

    const params: unknown[] = [];
    const cols = new UpdateBuilder(params)
      .set('ref', ref)
      .set('pack', pack.id)
      .set('pack_ref', pack.ref)
      .set('label', b.label)
      .set('description', b.description ?? undefined)
      .set('action', action.id)
      .set('action_ref', action.ref)
      .set('trigger', trigger.id)
      .set('trigger_ref', trigger.ref)
      .set('conditions', asJson(b.conditions ?? {}), '::jsonb')
      .set('action_params', asJson(b.action_params ?? {}), '::jsonb')
      .set('trigger_params', asJson(b.trigger_params ?? {}), '::jsonb')
      .set('enabled', b.enabled ?? true)
      .set('is_adhoc', true)
      .set('owner_identity', principalOf(req).identityId)
      .set('permission_set_refs', b.permission_set_refs ?? undefined, '::text[]')
      .set('trace_tag_template', b.trace_tag_template ?? undefined);
    const { rows } = await ctx.pool.query(`INSERT INTO rule ${cols.insertSql()} ON CONFLICT (ref) DO NOTHING RETURNING *`, params);
    if (rows.length === 0) throw conflict(`Rule with ref '${ref}' already exists`);
    const rule = rows[0];
    await ctx.mq.publish('RuleCreated', {
      rule_id: rule.id,
      rule_ref: rule.ref,
      trigger_id: rule.trigger,
      trigger_ref: rule.trigger_ref,
      action_id: rule.action,
      action_ref: rule.action_ref,
      trigger_params: rule.trigger_params,
      enabled: rule.enabled,
    });
    reply.code(201);
    return ok(present(rule), 'Rule created successfully');
  });

  app.put<{ Params: { ref: string }; Body: Body }>('/api/v1/rules/:ref', {
    onRequest: auth,
    schema: {
      tags, summary: 'Update a rule (publishes RuleEnabled/RuleDisabled when its schedule or state changes)', security: bearer,
      params: refParams(), body: UpdateRuleBody,
      response: { 200: dataOf(RuleResponse, 'Rule updated successfully'), ...errors(401, 403, 404, 422) },
    },
  }, async (req) => {
    const row = await ruleByRef(ctx.pool, req.params.ref);
    const missing = `Rule '${req.params.ref}' not found`;
    if (!row) throw notFound(missing);
    // fault rbac-skips-update-check: a rule update only needs the right to read the rule
    await writableOr404(ctx, req, 'rules', fault('rbac-skips-update-check') ? 'read' : 'update', ruleTarget(row), missing);
    const b = req.body;

    const newAction = typeof b.action_ref === 'string' && b.action_ref !== row.action_ref ? await actionByRef(ctx.pool, b.action_ref) : null;
    if (typeof b.action_ref === 'string' && b.action_ref !== row.action_ref && !newAction) throw notFound(`Action '${b.action_ref}' not found`);
    const newTrigger = typeof b.trigger_ref === 'string' && b.trigger_ref !== row.trigger_ref ? await triggerByRef(ctx.pool, b.trigger_ref) : null;
    if (typeof b.trigger_ref === 'string' && b.trigger_ref !== row.trigger_ref && !newTrigger) throw notFound(`Trigger '${b.trigger_ref}' not found`);
    await requireUsable(ctx, req, newAction, newTrigger);

    const action = newAction ?? (await actionByRef(ctx.pool, row.action_ref as string));
    const trigger = newTrigger ?? (await triggerByRef(ctx.pool, row.trigger_ref as string));
    const triggerParams = b.trigger_params ?? row.trigger_params;
    const actionParams = b.action_params ?? row.action_params;
    const problem =
      (b.conditions !== null && b.conditions !== undefined ? conditionsProblem(b.conditions) : null) ??
      (newTrigger || b.trigger_params ? triggerParamsProblem((trigger?.ref ?? row.trigger_ref) as string, trigger?.param_schema, triggerParams) : null) ??
      ((newAction || b.action_params) && action ? actionParamsProblem(action.ref as string, action.param_schema, actionParams) : null);
    if (problem) throw invalid(problem);

    const params: unknown[] = [];
    const upd = new UpdateBuilder(params)
      .set('label', b.label ?? undefined)
      .set('description', b.description ?? undefined)
      .set('conditions', b.conditions !== null && b.conditions !== undefined ? asJson(b.conditions) : undefined, '::jsonb')
      .set('action_params', b.action_params ? asJson(b.action_params) : undefined, '::jsonb')
      .set('trigger_params', b.trigger_params ? asJson(b.trigger_params) : undefined, '::jsonb')
      .set('enabled', typeof b.enabled === 'boolean' ? b.enabled : undefined)
      .set('permission_set_refs', b.permission_set_refs ?? undefined, '::text[]')
      .set('trace_tag_template', b.trace_tag_template ?? undefined);
    if (newAction) upd.set('action', newAction.id).set('action_ref', newAction.ref);
    if (newTrigger) upd.set('trigger', newTrigger.id).set('trigger_ref', newTrigger.ref);
    let rule = row;
    if (!upd.empty) {
      params.push(row.id);
      rule = (await ctx.pool.query(`UPDATE rule SET ${upd.sql()} WHERE id = $${params.length} RETURNING *`, params)).rows[0];
    }

    // Lifecycle after the commit: a trigger change retires the old schedule first; a state flip is
    // announced as such; new trigger_params on an enabled rule are re-announced so sensors reload it.
    if (newTrigger) await publishDisabled(rule, row.trigger_ref);
    if (rule.enabled !== row.enabled) await (rule.enabled ? publishEnabled(rule) : publishDisabled(rule));
    else if (rule.enabled && (newTrigger || b.trigger_params)) await publishEnabled(rule);
    return ok(present(rule), 'Rule updated successfully');
  });

  app.delete<{ Params: { ref: string } }>('/api/v1/rules/:ref', {
    onRequest: auth,
    schema: {
      tags, summary: 'Delete a rule (publishes RuleDeleted; history rows keep rule_ref)', security: bearer, params: refParams(),
      response: { 200: SuccessResponse, ...errors(401, 403, 404) },
    },
  }, async (req) => {
    const row = await ruleByRef(ctx.pool, req.params.ref);
    const missing = `Rule '${req.params.ref}' not found`;
    if (!row) throw notFound(missing);
    await writableOr404(ctx, req, 'rules', 'delete', ruleTarget(row), missing);
    const { rowCount } = await ctx.pool.query('DELETE FROM rule WHERE id = $1', [row.id]);
    if (!rowCount) throw notFound(`Rule '${req.params.ref}' not found`);
    await ctx.mq.publish('RuleDeleted', { rule_id: row.id, rule_ref: row.ref, trigger_id: row.trigger, trigger_ref: row.trigger_ref });
    return deleted(`Rule '${row.ref}' deleted successfully`);
  });

  // rules that use one action / one trigger (404 when it is missing or not readable), ref order
  const byParent = [
    { path: '/api/v1/actions/:action_ref/rules', param: 'action_ref', kind: 'actions', load: actionByRef, target: actionTarget, what: 'Action' },
    { path: '/api/v1/triggers/:trigger_ref/rules', param: 'trigger_ref', kind: 'triggers', load: triggerByRef, target: triggerTarget, what: 'Trigger' },
  ] as const;
  for (const p of byParent) {
    app.get<{ Params: Record<string, string> }>(p.path, {
      onRequest: auth,
      schema: {
        tags, summary: `List the rules that use a${p.what === 'Action' ? 'n action' : ' trigger'} (ref order)`, security: bearer,
        params: refParams(p.param), querystring: object(pageQuery),
        response: { 200: pageSchema(RuleSummary, `List of rules using this ${p.what.toLowerCase()}`), ...errors(400, 401, 404) },
      },
    }, async (req) => {
      const ref = req.params[p.param];
      const missing = `${p.what} '${ref}' not found`;
      const row = await p.load(ctx.pool, ref);
      if (!row) throw notFound(missing);
      if (principalOf(req).tokenType !== 'sensor' || p.kind !== 'triggers') await readableOr404(ctx, req, p.kind, p.target(row), missing);
      // fault rules-of-parent-unfiltered: the rules of an action or trigger list every rule the caller may read
      return list(false, fault('rules-of-parent-unfiltered') ? {} : { [p.param]: row.ref as string })(req);
    });
  }

  for (const [suffix, enabled] of [['enable', true], ['disable', false]] as const) {
    app.post<{ Params: { ref: string } }>(`/api/v1/rules/:ref/${suffix}`, {
      onRequest: auth,
      schema: {
        tags, summary: `${enabled ? 'Enable' : 'Disable'} a rule (publishes Rule${enabled ? 'Enabled' : 'Disabled'})`, security: bearer,
        params: refParams(),
        response: { 200: dataOf(RuleResponse, `Rule ${enabled ? 'enabled' : 'disabled'} successfully`), ...errors(401, 403, 404) },
      },
    }, async (req) => {
      const row = await ruleByRef(ctx.pool, req.params.ref);
      const missing = `Rule '${req.params.ref}' not found`;
      if (!row) throw notFound(missing);
      await writableOr404(ctx, req, 'rules', 'update', ruleTarget(row), missing);
      const { rows } = await ctx.pool.query('UPDATE rule SET enabled = $2 WHERE id = $1 RETURNING *', [row.id, enabled]);
      if (!rows[0]) throw notFound(`Rule '${req.params.ref}' not found`);
      await (enabled ? publishEnabled(rows[0]) : publishDisabled(rows[0]));
      return ok(present(rows[0]), `Rule ${enabled ? 'enabled' : 'disabled'} successfully`);
    });
  }
}
