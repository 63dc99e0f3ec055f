/**
 * Supervisor of the reference stack: starts the five services as child processes (api first, then
 * executor, worker, sensor and notifier together), files their output under logs/, waits for
 * readiness (each child's own report, then the api's GET /health/ready — a worker can take work —
 * and the notifier's /health), restarts crashed children (bounded), exposes a small control endpoint,
 * and stops everything on SIGINT/SIGTERM without leaving orphans.
 *
 * Several workers: `--workers N` (or config `supervisor.workers`, env ATTUNE__SUPERVISOR__WORKERS) starts N worker
 * processes: `worker` under the configured worker name and `worker-2` … `worker-N` named `<name>-2` …; the control
 * endpoint can also start further slots up to `worker-8` on demand. `kill` on the control endpoint ends a service with
 * SIGKILL and no restart (a crash, for recovery drills).
 *
 *   node stack/dist/supervisor.js [--quiet] [--workers N]
 */
import { ChildProcess, fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { config } from './common/config';
import { fromRoot } from './common/paths';
import { workerSlotName, workerSlotNames, MAX_WORKER_SLOTS, requestedWorkerCount } from './supervisor-workers';

export const SERVICES = ['api', 'executor', 'worker', 'sensor', 'notifier'] as const;
/** A service kind (which main.js runs); several worker slots share the kind `worker`. */
export type ServiceName = (typeof SERVICES)[number];

/** Stop order by kind: the edges first, the api (owner of the schema) last. */
const STOP_STAGES: ServiceName[][] = [['notifier', 'sensor'], ['executor', 'worker'], ['api']];
const STAGE_GRACE_MS: Record<number, number> = { 0: 3_000, 1: 5_000, 2: 10_000 };
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;
const RESTART_WINDOW_MS = 60_000;
const MAX_RESTARTS_PER_WINDOW = 5;
const RESTART_DELAY_MS = 500;
const TAIL_LINES = 40;

type ServiceState = 'stopped' | 'starting' | 'ready' | 'stopping' | 'exited';

interface Service {
  /** `api`, …, `worker`, and `worker-2` … for further worker slots */
  name: string;
  kind: ServiceName;
  /** the worker name (ATTUNE_WORKER_NAME) of a further worker slot */
  workerName?: string;
  state: ServiceState;
  proc?: ChildProcess;
  pid?: number;
  startedAt?: string;
  readyAt?: string;
  lastExit?: { pid?: number; code: number | null; signal: NodeJS.Signals | null; at: string };
  restartTimes: number[];
  restarts: number;
  /** The next exit is expected (stop requested); do not restart. */
  expectExit: boolean;
  events: EventEmitter;
  /** Serialises control operations on this service. */
  op: Promise<unknown>;
}

const quiet = process.argv.includes('--quiet');
const distDir = __dirname;
const cfg = config();
const logDir = fromRoot(cfg.log.dir || './logs');
const stackJsonPath = path.join(logDir, 'stack.json');
const controlPort = Number(process.env.ATTUNE_SUPERVISOR_PORT ?? 18099);
const startedAt = new Date().toISOString();

const reachableHost = (h: string) => (!h || h === '0.0.0.0' ? '127.0.0.1' : h === '::' ? '[::1]' : h.includes(':') ? `[${h}]` : h);
const apiUrl = `http://${reachableHost(cfg.server.host)}:${cfg.server.port}`;
const notifierHttpUrl = `http://${reachableHost(cfg.notifier.host)}:${cfg.notifier.port}`;
const notifierWsUrl = `ws://${reachableHost(cfg.notifier.host)}:${cfg.notifier.port}/ws`;

function newService(name: string, kind: ServiceName, workerName?: string): Service {
  return { name, kind, workerName, state: 'stopped', restartTimes: [], restarts: 0, expectExit: false, events: new EventEmitter(), op: Promise.resolve() };
}

const workerCount = requestedWorkerCount(process.argv, cfg);
const services = new Map<string, Service>(SERVICES.map((name) => [name, newService(name, name)]));
for (const slot of workerSlotNames(workerCount)) services.set(slot.service, newService(slot.service, 'worker', slot.workerName));

/** The service called `name`, creating a further worker slot (`worker-2` … `worker-8`) on first use. */
function serviceNamed(name: string): Service | undefined {
  const existing = services.get(name);
  if (existing) return existing;
  const slot = workerSlotName(name);
  if (!slot) return undefined;
  const svc = newService(slot.service, 'worker', slot.workerName);
  services.set(name, svc);
  openLog(name);
  return svc;
}

const logStreams = new Map<string, fs.WriteStream>();
let stackReady = false;
let shuttingDown = false;
let controlServer: http.Server | undefined;

// ------------------------------------------------------------------------------------------------
// Output
// ------------------------------------------------------------------------------------------------

process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

function say(message: string): void {
  process.stdout.write(`[supervisor] ${message}\n`);
}

function complain(message: string): void {
  process.stderr.write(`[supervisor] ${message}\n`);
}

function openLog(name: string): void {
  const stream = fs.createWriteStream(path.join(logDir, `${name}.log`), { flags: 'w' });
  stream.on('error', (err) => complain(`cannot write ${name}.log: ${err.message}`));
  logStreams.set(name, stream);
}

function openLogs(): void {
  fs.mkdirSync(logDir, { recursive: true });
  for (const name of services.keys()) openLog(name);
  fs.rmSync(stackJsonPath, { force: true });
}

function pipeLines(name: string, input: NodeJS.ReadableStream | null): void {
  if (!input) return;
  const rl = readline.createInterface({ input, crlfDelay: Infinity });
  rl.on('line', (line) => {
    logStreams.get(name)?.write(`${line}\n`);
    if (!quiet) process.stdout.write(`[${name}] ${line}\n`);
  });
}

function logTail(name: string, lines = TAIL_LINES): string {
  try {
    const text = fs.readFileSync(path.join(logDir, `${name}.log`), 'utf8');
    const all = text.split('\n').filter((l) => l !== '');
    return all.slice(-lines).map((l) => `  ${l}`).join('\n') || '  (empty)';
  } catch {
    return '  (no log)';
  }
}

function snapshot(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of services.values()) {
    out[s.name] = {
      state: s.state,
      pid: s.pid ?? null,
      ready: s.state === 'ready',
      started_at: s.startedAt ?? null,
      ready_at: s.readyAt ?? null,
      restarts: s.restarts,
      last_exit: s.lastExit ?? null,
    };
  }
  return out;
}

function writeStackJson(): void {
  if (!stackReady || shuttingDown) return;
  writeStackFile(true);
}

/** logs/stack.json: {pid, started, ready, services:{name:{pid, ready}}} (ready=false while stopping). */
function writeStackFile(ready: boolean): void {
  const body = {
    pid: process.pid,
    started: startedAt,
    ready,
    api: apiUrl,
    notifier: notifierWsUrl,
    control: `http://127.0.0.1:${controlPort}`,
    services: Object.fromEntries([...services.values()].map((s) => [s.name, { pid: s.pid ?? null, ready: s.state === 'ready', state: s.state }])),
  };
  const tmp = `${stackJsonPath}.tmp`;
  try {
    fs.writeFileSync(tmp, `${JSON.stringify(body, null, 2)}\n`);
    fs.renameSync(tmp, stackJsonPath);
  } catch (err) {
    complain(`cannot write ${stackJsonPath}: ${(err as Error).message}`);
  }
}

// ------------------------------------------------------------------------------------------------
// Children
// ------------------------------------------------------------------------------------------------

function spawn(svc: Service): void {
  const entry = path.join(distDir, svc.kind, 'main.js');
  if (!fs.existsSync(entry)) throw new Error(`${entry} does not exist (build the stack first: npx tsc -p stack/tsconfig.json)`);
  svc.expectExit = false;
  svc.state = 'starting';
  svc.readyAt = undefined;
  svc.startedAt = new Date().toISOString();
  // Memory: two malloc arenas and an early trim (Argon2 hashing on libuv's threads otherwise leaves ~19 MB of
  // arena per thread behind), and a smaller young generation; a service's RSS then stays near its idle figure.
  const env: NodeJS.ProcessEnv = { MALLOC_ARENA_MAX: '2', MALLOC_TRIM_THRESHOLD_: '131072', ...process.env };
  if (svc.workerName) env.ATTUNE_WORKER_NAME = svc.workerName;
  const execArgv = ['--max-semi-space-size=4', ...process.execArgv];
  const child = fork(entry, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env, execArgv });
  svc.proc = child;
  svc.pid = child.pid;
  pipeLines(svc.name, child.stdout);
  pipeLines(svc.name, child.stderr);
  child.on('message', (msg) => {
    if (svc.proc !== child) return;
    if (typeof msg === 'object' && msg !== null && (msg as { type?: unknown }).type === 'ready') {
      svc.state = 'ready';
      svc.readyAt = new Date().toISOString();
      svc.events.emit('ready');
      writeStackJson();
    }
  });
  child.on('error', (err) => complain(`${svc.name}: process error: ${err.message}`));
  child.on('exit', (code, signal) => onExit(svc, child, code, signal));
}

function onExit(svc: Service, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
  if (svc.proc !== child) return;
  svc.proc = undefined;
  svc.lastExit = { pid: child.pid, code, signal, at: new Date().toISOString() };
  svc.pid = undefined;
  const wasExpected = svc.expectExit;
  svc.state = wasExpected ? 'stopped' : 'exited';
  svc.events.emit('exit', code, signal);
  writeStackJson();
  if (wasExpected || shuttingDown) return;
  if (!stackReady) {
    void failStart(svc.name, new Error(`${svc.name} exited during start-up (${signal ? `signal ${signal}` : `code ${code}`})`));
    return;
  }

  // A terminal Ctrl-C reaches the children too: give our own signal handler a moment first
  // (and the child's last output time to reach its log file).
  setTimeout(() => {
    if (shuttingDown || svc.proc || svc.expectExit) return;
    complain(`${svc.name} exited unexpectedly (${signal ? `signal ${signal}` : `code ${code}`}); last lines of its log:\n${logTail(svc.name, 15)}`);
    const now = Date.now();
    svc.restartTimes = svc.restartTimes.filter((t) => now - t < RESTART_WINDOW_MS);
    if (svc.restartTimes.length >= MAX_RESTARTS_PER_WINDOW) {
      complain(`GIVING UP: ${svc.name} crashed ${svc.restartTimes.length + 1} times within a minute; stopping the stack`);
      void shutdown(1);
      return;
    }
    svc.restartTimes.push(now);
    svc.restarts++;
    say(`restarting ${svc.name} (restart ${svc.restartTimes.length} of ${MAX_RESTARTS_PER_WINDOW} allowed per minute)`);
    try {
      spawn(svc);
    } catch (err) {
      complain(`cannot restart ${svc.name}: ${(err as Error).message}`);
      void shutdown(1);
    }
  }, RESTART_DELAY_MS);
}

/** Resolves when the service reports ready; rejects when it exits first or the time runs out. */
function waitReady(svc: Service, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  if (svc.state === 'ready') return Promise.resolve();
  if (!svc.proc) return Promise.reject(new Error(`${svc.name} is not running`));
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      svc.events.off('ready', onReady);
      svc.events.off('exit', onExitEv);
    };
    const onReady = () => {
      cleanup();
      resolve();
    };
    const onExitEv = (code: number | null, signal: NodeJS.Signals | null) => {
      cleanup();
      reject(new Error(`${svc.name} exited before it was ready (${signal ? `signal ${signal}` : `code ${code}`})`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${svc.name} did not become ready within ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    svc.events.on('ready', onReady);
    svc.events.on('exit', onExitEv);
  });
}

function waitExit(svc: Service, timeoutMs: number): Promise<boolean> {
  if (!svc.proc) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      svc.events.off('exit', done);
      resolve(false);
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      resolve(true);
    };
    svc.events.once('exit', done);
  });
}

/** SIGTERM, wait up to graceMs, then SIGKILL. */
async function stopService(svc: Service, graceMs = STOP_GRACE_MS): Promise<void> {
  const child = svc.proc;
  if (!child) {
    if (svc.state !== 'exited') svc.state = 'stopped';
    return;
  }
  svc.expectExit = true;
  svc.state = 'stopping';
  child.kill('SIGTERM');
  if (await waitExit(svc, graceMs)) return;
  complain(`${svc.name} did not stop within ${Math.round(graceMs / 1000)} s; killing it`);
  child.kill('SIGKILL');
  await waitExit(svc, 5_000);
}

async function waitHealthy(url: string, deadline: number, what: string): Promise<void> {
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(3_000) });
      if (res.ok) return;
      const body = (await res.json().catch(() => null)) as { error?: unknown } | null;
      lastError = `HTTP ${res.status}${typeof body?.error === 'string' ? `: ${body.error}` : ''}`;
    } catch (err) {
      lastError = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} health check ${url} did not pass within the start-up window (${lastError})`);
}

// ------------------------------------------------------------------------------------------------
// Start-up and shutdown
// ------------------------------------------------------------------------------------------------

async function startStack(): Promise<void> {
  const api = services.get('api')!;
  spawn(api);
  await waitReady(api).catch((err) => failStart('api', err));

  const rest = [...services.values()].filter((s) => s.kind !== 'api');
  for (const s of rest) spawn(s);
  await Promise.all(rest.map((s) => waitReady(s).catch((err) => failStart(s.name, err))));

  // Ready means an action posted now runs: the api's readiness holds only once the database answers,
  // the executor consumes execution requests and a worker is active with a fresh heartbeat.
  const deadline = Date.now() + READY_TIMEOUT_MS;
  await waitHealthy(`${apiUrl}/health/ready`, deadline, 'api').catch((err) => failStart('api', err));
  await waitHealthy(`${notifierHttpUrl}/health`, deadline, 'notifier').catch((err) => failStart('notifier', err));

  stackReady = true;
  writeStackJson();
  process.stdout.write(`attune stack ready: api ${apiUrl}, notifier ${notifierWsUrl}\n`);
}

let startFailed = false;
async function failStart(name: string, err: unknown): Promise<never> {
  if (!startFailed) {
    startFailed = true;
    await new Promise((r) => setTimeout(r, 300)); // let the child's last lines reach its log
    complain(`start-up failed: ${(err as Error).message}\nlast lines of logs/${name}.log:\n${logTail(name)}`);
    await shutdown(1);
  }
  return new Promise<never>(() => undefined); // shutdown exits the process
}

async function shutdown(exitCode: number): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  if (stackReady) writeStackFile(false); // keeps the child pids visible to scripts/stack-stop.sh
  say('stopping the stack');
  const deadline = Date.now() + STOP_GRACE_MS;
  for (const [i, stage] of STOP_STAGES.entries()) {
    const running = [...services.values()].filter((s) => stage.includes(s.kind) && s.proc);
    for (const s of running) {
      s.expectExit = true;
      s.state = 'stopping';
      s.proc!.kill('SIGTERM');
    }
    const budget = Math.max(1_000, Math.min(STAGE_GRACE_MS[i] ?? STOP_GRACE_MS, deadline - Date.now()));
    await Promise.all(running.map((s) => waitExit(s, budget)));
  }
  const leftovers = [...services.values()].filter((s) => s.proc);
  for (const s of leftovers) {
    complain(`${s.name} (pid ${s.pid}) did not stop in time; SIGKILL`);
    s.proc!.kill('SIGKILL');
  }
  await Promise.all(leftovers.map((s) => waitExit(s, 3_000)));
  controlServer?.close();
  await Promise.all([...logStreams.values()].map((st) => new Promise<void>((r) => st.end(() => r()))));
  say('stack stopped');
  process.exit(exitCode);
}

/** Last resort: never leave children behind, whatever ends this process. */
process.on('exit', () => {
  for (const s of services.values()) {
    if (s.proc && s.proc.exitCode === null && s.proc.signalCode === null) {
      try {
        s.proc.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
  try {
    fs.rmSync(stackJsonPath, { force: true });
  } catch {
    /* ignore */
  }
});
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGHUP', () => void shutdown(0));
process.on('uncaughtException', (err) => {
  complain(`supervisor crashed: ${err.stack ?? err.message}`);
  process.exit(1); // the exit handler kills the children
});
process.on('unhandledRejection', (err) => {
  complain(`supervisor crashed (unhandled rejection): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});

// ------------------------------------------------------------------------------------------------
// Control endpoint (127.0.0.1 only): GET /services, POST /services/<name>/stop|start|restart|kill
// ------------------------------------------------------------------------------------------------

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function serialized<T>(svc: Service, fn: () => Promise<T>): Promise<T> {
  const run = svc.op.then(fn, fn);
  svc.op = run.catch(() => undefined);
  return run;
}

type ControlAction = 'stop' | 'start' | 'restart' | 'kill';

/** SIGKILL, no restart: what a crash looks like to the rest of the platform. */
async function killService(svc: Service): Promise<void> {
  const child = svc.proc;
  if (!child) return;
  svc.expectExit = true;
  svc.state = 'stopping';
  child.kill('SIGKILL');
  await waitExit(svc, 5_000);
}

async function control(svc: Service, action: ControlAction): Promise<{ status: number; body: unknown }> {
  return serialized(svc, async () => {
    if (action === 'kill') {
      const pid = svc.pid ?? null;
      await killService(svc);
      return { status: 200, body: { service: svc.name, action, state: svc.state, killed_pid: pid, pid: null } };
    }
    if (action === 'stop' || action === 'restart') await stopService(svc);
    if (action === 'stop') return { status: 200, body: { service: svc.name, action, state: svc.state, pid: null } };
    if (!svc.proc) spawn(svc);
    try {
      await waitReady(svc);
    } catch (err) {
      return { status: 503, body: { error: 'not_ready', service: svc.name, message: (err as Error).message, log_tail: logTail(svc.name, 20) } };
    }
    return { status: 200, body: { service: svc.name, action, state: svc.state, pid: svc.pid } };
  });
}

function startControlServer(): Promise<void> {
  controlServer = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://supervisor');
    const parts = url.pathname.split('/').filter(Boolean);
    if (req.method === 'GET' && url.pathname === '/services') {
      return reply(res, 200, { supervisor_pid: process.pid, stack_ready: stackReady, shutting_down: shuttingDown, services: snapshot() });
    }
    const known = () => [...services.keys(), `worker-2 … worker-${MAX_WORKER_SLOTS} (started on demand)`];
    if (parts[0] === 'services' && parts.length === 2 && req.method === 'GET') {
      const name = parts[1];
      if (!services.has(name)) return reply(res, 404, { error: 'unknown_service', message: `no service '${name}'`, services: known() });
      return reply(res, 200, { service: name, ...(snapshot()[name] as object) });
    }
    if (parts[0] === 'services' && parts.length === 3) {
      const name = parts[1];
      const action = parts[2];
      if (!['stop', 'start', 'restart', 'kill'].includes(action)) return reply(res, 404, { error: 'unknown_action', message: `use stop, start, restart or kill` });
      if (req.method !== 'POST') return reply(res, 405, { error: 'method_not_allowed', message: 'use POST' });
      if (shuttingDown) return reply(res, 409, { error: 'shutting_down', message: 'the stack is stopping' });
      const svc = action === 'start' || action === 'restart' ? serviceNamed(name) : services.get(name);
      if (!svc) return reply(res, 404, { error: 'unknown_service', message: `no service '${name}'`, services: known() });
      req.resume();
      control(svc, action as ControlAction).then(
        (out) => reply(res, out.status, out.body),
        (err) => reply(res, 500, { error: 'control_failed', message: (err as Error).message }),
      );
      return;
    }
    reply(res, 404, { error: 'not_found', message: `no route for ${req.method} ${url.pathname}` });
  });
  return new Promise((resolve, reject) => {
    controlServer!.once('error', reject);
    controlServer!.listen(controlPort, '127.0.0.1', () => {
      controlServer!.off('error', reject);
      resolve();
    });
  });
}

async function main(): Promise<void> {
  openLogs();
  try {
    await startControlServer();
  } catch (err) {
    complain(`cannot open the control endpoint on 127.0.0.1:${controlPort}: ${(err as Error).message} (is another stack running? set ATTUNE_SUPERVISOR_PORT)`);
    process.exit(1);
  }
  say(`logs in ${logDir}; control endpoint http://127.0.0.1:${controlPort}/services`);
  await startStack();
}

void main();
