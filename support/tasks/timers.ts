/**
 * Acts on timer rules: date and cron timer rules with their trigger parameters (a `fire_at` relative to now; a cron
 * expression whose seconds may be written relative to now as S, S+1, …), interval timer rules created side by side,
 * and rule creations that are expected to be refused.
 */
import type { RawResponse } from '../api/client';
import type { AttuneWorld } from '../world';
import { attemptRuleCreation, createRule, type RememberedRule } from './rules';

export const DATE_TIMER = 'core.datetimetimer';
export const CRON_TIMER = 'core.crontimer';
export const INTERVAL_TIMER = 'core.intervaltimer';

/** What a scenario planned for a timer rule, beyond the rule itself (kept under the kind "timer plan"). */
export interface TimerPlan {
  /** date timers: the `fire_at` sent, exactly as sent */
  fireAt?: string;
  /** cron timers with relative seconds: the instants (epoch ms) the expression was written for, in order */
  listedInstants?: number[];
}

export function timerPlan(world: AttuneWorld, ruleName: string): TimerPlan {
  return world.recallMaybe<TimerPlan>('timer plan', ruleName) ?? {};
}

/** A rule on the date timer, firing at `now + offsetMs` (negative: in the past). */
export async function createDateTimerRule(
  world: AttuneWorld,
  rule: { name: string; action_ref: string; action_params: Record<string, unknown> },
  offsetMs: number,
): Promise<RememberedRule> {
  const fireAt = new Date(Date.now() + offsetMs).toISOString();
  const remembered = await createRule(world, { ...rule, trigger_ref: DATE_TIMER, trigger_params: { fire_at: fireAt } });
  world.remember<TimerPlan>('timer plan', rule.name, { fireAt });
  return remembered;
}

const RELATIVE_SECOND = /^S(?:\+(\d{1,2}))?$/;

/**
 * Resolves relative seconds in the first field of a cron expression: `S` is the first whole second at least `leadMs`
 * from now, `S+n` the n-th second after it ("S,S+1,S+3 * * * * *" → e.g. "58,59,1 * * * * *"). An expression
 * without S is returned unchanged.
 */
export function resolveCronSeconds(written: string, leadMs: number, nowMs = Date.now()): { expression: string; instants?: number[] } {
  const fields = written.trim().split(/\s+/);
  if (!fields[0]?.includes('S')) return { expression: written };
  const start = Math.ceil((nowMs + leadMs) / 1000) * 1000;
  const offsets = fields[0].split(',').map((part) => {
    const match = RELATIVE_SECOND.exec(part);
    if (!match) throw new Error(`"${part}" in "${written}" is not S or S+n`);
    return Number(match[1] ?? 0);
  });
  if (offsets.some((n, i) => n >= 60 || (i > 0 && n <= offsets[i - 1]))) {
    throw new Error(`the relative seconds of "${written}" must be increasing and below S+60`);
  }
  const instants = offsets.map((n) => start + n * 1000);
  const seconds = instants.map((t) => new Date(t).getUTCSeconds());
  return { expression: [seconds.join(','), ...fields.slice(1)].join(' '), instants };
}

/** A rule on the cron timer; relative seconds (S, S+n) are resolved just before the rule is created. */
export async function createCronTimerRule(
  world: AttuneWorld,
  rule: { name: string; action_ref: string; action_params: Record<string, unknown> },
  written: string,
  leadMs: number,
): Promise<RememberedRule> {
  const { expression, instants } = resolveCronSeconds(written, leadMs);
  const remembered = await createRule(world, { ...rule, trigger_ref: CRON_TIMER, trigger_params: { expression } });
  world.remember<TimerPlan>('timer plan', rule.name, { listedInstants: instants });
  return remembered;
}

/**
 * Tries to create a rule that should be refused and returns the raw answer. Should the target accept it anyway, the
 * rule is registered for cleanup like any other, so a failing scenario leaves nothing behind.
 */
export async function attemptRule(
  world: AttuneWorld,
  rule: { name: string; trigger_ref: string; trigger_params: Record<string, unknown>; action_ref: string },
): Promise<RawResponse> {
  return attemptRuleCreation(world, rule);
}

/** One interval timer rule per row, all created at once, each running `actionRef` with a message naming the rule. */
export async function createIntervalRulesSideBySide(
  world: AttuneWorld,
  actionRef: string,
  rows: Array<{ name: string; seconds: number }>,
): Promise<RememberedRule[]> {
  return Promise.all(
    rows.map((row) =>
      createRule(world, {
        name: row.name,
        trigger_ref: INTERVAL_TIMER,
        trigger_params: { unit: 'seconds', interval: row.seconds },
        action_ref: actionRef,
        action_params: { message: `${row.name}, every ${row.seconds} s: fire {{ event.payload.execution_count }}` },
      }),
    ),
  );
}
