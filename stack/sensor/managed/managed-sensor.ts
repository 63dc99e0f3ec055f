/**
 * One pack sensor's process, owned by the sensor service: started with its token and environment,
 * its output logged, restarted with backoff when it exits on its own, stopped (SIGTERM, SIGKILL
 * after STOP_GRACE_MS) when no enabled rule uses its triggers any more.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { fault } from '../../common/faults';
import type { Logger } from '../../common/log';
import { nextFailureCount, restartDelayMs } from './backoff';
import type { DesiredSensor } from './desired';
import { planLaunch, sensorEnv } from './launch';
import type { ProcessTable } from './process-table';
import { MANAGED_SENSOR_TOKEN_TTL_SECONDS, mintSensorToken } from './sensor-token';

export const STOP_GRACE_MS = 3_000;
const STDERR_EXCERPT_CHARS = 2_000;
const LOG_LINE_CHARS = 500;

export interface ManagedSensorContext {
  apiUrl: string;
  mqUrl: string;
  logLevel: string;
  packsDir: string;
  table: ProcessTable;
  log: Logger;
}

type State = 'idle' | 'starting' | 'running' | 'backoff' | 'failed' | 'stopping' | 'stopped';

export class ManagedSensor {
  private child?: ChildProcess;
  private state: State = 'idle';
  private failures = 0;
  private startedAt = 0;
  private restartTimer?: NodeJS.Timeout;
  private tokenTimer?: NodeJS.Timeout;
  private stderrTail = '';
  private exited?: Promise<void>;

  constructor(
    public desired: DesiredSensor,
    private readonly ctx: ManagedSensorContext,
  ) {}

  get ref(): string {
    return this.desired.sensorRef;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the process (a failure to start counts like a crash: backoff, then another try). */
  async start(): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    this.clearTimers();
    this.state = 'starting';
    const d = this.desired;
    const log = this.ctx.log.child({ sensor_ref: d.sensorRef });
    try {
      // fault sensor-token-missing: the process is started without its sensor token
      const token = fault('sensor-token-missing') ? undefined : await mintSensorToken(this.ctx.apiUrl, d.sensorRef, d.triggerTypes);
      if ((this.state as State) !== 'starting') return; // stopped while the token was on its way
      const packDir = path.join(this.ctx.packsDir, d.packRef);
      const plan = planLaunch(d, packDir);
      const env = sensorEnv({ apiUrl: this.ctx.apiUrl, token, mqUrl: this.ctx.mqUrl, logLevel: this.ctx.logLevel, desired: d });
      const child = spawn(plan.command, plan.args, { cwd: packDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      this.child = child;
      this.startedAt = Date.now();
      this.stderrTail = '';
      let resolveExit!: () => void;
      this.exited = new Promise<void>((r) => (resolveExit = r));
      const forward = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        if (stream === 'stderr') this.stderrTail = (this.stderrTail + text).slice(-STDERR_EXCERPT_CHARS);
        for (const line of text.split('\n')) if (line.trim()) log.info({ stream }, line.slice(0, LOG_LINE_CHARS));
      };
      child.stdout?.on('data', forward('stdout'));
      child.stderr?.on('data', forward('stderr'));
      child.once('error', (err) => {
        log.error({ err: err.message, command: plan.command }, 'sensor process could not be started');
      });
      child.once('close', (code, signal) => {
        resolveExit();
        this.onExit(child, code, signal);
      });
      this.state = 'running';
      // a long-lived sensor gets a fresh token (restart) once 80 % of its token's life has passed
      this.tokenTimer = setTimeout(() => void this.restart(this.desired), MANAGED_SENSOR_TOKEN_TTL_SECONDS * 800);
      this.tokenTimer.unref();
      log.info({ pid: child.pid, command: plan.command, args: plan.args, rules: d.rules.map((r) => r.ref) }, 'sensor process started');
      await this.ctx.table.write(d.sensorId, d.sensorRef, { status: 'running', pid: child.pid ?? null, started: true, consecutiveFailures: this.failures });
    } catch (err) {
      log.error({ err: (err as Error).message }, 'sensor could not be started');
      this.child = undefined;
      this.scheduleRestart(null, (err as Error).message);
    }
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.exited = undefined;
    const exitCode = code ?? (signal ? 128 : null);
    if (this.state === 'stopping' || this.state === 'stopped') return;
    this.ctx.log.warn({ sensor_ref: this.ref, pid: child.pid, code, signal, ran_ms: Date.now() - this.startedAt }, 'sensor process exited on its own');
    this.failures = nextFailureCount(this.failures, Date.now() - this.startedAt);
    this.scheduleRestart(exitCode, this.stderrTail || null);
  }

  private scheduleRestart(exitCode: number | null, stderr: string | null): void {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    this.clearTimers();
    const d = this.desired;
    if (this.failures === 0) this.failures = 1;
    // fault sensor-not-restarted: a sensor that died stays dead
    if (fault('sensor-not-restarted')) {
      this.state = 'failed';
      void this.ctx.table.write(d.sensorId, d.sensorRef, { status: 'failed', pid: null, exited: true, exitCode, consecutiveFailures: this.failures, stderrExcerpt: stderr });
      return;
    }
    const delay = restartDelayMs(this.failures);
    this.state = 'backoff';
    this.restartTimer = setTimeout(() => void this.start(), delay);
    this.restartTimer.unref();
    this.ctx.log.info({ sensor_ref: this.ref, failures: this.failures, restart_in_ms: delay }, 'sensor restart scheduled');
    void this.ctx.table.write(d.sensorId, d.sensorRef, {
      status: 'backoff', pid: null, exited: true, exitCode, consecutiveFailures: this.failures, nextRestartAt: new Date(Date.now() + delay), stderrExcerpt: stderr,
    });
  }

  /** Stops the process for good (no restart). */
  async stop(reason: string): Promise<void> {
    this.state = 'stopping';
    this.clearTimers();
    await this.terminate();
    this.state = 'stopped';
    this.ctx.log.info({ sensor_ref: this.ref, reason }, 'sensor stopped');
    await this.ctx.table.markStopped(this.desired.sensorRef);
  }

  /** Stops the process and starts it again with `desired` (new rules, new token); the failure count is kept. */
  async restart(desired: DesiredSensor): Promise<void> {
    this.state = 'stopping';
    this.clearTimers();
    await this.terminate();
    this.desired = desired;
    this.state = 'idle';
    await this.start();
  }

  private async terminate(): Promise<void> {
    const child = this.child;
    const exited = this.exited;
    if (!child || !exited) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(killer);
  }

  private clearTimers(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.tokenTimer) clearTimeout(this.tokenTimer);
    this.restartTimer = undefined;
    this.tokenTimer = undefined;
  }
}
