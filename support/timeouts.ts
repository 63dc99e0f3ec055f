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
  pollInterval: 100,
  /** one HTTP probe during capability detection / health check. */
  probe: scaled(3_000),

  /** an execution reaches a terminal status (completed, failed, cancelled, timeout, abandoned). */
  executionTerminal: scaled(30_000),
  /**
   * A worker that died without a word (SIGKILL) is noticed by the executor once its heartbeat is older than three
   * heartbeat intervals, at its next lost-worker sweep (internals §4.11; Attune: 3 × 30 s, sweep every 60 s). So a
   * dead worker's running executions end `abandoned` within 3 × heartbeat + one sweep interval of the death, read from
   * the target's configuration (support/target.ts); this is the allowance on top for the sweep's own writes and our
   * polling. Measured against the reference stack (heartbeat 2 s, sweep 1 s, so a 7 s window): see lostWorkerBound.
   */
  lostWorkerMargin: scaled(5_000),
  /** a service the run's service control started reports ready again (a worker registers, the executor consumes). */
  serviceBack: scaled(30_000),
  /** the infrastructure control's own command (a RabbitMQ stop_app/start_app, a PostgreSQL fast restart). Measured on
   * this machine kind (2026-12-07): RabbitMQ 3.11 stop_app + start_app + await_startup 4–7 s, PostgreSQL 15 fast restart
   * 0.3–1.2 s, the scoped drills under 0.5 s. */
  infraRestart: scaled(60_000),
  /** after a broker or database restart, until the platform reports ready by itself (its services reconnect in
   * process). Measured: 0.2 s after a scoped drop; in the fresh-clone CI run with real restarts (2026-12-07, CI=true,
   * features/tier3/infrastructure-outages.feature) 3.3 s from the start of the broker drill (command included), 2.7 s
   * for the database restart, 2.2 s from a database brought back to platform and notifier ready. The bound is the
   * reconnect backoff's cap, 3 s, times ten: 9x the worst real restart. */
  infraRecovered: scaled(30_000),
  /** an enforcement leaves `created` (processed / disabled) once its event exists. */
  enforcementResolved: scaled(15_000),
  /** a webhook post or an API-created event shows up in the event list. */
  eventRecorded: scaled(10_000),
  /**
   * the services' log files name a run that has ended (the suite's proof that the logs it searches for a secret are
   * being written and got that far). The reference stack's worker logs the end of a run before it publishes it, and the
   * supervisor appends the line within milliseconds; 10 s only covers a slow disk.
   */
  serviceLogRecorded: scaled(10_000),

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
    /**
     * timerNoFurtherFire: after a date timer's one fire (or a cron timer's last listed second), no other event of the
     * rule for this long. A repeated fire comes from a re-armed timer or a retried post, i.e. within about a second;
     * 1.5 s covers that with half a second to spare, and covers the second after the last listed cron second (a list
     * read as "every second" fires there). timerSilent: a date timer set in the past or an hour ahead stays without
     * event and execution for this long; the sensor learns a new rule within 30 ms of its creation (measured, 15
     * rules: 7-29 ms), and a timer that ignores its date fires as soon as it learns the rule, so 1.5 s is a 50x
     * margin. Both are kept short on purpose: they are pure waiting in every run of @tier1.
     */
    timerNoFurtherFire: scaled(1_500),
    timerSilent: scaled(1_500),
    /**
     * refusedPostQuiet: a webhook post the target refused (unknown/forgotten key, disabled trigger) leaves its trigger
     * without any event for this long. unruledEventQuiet: an event of a trigger without rules is followed by no
     * enforcement and no execution for this long. Measured against the reference stack (2026-11-24, 149 webhook
     * events with rules over 11 runs): enforcement 3.7-81.7 ms after the event (median 16.7), execution row 7.7-100.7
     * ms after it, so 1.5 s is a 15x margin over the slowest observed enforcement-to-execution chain. The reference
     * stack writes a webhook's event before answering the post, so a refused post that still wrote one shows it at
     * once; 1 s leaves room for a target that writes events asynchronously.
     */
    refusedPostQuiet: scaled(1_000),
    unruledEventQuiet: scaled(1_500),
    /**
     * criteriaMissQuiet: an event a rule's conditions do not hold for is followed by no enforcement and no execution
     * of that rule for this long. Measured against the reference stack (2026-12-07, 144 matching events over 5 runs of
     * features/tier2/rule-criteria.feature and features/tier3/rule-criteria-filtering.feature, beside other features):
     * enforcement 5-214 ms after the event (median 20), top-level execution at most 244 ms after it; 1.5 s is a 6x
     * margin over the worst and matches unruledEventQuiet.
     */
    criteriaMissQuiet: scaled(1_500),
    /**
     * chainNoFurtherStep: after a link of a webhook chain failed (its workflow run ended failed), the next webhook of
     * the chain records no event and the next rule runs nothing for this long. The failed link is the only poster, and
     * it has ended, so a late event could only come from a retried post: within a second. 1.5 s like the others.
     */
    chainNoFurtherStep: scaled(1_500),
    /**
     * foreignNotificationQuiet: after my own watcher saw my run complete, another tenant's connection (subscribed to
     * `all`) receives nothing about it for this long. The notifier writes one notification to every entitled
     * connection in the same pass, so a leaked frame reaches the other connection within milliseconds of mine (same
     * host); the window only covers that hop and the second connection's event loop, 1 s being a 100x margin.
     */
    foreignNotificationQuiet: scaled(1_000),
    /**
     * workflowNoFurtherTask: after a workflow run ended, a task that must never run (the successor of a failed task,
     * a task after a cancel) stays without a child execution for this long. The engine creates a successor in the
     * same transaction that records its predecessor's end, i.e. before the run can end; a late one would come from a
     * re-delivered completion message, within a second. 1.5 s, like the other quiet windows.
     */
    workflowNoFurtherTask: scaled(1_500),
    /**
     * inquiryGateHeld: while an inquiry of a `core.ask` task is pending (or after a response was refused), the workflow
     * run stays exactly as it was for this long: still running, the ask execution running, no further child, the
     * inquiry pending without a response. A gate that does not hold releases its successor in the same engine pass
     * that ends the ask execution (milliseconds); 1.5 s, like the other quiet windows.
     */
    inquiryGateHeld: scaled(1_500),
    /**
     * timerStoppedQuiet: after a timer rule was disabled or deleted, no event stamped later than the stop (plus
     * inFlightFireGrace) and no execution beyond those of the earlier events, for this long. A disable that the
     * sensor misses fires again within one period (1 s here); a sensor that re-learns its rules from a periodic
     * resync (the reference stack re-reads them every 5 s) and forgets the enabled flag there re-arms the timer at
     * the next resync and fires one period later, i.e. at most 6 s after the stop. 7 s covers that with 1 s to spare
     * (Attune's own suite watches 10 s). Measured on the reference stack (2026-12-07, 8 runs of
     * timer-edge-cases.feature, 16 stops): no event of a stopped rule after the stop; with the resync fault on, the
     * disabled timer fired again 2.3 s after the disable.
     */
    timerStoppedQuiet: scaled(7_000),
    /**
     * sensorStoppedQuiet: after the last rule of a pack sensor was disabled (and sensorStopGrace passed), its trigger
     * records no event for this long, counted from the end of that grace (the steps watch grace + window from the
     * disable). The fixture sensor posts every 300 ms, so 1.5 s misses at least five posts of a sensor left running (the
     * fault sensor-never-stopped showed its first late event 0.2 s after the grace).
     */
    sensorStoppedQuiet: scaled(1_500),
    /**
     * executionFramesSettled: once a run's terminal frame arrived, its connection receives no further frame about it
     * for this long (a duplicate, a frame after the terminal one). Frames of one run leave the notifier in commit
     * order, each within milliseconds of its commit (notificationLatency below), so a surplus frame would arrive
     * within milliseconds of the terminal one; 500 ms is a 5x margin over the latency bound itself.
     */
    executionFramesSettled: scaled(500),
    /**
     * queueHeld: a run waiting in a concurrency policy's queue (or refused by method cancel) stays without a start,
     * and the queue statistics stay as they are, for this long. A run the policy admits at once is `running` (its
     * gate call follows at once) 19-169 ms after its request on the reference stack (2026-12-07, 72 runs over 5
     * runs of features/tier3/policies-fifo.feature: median 42 ms, p95 124 ms), at worst 442 ms while all of tier 3
     * ran beside it; 1.5 s is a 3x margin over that worst case, like the other quiet windows.
     */
    queueHeld: scaled(1_500),
  },

  /**
   * policedRunsDrained: from the last of 1,000 back-to-back requests of a no-op action under a concurrency-1 policy
   * (features/tier3/fifo-at-scale.feature) until that last run ended. The runs go strictly one after another, so this
   * is 1,000 × (admission + scheduling + dispatch + a shell start + completion + release). Measured on the reference
   * stack (2026-12-07, 2 cores, a fault verification running beside it, load ~8): 1,000 requests sent in 12.0 s, the
   * last run ended 16.6 s after the last request, first start to last end 28.3 s (28 ms per run). 120 s is a 7x
   * margin over the drain; a queue that stalls (a lost release) never drains at all.
   */
  policedRunsDrained: scaled(120_000),
  /**
   * A managed pack sensor (features/tier3/pack-sensors.feature). sensorFirstReadings: from the rule's creation until a
   * few events of the new sensor process are recorded (lifecycle message, sensor token, process start, posts 300 ms
   * apart). sensorRestarted: from a crash (or a rule change) until the new start's first two events; the reference
   * stack waits 1 s before the first restart. Measured on the reference stack (2026-12-07, 5 runs of the feature on a
   * 2-CPU host at load average ~26, other stacks running beside it): three readings 2.1-8.5 s after the rule (the 8.5 s
   * one spent 5.6 s in the Python interpreter's start-up), both rules' first readings 1.7-3.8 s, the new start after a
   * rule change 0.8-1.5 s, after a crash 1.7-2.9 s. 15 s is 1.8x the worst under that load (5x the typical).
   */
  sensorFirstReadings: scaled(15_000),
  sensorRestarted: scaled(15_000),
  /**
   * Events created this long after a rule's disable (or a crash order) may still come from the process being stopped
   * (a post on the wire, the stop's own latency). Not scaled: it is part of the assertion.
   */
  sensorStopGrace: 1_000,

  /**
   * notificationLatency: each execution frame must arrive within this long of its change in the database: the
   * suite's arrival stamp − the row's `updated` at that change, which the frame carries (one clock on the reference
   * stack). Not scaled: it is part of the assertion. The seed's criterion is 100 ms (README example 7). Measured
   * against the reference stack (2026-12-07, 10 runs of execution-notifications.feature + websocket-security.feature,
   * 178 frames, on a 2-core machine shared with four other stacks and their suites, load average 22-36): p50 48 ms,
   * p90 221 ms, p99 488 ms, max 536 ms; the notifier itself had each change 1-123 ms after `updated`, the rest is CPU
   * starvation of the notifier and the suite. 100 ms would fail a third of the runs on such a machine, so the bound is
   * 1.5 s (2.8x the worst observed): it still catches a notifier that batches, polls or holds frames (fault
   * notification-delayed holds them 2 s), and the measured latencies are attached to every scenario's report.
   */
  notificationLatency: 1_500,
  /**
   * tokenExpiryClose: an open notifier connection whose token expires must be closed (code 4401) within this long
   * after its `exp`. Attune checks expiry every 30 s, so up to 30 s late; the margin covers the close handshake.
   */
  tokenExpiryClose: scaled(35_000),

  /**
   * Events created within this long after a rule's disable call returned may still come from a fire that was already
   * in flight when the rule was disabled (sensor fired, event POST on the wire). Not scaled: it is part of the
   * assertion, and 200 ms is ample for one HTTP round trip on the same host.
   */
  inFlightFireGrace: 200,
  /**
   * An execution follows its event by this long at most, by the server's stamps (event `created` → execution
   * `created`). Used where a rule's events can no longer be listed (the rule was deleted) and a stop is judged by the
   * executions' stamps instead. Not scaled: part of the assertion. Measured against the reference stack (2026-11-24,
   * 149 events over 11 runs): execution row 7.7-100.7 ms after its event; 2026-12-07 at 6 workers: at most 244 ms.
   * 500 ms is a 2x margin over the worst; a timer that kept firing still shows up within the quiet window after it.
   */
  executionAfterEventLag: 500,

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

  /**
   * Date and cron timers: a fire (payload `fired_at`) and its event (`created`) must lie between the instant the fire
   * was due (`fire_at` / `scheduled_at`) and this long after it. Not scaled: it is the specification. Measured against
   * the reference stack (2026-11-24, 22 runs of both timer features plus 3 runs at 4 workers beside other features; 175
   * fires, 25 date and 150 cron): fired_at 0-27 ms and created 3-69 ms after the due instant (all but four under 20 ms), i.e. the
   * bound is 3.6x the worst case and over 10x the usual one. A fire one second off (a cron off-by-one, a late re-arm) lands 1000 ms
   * out; jitter from GC or a loaded CI box stays far below 250 ms. Same bound and reasoning as timerGapTolerance.
   */
  timerFireLateness: 250,
  /**
   * Interval timers side by side (features/tier3/timer-edge-cases.feature, T3.3): each rule's fires are counted over
   * this window, from the rule's own `created` stamp. A timer fires first one period after it learns its rule, then
   * every period; the window's end is half a second away from every fire of a 1, 2 or 3 s timer (12, 6 and 4 fires at
   * 12, 12 and 12 s, the next at 13, 14 and 15 s), so a fire up to 500 ms late still counts where it should. Not
   * scaled: the expected counts follow from it. Measured on the reference stack (2026-12-07, 5 runs beside the other
   * scenarios of invalid-parameters.feature and timer-edge-cases.feature, 110 fires): events stamped 10-425 ms after
   * the rule's creation + n x period (all but three under 300 ms); the counts were exactly 12, 6 and 4 every time,
   * and a fire later than 500 ms would cost one count, which the scenario's "give or take one" absorbs.
   */
  timerRateWindow: 12_500,
  /**
   * After the last window ended, the counts are read only once some event of those rules is stamped this much later
   * still: every fire due inside a window has been recorded by then (fire to event: 3-69 ms, timerFireLateness).
   */
  timerRateSettle: 500,
  /**
   * Cron expressions written with relative seconds (S, S+1, …): S is the first whole second at least this far ahead
   * when the rule is created, so the sensor has learned the rule before S (it does within 30 ms, see timerSilent).
   */
  cronRelativeSecondsLead: scaled(600),

  /**
   * A key created with `ttl_seconds: T` must be gone (404, absent from its owner's list) within T seconds plus this
   * margin of its creation. Measured against the reference stack (2026-11-24, 10 runs of datastore.feature, 1 s TTL,
   * polling every 75 ms): gone 1005-1084 ms after the create was answered. The reference stops serving the key at the
   * exact instant, so what remains is the poll interval and one round trip; 3 s is a 35x margin over the worst lag
   * (84 ms) and still catches a TTL that is ignored, or counted in minutes, at once.
   */
  keyExpiryMargin: scaled(3_000),

  /**
   * Workflows (docs/workflows.md). workflowTerminal: a workflow run reaches its terminal status. The slowest run by
   * design is 20 items of a 1 s action one at a time (measured 2026-12-07, 3 runs: 20.8-21.6 s from the run's creation
   * to its end; features/tier2/workflow-concurrency.feature);
   * 45 s leaves a 2x margin and stays below the step timeout.
   */
  workflowTerminal: scaled(45_000),
  /** one stop/start call to the service control (the supervisor answers when the service is stopped / ready again). */
  serviceControl: scaled(30_000),
  /**
   * workflowTaskTimeoutMargin: a workflow whose only task has `timeout: N` must have ended (failed) within N seconds plus
   * this margin of its creation (server stamps: `updated` − `created` of the run). Not scaled: part of the assertion.
   * Measured against the reference stack (2026-12-07, 10 runs of workflow-timeouts.feature, `timeout: 2` around
   * `sleep 20`): the run ended 2040-2164 ms after its creation, i.e. 40-164 ms past the timeout. 2 s is a 12x margin
   * over the worst lag and still catches a timeout that is ignored (the 20 s sleep runs out first).
   */
  workflowTaskTimeoutMargin: 2_000,
  /**
   * retryGapTolerance: the pause between one attempt's end (`updated`) and the next attempt's `created` must lie within
   * this of the declared backoff (1, 2, 4 s …). Not scaled: part of the assertion. Measured against the reference
   * stack (2026-12-07, 10 runs of workflow-retry.feature): constant 1 s: 1000-1011 ms (20 pauses); exponential
   * 1/2/4 s: 1000-1018, 2001-2005, 4001-4004 ms (30 pauses), i.e. at most 18 ms off. 250 ms is a 14x margin, and a
   * wrong backoff (linear instead of exponential: 3 s instead of 4 s; a delay counted from the first attempt; no
   * delay at all) is at least 1000 ms off. Same bound as timerGapTolerance.
   */
  retryGapTolerance: 250,

  /**
   * Inquiries (docs/inquiries.md). inquiryAsked: a workflow task whose action is `core.ask` has asked its (one) inquiry
   * within this long of the step that looks for it (the run was started just before, or its predecessor was answered).
   */
  inquiryAsked: scaled(15_000),
  /**
   * inquiryTimeoutLag: an inquiry with a deadline must be flipped to `timeout` no earlier than its `timeout_at` and no
   * later than this after it, by the server's own stamps (`updated` of the flipped inquiry − `timeout_at`). Not scaled:
   * part of the assertion. Measured against the reference stack (2026-12-07, 10 runs of inquiry-timeouts.feature
   * and multistep-approvals.feature at 4 workers, 27 inquiries with `timeout_seconds: 2`): flipped 5-89 ms after
   * timeout_at (median 9 ms, all but two under 25 ms), never before it. 1 s is an 11x margin over the worst case and
   * still catches a deadline that is ignored, swept only every few seconds, or counted from something else.
   */
  inquiryTimeoutLag: 1_000,
  /**
   * inquiryDeadlineTolerance: an inquiry asked with `timeout_seconds: N` must have `timeout_at` within this of
   * `created` + N seconds. Not scaled: part of the assertion. Measured with the lag above (27 inquiries): exactly
   * 2000 ms every time (the reference computes both in one statement); 250 ms leaves room for a target that stamps
   * them apart, and a deadline in milliseconds or minutes instead of seconds is off by far more.
   */
  inquiryDeadlineTolerance: 250,
  /** inquiryTimeoutPatience: how long past `timeout_at` + inquiryTimeoutLag a step keeps looking for the flipped status. */
  inquiryTimeoutPatience: scaled(5_000),

  /**
   * httpTimeoutMargin: a `core.http_request` run given `timeout: N` against a server that never answers must end
   * (failed, "Request timeout") no sooner than N seconds and no later than this margin after them, by the worker's own
   * `duration_ms`. Not scaled: part of the assertion. What the margin covers is the action's start-up around curl (one
   * node process, a shell). Measured against the reference stack (2026-12-07, 7 runs of http-requests.feature beside
   * other stacks, load average 8-12 on 2 cores, `timeout: 1`): duration_ms 1134-1368, i.e. 134-368 ms past the
   * timeout; 2 s is a 5x margin over the worst. A timeout that is ignored never ends the run (the server holds the
   * request until the scenario closes it), and one counted in other units or replaced by the 30 s default is far out.
   */
  httpTimeoutMargin: 2_000,

  /**
   * Container actions (features/tier3/container-actions.feature). containerLateCallQuiet: a container action that posted
   * to a webhook and then sleeps 2 s before posting again is cancelled; its second post must not arrive for this long
   * after the cancel. A sandbox that outlives the kill makes that post 2 s after the first one (minus the ~0.1-0.3 s
   * the cancel took), so 4 s is twice the longest a survivor could take. Pure waiting, once per run of the feature.
   */
  containerLateCallQuiet: scaled(4_000),

  /** cleanup: one cleanup action (a DELETE, a disable). */
  cleanupAction: scaled(10_000),
  /** the WebSocket close handshake in After. */
  websocketClose: scaled(2_000),
} as const;

/** How long to wait for `count` fires of a timer whose period is `periodMs`. */
export function timerFiresBound(count: number, periodMs: number): number {
  return Math.round(count * periodMs * timeoutScale) + timeouts.timerFireMargin;
}

/**
 * How long a dead worker's `running` executions may stay running before the target must have ended them `abandoned`:
 * three heartbeat intervals (staleness) plus one lost-worker sweep, from the target's configuration, plus
 * `lostWorkerMargin`. With the e2e configuration (heartbeat 2 s, sweep 1 s) that is 12 s. Measured against the
 * reference stack (2026-12-07, 8 kills, helpers loading the machine): kill to the last run seen `abandoned` took
 * 4.4–6.3 s (theory: the last beat 0–2 s before the kill, stale after 6 s, next sweep within 1 s: 4–7 s), so the bound
 * leaves 5.7 s over the worst observed. (With heartbeat 5 s / sweep 5 s it was 14.0–18.4 s against a 25 s bound.)
 */
export function lostWorkerBound(settings: { workerHeartbeatSeconds: number; timeoutCheckSeconds: number }): number {
  return Math.round((3 * settings.workerHeartbeatSeconds + settings.timeoutCheckSeconds) * 1000 * timeoutScale) + timeouts.lostWorkerMargin;
}
