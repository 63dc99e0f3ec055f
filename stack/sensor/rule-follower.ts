/**
 * Keeps the timer schedules in step with the rules: the lifecycle messages on
 * `attune.rules.lifecycle.queue` act at once, and a periodic reconcile against the database is the
 * safety net for anything missed. Every change runs under one lock, so a reconcile that read the
 * rules just before a disable cannot resurrect the timer after the disable cancelled it.
 */
import type { Queryable } from '../common/db';
import { Envelope, EnvelopeError } from '../common/envelope';
import { fault } from '../common/faults';
import type { Logger } from '../common/log';
import { isTimerTrigger, loadEnabledTimerRules, loadRule } from './rule-source';
import type { TimerScheduler } from './timer-scheduler';

export const RECONCILE_INTERVAL_MS = 5_000;

/** payload.rule_id as a number (an integer, or a string of digits from a lenient producer). */
export function ruleIdOf(payload: Record<string, unknown>): number {
  const v = payload.rule_id;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && /^\d{1,15}$/.test(v)) return Number(v);
  throw new EnvelopeError(`payload.rule_id must be an integer id, got ${JSON.stringify(v)}`);
}

export class RuleFollower {
  private chain: Promise<unknown> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly db: Queryable,
    private readonly scheduler: TimerScheduler,
    private readonly log: Logger,
  ) {}

  /** Runs fn after every earlier change has finished. */
  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Loads every enabled timer rule and makes the schedules match. */
  reconcile(): Promise<{ added: number; removed: number }> {
    return this.locked(async () => {
      if (this.stopped) return { added: 0, removed: 0 };
      const rules = await loadEnabledTimerRules(this.db);
      const out = this.scheduler.sync(rules);
      if (out.added || out.removed) this.log.info({ ...out, active: this.scheduler.activeRuleIds().length }, 'timer schedules reconciled');
      return out;
    });
  }

  startPeriodicReconcile(intervalMs = RECONCILE_INTERVAL_MS): void {
    this.timer = setInterval(() => {
      this.reconcile().catch((err) => this.log.warn({ err: (err as Error).message }, 'periodic reconcile failed'));
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  /** Handler for one lifecycle message (throws EnvelopeError on a payload without its id). */
  async handle(env: Envelope): Promise<void> {
    const p = env.payload;
    switch (env.message_type) {
      case 'RuleCreated':
      case 'RuleEnabled': {
        const ruleId = ruleIdOf(p);
        if (env.message_type === 'RuleCreated' && p.enabled === false) return;
        if (p.trigger_ref !== undefined && !isTimerTrigger(p.trigger_ref)) return;
        await this.locked(async () => {
          if (this.stopped) return;
          const rule = await loadRule(this.db, ruleId);
          if (!rule || !rule.enabled || !isTimerTrigger(rule.trigger_ref)) {
            this.scheduler.cancel(ruleId, `cancelled (rule ${rule ? 'disabled or not a timer' : 'gone'})`);
            return;
          }
          const result = this.scheduler.upsert(rule, { force: env.message_type === 'RuleEnabled' });
          this.log.debug({ rule_id: ruleId, message_type: env.message_type, result }, 'lifecycle message applied');
        });
        return;
      }
      case 'RuleDisabled':
      case 'RuleDeleted': {
        const ruleId = ruleIdOf(p);
        if (fault('timer-ignores-disable') && env.message_type === 'RuleDisabled') return;
        // Cancel at once, then again under the lock in case a reconcile in flight re-adds it.
        this.scheduler.cancel(ruleId, env.message_type === 'RuleDeleted' ? 'cancelled (rule deleted)' : 'cancelled (rule disabled)');
        await this.locked(async () => {
          this.scheduler.cancel(ruleId, 'cancelled');
        });
        return;
      }
      case 'PackRegistered':
      case 'PackDeleted':
        await this.reconcile();
        return;
      default:
        this.log.debug({ message_type: env.message_type }, 'ignoring message on the lifecycle queue');
    }
  }
}
