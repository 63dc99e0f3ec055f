/**
 * The worker's side of its process launcher (launcher-process.ts, protocol in protocol.ts): one launcher process per
 * worker, forked small (`--max-old-space-size=32 --max-semi-space-size=1`), started on first use or by `start()`.
 *
 * - Requests made while the launcher is starting (or restarting) queue until it says `ready`.
 * - If the launcher dies, it is started again at once. What it was doing ends as follows:
 *     not yet sent to it         stays queued for the next launcher (nothing was started);
 *     sent, no pid known yet     `error` "the process launcher exited before it started the process" (reported as a
 *                                spawn failure: whether the process started is unknown, so it is not tried again);
 *     running (pid known)        its output pipes died with the launcher, so it can no longer be watched: its process
 *                                group gets SIGKILL and the run ends as `exit`/`close` with signal SIGKILL.
 * - A launcher that dies before it is ready (cannot start at all) fails what waits on it with `unavailable`, and for
 *   the next 5 s launch() answers `unavailable` at once: the caller then starts the process itself (process-runner).
 * - The launcher is unref'd while no run is in flight, so it never keeps the worker (or a test) alive, and it exits
 *   by itself when the worker's end of the channel closes.
 * Nothing here throws at the caller after launch() has returned: every failure arrives as an event.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { FromLauncher, ProcessStart, SpawnMessage, StdFd, ToLauncher } from './protocol';

export interface LaunchRequest extends ProcessStart {
  /** bytes of [stdout, stderr] forwarded before the rest is only counted (`skipped`); default everything */
  forward?: [number, number];
}

export interface LaunchEvents {
  spawned(pid: number): void;
  /** the process did not start (no pid) */
  error(message: string): void;
  /** no launcher could be started: nothing was started, the caller may start the process itself */
  unavailable(message: string): void;
  data(fd: StdFd, chunk: Buffer): void;
  skipped(fd: StdFd, bytes: number): void;
  exit(code: number | null, signal: string | null): void;
  close(code: number | null, signal: string | null): void;
}

export interface Launched {
  /** close our ends of the process's stdout/stderr (the pipe-drain case); `close` follows */
  destroyPipes(): void;
  /** drop the request if it has not reached the launcher yet; true when dropped (no event follows) */
  withdraw(): boolean;
}

export interface LauncherLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface LauncherOptions {
  /** the launcher's entry file; default launcher-process.js (or .ts under ts-node) beside this file */
  entry?: string;
  execArgv?: string[];
  log?: LauncherLog;
  /** after a launcher that never became ready, how long launch() answers `unavailable` at once; default 5000 */
  startRetryMs?: number;
}

interface Pending {
  id: number;
  msg: SpawnMessage;
  events: LaunchEvents;
  /** the launcher it was sent to; undefined while queued */
  sentTo?: ChildProcess;
  pid?: number;
  ended: boolean;
}

export const LAUNCHER_HEAP_FLAGS = ['--max-old-space-size=32', '--max-semi-space-size=1'];

function defaultEntry(): { entry: string; execArgv: string[] } {
  const ext = path.extname(__filename);
  const entry = path.join(__dirname, `launcher-process${ext}`);
  // Under ts-node (unit tests) the launcher runs from its TypeScript source: ts-node's compiler needs a larger heap.
  if (ext === '.ts') return { entry, execArgv: ['--require', 'ts-node/register/transpile-only'] };
  return { entry, execArgv: LAUNCHER_HEAP_FLAGS };
}

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

export class LauncherClient {
  private readonly entry: string;
  private readonly execArgv: string[];
  private readonly log?: LauncherLog;
  private readonly startRetryMs: number;
  private proc: ChildProcess | undefined;
  private ready = false;
  private readonly readyProcs = new WeakSet<ChildProcess>();
  private readyAt = 0;
  private readonly queue: Pending[] = [];
  private readonly runs = new Map<number, Pending>();
  private seq = 0;
  private failedStartAt = -Infinity;
  private closed = false;
  /** launchers started so far (restarts = starts - 1) */
  starts = 0;

  constructor(opts: LauncherOptions = {}) {
    const def = defaultEntry();
    this.entry = opts.entry ?? def.entry;
    this.execArgv = opts.execArgv ?? (opts.entry === undefined ? def.execArgv : LAUNCHER_HEAP_FLAGS);
    this.log = opts.log;
    this.startRetryMs = opts.startRetryMs ?? 5000;
  }

  /** the running launcher's pid (undefined while none runs) */
  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** runs in flight (queued, starting or running) */
  get inFlight(): number {
    return this.runs.size;
  }

  /** Starts the launcher now rather than on first use (the worker does at start). */
  start(): void {
    if (!this.closed) this.ensureStarted();
  }

  /** Stops the launcher for good (tests): runs still in flight on it end as when it dies. */
  close(): void {
    this.closed = true;
    const p = this.proc;
    this.proc = undefined;
    this.ready = false;
    if (p) {
      try {
        p.disconnect();
      } catch {
        /* already gone */
      }
    }
  }

  launch(req: LaunchRequest, events: LaunchEvents): Launched {
    const id = ++this.seq;
    const msg: SpawnMessage = {
      type: 'spawn',
      id,
      command: req.command,
      args: req.args,
      cwd: req.cwd,
      env: req.env,
      stdin: req.stdin,
      descriptor3: req.descriptor3,
      forward: req.forward ?? [Infinity, Infinity],
    };
    const run: Pending = { id, msg, events, ended: false };
    const handle: Launched = {
      destroyPipes: () => {
        if (run.sentTo && run.sentTo === this.proc && !run.ended) this.send(run.sentTo, { type: 'destroy-pipes', id });
      },
      withdraw: () => {
        const i = this.queue.indexOf(run);
        if (i < 0) return false;
        this.queue.splice(i, 1);
        this.end(run);
        return true;
      },
    };
    if (this.closed || (!this.proc && performance.now() - this.failedStartAt < this.startRetryMs)) {
      const why = this.closed ? 'the process launcher is closed' : 'the process launcher could not be started';
      queueMicrotask(() => events.unavailable(why));
      return handle;
    }
    this.runs.set(id, run);
    this.refresh();
    if (this.ready && this.proc) this.dispatch(this.proc, run);
    else {
      this.queue.push(run);
      this.ensureStarted();
    }
    return handle;
  }

  // -------------------------------------------------------------------------------------------

  private ensureStarted(): void {
    if (this.proc) return;
    let p: ChildProcess;
    try {
      p = fork(this.entry, [], {
        execArgv: this.execArgv,
        serialization: 'advanced',
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
    } catch (err) {
      this.startFailed(`could not fork the process launcher: ${(err as Error).message}`);
      return;
    }
    this.proc = p;
    this.ready = false;
    this.starts++;
    p.on('message', (m: FromLauncher) => {
      try {
        this.onMessage(p, m);
      } catch (err) {
        this.log?.warn({ err }, 'process launcher: message not handled');
      }
    });
    let gone = false;
    const onGone = (why: string) => {
      if (gone) return;
      gone = true;
      this.launcherGone(p, why);
    };
    p.on('error', (err) => p.pid === undefined && onGone(err.message)); // a fork that failed; other errors do not end it
    p.on('exit', (code, signal) => onGone(signal ? `signal ${signal}` : `exit code ${code}`));
    p.on('disconnect', () => {
      // our end closed (close()) or the launcher is going: it will exit; the 'exit' event settles the runs
    });
    this.refresh();
  }

  private startFailed(why: string): void {
    this.failedStartAt = performance.now();
    this.log?.warn({ why }, 'process launcher could not start; actions are started by the worker itself meanwhile');
    const waiting = this.queue.splice(0);
    for (const run of waiting) {
      this.end(run);
      run.events.unavailable(why);
    }
  }

  private launcherGone(p: ChildProcess, why: string): void {
    if (this.proc === p) {
      this.proc = undefined;
      this.ready = false;
    }
    if (!this.readyProcs.has(p)) {
      this.startFailed(`the process launcher exited before it was ready (${why})`);
      this.refresh();
      return;
    }
    const lost = [...this.runs.values()].filter((r) => r.sentTo === p);
    if (lost.length > 0 || !this.closed) {
      this.log?.warn({ why, runs: lost.length, launcher_pid: p.pid }, 'process launcher exited; starting another');
    }
    for (const run of lost) {
      this.end(run);
      if (run.pid === undefined) {
        run.events.error(`the process launcher exited before it started the process (${why})`);
        continue;
      }
      // Its pipes died with the launcher: it cannot be watched any longer, so it must not outlive its run.
      try {
        process.kill(-run.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      run.events.exit(null, 'SIGKILL');
      run.events.close(null, 'SIGKILL');
    }
    // Start another at once (the next run should not wait for a start), unless this one died young: then after 1 s.
    if (!this.closed) {
      if (performance.now() - this.readyAt >= 1000) this.ensureStarted();
      else setTimeout(() => !this.closed && this.ensureStarted(), 1000).unref();
    }
    this.refresh();
  }

  private onMessage(p: ChildProcess, m: FromLauncher): void {
    if (p !== this.proc) return;
    if (m.type === 'ready') {
      this.ready = true;
      this.readyProcs.add(p);
      this.readyAt = performance.now();
      this.failedStartAt = -Infinity;
      if (this.starts > 1) this.log?.info({ launcher_pid: m.pid, starts: this.starts }, 'process launcher restarted');
      for (const run of this.queue.splice(0)) this.dispatch(p, run);
      return;
    }
    const run = this.runs.get(m.id);
    if (!run || run.sentTo !== p) return;
    switch (m.type) {
      case 'spawned':
        run.pid = m.pid;
        run.events.spawned(m.pid);
        break;
      case 'error':
        if (run.pid === undefined) {
          this.end(run);
          run.events.error(m.message);
        }
        break;
      case 'data':
        run.events.data(m.fd, asBuffer(m.chunk));
        break;
      case 'skipped':
        run.events.skipped(m.fd, m.bytes);
        break;
      case 'exit':
        run.events.exit(m.code, m.signal);
        break;
      case 'close':
        this.end(run);
        run.events.close(m.code, m.signal);
        break;
    }
  }

  private dispatch(p: ChildProcess, run: Pending): void {
    run.sentTo = p;
    this.send(p, run.msg);
  }

  private send(p: ChildProcess, msg: ToLauncher): void {
    try {
      // a failed send means the launcher is going: its 'exit' settles the run
      p.send(msg, undefined, undefined, () => undefined);
    } catch {
      /* ditto */
    }
  }

  private end(run: Pending): void {
    if (run.ended) return;
    run.ended = true;
    this.runs.delete(run.id);
    this.refresh();
  }

  /** The launcher keeps the event loop alive only while a run is in flight. */
  private refresh(): void {
    const p = this.proc;
    if (!p) return;
    const channel = p.channel as unknown as { ref?(): void; unref?(): void } | null | undefined;
    if (this.runs.size > 0) {
      p.ref();
      channel?.ref?.();
    } else {
      p.unref();
      channel?.unref?.();
    }
  }
}

let shared: LauncherClient | undefined;

/** The worker's one launcher (created on first use). */
export function sharedLauncher(log?: LauncherLog): LauncherClient {
  shared ??= new LauncherClient({ log });
  return shared;
}
