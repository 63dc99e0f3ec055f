/**
 * EnforcementCreated → execution.
 *
 * The enforcement is reloaded with its rule and the rule's action. A missing/disabled rule or a
 * rule without action makes the enforcement `disabled`. Otherwise one statement (atomic: a single
 * transaction) marks the enforcement `processed` — only if it is still `created`, which guards
 * against redelivery — and inserts the `requested` execution; after it commits, ExecutionRequested
 * is published.
 */
import { config } from '../common/config';
import type { Envelope } from '../common/envelope';
import { requireId } from '../common/envelope';
import { fault } from '../common/faults';
import type { ExecutorContext } from './context';

export interface EnforcementWithRule {
  id: number;
  status: string;
  config: Record<string, unknown> | null;
  rule_ref: string;
  rule_id: number | null;
  rule_enabled: boolean | null;
  owner_identity: number | null;
  action_id: number | null;
  action_ref: string | null;
  action_timeout_seconds: number | null;
  action_max_retries: number | null;
}

export type EnforcementDecision =
  | { kind: 'skip'; reason: string }
  | { kind: 'disable'; reason: string }
  | { kind: 'execute'; actionId: number; actionRef: string; executor: number | null; timeoutSeconds: number; maxRetries: number | null };

/** Pure: what to do with an enforcement row. */
export function decideEnforcement(row: EnforcementWithRule, defaultTimeoutSeconds: number): EnforcementDecision {
  if (row.status !== 'created') return { kind: 'skip', reason: `enforcement already ${row.status}` };
  if (row.rule_id === null) return { kind: 'disable', reason: 'rule no longer exists' };
  if (!row.rule_enabled) return { kind: 'disable', reason: 'rule is disabled' };
  if (row.action_id === null || row.action_ref === null) return { kind: 'disable', reason: 'rule has no action' };
  return {
    kind: 'execute',
    actionId: row.action_id,
    actionRef: row.action_ref,
    executor: row.owner_identity ?? null,
    timeoutSeconds: row.action_timeout_seconds ?? defaultTimeoutSeconds,
    maxRetries: row.action_max_retries ?? null,
  };
}

export async function handleEnforcementCreated(ctx: ExecutorContext, env: Envelope): Promise<void> {
  const enforcementId = requireId(env.payload, 'enforcement_id');
  const { rows } = await ctx.pool.query<EnforcementWithRule>(
    `SELECT en.id, en.status, en.config, en.rule_ref,
            r.id AS rule_id, r.enabled AS rule_enabled, r.owner_identity,
            a.id AS action_id, a.ref AS action_ref, a.timeout_seconds AS action_timeout_seconds, a.max_retries AS action_max_retries
       FROM enforcement en
       LEFT JOIN rule r ON r.id = en.rule
       LEFT JOIN action a ON a.id = r.action
      WHERE en.id = $1`,
    [enforcementId],
  );
  const row = rows[0];
  if (!row) {
    ctx.log.warn({ enforcement_id: enforcementId }, 'EnforcementCreated for an unknown enforcement; ignored');
    return;
  }
  const decision = decideEnforcement(row, config().default_execution_timeout_seconds);
  switch (decision.kind) {
    case 'skip':
      if (row.status === 'processed') await republishPendingExecution(ctx, row.id, env.correlation_id);
      return;
    case 'disable': {
      const res = await ctx.pool.query(
        `UPDATE enforcement SET status = 'disabled', resolved_at = now() WHERE id = $1 AND status = 'created'`,
        [row.id],
      );
      if (res.rowCount) ctx.log.info({ enforcement_id: row.id, rule_ref: row.rule_ref, reason: decision.reason }, 'enforcement disabled');
      return;
    }
    case 'execute':
      break;
  }
  const { rows: created } = await ctx.pool.query<{ id: number; config: Record<string, unknown> | null }>(
    `WITH en AS (
       UPDATE enforcement SET status = 'processed', resolved_at = now()
        WHERE id = $1 AND status = 'created'
        RETURNING id, config
     )
     INSERT INTO execution (action, action_ref, config, enforcement, executor, status, timeout_seconds, max_retries)
     SELECT $2, $3, en.config, en.id, $4, 'requested', $5, $6 FROM en
     RETURNING id, config`,
    [row.id, decision.actionId, decision.actionRef, decision.executor, decision.timeoutSeconds, decision.maxRetries],
  );
  const execution = created[0];
  if (!execution) return; // processed concurrently by another delivery
  ctx.log.info({ enforcement_id: row.id, execution_id: execution.id, action_ref: decision.actionRef }, 'execution requested from enforcement');
  await ctx.mq.publish(
    'ExecutionRequested',
    { execution_id: execution.id, action_id: decision.actionId, action_ref: decision.actionRef, enforcement_id: row.id, config: execution.config },
    { correlationId: env.correlation_id },
  );
  // fault duplicate-execution: a second top-level execution of the enforcement, dispatched too (config.retry_of lets it past the one-per-enforcement index)
  const dup = fault('duplicate-execution')
    ? (await ctx.pool.query<{ id: number; config: Record<string, unknown> }>(
        `INSERT INTO execution (action, action_ref, config, enforcement, executor, status, timeout_seconds, max_retries)
         SELECT action, action_ref, coalesce(config, '{}') || jsonb_build_object('retry_of', id), enforcement, executor, 'requested', timeout_seconds, max_retries
           FROM execution WHERE id = $1 RETURNING id, config`,
        [execution.id],
      )).rows[0]
    : undefined;
  if (dup) await ctx.mq.publish('ExecutionRequested', { execution_id: dup.id, action_id: decision.actionId, action_ref: decision.actionRef, enforcement_id: row.id, config: dup.config }, { correlationId: env.correlation_id });
}

/**
 * A redelivered EnforcementCreated for an already processed enforcement: if its execution is still
 * `requested` (the first attempt may have died before publishing), announce it again. The
 * scheduler's conditional status update makes a duplicate announcement harmless.
 */
async function republishPendingExecution(ctx: ExecutorContext, enforcementId: number, correlationId: string): Promise<void> {
  const { rows } = await ctx.pool.query<{ id: number; action: number | null; action_ref: string; config: Record<string, unknown> | null }>(
    `SELECT id, action, action_ref, config FROM execution
      WHERE enforcement = $1 AND parent IS NULL AND status = 'requested' ORDER BY id LIMIT 1`,
    [enforcementId],
  );
  const e = rows[0];
  if (!e) return;
  await ctx.mq.publish(
    'ExecutionRequested',
    { execution_id: e.id, action_id: e.action, action_ref: e.action_ref, enforcement_id: enforcementId, config: e.config },
    { correlationId },
  );
}
