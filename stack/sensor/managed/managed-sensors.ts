/**
 * The sensor service's pack sensors: after every rule or pack lifecycle message, and every
 * RECONCILE_INTERVAL_MS as a safety net, the running processes are made to match the database —
 * a sensor whose triggers an enabled rule uses is started, one without such a rule is stopped,
 * and one whose rules (ATTUNE_SENSOR_TRIGGERS) changed is restarted with the new list.
 */
import * as fs from 'node:fs';
import type { Queryable } from '../../common/db';
import type { Envelope } from '../../common/envelope';
import { fault } from '../../common/faults';
import type { Logger } from '../../common/log';
import { launchSignature, loadDesiredSensors } from './desired';
import { ManagedSensor, type ManagedSensorContext } from './managed-sensor';

export const RECONCILE_INTERVAL_MS = 2_000;

const LIFECYCLE_TYPES = new Set(['RuleCreated', 'RuleEnabled', 'RuleDisabled', 'RuleDeleted', 'RuleUpdated', 'PackRegistered', 'PackDeleted']);

export class ManagedSensors {
  private readonly running = new Map<string, { sensor: ManagedSensor; signature: string }>();
  private chain: Promise<unknown> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private pending = false;

  constructor(
    private readonly db: Queryable,
    private readonly ctx: ManagedSensorContext,
  ) {}

  private get log(): Logger {
    return this.ctx.log;
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Kills processes a previous run of this service left behind (it died without stopping them). */
  async killLeftovers(): Promise<void> {
    for (const { sensor_ref, pid } of await this.ctx.table.leftovers()) {
      let environ = '';
      try {
        environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
      } catch {
        continue; // gone already
      }
      if (!environ.split('\0').includes(`ATTUNE_SENSOR_REF=${sensor_ref}`)) continue; // the pid now belongs to something else
      try {
        process.kill(pid, 'SIGKILL');
        this.log.warn({ sensor_ref, pid }, 'killed a sensor process left behind by an earlier run');
      } catch {
        /* already gone */
      }
    }
    await this.ctx.table.markAllStopped();
  }

  reconcile(): Promise<void> {
    return this.locked(async () => {
      if (this.stopped) return;
      const desired = fault('sensor-never-started') ? [] : await loadDesiredSensors(this.db);
      const wanted = new Map(desired.map((d) => [d.sensorRef, d]));
      for (const [ref, entry] of this.running) {
        if (wanted.has(ref)) continue;
        // fault sensor-never-stopped: a sensor whose last rule went keeps running
        if (fault('sensor-never-stopped')) continue;
        this.running.delete(ref);
        await entry.sensor.stop('no enabled rule uses its triggers');
      }
      for (const d of desired) {
        const signature = launchSignature(d);
        const entry = this.running.get(d.sensorRef);
        if (!entry) {
          const sensor = new ManagedSensor(d, this.ctx);
          this.running.set(d.sensorRef, { sensor, signature });
          await sensor.start();
        } else if (entry.signature !== signature) {
          entry.signature = signature;
          this.log.info({ sensor_ref: d.sensorRef, rules: d.rules.map((r) => r.ref) }, 'sensor rules changed; restarting it');
          await entry.sensor.restart(d);
        }
      }
    });
  }

  /**
   * Called for every message on the rules lifecycle queue; returns at once. Requests arriving while
   * one reconcile waits to run are folded into it (it reads the database when it runs).
   */
  handle(env: Envelope): void {
    if (!LIFECYCLE_TYPES.has(env.message_type) || this.pending) return;
    this.pending = true;
    this.chain
      .then(() => {
        this.pending = false;
        return this.reconcile();
      })
      .catch((err) => this.log.warn({ err: (err as Error).message }, 'managed sensor reconcile failed'));
  }

  startPeriodicReconcile(intervalMs = RECONCILE_INTERVAL_MS): void {
    this.timer = setInterval(() => {
      this.reconcile().catch((err) => this.log.warn({ err: (err as Error).message }, 'managed sensor reconcile failed'));
    }, intervalMs);
    this.timer.unref();
  }

  activeRefs(): string[] {
    return [...this.running.keys()];
  }

  async stopAll(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.locked(async () => {
      this.stopped = true;
      await Promise.all([...this.running.values()].map((e) => e.sensor.stop('sensor service stopping')));
      this.running.clear();
    });
  }
}
