/**
 * Runs one action process and turns its outcome into an execution status + result (§4.3, §4.7-4.9).
 *
 * The child leads its own process group (`detached: true`), so a timeout or cancel can signal the
 * whole group: SIGTERM first, SIGKILL after a grace period. Output is captured into BoundedOutput
 * buffers. runProcess never rejects: spawn failures are reported through `spawnError`.
 *
 * The process is started by the worker's process launcher (launcher/, `worker.launcher`, default on), a small
 * long-lived process that forks in the worker's stead; with the setting off (or no launcher to be had) by node's
 * spawn in this process. Either way the same events drive the same outcome.
 */
import type { ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { config } from '../common/config';
import { fault } from '../common/faults';
import { sharedLauncher } from './launcher/client';
import { spawnActionChild, writeChildInput } from './launcher/action-child';
import type { ProcessStart } from './launcher/protocol';
import { BoundedOutput, errorFromStderr, parseOutput, type OutputFormat } from './output';
import { storable } from './storable';

export interface ProcessSpec extends ProcessStart {
  timeoutMs?: number;
  signal?: AbortSignal;
  maxStdoutBytes: number;
  maxStderrBytes: number;
  /** Time between SIGTERM and SIGKILL on timeout/cancel. Default 10000. */
  killGraceMs?: number;
  /**
   * After the process has exited, how long to wait for its stdout/stderr pipes to close (they stay
   * open while a background grandchild still holds them). Default 2000; then our ends are closed.
   */
  pipeDrainMs?: number;
}

export interface ProcessOutcome {
  /** Exit code; -1 when killed by a signal (or never started). */
  exitCode: number;
  signal: string | null;
  stdout: BoundedOutput;
  stderr: BoundedOutput;
  durationMs: number;
  timedOut: boolean;
  cancelled: boolean;
  spawnError?: string;
}

export const DEFAULT_KILL_GRACE_MS = 10_000;
export const DEFAULT_PIPE_DRAIN_MS = 2_000;

/** Sends `sig` to the process group `pid` leads, falling back to the process itself. Never throws. */
function signalGroup(pid: number | undefined, sig: NodeJS.Signals, fallback: (sig: NodeJS.Signals) => void): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      fallback(sig);
    } catch {
      /* already gone */
    }
  }
}

/** What runProcess hears of its process, whoever started it (this process, or the launcher). */
interface StartEvents {
  spawned(pid: number): void;
  /** it did not start (no pid) */
  error(message: string): void;
  data(fd: 1 | 2, chunk: Buffer): void;
  skipped(fd: 1 | 2, bytes: number): void;
  exit(code: number | null, signal: string | null): void;
  close(code: number | null, signal: string | null): void;
}

interface Started {
  /** the fallback of a group signal that found no group */
  kill(sig: NodeJS.Signals): void;
  destroyPipes(): void;
  /** drop a request still queued for the launcher; true when dropped (nothing was started, no event follows) */
  withdraw(): boolean;
}

/** Starts the process with node's spawn in this process (the launcher off; sensor-like callers). */
function startInProcess(spec: ProcessSpec, on: StartEvents): Started {
  let child: ChildProcess;
  try {
    child = spawnActionChild(spec);
  } catch (err) {
    on.error((err as Error).message);
    return { kill: () => undefined, destroyPipes: () => undefined, withdraw: () => false };
  }

  child.on('error', (err: NodeJS.ErrnoException) => {
    // Spawn failures (ENOENT, EACCES, bad cwd) arrive here without a pid.
    if (child.pid === undefined) on.error(err.message);
  });
  if (child.pid !== undefined) on.spawned(child.pid);

  child.stdout?.on('data', (c: Buffer) => on.data(1, c));
  child.stderr?.on('data', (c: Buffer) => on.data(2, c));
  child.stdout?.on('error', () => undefined);
  child.stderr?.on('error', () => undefined);
  child.on('exit', (code, sig) => on.exit(code, sig));
  child.on('close', (code, sig) => on.close(code, sig));

  writeChildInput(child, spec.descriptor3, spec.stdin);

  return {
    kill: (sig) => child.kill(sig),
    destroyPipes: () => {
      child.stdout?.destroy();
      child.stderr?.destroy();
    },
    withdraw: () => false,
  };
}

/**
 * Starts the process through the worker's process launcher (launcher/client.ts), so that this process is never
 * forked and its event loop never waits for a fork. When no launcher can be started, the process is started here.
 */
function startViaLauncher(spec: ProcessSpec, on: StartEvents, forward: [number, number]): Started {
  let pid: number | undefined;
  let local: Started | undefined;
  const launched = sharedLauncher().launch(
    { command: spec.command, args: spec.args, cwd: spec.cwd, env: spec.env, stdin: spec.stdin, descriptor3: spec.descriptor3, forward },
    {
      ...on,
      spawned: (p) => {
        pid = p;
        on.spawned(p);
      },
      unavailable: () => {
        local = startInProcess(spec, on);
      },
    },
  );
  return {
    kill: (sig) => (local ? local.kill(sig) : pid !== undefined && process.kill(pid, sig)),
    destroyPipes: () => (local ? local.destroyPipes() : launched.destroyPipes()),
    withdraw: () => (local ? false : launched.withdraw()),
  };
}

/** worker.launcher (default on): action processes are started by the launcher process. */
function launcherEnabled(): boolean {
  try {
    return config().worker.launcher !== false;
  } catch {
    return true;
  }
}

export function runProcess(spec: ProcessSpec): Promise<ProcessOutcome> {
  const stdout = new BoundedOutput('stdout', spec.maxStdoutBytes);
  const stderr = new BoundedOutput('stderr', spec.maxStderrBytes);
  const start = performance.now();
  const elapsed = (): number => Math.round(performance.now() - start);

  if (spec.signal?.aborted) {
    return Promise.resolve({
      exitCode: -1, signal: null, stdout, stderr, durationMs: 0, timedOut: false, cancelled: true,
    });
  }

  return new Promise<ProcessOutcome>((resolve) => {
    let settled = false;
    let timedOut = false;
    let cancelled = false;
    let killing = false;
    let exitCode: number | null = null;
    let exitSignal: string | null = null;
    let exited = false;
    let pid: number | undefined;
    /** a signal asked for before the pid was known (the launcher has not answered yet): sent once it is */
    let wanted: NodeJS.Signals | null = null;
    let started: Started | undefined;
    const timers = new Set<NodeJS.Timeout>();

    const later = (ms: number, fn: () => void): void => {
      const t = setTimeout(() => {
        timers.delete(t);
        fn();
      }, ms);
      timers.add(t);
    };

    const signalChild = (sig: NodeJS.Signals): void => {
      if (pid === undefined) {
        if (wanted !== 'SIGKILL') wanted = sig;
        return;
      }
      signalGroup(pid, sig, (s) => started?.kill(s));
    };

    const onAbort = (): void => {
      if (settled || killing) return;
      cancelled = true;
      beginKill();
    };

    const finish = (extra: Partial<ProcessOutcome> = {}): void => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      spec.signal?.removeEventListener('abort', onAbort);
      // A kill was under way: make sure nothing of the group survives us.
      if (killing) signalChild('SIGKILL');
      const code = exitCode === null ? -1 : exitCode;
      resolve({
        exitCode: exitSignal !== null ? -1 : code,
        signal: exitSignal,
        stdout,
        stderr,
        durationMs: elapsed(),
        timedOut,
        cancelled,
        ...extra,
      });
    };

    function beginKill(): void {
      if (killing) return;
      killing = true;
      // still waiting for the launcher to start: nothing has started, so nothing needs killing
      if (started?.withdraw()) {
        finish();
        return;
      }
      signalChild('SIGTERM');
      later(spec.killGraceMs ?? DEFAULT_KILL_GRACE_MS, () => signalChild('SIGKILL'));
    }

    const events: StartEvents = {
      spawned: (p) => {
        pid = p;
        if (wanted !== null) {
          const sig = wanted;
          wanted = null;
          signalChild(sig);
        }
      },
      error: (message) => {
        if (pid === undefined) finish({ exitCode: -1, signal: null, spawnError: message });
      },
      data: (fd, chunk) => (fd === 1 ? stdout : stderr).push(chunk),
      skipped: (fd, bytes) => (fd === 1 ? stdout : stderr).skip(bytes),
      exit: (code, sig) => {
        exited = true;
        exitCode = code;
        exitSignal = sig;
        // Pipes may be held open by a background grandchild; do not wait for them forever.
        later(spec.pipeDrainMs ?? DEFAULT_PIPE_DRAIN_MS, () => {
          started?.destroyPipes();
          finish();
        });
      },
      close: (code, sig) => {
        if (!exited) {
          exitCode = code;
          exitSignal = sig;
        }
        finish();
      },
    };

    started = launcherEnabled()
      ? startViaLauncher(spec, events, [stdout.forwardLimit, stderr.forwardLimit])
      : startInProcess(spec, events);
    if (settled) return; // spawn failed at once

    if (spec.timeoutMs !== undefined && spec.timeoutMs > 0 && Number.isFinite(spec.timeoutMs)) {
      later(spec.timeoutMs, () => {
        if (settled || killing) return;
        timedOut = true;
        beginKill();
      });
    }

    spec.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

// ---------------------------------------------------------------------------------------------
// Outcome -> execution status and result
// ---------------------------------------------------------------------------------------------

export type ExecutionOutcomeStatus = 'completed' | 'failed' | 'timeout' | 'cancelled';

export interface BuildResultOptions {
  outputFormat: OutputFormat;
  /** Shown in the timeout error text; defaults to the measured duration in whole seconds. */
  timeoutSeconds?: number;
}

export interface BuiltResult {
  status: ExecutionOutcomeStatus;
  result: Record<string, unknown>;
}

/** `stdout_truncated` + `stdout_bytes_truncated` (and the stderr pair) for each stream that lost output. */
function truncationFlags(outcome: ProcessOutcome): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (outcome.stdout.truncated) {
    out.stdout_truncated = true;
    out.stdout_bytes_truncated = outcome.stdout.bytesTruncated;
  }
  if (outcome.stderr.truncated) {
    out.stderr_truncated = true;
    out.stderr_bytes_truncated = outcome.stderr.bytesTruncated;
  }
  return out;
}

/** Output fields of every result: stdout when not empty, stderr when not blank, the truncation flags. */
function capturedOutput(outcome: ProcessOutcome): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const so = outcome.stdout.text();
  const se = outcome.stderr.text();
  if (so !== '') out.stdout = so;
  if (se.trim() !== '') out.stderr = se;
  return { ...out, ...truncationFlags(outcome) };
}

/**
 * The execution's final status and result (internals §4.8-4.9). Every result carries the captured output
 * and, whatever the status, the truncation flags of a stream that exceeded its limit (Attune flags only
 * failures; docs/decisions.md). The result is made storable (no U+0000, see storable.ts).
 */
export function buildResult(
  outcome: ProcessOutcome,
  opts: { outputFormat: 'text' | 'json' | 'yaml' | 'jsonl'; timeoutSeconds?: number },
): { status: 'completed' | 'failed' | 'timeout' | 'cancelled'; result: Record<string, unknown> } {
  const built = resultOf(outcome, opts);
  // fault output-nul-unstorable: a NUL in the output reaches the database as is, which refuses it (the run stays running)
  return fault('output-nul-unstorable') ? built : { status: built.status, result: storable(built.result) };
}

function resultOf(
  outcome: ProcessOutcome,
  opts: { outputFormat: 'text' | 'json' | 'yaml' | 'jsonl'; timeoutSeconds?: number },
): { status: 'completed' | 'failed' | 'timeout' | 'cancelled'; result: Record<string, unknown> } {
  const duration_ms = outcome.durationMs;

  if (outcome.spawnError !== undefined) {
    return {
      status: 'failed',
      result: { succeeded: false, error: outcome.spawnError, duration_ms, ...capturedOutput(outcome) },
    };
  }

  if (outcome.cancelled) {
    return {
      status: 'cancelled',
      result: {
        succeeded: false,
        cancelled: true,
        exit_code: outcome.exitCode,
        error: 'Execution cancelled by user',
        duration_ms,
        ...capturedOutput(outcome),
      },
    };
  }

  if (outcome.timedOut) {
    const seconds = opts.timeoutSeconds ?? Math.round(duration_ms / 1000);
    return {
      // fault timeout-recorded-failed: a timed-out action is recorded as an ordinary failure (as Early Attune did)
      status: fault('timeout-recorded-failed') ? 'failed' : 'timeout',
      result: {
        succeeded: false,
        timed_out: true,
        exit_code: -1,
        error: `Execution timed out after ${seconds} seconds`,
        duration_ms,
        ...capturedOutput(outcome),
      },
    };
  }

  const stdoutText = outcome.stdout.text();
  if (outcome.exitCode === 0 && outcome.signal === null) {
    const result: Record<string, unknown> = { succeeded: true, exit_code: 0, duration_ms, ...capturedOutput(outcome) };
    // fault truncation-unflagged-on-success: a completed run never says its output was cut (as Attune Mar records it)
    if (fault('truncation-unflagged-on-success')) for (const key of Object.keys(truncationFlags(outcome))) delete result[key];
    const parsed = parseOutput(stdoutText, opts.outputFormat);
    if (parsed.parsed) result.data = parsed.data;
    return { status: 'completed', result };
  }

  // fault exit-code-lost: every failure is recorded as exit code 1
  const exitCode = fault('exit-code-lost') ? 1 : outcome.exitCode;
  // fault stderr-not-captured: the error text ignores what the action wrote to stderr
  const stderrText = fault('stderr-not-captured') ? '' : outcome.stderr.text();
  return {
    status: 'failed',
    result: {
      succeeded: false,
      exit_code: exitCode,
      duration_ms,
      error: errorFromStderr(stderrText, exitCode),
      ...capturedOutput(outcome),
    },
  };
}

