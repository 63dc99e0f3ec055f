import type { FastifyInstance } from 'fastify';
import { withTransaction } from '../../common/db';
import { fault } from '../../common/faults';
import { TERMINAL_EXECUTION_STATUSES, workerCancelKey } from '../../common/models';
import type { ExecutionStatus } from '../../common/models';
import { authorize } from '../authz';
import type { ApiContext } from '../context';
import { guard, principalOf } from '../guards';
import { ApiError, badRequest, conflict, notFound, ok, pageOf, parsePaging } from '../http';
import { actionByRef, packOfRef, present, Row } from '../lookups';
import {
  bearer, bool, dataOf, errors, ExecutionResponse, ExecutionStats, executionStatus, ExecutionSummary, idParams, int, object,
  pageQuery, pageSchema, str, ts,
} from '../openapi';
import { checkParameters, describeProblems } from '../param-schema';
import { asJson } from '../patch';
import { listScope, readableOr404, writableOr404 } from '../scope';
import { actionTarget } from './actions';

const tags = ['executions'];

export const EXECUTION_SUMMARY_SELECT = `SELECT execution.id, execution.action, execution.action_ref, execution.status, execution.parent,
    execution.enforcement, execution.executor, execution.worker, en.rule_ref, en.trigger_ref, execution.started_at,
    execution.workflow_task, execution.created, execution.updated
  FROM execution LEFT JOIN enforcement en ON en.id = execution.enforcement`;

const PENDING: ExecutionStatus[] = ['requested', 'scheduling', 'scheduled'];
export const CANCELLED_BEFORE_START = { succeeded: false, cancelled: true, error: 'Cancelled by user before execution started' };

/** ExecutionResponse: the row without env_vars (accepted on create, never returned). */
export function presentExecution(row: Row): Row {
  return present(row, ['env_vars']);
}

const executionTarget = (row: Row) => ({
  pack_ref: packOfRef(row.action_ref as string),
  owner: (row.executor as number | null) ?? null,
  ref: row.action_ref as string,
  id: row.id as number,
});

interface ExecuteBody {
  action_ref: string;
  parameters: Record<string, unknown>;
  env_vars: Record<string, unknown>;
  timeout_seconds?: number | null;
}

/** /api/v1/executions: manual runs, reads filtered by executions:read, cancellation, stats. */
export function registerExecutionRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const auth = guard(ctx);

  app.post<{ Body: ExecuteBody }>('/api/v1/executions/execute', {
    onRequest: auth,
    schema: {
      tags, summary: 'Run an action now (publishes ExecutionRequested)', security: bearer,
      description:
        'Needs actions:execute on the action. `parameters` are not checked here (as in Attune): the executor fills the ' +
        'action\'s defaults and ends the execution `failed`, naming the parameter, when a required one is missing or a ' +
        'value breaks its declared type or enum. With the (non-default) `server.strict_execution_parameters` option the ' +
        'request is refused instead: 422 naming the parameter.',
      body: object(
        {
          action_ref: { type: 'string', minLength: 1 },
          parameters: { type: 'object', default: {}, description: 'the action\'s input parameters (defaults to {})' },
          env_vars: {
            type: 'object', default: {}, additionalProperties: { type: ['string', 'number', 'boolean'] },
            description: 'extra environment variables for the action process (defaults to {})',
          },
          timeout_seconds: { type: ['integer', 'null'], minimum: 1 },
        },
        ['action_ref', 'parameters', 'env_vars'],
      ),
      response: { 201: dataOf(ExecutionResponse, 'Execution created and queued'), ...errors(400, 401, 403, 404, 422) },
    },
  }, async (req, reply) => {
    const b = req.body;
    const action = await actionByRef(ctx.pool, b.action_ref);
    const missing = `Action '${b.action_ref}' not found`;
    if (!action) throw notFound(missing);
    // fault viewer-may-execute: running an action only needs the right to read it
    await writableOr404(ctx, req, 'actions', fault('viewer-may-execute') ? 'read' : 'execute', actionTarget(action), missing);
    if (action.enabled === false) throw badRequest(`Action '${action.ref}' is disabled`);
    const problems = ctx.cfg.server.strict_execution_parameters === true ? checkParameters(action.param_schema, b.parameters, { checkRequired: true }) : [];
    if (problems.length) throw new ApiError(422, 'VALIDATION_ERROR', describeProblems(`action '${action.ref}'`, problems));
    const envVars = Object.fromEntries(Object.entries(b.env_vars ?? {}).map(([k, v]) => [k, String(v)]));
    const timeout = b.timeout_seconds ?? (action.timeout_seconds as number | null) ?? ctx.cfg.default_execution_timeout_seconds;
    const { rows } = await ctx.pool.query(
      `INSERT INTO execution (action, action_ref, config, env_vars, executor, status, timeout_seconds)
       VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, 'requested', $6) RETURNING *`,
      [action.id, action.ref, asJson(b.parameters ?? {}), asJson(envVars), principalOf(req).identityId, timeout],
    );
    const ex = rows[0];
    await ctx.mq.publish('ExecutionRequested', {
      execution_id: ex.id,
      action_id: action.id,
      action_ref: action.ref,
      parent_id: null,
      enforcement_id: null,
      config: ex.config,
    });
    reply.code(201);
    return ok(presentExecution(ex));
  });

  app.get<{ Querystring: Record<string, unknown> }>('/api/v1/executions', {
    onRequest: auth,
    schema: {
      tags, summary: 'List executions (newest first; page/per_page, default 20)', security: bearer,
      querystring: object({
        ...pageQuery,
        status: executionStatus,
        action_ref: str,
        pack_name: str,
        rule_ref: str,
        trigger_ref: str,
        executor: int,
        enforcement: int,
        parent: int,
        top_level_only: bool,
        result_contains: str,
        include_total: bool,
      }),
      response: { 200: pageSchema(ExecutionSummary, 'List of executions'), ...errors(400, 401) },
    },
  }, async (req) => {
    const q = req.query;
    const paging = parsePaging(q, 20);
    const params: unknown[] = [];
    const where = [await listScope(ctx, req, 'executions', params)];
    const add = (sql: (n: string) => string, v: unknown) => {
      if (v === undefined || v === '') return;
      params.push(v);
      where.push(sql(`$${params.length}`));
    };
    add((p) => `execution.status = ${p}::execution_status_enum`, q.status);
    add((p) => `execution.action_ref = ${p}`, q.action_ref);
    add((p) => `execution.action_ref LIKE ${p} || '.%'`, q.pack_name);
    add((p) => `en.rule_ref = ${p}`, q.rule_ref);
    add((p) => `en.trigger_ref = ${p}`, q.trigger_ref);
    add((p) => `execution.executor = ${p}`, q.executor);
    add((p) => `execution.enforcement = ${p}`, q.enforcement);
    add((p) => `execution.parent = ${p}`, q.parent);
    add((p) => `execution.result::text ILIKE '%' || ${p} || '%'`, q.result_contains);
    if (q.top_level_only === true) where.push('execution.parent IS NULL');
    const cond = where.join(' AND ');
    const from = 'FROM execution LEFT JOIN enforcement en ON en.id = execution.enforcement';
    const total = Number((await ctx.pool.query(`SELECT count(*) AS n ${from} WHERE ${cond}`, params)).rows[0].n);
    const { rows } = await ctx.pool.query(
      `${EXECUTION_SUMMARY_SELECT} WHERE ${cond} ORDER BY execution.created DESC, execution.id DESC LIMIT ${paging.limit} OFFSET ${paging.offset}`,
      params,
    );
    return pageOf(rows.map((r) => present(r)), paging, total);
  });

  app.get<{ Params: { status: ExecutionStatus }; Querystring: Record<string, unknown> }>('/api/v1/executions/status/:status', {
    onRequest: auth,
    schema: {
      tags, summary: 'List executions in one status', security: bearer,
      params: object({ status: executionStatus }, ['status']),
      querystring: object(pageQuery),
      response: { 200: pageSchema(ExecutionSummary, 'List of executions with specified status'), ...errors(400, 401) },
    },
  }, async (req) => {
    const paging = parsePaging(req.query, 50);
    const params: unknown[] = [];
    const scope = await listScope(ctx, req, 'executions', params);
    params.push(req.params.status);
    const cond = `${scope} AND execution.status = $${params.length}::execution_status_enum`;
    const total = Number((await ctx.pool.query(`SELECT count(*) AS n FROM execution WHERE ${cond}`, params)).rows[0].n);
    const { rows } = await ctx.pool.query(
      `${EXECUTION_SUMMARY_SELECT} WHERE ${cond} ORDER BY execution.created DESC, execution.id DESC LIMIT ${paging.limit} OFFSET ${paging.offset}`,
      params,
    );
    return pageOf(rows.map((r) => present(r)), paging, total);
  });

  app.get('/api/v1/executions/stats', {
    onRequest: auth,
    schema: {
      tags, summary: 'Execution counts by status (over the executions the caller may read)', security: bearer,
      response: { 200: dataOf(ExecutionStats, 'Execution statistics'), ...errors(401) },
    },
  }, async (req) => {
    const params: unknown[] = [];
    const scope = await listScope(ctx, req, 'executions', params);
    const { rows } = await ctx.pool.query(
      `SELECT count(*) AS total,
              count(*) FILTER (WHERE status = 'completed') AS completed,
              count(*) FILTER (WHERE status = 'failed') AS failed,
              count(*) FILTER (WHERE status = 'running') AS running,
              count(*) FILTER (WHERE status IN ('requested', 'scheduling', 'scheduled')) AS pending,
              count(*) FILTER (WHERE status IN ('cancelled', 'canceling')) AS cancelled,
              count(*) FILTER (WHERE status = 'timeout') AS timeout,
              count(*) FILTER (WHERE status = 'abandoned') AS abandoned
         FROM execution WHERE ${scope}`,
      params,
    );
    return ok(Object.fromEntries(Object.entries(rows[0]).map(([k, v]) => [k, Number(v)])));
  });

  const loadVisible = async (req: Parameters<typeof readableOr404>[1], id: number): Promise<Row> => {
    const { rows } = await ctx.pool.query('SELECT * FROM execution WHERE id = $1', [id]);
    const missing = `Execution with ID ${id} not found`;
    if (!rows[0]) throw notFound(missing);
    await readableOr404(ctx, req, 'executions', executionTarget(rows[0]), missing);
    return rows[0];
  };

  app.get<{ Params: { id: number } }>('/api/v1/executions/:id', {
    onRequest: auth,
    schema: {
      tags, summary: 'Get an execution (404 when missing or not readable)', security: bearer, params: idParams(),
      response: { 200: dataOf(ExecutionResponse, 'Execution details'), ...errors(400, 401, 404) },
    },
  }, async (req) => ok(presentExecution(await loadVisible(req, req.params.id))));

  /** A workflow parent runs in the executor (no worker): workflow_def set, or a workflow_execution row for it. */
  const isWorkflowParent = async (row: Row): Promise<boolean> =>
    row.workflow_def != null || ((await ctx.pool.query('SELECT 1 FROM workflow_execution WHERE execution = $1', [row.id])).rowCount ?? 0) > 0;

  app.post<{ Params: { id: number } }>('/api/v1/executions/:id/cancel', {
    onRequest: auth,
    schema: {
      tags, summary: 'Cancel an execution', security: bearer, params: idParams(),
      description:
        'Not yet running → cancelled at once (publishes ExecutionCompleted); running → canceling, ExecutionStatusChanged to the executor and the worker (if any) is told (ExecutionCancelRequested on execution.cancel.worker.<id>); canceling → unchanged; terminal → 409.',
      response: { 200: dataOf(ExecutionResponse, 'Cancellation requested'), ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req) => {
    const current = await loadVisible(req, req.params.id);
    await authorize(ctx, req, 'executions', 'cancel', executionTarget(current));
    const outcome = await withTransaction(ctx.pool, async (c) => {
      const row = (await c.query('SELECT * FROM execution WHERE id = $1 FOR UPDATE', [current.id])).rows[0];
      if (!row) throw notFound(`Execution with ID ${current.id} not found`);
      const status = row.status as ExecutionStatus;
      if (TERMINAL_EXECUTION_STATUSES.has(status)) {
        throw conflict(`Execution ${row.id} is in status ${status} and cannot be cancelled`);
      }
      if (PENDING.includes(status)) {
        const upd = await c.query(
          `UPDATE execution SET status = 'cancelled', result = $2::jsonb WHERE id = $1 RETURNING *`,
          [row.id, asJson(CANCELLED_BEFORE_START)],
        );
        return { row: upd.rows[0], then: 'completed' as const };
      }
      if (status === 'running') {
        const upd = await c.query(`UPDATE execution SET status = 'canceling' WHERE id = $1 RETURNING *`, [row.id]);
        return { row: upd.rows[0], then: 'tell-worker' as const };
      }
      return { row, then: 'nothing' as const };
    });
    const row = outcome.row;
    if (outcome.then === 'completed') {
      await ctx.mq.publish('ExecutionCompleted', {
        execution_id: row.id,
        action_id: row.action ?? 0,
        action_ref: row.action_ref,
        status: 'cancelled',
        result: row.result,
        completed_at: new Date().toISOString(),
      });
    } else if (outcome.then === 'tell-worker') {
      // running → canceling is announced to the executor (it winds down workflow parents, which have no worker)
      // fault workflow-cancel-not-announced: the executor never hears of the cancel
      if (!fault('workflow-cancel-not-announced')) {
        await ctx.mq.publish('ExecutionStatusChanged', {
          execution_id: row.id,
          action_ref: row.action_ref,
          previous_status: 'running',
          new_status: 'canceling',
          changed_at: new Date(row.updated ?? Date.now()).toISOString(),
        });
      }
      if (row.worker != null) {
        await ctx.mq.publish('ExecutionCancelRequested', { execution_id: row.id, worker_id: row.worker }, { routingKey: workerCancelKey(row.worker) });
      } else if (row.action_ref !== 'core.ask' && !(await isWorkflowParent(row))) { // core.ask: the executor cancels its inquiry
        ctx.log.warn({ execution_id: row.id }, 'running execution has no worker; cannot deliver the cancel request');
      }
    }
    return ok(presentExecution(row));
  });

  app.post<{ Params: { id: number } }>('/api/v1/executions/:id/reschedule', {
    onRequest: auth,
    schema: {
      tags, summary: "Republish a Requested execution's scheduler message", security: bearer, params: idParams(),
      description:
        'A recovery control for an execution still `requested` whose ExecutionRequested may have been lost: publishes it ' +
        'again and counts the attempt (at most `maintenance.execution_reschedule_max_attempts`, default 5). Needs ' +
        'executions:cancel on it. Any other status, or the attempts used up → 409. The scheduler takes an execution only ' +
        'while it is `requested`, so a duplicate message runs nothing twice.',
      response: {
        200: dataOf(
          object(
            { message: str, attempt_count: int, last_attempt_at: ts, execution: ExecutionResponse },
            ['message', 'attempt_count', 'last_attempt_at', 'execution'],
          ),
          'Execution request republished',
        ),
        ...errors(400, 401, 403, 404, 409),
      },
    },
  }, async (req) => {
    const current = await loadVisible(req, req.params.id);
    await authorize(ctx, req, 'executions', 'cancel', executionTarget(current));
    const id = current.id as number;
    // fault reschedule-any-status: an execution that has ended (or is running) is requested again too
    const anyStatus = fault('reschedule-any-status');
    if (current.status !== 'requested' && !anyStatus) {
      throw conflict(`Execution ${id} is in status '${current.status}' and cannot be rescheduled; only requested executions are eligible`);
    }
    const maxAttempts = ctx.cfg.maintenance?.execution_reschedule_max_attempts ?? 5;
    const attempt = await withTransaction(ctx.pool, async (c) => {
      const row = (await c.query(
        `SELECT e.*, coalesce(rs.attempt_count, 0) AS attempts FROM execution e
           LEFT JOIN execution_reschedule_state rs ON rs.execution_id = e.id WHERE e.id = $1 FOR UPDATE OF e`,
        [id],
      )).rows[0];
      if (!row || (row.status !== 'requested' && !anyStatus) || Number(row.attempts) >= maxAttempts) return null;
      const counted = await c.query(
        `INSERT INTO execution_reschedule_state (execution_id, attempt_count, last_attempt_at, last_reason, last_source)
         VALUES ($1, 1, now(), 'manual execution reschedule requested', 'api-service')
         ON CONFLICT (execution_id) DO UPDATE SET attempt_count = execution_reschedule_state.attempt_count + 1,
           last_attempt_at = now(), last_reason = EXCLUDED.last_reason, last_source = EXCLUDED.last_source
         RETURNING attempt_count, last_attempt_at`,
        [id],
      );
      return { row, attempt_count: counted.rows[0].attempt_count as number, last_attempt_at: counted.rows[0].last_attempt_at as Date };
    });
    if (!attempt) {
      throw conflict(
        `Execution ${id} is not eligible for reschedule because it is no longer requested, is admission-queued, or has reached the reschedule attempt limit`,
      );
    }
    // fault reschedule-not-published: the attempt is counted but nothing is sent to the scheduler
    if (!fault('reschedule-not-published')) {
      await ctx.mq.publish('ExecutionRequested', {
        execution_id: id,
        action_id: attempt.row.action,
        action_ref: attempt.row.action_ref,
        parent_id: attempt.row.parent,
        enforcement_id: attempt.row.enforcement,
        config: attempt.row.config,
      });
    }
    const { rows } = await ctx.pool.query('SELECT * FROM execution WHERE id = $1', [id]);
    return ok({
      message: 'Execution request republished; pending scheduling',
      attempt_count: attempt.attempt_count,
      last_attempt_at: attempt.last_attempt_at,
      execution: presentExecution(rows[0] ?? current),
    });
  });
}

