/** Polling for the integration tests: the condition is re-checked until it holds or time runs out. */
export interface WaitOptions {
  what: string;
  timeoutMs?: number;
  intervalMs?: number;
}

export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves with the first truthy value of `check`; rejects naming `what` (and the last error) on timeout. */
export async function waitFor<T>(check: () => T | Promise<T>, opts: WaitOptions): Promise<NonNullable<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
      last = undefined;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      const why = last instanceof Error ? `: ${last.message}` : '';
      throw new Error(`timed out after ${opts.timeoutMs ?? 20_000} ms waiting for ${opts.what}${why}`);
    }
    await pause(opts.intervalMs ?? 100);
  }
}

/** `p`, or a rejection naming `what` (computed when the time is up) once `ms` have passed; the work itself is not cancelled. */
export async function within<T>(ms: number, what: string | (() => string), p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${typeof what === 'function' ? what() : what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}
