/**
 * One schedule per enabled timer rule, armed with setTimeout to absolute due times.
 *   interval: fire n is due at start + n × period (drift-free; first fire one period after scheduling)
 *   cron:     each fire is the next cron instant strictly after the previous due time
 *   datetime: a single fire at fire_at, only when it lies in the future
 * Bad trigger_params are logged (naming the rule) and remembered, so the 5 s reconcile does not
 * log them again until the rule's parameters change.
 */
import { fault } from '../common/faults';
import type { Logger } from '../common/log';
import { armDelay, CATCH_UP_LIMIT_MS, firstCatchableIndex, intervalDueAt, scheduleFingerprint } from './due-times';
import {
  CRON_TIMER_REF,
  cronPayload,
  DATETIME_TIMER_REF,
  DEFAULT_TIMEZONE,
  INTERVAL_TIMER_REF,
  intervalMs,
  intervalPayload,
  nextCronFire,
  oneShotPayload,
  parseFireAt,
  validateTimezone,
} from './schedules';

export interface TimerRule {
  id: number;
  ref: string;
  trigger_ref: string;
  trigger_params: unknown;
}

export interface TimerFire {
  ruleId: number;
  ruleRef: string;
  triggerRef: string;
  payload: Record<string, unknown>;
  dueAt: Date;
  firedAt: Date;
  lateMs: number;
}

export type FireHandler = (fire: TimerFire) => void | Promise<void>;

/** active: armed; done: a one-shot that fired or lies in the past; rejected: bad trigger_params. */
export type JobState = 'active' | 'done' | 'rejected';

interface Job {
  rule: TimerRule;
  fingerprint: string;
  state: JobState;
  handle?: NodeJS.Timeout;
  cancelled: boolean;
  fires: number;
}

export type UpsertResult = 'scheduled' | 'unchanged' | JobState;

const EARLIEST_DATE = new Date(-8.64e15);

function paramsObject(params: unknown): Record<string, unknown> {
  return typeof params === 'object' && params !== null && !Array.isArray(params) ? (params as Record<string, unknown>) : {};
}

export class TimerScheduler {
  private readonly jobs = new Map<number, Job>();
  /** fault timers-share-one-rate: the period of the first interval timer this scheduler started */
  private sharedPeriod?: number;

  constructor(
    private readonly onFire: FireHandler,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Schedules the rule, or rebuilds its schedule when its trigger or parameters changed.
   * With `force`, a rule whose job is done/rejected is evaluated again (explicit enable).
   */
  upsert(rule: TimerRule, opts: { force?: boolean } = {}): UpsertResult {
    const fingerprint = scheduleFingerprint(rule.trigger_ref, rule.trigger_params);
    const existing = this.jobs.get(rule.id);
    if (existing && existing.fingerprint === fingerprint && (existing.state === 'active' || !opts.force)) {
      existing.rule = rule;
      return 'unchanged';
    }
    if (existing) this.clear(existing);
    const job: Job = { rule, fingerprint, state: 'active', cancelled: false, fires: 0 };
    this.jobs.set(rule.id, job);
    try {
      this.start(job);
    } catch (err) {
      job.state = 'rejected';
      this.log.error(
        { rule_id: rule.id, rule_ref: rule.ref, trigger_ref: rule.trigger_ref, trigger_params: rule.trigger_params, err: (err as Error).message },
        `rule ${rule.ref} (id ${rule.id}): cannot schedule ${rule.trigger_ref}: ${(err as Error).message}`,
      );
    }
    if (job.state === 'active') {
      this.log.info({ rule_id: rule.id, rule_ref: rule.ref, trigger_ref: rule.trigger_ref, trigger_params: rule.trigger_params }, `scheduled timer for rule ${rule.ref}`);
      return 'scheduled';
    }
    return job.state;
  }

  /** Stops the rule's schedule at once. Returns whether there was one. */
  cancel(ruleId: number, reason = 'cancelled'): boolean {
    const job = this.jobs.get(ruleId);
    if (!job) return false;
    this.clear(job);
    this.jobs.delete(ruleId);
    this.log.info({ rule_id: ruleId, rule_ref: job.rule.ref, reason }, `timer for rule ${job.rule.ref} ${reason}`);
    return true;
  }

  /** Makes the set of schedules equal to `rules`: cancels the missing ones, adds/rebuilds the rest. */
  sync(rules: TimerRule[]): { added: number; removed: number } {
    const wanted = new Map(rules.map((r) => [r.id, r]));
    let removed = 0;
    let added = 0;
    for (const id of [...this.jobs.keys()]) {
      if (!wanted.has(id) && this.cancel(id, 'cancelled (rule gone or disabled)')) removed++;
    }
    for (const rule of rules) if (this.upsert(rule) === 'scheduled') added++;
    return { added, removed };
  }

  state(ruleId: number): JobState | undefined {
    return this.jobs.get(ruleId)?.state;
  }

  activeRuleIds(): number[] {
    return [...this.jobs.values()].filter((j) => j.state === 'active').map((j) => j.rule.id);
  }

  /** Clears every timer (used on stop: nothing keeps the process alive afterwards). */
  stopAll(): void {
    for (const job of this.jobs.values()) this.clear(job);
    this.jobs.clear();
  }

  private clear(job: Job): void {
    job.cancelled = true;
    if (job.handle) clearTimeout(job.handle);
    job.handle = undefined;
  }

  private start(job: Job): void {
    switch (job.rule.trigger_ref) {
      case INTERVAL_TIMER_REF:
        return this.startInterval(job);
      case CRON_TIMER_REF:
        return this.startCron(job);
      case DATETIME_TIMER_REF:
        return this.startOneShot(job);
      default:
        throw new Error(`trigger ${job.rule.trigger_ref} is not a timer trigger`);
    }
  }

  /** Sleeps until dueMs (re-arming in chunks for far dates and when a timer wakes up early), then runs fn. */
  private arm(job: Job, dueMs: number, fn: (firedAt: number) => void): void {
    const check = () => {
      if (job.cancelled) return;
      const now = this.now();
      if (now < dueMs) {
        job.handle = setTimeout(check, armDelay(dueMs, now));
        job.handle.unref();
        return;
      }
      job.handle = undefined;
      fn(now);
    };
    job.handle = setTimeout(check, armDelay(dueMs, this.now()));
    job.handle.unref();
  }

  private emit(job: Job, dueMs: number, firedAt: number, payload: Record<string, unknown>): void {
    const lateMs = firedAt - dueMs;
    this.log.debug(
      { rule_id: job.rule.id, rule_ref: job.rule.ref, trigger_ref: job.rule.trigger_ref, due_at: new Date(dueMs).toISOString(), fired_at: new Date(firedAt).toISOString(), late_ms: lateMs },
      'timer fired',
    );
    const fire: TimerFire = {
      ruleId: job.rule.id,
      ruleRef: job.rule.ref,
      triggerRef: job.rule.trigger_ref,
      payload,
      dueAt: new Date(dueMs),
      firedAt: new Date(firedAt),
      lateMs,
    };
    try {
      Promise.resolve(this.onFire(fire)).catch((err) => this.log.error({ err, rule_id: job.rule.id, rule_ref: job.rule.ref }, 'emitting a timer event failed'));
    } catch (err) {
      this.log.error({ err, rule_id: job.rule.id, rule_ref: job.rule.ref }, 'emitting a timer event failed');
    }
  }

  private startInterval(job: Job): void {
    let period = intervalMs(job.rule.trigger_params);
    if (fault('timer-interval-double')) period *= 2;
    // fault timers-share-one-rate: every interval timer runs at the period of the first one started
    if (fault('timers-share-one-rate')) period = this.sharedPeriod ??= period;
    // fault sensor-replays-missed-fires: a timer (re)armed at start-up acts as if it had been down for three periods
    // and replays the fires it "missed" at once, instead of skipping them
    const replay = fault('sensor-replays-missed-fires');
    const start = replay ? this.now() - 3 * period : this.now();
    let n = 1;
    const armNext = () => {
      const idx = replay ? n : firstCatchableIndex(start, period, n, this.now());
      if (idx !== n) {
        this.log.warn({ rule_id: job.rule.id, rule_ref: job.rule.ref, skipped: idx - n }, `rule ${job.rule.ref}: interval timer fell behind; skipping ${idx - n} missed fire(s)`);
        n = idx;
      }
      const due = intervalDueAt(start, period, n);
      this.arm(job, due, (firedAt) => {
        job.fires++;
        n++;
        armNext();
        this.emit(job, due, firedAt, { ...intervalPayload({ intervalMs: period, firedAt: new Date(firedAt), executionCount: job.fires }) });
      });
    };
    armNext();
  }

  private startCron(job: Job): void {
    const p = paramsObject(job.rule.trigger_params);
    if (typeof p.expression !== 'string') throw new Error('cron timer requires "expression" (6 fields: sec min hour day-of-month month day-of-week)');
    const expression = p.expression;
    const timezone = typeof p.timezone === 'string' && p.timezone.trim() !== '' ? p.timezone : DEFAULT_TIMEZONE;
    let due = nextCronFire(expression, timezone, new Date(this.now())).getTime(); // validates expression + zone
    const armNext = () => {
      const now = this.now();
      if (due < now - CATCH_UP_LIMIT_MS) {
        this.log.warn({ rule_id: job.rule.id, rule_ref: job.rule.ref }, `rule ${job.rule.ref}: cron timer fell behind; skipping missed fire(s)`);
        due = nextCronFire(expression, timezone, new Date(now)).getTime();
      }
      const thisDue = due;
      const armAt = fault('cron-off-by-one-second') ? thisDue + 1000 : thisDue;
      this.arm(job, armAt, (firedAt) => {
        let next: Date;
        try {
          next = nextCronFire(expression, timezone, new Date(thisDue));
        } catch (err) {
          job.state = 'rejected';
          this.log.error({ rule_id: job.rule.id, rule_ref: job.rule.ref, err: (err as Error).message }, `rule ${job.rule.ref}: cron timer stopped: ${(err as Error).message}`);
          return;
        }
        job.fires++;
        due = next.getTime();
        armNext();
        this.emit(job, thisDue, firedAt, {
          ...cronPayload({ expression, timezone, scheduledAt: new Date(thisDue), firedAt: new Date(firedAt), executionCount: job.fires, nextFireAt: next }),
        });
      });
    };
    armNext();
  }

  private startOneShot(job: Job): void {
    const p = paramsObject(job.rule.trigger_params);
    const { fireAt } = parseFireAt(job.rule.trigger_params, EARLIEST_DATE); // format only; the past check is ours
    validateTimezone(p.timezone);
    const timezone = typeof p.timezone === 'string' ? p.timezone : undefined;
    // fault past-date-timer-fires: a date missed by less than a minute is still fired, at once ("catch-up grace")
    const graceMs = fault('past-date-timer-fires') ? 60_000 : 0;
    if (fireAt.getTime() <= this.now() - graceMs && !fault('datetime-fires-past')) {
      job.state = 'done';
      this.log.warn(
        { rule_id: job.rule.id, rule_ref: job.rule.ref, fire_at: p.fire_at },
        `rule ${job.rule.ref} (id ${job.rule.id}): fire_at ${String(p.fire_at)} is in the past; the date timer will not fire`,
      );
      return;
    }
    const due = fireAt.getTime();
    this.arm(job, due, (firedAt) => {
      job.state = 'done';
      job.fires++;
      this.emit(job, due, firedAt, { ...oneShotPayload({ fireAt, firedAt: new Date(firedAt), timezone }) });
      if (fault('datetime-fires-twice') && job.fires === 1) {
        this.arm(job, due + 1000, (again) => this.emit(job, due, again, { ...oneShotPayload({ fireAt, firedAt: new Date(again), timezone }) }));
      }
    });
  }
}
