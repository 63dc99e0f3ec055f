/**
 * Restart backoff of a managed sensor that exited on its own: 1 s after the first failure, doubling
 * up to 60 s; a process that ran for STABLE_RUN_MS before it died counts as a first failure again.
 */
export const RESTART_BACKOFF_INITIAL_MS = 1_000;
export const RESTART_BACKOFF_MAX_MS = 60_000;
export const STABLE_RUN_MS = 60_000;

/** Delay before restart number `failures` (1-based). */
export function restartDelayMs(failures: number): number {
  const n = Math.max(1, Math.floor(failures));
  return Math.min(RESTART_BACKOFF_MAX_MS, RESTART_BACKOFF_INITIAL_MS * 2 ** Math.min(n - 1, 30));
}

/** The failure count after an unexpected exit of a process that ran for `ranMs`. */
export function nextFailureCount(previous: number, ranMs: number): number {
  return ranMs >= STABLE_RUN_MS ? 1 : previous + 1;
}
