/**
 * Timer math and event payloads for the built-in core timer triggers:
 *   core.intervaltimer  {unit, interval}
 *   core.crontimer      {expression (6 fields, with seconds), timezone}
 *   core.datetimetimer  {fire_at, timezone}
 * Pure functions only: scheduling itself lives with the sensor service.
 */
import { CronExpressionParser } from 'cron-parser';

export class ScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScheduleError';
  }
}

export const INTERVAL_TIMER_REF = 'core.intervaltimer';
export const CRON_TIMER_REF = 'core.crontimer';
export const DATETIME_TIMER_REF = 'core.datetimetimer';
export const DEFAULT_TIMER_SENSOR_REF = 'core.timer_sensor';
export const DEFAULT_TIMEZONE = 'UTC';

export type IntervalUnit = 'seconds' | 'minutes' | 'hours' | 'days';

export const UNIT_MS: Readonly<Record<IntervalUnit, number>> = {
  seconds: 1_000,
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function requireParams(triggerRef: string, params: unknown): Record<string, unknown> {
  if (!isObject(params)) throw new ScheduleError(`trigger_params for ${triggerRef} must be an object`);
  return params;
}

/** RFC 3339 UTC timestamp with milliseconds, e.g. 2026-01-01T00:00:00.000Z. */
export function toRfc3339(d: Date): string {
  return d.toISOString();
}

// ---------------------------------------------------------------------------------------------
// Interval timer
// ---------------------------------------------------------------------------------------------

/** Period of a `core.intervaltimer` in milliseconds. */
export function intervalMs(params: unknown): number {
  const p = requireParams(INTERVAL_TIMER_REF, params);
  const unit = p.unit === undefined || p.unit === null ? 'seconds' : p.unit;
  if (typeof unit !== 'string' || !Object.prototype.hasOwnProperty.call(UNIT_MS, unit)) {
    throw new ScheduleError(
      `Invalid interval unit ${JSON.stringify(unit)}: expected one of seconds, minutes, hours, days`,
    );
  }
  const interval = p.interval;
  if (interval === undefined || interval === null) {
    throw new ScheduleError('Interval timer requires "interval" (an integer >= 1)');
  }
  if (typeof interval !== 'number' || !Number.isInteger(interval) || interval < 1) {
    throw new ScheduleError(`Invalid interval ${JSON.stringify(interval)}: expected an integer >= 1`);
  }
  const ms = interval * UNIT_MS[unit as IntervalUnit];
  if (!Number.isSafeInteger(ms)) throw new ScheduleError(`Interval ${interval} ${unit} is too large`);
  return ms;
}

// ---------------------------------------------------------------------------------------------
// Cron timer
// ---------------------------------------------------------------------------------------------

/** Throws unless `timezone` is an IANA zone name the runtime knows (or undefined/null). */
export function validateTimezone(timezone: unknown): void {
  if (timezone === undefined || timezone === null) return;
  if (typeof timezone !== 'string' || timezone.trim() === '') {
    throw new ScheduleError(`Invalid timezone ${JSON.stringify(timezone)}`);
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new ScheduleError(`Invalid timezone ${JSON.stringify(timezone)}`);
  }
}

/** Accepts only 6-field cron expressions: `sec min hour day-of-month month day-of-week`. */
export function validateCronExpression(expr: string): void {
  if (typeof expr !== 'string' || expr.trim() === '') {
    throw new ScheduleError(`Invalid cron expression ${JSON.stringify(expr)}: expression is empty`);
  }
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new ScheduleError(
      `Invalid cron expression "${expr}": expected 6 fields (sec min hour day-of-month month day-of-week), got ${fields.length}`,
    );
  }
  try {
    CronExpressionParser.parse(expr.trim(), { tz: DEFAULT_TIMEZONE });
  } catch (err) {
    throw new ScheduleError(`Invalid cron expression "${expr}": ${(err as Error).message}`);
  }
}

/** The first fire time of `expr` strictly after `after`, evaluated in `timezone` (default UTC). */
export function nextCronFire(expr: string, timezone: string | undefined, after: Date): Date {
  validateCronExpression(expr);
  const tz = timezone && timezone.trim() !== '' ? timezone : DEFAULT_TIMEZONE;
  validateTimezone(tz);
  if (!(after instanceof Date) || Number.isNaN(after.getTime())) {
    throw new ScheduleError('nextCronFire needs a valid "after" date');
  }
  let next: Date;
  try {
    const it = CronExpressionParser.parse(expr.trim(), { currentDate: after, tz });
    next = it.next().toDate();
    // Guard the "strictly after" contract regardless of library rounding.
    while (next.getTime() <= after.getTime()) next = it.next().toDate();
  } catch (err) {
    if (err instanceof ScheduleError) throw err;
    throw new ScheduleError(`Cannot compute next fire time for "${expr}": ${(err as Error).message}`);
  }
  return next;
}

// ---------------------------------------------------------------------------------------------
// One-shot (date-time) timer
// ---------------------------------------------------------------------------------------------

const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Parses an ISO 8601 date or date-time. Without a zone designator the value is taken as UTC.
 * Returns null when the text is not a valid ISO 8601 timestamp.
 */
export function parseIsoTimestamp(text: string): Date | null {
  const m = ISO_8601.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const ms = frac === '' ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const check = new Date(utc);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  let offsetMinutes = 0;
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 23 || om > 59) return null;
    offsetMinutes = sign * (oh * 60 + om);
  }
  return new Date(utc - offsetMinutes * 60_000);
}

/** Validates a `core.datetimetimer`'s params and returns the instant to fire at. */
export function parseFireAt(params: unknown, now: Date): { fireAt: Date } {
  const p = requireParams(DATETIME_TIMER_REF, params);
  const raw = p.fire_at;
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new ScheduleError('Date-time timer requires "fire_at" (an ISO 8601 timestamp)');
  }
  const fireAt = parseIsoTimestamp(raw);
  if (!fireAt) throw new ScheduleError(`Invalid fire_at ${JSON.stringify(raw)}: expected an ISO 8601 timestamp`);
  if (fireAt.getTime() <= now.getTime()) {
    throw new ScheduleError(`fire_at ${raw} is in the past`);
  }
  return { fireAt };
}

// ---------------------------------------------------------------------------------------------
// Dispatcher
// ---------------------------------------------------------------------------------------------

/** Validates a rule's trigger_params for a timer trigger; no-op for other trigger refs. */
export function validateTimerParams(triggerRef: string, params: unknown, now: Date): void {
  switch (triggerRef) {
    case INTERVAL_TIMER_REF:
      intervalMs(params);
      return;
    case CRON_TIMER_REF: {
      const p = requireParams(CRON_TIMER_REF, params);
      if (typeof p.expression !== 'string') {
        throw new ScheduleError('Cron timer requires "expression" (6 fields: sec min hour day-of-month month day-of-week)');
      }
      validateCronExpression(p.expression);
      validateTimezone(p.timezone);
      return;
    }
    case DATETIME_TIMER_REF:
      parseFireAt(params, now);
      if (isObject(params)) validateTimezone(params.timezone);
      return;
    default:
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// Event payloads
// ---------------------------------------------------------------------------------------------

export interface IntervalPayload {
  type: 'interval';
  interval_seconds: number;
  fired_at: string;
  execution_count: number;
  sensor_ref: string;
}

export interface CronPayload {
  type: 'cron';
  fired_at: string;
  scheduled_at: string;
  expression: string;
  timezone: string;
  next_fire_at: string;
  execution_count: number;
  sensor_ref: string;
}

export interface OneShotPayload {
  type: 'one_shot';
  fire_at: string;
  fired_at: string;
  timezone: string;
  delay_ms: number;
  sensor_ref: string;
}

export function intervalPayload(opts: {
  intervalMs: number;
  firedAt: Date;
  executionCount: number;
  sensorRef?: string;
}): IntervalPayload {
  return {
    type: 'interval',
    interval_seconds: opts.intervalMs / 1000,
    fired_at: toRfc3339(opts.firedAt),
    execution_count: opts.executionCount,
    sensor_ref: opts.sensorRef ?? DEFAULT_TIMER_SENSOR_REF,
  };
}

/** `next_fire_at` defaults to the next fire strictly after `scheduledAt`. */
export function cronPayload(opts: {
  expression: string;
  timezone?: string;
  scheduledAt: Date;
  firedAt: Date;
  executionCount: number;
  nextFireAt?: Date;
  sensorRef?: string;
}): CronPayload {
  const timezone = opts.timezone && opts.timezone.trim() !== '' ? opts.timezone : DEFAULT_TIMEZONE;
  const next = opts.nextFireAt ?? nextCronFire(opts.expression, timezone, opts.scheduledAt);
  return {
    type: 'cron',
    fired_at: toRfc3339(opts.firedAt),
    scheduled_at: toRfc3339(opts.scheduledAt),
    expression: opts.expression,
    timezone,
    next_fire_at: toRfc3339(next),
    execution_count: opts.executionCount,
    sensor_ref: opts.sensorRef ?? DEFAULT_TIMER_SENSOR_REF,
  };
}

/** `delay_ms` is how late the timer fired (firedAt - fireAt, never negative). */
export function oneShotPayload(opts: {
  fireAt: Date;
  firedAt: Date;
  timezone?: string;
  sensorRef?: string;
}): OneShotPayload {
  return {
    type: 'one_shot',
    fire_at: toRfc3339(opts.fireAt),
    fired_at: toRfc3339(opts.firedAt),
    timezone: opts.timezone && opts.timezone.trim() !== '' ? opts.timezone : DEFAULT_TIMEZONE,
    delay_ms: Math.max(0, Math.round(opts.firedAt.getTime() - opts.fireAt.getTime())),
    sensor_ref: opts.sensorRef ?? DEFAULT_TIMER_SENSOR_REF,
  };
}
