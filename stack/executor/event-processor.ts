/**
 * EventCreated → enforcements.
 *
 * The event row is reloaded by id. Candidate rules: only `event.rule` when set (and enabled),
 * otherwise every enabled rule whose trigger id equals `event.trigger` (or, when the event has no
 * trigger id, whose trigger_ref equals `event.trigger_ref`). Each candidate whose conditions match
 * gets one enforcement (status created, config = the rendered action_params); the unique index on
 * (rule, event) makes a redelivered message a no-op. Then EnforcementCreated is published.
 */
import type { Envelope } from '../common/envelope';
import { requireId } from '../common/envelope';
import { config as stackConfig } from '../common/config';
import { fault } from '../common/faults';
import { mergeParameters, secretsOfRuleAction } from '../worker/secrets';
import { matchesConditions } from './conditions';
import type { ExecutorContext } from './context';
import { renderRuleParams } from './templating';
import { stringifyExact } from '../common/exact-json';

export interface EventRow {
  id: number;
  trigger: number | null;
  trigger_ref: string;
  payload: unknown;
  rule: number | null;
  created: Date | string;
}

export interface CandidateRule {
  id: number;
  ref: string;
  conditions: unknown;
  action_params: unknown;
  pack_config: Record<string, unknown> | null;
}

export interface PlannedEnforcement {
  rule: CandidateRule;
  config: Record<string, unknown>;
  payload: unknown;
}

const iso = (v: Date | string): string => (v instanceof Date ? v.toISOString() : new Date(v).toISOString());

/** Pure: which rules enforce for this event, and with which rendered parameters. */
export function planEnforcements(event: EventRow, rules: readonly CandidateRule[], now: Date = new Date()): PlannedEnforcement[] {
  const created = iso(event.created);
  const payload = event.payload ?? null;
  const out: PlannedEnforcement[] = [];
  for (const rule of rules) {
    const matched = matchesConditions(rule.conditions, { id: event.id, trigger: event.trigger_ref, trigger_ref: event.trigger_ref, payload, created });
    if (!matched) continue;
    const config = renderRuleParams(rule.action_params ?? {}, {
      event: { id: event.id, trigger: event.trigger_ref, created, payload },
      pack: { config: rule.pack_config ?? {} },
      system: { timestamp: now.toISOString(), rule: { id: rule.id, ref: rule.ref } },
    });
    out.push({ rule, config, payload: isObject(payload) ? payload : {} });
    if (fault('fanout-first-rule-only')) break; // fault: the first matching rule (lowest id) is the only one enforced
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const RULE_COLUMNS = `r.id, r.ref, r.conditions, r.action_params, p.config AS pack_config`;

export async function loadCandidateRules(ctx: ExecutorContext, event: EventRow): Promise<CandidateRule[]> {
  if (event.rule !== null && event.rule !== undefined) {
    const { rows } = await ctx.pool.query<CandidateRule>(
      `SELECT ${RULE_COLUMNS} FROM rule r LEFT JOIN pack p ON p.id = r.pack WHERE r.id = $1 AND r.enabled`,
      [event.rule],
    );
    return rows;
  }
  const { rows } = await ctx.pool.query<CandidateRule>(
    `SELECT ${RULE_COLUMNS} FROM rule r LEFT JOIN pack p ON p.id = r.pack
      WHERE r.enabled AND (CASE WHEN $1::bigint IS NULL THEN r.trigger_ref = $2 ELSE r.trigger = $1::bigint END)
      ORDER BY r.id`,
    [event.trigger, event.trigger_ref],
  );
  return rows;
}

export async function handleEventCreated(ctx: ExecutorContext, env: Envelope): Promise<void> {
  const eventId = requireId(env.payload, 'event_id');
  const { rows: events } = await ctx.pool.query<EventRow>(
    'SELECT id, trigger, trigger_ref, payload, rule, created FROM event WHERE id = $1',
    [eventId],
  );
  const event = events[0];
  if (!event) {
    ctx.log.warn({ event_id: eventId }, 'EventCreated for an unknown event; ignored');
    return;
  }
  const rules = await loadCandidateRules(ctx, event);
  const planned = planEnforcements(event, rules);
  // fault secrets-merged-at-enforcement: the action's secrets are resolved into the rendered parameters, so the
  // enforcement's and the execution's config hold them (the worker is the only place secrets may be merged)
  if (fault('secrets-merged-at-enforcement')) {
    for (const p of planned) p.config = mergeParameters(p.config, await secretsOfRuleAction(ctx.pool, p.rule.id, stackConfig().security.encryption_key));
  }
  ctx.log.debug({ event_id: event.id, trigger_ref: event.trigger_ref, candidates: rules.length, matched: planned.length }, 'event processed');
  await Promise.all(planned.map((p) => createEnforcement(ctx, event, p, env.correlation_id)));
}

async function createEnforcement(ctx: ExecutorContext, event: EventRow, plan: PlannedEnforcement, correlationId: string): Promise<void> {
  const inserted = await ctx.pool.query<{ id: number; status: string }>(
    `INSERT INTO enforcement (rule, rule_ref, trigger_ref, config, event, status, payload, condition, conditions)
     SELECT r.id, r.ref, $3, $4, $5, 'created', $6, 'all', r.conditions FROM rule r WHERE r.id = $1 AND r.ref = $2
     ON CONFLICT (rule, event) WHERE rule IS NOT NULL AND event IS NOT NULL DO NOTHING
     RETURNING id, status`,
    [plan.rule.id, plan.rule.ref, event.trigger_ref, stringifyExact(plan.config), fault('enforcement-unlinked') ? null : event.id, stringifyExact(plan.payload)],
  );
  let enforcement = inserted.rows[0];
  if (!enforcement) {
    // Redelivery (or the rule vanished meanwhile). Re-announce an enforcement still waiting to be
    // processed, in case the previous attempt died between INSERT and publish; the enforcement
    // processor is idempotent.
    const existing = await ctx.pool.query<{ id: number; status: string }>(
      'SELECT id, status FROM enforcement WHERE rule = $1 AND event = $2',
      [plan.rule.id, event.id],
    );
    enforcement = existing.rows[0];
    if (!enforcement || enforcement.status !== 'created') return;
  }
  ctx.log.info({ enforcement_id: enforcement.id, rule_ref: plan.rule.ref, event_id: event.id }, 'enforcement created');
  await ctx.mq.publish(
    'EnforcementCreated',
    {
      enforcement_id: enforcement.id,
      rule_id: plan.rule.id,
      rule_ref: plan.rule.ref,
      event_id: event.id,
      trigger_ref: event.trigger_ref,
      payload: plan.payload as Record<string, unknown>,
    },
    { correlationId },
  );
}
