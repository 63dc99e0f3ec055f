/**
 * Pure timing helpers for the timer scheduler: absolute due times and how long to sleep.
 * Kept free of I/O so the drift-free maths can be unit-tested.
 */

/** setTimeout's largest delay (2^31 - 1 ms, about 24.8 days); longer waits are re-armed in chunks. */
export const MAX_TIMEOUT_MS = 2_147_483_647;

/** Fires later than this behind schedule are skipped rather than replayed in a burst. */
export const CATCH_UP_LIMIT_MS = 1_000;

/** The n-th fire (n >= 1) of an interval schedule started at `startMs`: start + n × interval. */
export function intervalDueAt(startMs: number, periodMs: number, n: number): number {
  return startMs + n * periodMs;
}

/**
 * The first fire index whose due time is not further behind `nowMs` than `limitMs`.
 * Normally this is `n` itself; after a long stall (suspend, blocked loop) it jumps ahead.
 */
export function firstCatchableIndex(startMs: number, periodMs: number, n: number, nowMs: number, limitMs = CATCH_UP_LIMIT_MS): number {
  if (intervalDueAt(startMs, periodMs, n) >= nowMs - limitMs) return n;
  return Math.max(n, Math.ceil((nowMs - startMs) / periodMs));
}

/** How long to sleep before checking again for a fire due at `dueMs` (0 when due). */
export function armDelay(dueMs: number, nowMs: number): number {
  return Math.min(Math.max(0, dueMs - nowMs), MAX_TIMEOUT_MS);
}

/** Stable identity of a rule's schedule: a change means the schedule has to be rebuilt. */
export function scheduleFingerprint(triggerRef: string, params: unknown): string {
  return `${triggerRef}|${canonicalJson(params)}`;
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
