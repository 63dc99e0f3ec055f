/**
 * The one table of every time bound the suite uses.
 *
 * Rules of the house:
 *  - Nothing else in the suite hard-codes a wait. Steps and support code take their numbers from here.
 *  - Only `support/eventually.ts` waits on a timer.
 *  - Every "eventually" bound stays BELOW the cucumber step timeout (`step`), so that a slow step fails with our own
 *    message (description, elapsed time, last observed value) and never with cucumber's bare "timed out" text.
 *
 * `ATTUNE_E2E_TIMEOUT_SCALE` (a positive number, default 1) multiplies every duration below, including the step
 * timeout, so the ordering "eventually < step" is kept on a slow CI machine. Tolerances that are part of what a
 * scenario asserts (`timerGapTolerance`) are NOT scaled: they are the specification, not patience.
 */

function readScale(): number {
  const raw = process.env.ATTUNE_E2E_TIMEOUT_SCALE;
  if (raw === undefined || raw.trim() === '') return 1;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`ATTUNE_E2E_TIMEOUT_SCALE must be a positive number, got "${raw}"`);
  }
  return value;
}

export const timeoutScale = readScale();

const scaled = (ms: number): number => Math.round(ms * timeoutScale);

export const timeouts = {
  /** cucumber's per-step and per-hook guard rail (setDefaultTimeout). Must stay above every bound below. */
  step: scaled(60_000),
  /** BeforeAll per worker: health check, admin login, persona pack install. */
  workerSetup: scaled(45_000),

  /** default bound of `eventually` when a caller gives none. */
  eventuallyDefault: scaled(15_000),
  /** default polling interval of `eventually` / `consistently` (kept between 50 and 100 ms). Not scaled. */
  pollInterval: 75,
  /** one HTTP probe during capability detection / health check. */
  probe: scaled(3_000),

  /** an execution reaches a terminal status (completed, failed, cancelled, timeout, abandoned). */
  executionTerminal: scaled(30_000),
  /** an enforcement leaves `created` (processed / disabled) once its event exists. */
  enforcementResolved: scaled(15_000),
  /** a webhook post or an API-created event shows up in the event list. */
  eventRecorded: scaled(10_000),

  /**
   * Timer fires: waiting for N fires of a timer with period P takes about N*P; we allow that plus a fixed margin for the
   * sensor to learn about the rule (rule.created over the message queue) and to fire the first time.
   */
  timerFireMargin: scaled(10_000),

  /** the notifier's welcome frame after the WebSocket upgrade (Attune's own e2e client allows 3 s). */
  websocketWelcome: scaled(3_000),
  /** a notification frame that should follow an observed state change (completion frame after the API says completed). */
  notificationFrame: scaled(10_000),

  /**
   * `consistently` windows (negative assertions). Each is the shortest window that still means something:
   *  - ruleDisabledQuiet: a disabled 1 s timer that stays quiet for 3 s has missed at least two fires; the catalogue
   *    uses comparable "sleep then count" windows of 3-8 s.
   */
  consistently: {
    ruleDisabledQuiet: scaled(3_000),
    noExecution: scaled(3_000),
  },

  /**
   * Events created within this long after a rule's disable call returned may still come from a fire that was already
   * in flight when the rule was disabled (sensor fired, event POST on the wire). Not scaled: it is part of the
   * assertion, and 200 ms is ample for one HTTP round trip on the same host.
   */
  inFlightFireGrace: 200,

  /**
   * Tolerance on the gap between two consecutive events of an interval timer, as a fraction-free absolute bound.
   * Justification (1 s timer): the gap is measured on the events' own `created` stamps (server side), so polling does
   * not add error. Sources of jitter are the sensor's timer wake-up (a few ms), the sensor → API/DB hop that writes the
   * event (one local HTTP or DB round trip, typically < 20 ms) and GC / scheduler pauses on a loaded CI box
   * (occasionally 50-150 ms). A double fire shows up as a gap near 0 and a missed fire as a gap near 2000 ms, both far
   * outside 1000 ± 250 ms, so the bound catches real defects with a wide margin against jitter. Attune's own suite
   * allows ±30 % (5 s ± 1.5 s); 25 % on a 1 s period is comparable. Not scaled.
   * Measured against the reference stack (2026-11-24, 4 runs, 16 gaps of a 1 s timer): 993.5 ms to 1008.5 ms, i.e.
   * jitter under 10 ms, so the bound leaves a 25x margin for slower machines.
   */
  timerGapTolerance: 250,

  /** cleanup: one cleanup action (a DELETE, a disable). */
  cleanupAction: scaled(10_000),
  /** the WebSocket close handshake in After. */
  websocketClose: scaled(2_000),
} as const;

/** How long to wait for `count` fires of a timer whose period is `periodMs`. */
export function timerFiresBound(count: number, periodMs: number): number {
  return Math.round(count * periodMs * timeoutScale) + timeouts.timerFireMargin;
}
