/**
 * The only place in the suite allowed to wait on a timer.
 *
 * `eventually` polls a probe until an expectation holds, or fails with a message that names what was awaited, how long
 * it waited, the last value it saw and the last error. `consistently` polls for a fixed window and fails as soon as the
 * expectation stops holding (negative assertions such as "no new event for 3 s").
 */
import { timeouts } from './timeouts';

export interface EventuallyOptions<T> {
  timeoutMs?: number;
  intervalMs?: number;
  /** Returns a reason when the value reached a state that can never match (e.g. a terminal status other than the
   * wanted one); the wait then stops at once with that reason. */
  failFast?: (value: T) => string | undefined;
}

/** An expectation: returns false (or throws) while the value does not satisfy it yet; true or nothing when it does. */
export type Expectation<T> = (value: T) => boolean | void;

const MAX_SHOWN = 4000;

export function describeValue(value: unknown): string {
  if (value === undefined) return '(nothing observed yet)';
  let text: string;
  try {
    text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  } catch {
    text = String(value);
  }
  if (text === undefined) text = String(value);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}\n… (${text.length - MAX_SHOWN} more characters)` : text;
}

function describeError(error: unknown): string {
  if (error === undefined) return '(none)';
  if (error instanceof Error) return error.message;
  return describeValue(error);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

class ProbeDeadline extends Error {}

/** Runs one probe, giving up on it (not on the wait) when it outlives the remaining time. */
async function probeWithin<T>(probe: () => Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeDeadline(`the probe did not answer within ${ms} ms`)), Math.max(1, ms));
  });
  try {
    return await Promise.race([probe(), guard]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

function check<T>(expectation: Expectation<T>, value: T): { ok: boolean; error?: unknown } {
  try {
    const verdict = expectation(value);
    return { ok: verdict !== false };
  } catch (error) {
    return { ok: false, error };
  }
}

export class EventuallyTimeout extends Error {
  constructor(
    message: string,
    readonly lastValue: unknown,
    readonly lastError: unknown,
  ) {
    super(message);
    this.name = 'EventuallyTimeout';
  }
}

export async function eventually<T>(
  description: string,
  probe: () => Promise<T>,
  expectation: Expectation<T>,
  opts: EventuallyOptions<T> = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? timeouts.eventuallyDefault;
  const intervalMs = opts.intervalMs ?? timeouts.pollInterval;
  const started = Date.now();
  const deadline = started + timeoutMs;
  let lastValue: T | undefined;
  let lastError: unknown;
  let attempts = 0;
  let observed = false;

  for (;;) {
    attempts += 1;
    const remaining = deadline - Date.now();
    try {
      const value = await probeWithin(probe, Math.max(remaining, intervalMs));
      lastValue = value;
      observed = true;
      lastError = undefined;
      const reason = opts.failFast?.(value);
      if (reason) {
        throw new EventuallyTimeout(
          `Gave up waiting for: ${description}\n` +
            `Reason: ${reason}\n` +
            `After: ${Date.now() - started} ms (${attempts} attempts)\n` +
            `Last observed value:\n${describeValue(value)}`,
          value,
          undefined,
        );
      }
      const verdict = check(expectation, value);
      if (verdict.ok) return value;
      lastError = verdict.error;
    } catch (error) {
      if (error instanceof EventuallyTimeout) throw error;
      lastError = error;
    }
    const now = Date.now();
    if (now >= deadline) break;
    // the last attempt happens at the deadline itself, not one interval before it
    await delay(Math.min(intervalMs, deadline - now));
  }

  const elapsed = Date.now() - started;
  throw new EventuallyTimeout(
    `Timed out after ${elapsed} ms (limit ${timeoutMs} ms, ${attempts} attempts) waiting for: ${description}\n` +
      `Last observed value:\n${observed ? describeValue(lastValue) : '(the probe never answered)'}\n` +
      `Last error: ${describeError(lastError)}`,
    lastValue,
    lastError,
  );
}

/**
 * Polls for `windowMs` and fails at the first observation that breaks the expectation. A probe that cannot answer is a
 * failure too: a negative assertion that could not look proves nothing.
 */
export async function consistently<T>(
  description: string,
  windowMs: number,
  probe: () => Promise<T>,
  expectation: Expectation<T>,
  opts: { intervalMs?: number } = {},
): Promise<T> {
  const intervalMs = opts.intervalMs ?? timeouts.pollInterval;
  const started = Date.now();
  const end = started + windowMs;
  let attempts = 0;
  let lastValue: T | undefined;
  for (;;) {
    attempts += 1;
    let value: T;
    try {
      value = await probeWithin(probe, Math.max(end - Date.now(), intervalMs) + timeouts.probe);
    } catch (error) {
      throw new Error(
        `Could not keep checking that ${description}: the probe failed after ${Date.now() - started} ms ` +
          `(window ${windowMs} ms): ${describeError(error)}`,
      );
    }
    lastValue = value;
    const verdict = check(expectation, value);
    if (!verdict.ok) {
      throw new Error(
        `Expected that ${description} for ${windowMs} ms, but it stopped holding after ${Date.now() - started} ms ` +
          `(${attempts} checks)\n` +
          `Observed value:\n${describeValue(value)}` +
          (verdict.error !== undefined ? `\nReason: ${describeError(verdict.error)}` : ''),
      );
    }
    if (Date.now() >= end) return lastValue;
    await delay(Math.min(intervalMs, end - Date.now()));
  }
}
