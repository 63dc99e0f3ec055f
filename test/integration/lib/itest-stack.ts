/**
 * The integration tests' own reference stack: ports 38080 (api), 38081 (notifier), 38099
 * (supervisor control), database attune_itest, RabbitMQ vhost attune_itest, logs in logs/itest,
 * pack folders under .attune/itest. It never touches the shared stack (18080) or the fault stack.
 *
 * One test file at a time owns it (a lock directory in /tmp, taken over when its owner died).
 * `useItestStack()` registers before/after hooks: reset → start in `before`, stop → drop the
 * database and vhost → release the lock in `after` (which node:test runs even when tests fail).
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { after, before } from 'node:test';
import pg from 'pg';
import { waitFor } from './wait';

const run = promisify(execFile);

export const ROOT = path.resolve(__dirname, '../../..');
export const DB_NAME = 'attune_itest';
export const VHOST = 'attune_itest';
export const API_URL = 'http://127.0.0.1:38080';
export const NOTIFIER_HTTP_URL = 'http://127.0.0.1:38081';
export const WS_URL = 'ws://127.0.0.1:38081/ws';
export const CONTROL_URL = 'http://127.0.0.1:38099';
export const DB_URL = `postgresql://postgres@127.0.0.1:5432/${DB_NAME}`;
export const ADMIN_DB_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
export const AMQP_URL = `amqp://guest:guest@127.0.0.1:5672/${VHOST}`;
export const ADMIN = { login: 'test@attune.local', password: 'TestPass123!' };
/** The e2e configuration's JWT secret (config.e2e.yaml), for crafting expired/foreign tokens. */
export const JWT_SECRET = 'e2e-only-jwt-secret-change-me-for-anything-real';

const LOG_DIR = 'logs/itest';
const PACK_ROOT = '.attune/itest';
const LOCK_DIR = '/tmp/attune-itest-stack.lock';
const LOCK_WAIT_MS = 15 * 60_000;

/**
 * The environment that points the stack scripts (and the services) at the itest instance. Every ATTUNE* variable of
 * the caller is dropped, except ATTUNE_ITEST_FAULTS, which becomes the stack's ATTUNE_FAULTS: the way to prove that an
 * integration test fails when the behaviour it guards is broken (docs/fault-catalog.md, "Proven by integration tests").
 */
export function itestEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ATTUNE')) env[k] = v;
  return {
    ...env,
    ATTUNE__SERVER__PORT: '38080',
    ATTUNE__NOTIFIER__PORT: '38081',
    ATTUNE_SUPERVISOR_PORT: '38099',
    ATTUNE__DATABASE__URL: DB_URL,
    ATTUNE__MESSAGE_QUEUE__URL: AMQP_URL,
    ATTUNE__LOG__DIR: `./${LOG_DIR}`,
    ATTUNE__PACKS_BASE_DIR: `./${PACK_ROOT}/packs`,
    ATTUNE__RUNTIME_ENVS_DIR: `./${PACK_ROOT}/runtime_envs`,
    ATTUNE__ARTIFACTS_DIR: `./${PACK_ROOT}/artifacts`,
    ATTUNE_SKIP_BUILD: '1',
    ...(process.env.ATTUNE_ITEST_FAULTS ? { ATTUNE_FAULTS: process.env.ATTUNE_ITEST_FAULTS } : {}),
  };
}

export interface StackJson {
  pid: number;
  ready: boolean;
  services: Record<string, { pid: number | null; ready: boolean; state: string }>;
}

export function readStackJson(): StackJson {
  return JSON.parse(fs.readFileSync(path.join(ROOT, LOG_DIR, 'stack.json'), 'utf8')) as StackJson;
}

/** The last `lines` lines of a service's log in the itest log directory (for failure messages). */
export function logTail(service: string, lines = 30): string {
  try {
    return fs.readFileSync(path.join(ROOT, LOG_DIR, `${service}.log`), 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export function readLog(service: string): string {
  try {
    return fs.readFileSync(path.join(ROOT, LOG_DIR, `${service}.log`), 'utf8');
  } catch {
    return '';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function acquireLock(): Promise<void> {
  await waitFor(
    () => {
      try {
        fs.mkdirSync(LOCK_DIR);
        fs.writeFileSync(path.join(LOCK_DIR, 'owner'), String(process.pid));
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      let owner = 0;
      try {
        owner = Number(fs.readFileSync(path.join(LOCK_DIR, 'owner'), 'utf8').trim());
      } catch {
        // Being created or removed right now; a lock directory without an owner for long is debris.
        const age = Date.now() - (fs.statSync(LOCK_DIR, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
        if (age > 10_000) fs.rmSync(LOCK_DIR, { recursive: true, force: true });
        return false;
      }
      // A holder that died without cleaning up: take the lock over (its stack is stopped below).
      if (Number.isInteger(owner) && owner > 0 && !alive(owner)) fs.rmSync(LOCK_DIR, { recursive: true, force: true });
      return false;
    },
    { what: `the integration stack lock ${LOCK_DIR}`, timeoutMs: LOCK_WAIT_MS, intervalMs: 250 },
  );
}

function releaseLock(): void {
  try {
    const owner = fs.readFileSync(path.join(LOCK_DIR, 'owner'), 'utf8').trim();
    if (owner === String(process.pid)) fs.rmSync(LOCK_DIR, { recursive: true, force: true });
  } catch {
    /* not ours or already gone */
  }
}

async function script(name: string, timeoutMs: number): Promise<string> {
  try {
    const out = await run('bash', [path.join('scripts', name)], { cwd: ROOT, env: itestEnv(), timeout: timeoutMs, maxBuffer: 16 << 20 });
    return out.stdout + out.stderr;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`scripts/${name} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

async function rabbitmqctl(...args: string[]): Promise<string> {
  const out = await run('rabbitmqctl', ['-q', ...args], { timeout: 60_000, maxBuffer: 16 << 20 });
  return out.stdout;
}

/** rabbitmqctl list_<what> in the itest vhost, as JSON rows. */
export async function listInVhost(what: 'exchanges' | 'queues' | 'bindings', columns: string[]): Promise<Record<string, unknown>[]> {
  const text = await rabbitmqctl(`list_${what}`, '-p', VHOST, '--formatter', 'json', ...columns);
  return JSON.parse(text) as Record<string, unknown>[];
}

async function dropDatabase(): Promise<void> {
  const c = new pg.Client({ connectionString: ADMIN_DB_URL });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  } finally {
    await c.end();
  }
}

async function resetVhost(): Promise<void> {
  await rabbitmqctl('delete_vhost', VHOST).catch(() => undefined);
  await rabbitmqctl('add_vhost', VHOST);
  await rabbitmqctl('set_permissions', '-p', VHOST, 'guest', '.*', '.*', '.*');
}

async function teardown(): Promise<void> {
  await script('stack-stop.sh', 60_000).catch(() => undefined);
  await dropDatabase().catch(() => undefined);
  await rabbitmqctl('delete_vhost', VHOST).catch(() => undefined);
  fs.rmSync(path.join(ROOT, PACK_ROOT), { recursive: true, force: true });
}

let lockHeld = false;

/** Takes the lock, starts a fresh itest stack (empty database and vhost) and waits until it is ready. */
export async function startItestStack(): Promise<StackJson> {
  await acquireLock();
  lockHeld = true;
  await teardown(); // whatever a crashed earlier run left behind
  await resetVhost();
  fs.mkdirSync(path.join(ROOT, LOG_DIR), { recursive: true });
  try {
    await script('stack-start.sh', 120_000);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- api.log ---\n${logTail('api')}`);
  }
  return readStackJson();
}

/** Stops the stack, drops its database and vhost and releases the lock. Safe to call twice. */
export async function stopItestStack(): Promise<void> {
  if (!lockHeld) return;
  try {
    await teardown();
  } finally {
    lockHeld = false;
    releaseLock();
  }
}

/** Registers the start/stop hooks for the calling test file. */
export function useItestStack(): void {
  // A test process killed by the runner's timeout must not keep the lock.
  process.once('exit', () => {
    if (lockHeld) releaseLock();
  });
  before(async () => {
    await startItestStack();
  }, { timeout: LOCK_WAIT_MS + 180_000 });
  after(async () => {
    await stopItestStack();
  }, { timeout: 120_000 });
}
