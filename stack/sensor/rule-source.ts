/** Reads the rules the timer sensor serves (enabled rules on the core timer triggers). */
import type { Queryable } from '../common/db';
import { fault } from '../common/faults';
import { TIMER_TRIGGERS } from '../common/models';
import type { TimerRule } from './timer-scheduler';

export interface RuleRow extends TimerRule {
  enabled: boolean;
}

export function isTimerTrigger(ref: unknown): boolean {
  return typeof ref === 'string' && (TIMER_TRIGGERS as readonly string[]).includes(ref);
}

const COLUMNS = 'id, ref, trigger_ref, trigger_params, enabled';

/** Every enabled rule whose trigger_ref is a timer trigger, oldest first. */
export async function loadEnabledTimerRules(db: Queryable): Promise<RuleRow[]> {
  // fault timer-ignores-disable keeps disabled rules scheduled on reconcile too; fault disabled-rule-still-fires only
  // here: the disable message stops the timer, and the next periodic reconcile re-arms it
  const enabled = fault('timer-ignores-disable') || fault('disabled-rule-still-fires') ? 'true' : 'enabled';
  const res = await db.query(`SELECT ${COLUMNS} FROM rule WHERE ${enabled} AND trigger_ref = ANY($1::text[]) ORDER BY id`, [[...TIMER_TRIGGERS]]);
  return res.rows as RuleRow[];
}

/** One rule by id, or null when it does not exist (any trigger). */
export async function loadRule(db: Queryable, id: number): Promise<RuleRow | null> {
  const res = await db.query(`SELECT ${COLUMNS} FROM rule WHERE id = $1`, [id]);
  return (res.rows[0] as RuleRow | undefined) ?? null;
}
