/**
 * In-memory wake-up calls for workflow runs (a retry's delay, a workflow's deadline). They are
 * only an optimisation of the moment: what is due is always derived again from the database, and
 * the executor's start-up recovery re-arms them.
 */
export class Wakeups {
  private readonly timers = new Map<number, { at: number; timer: NodeJS.Timeout }>();

  /** Calls `fn` at `at` (ms since epoch) unless an earlier call is already set for this run. */
  at(runId: number, at: number, fn: () => void): void {
    const existing = this.timers.get(runId);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.timers.delete(runId);
      fn();
    }, Math.max(0, at - Date.now()));
    timer.unref();
    this.timers.set(runId, { at, timer });
  }

  clear(): void {
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
