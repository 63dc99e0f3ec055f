/**
 * Where the Attune under test lives, and how to reach it.
 *
 * Every setting comes from an environment variable; when that is unset, the default is derived from the e2e config the
 * reference stack also reads (`config.e2e.yaml`, Attune's format), with `ATTUNE__SECTION__KEY` overrides applied the
 * way Attune applies them. The suite reaches the target only over the wire.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';

export const projectRoot = path.resolve(__dirname, '..');

export interface TargetSettings {
  apiUrl: string;
  wsUrl: string;
  dbUrl: string;
  amqpUrl: string;
  adminLogin: string;
  adminPassword: string;
  /** e.g. `supervisor:http://127.0.0.1:18099`; empty when the suite may not stop/start services. */
  serviceControl: string;
  /** e.g. `command:bash scripts/infra-control.sh {action}`; empty when the suite may not restart the broker or the
   * database (they are usually shared: only a run that has the machine to itself sets it). */
  infraControl: string;
  /** set when scenarios may use a container engine (`ATTUNE_E2E_CONTAINER_RUNTIME`); otherwise the workers' own report decides. */
  containerRuntime: string;
  /** the worker's stdout / stderr capture limits in bytes (`worker.max_stdout_bytes` / `max_stderr_bytes`, Attune's default 10 MiB). */
  maxStdoutBytes: number;
  maxStderrBytes: number;
  /** how often workers beat (`worker.heartbeat_interval`, s) and how often the executor looks for lost ones
   * (`executor.timeout_check_interval`, s): together they bound how long a dead worker's executions stay running. */
  workerHeartbeatSeconds: number;
  timeoutCheckSeconds: number;
  /** the address at which the target's workers reach servers the suite starts on this machine (`ATTUNE_E2E_CALLBACK_HOST`). */
  callbackHost: string;
  /** where the stack's `*.log` files are, when they are on this machine. */
  logDir: string;
  /** the key the target signs its JWTs with (`security.jwt_secret`, `ATTUNE__SECURITY__JWT_SECRET`), when the run knows
   * it; empty otherwise. Only the token-signing capability uses it (support/signed-tokens.ts), after proving it right. */
  jwtSecret: string;
  /** the single sign-on methods the target has configured (`ATTUNE_E2E_SINGLE_SIGN_ON`, e.g. `oidc,ldap` or `none`;
   * otherwise `security.oidc.enabled` / `security.ldap.enabled` of its configuration): empty when only local
   * passwords sign in. */
  singleSignOn: string[];
  /** the config file the defaults came from (for messages). */
  configFile: string;
}

type ConfigTree = Record<string, unknown>;

function configPath(): string {
  const explicit = process.env.ATTUNE_E2E_CONFIG;
  return explicit ? path.resolve(explicit) : path.join(projectRoot, 'config.e2e.yaml');
}

function readConfig(file: string): ConfigTree {
  if (!fs.existsSync(file)) return {};
  const parsed = parseYaml(fs.readFileSync(file, 'utf8')) as unknown;
  return parsed && typeof parsed === 'object' ? (parsed as ConfigTree) : {};
}

/** Applies `ATTUNE__SECTION__KEY=value` overrides (keys lower-cased, nesting by `__`), as Attune does. */
export function applyEnvOverrides(config: ConfigTree, env: NodeJS.ProcessEnv = process.env): ConfigTree {
  const result: ConfigTree = JSON.parse(JSON.stringify(config));
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('ATTUNE__') || value === undefined) continue;
    const keys = name.slice('ATTUNE__'.length).split('__').map((k) => k.toLowerCase()).filter(Boolean);
    if (keys.length === 0) continue;
    let node: ConfigTree = result;
    for (const key of keys.slice(0, -1)) {
      const next = node[key];
      if (!next || typeof next !== 'object') node[key] = {};
      node = node[key] as ConfigTree;
    }
    node[keys[keys.length - 1]] = value;
  }
  return result;
}

function section(config: ConfigTree, name: string): ConfigTree {
  const value = config[name];
  return value && typeof value === 'object' ? (value as ConfigTree) : {};
}

function str(value: unknown, fallback: string): string {
  return value === undefined || value === null || value === '' ? fallback : String(value);
}

/** A listener on 0.0.0.0 / :: is reached through the loopback address. */
function clientHost(host: string): string {
  return host === '0.0.0.0' || host === '::' || host === '[::]' ? '127.0.0.1' : host;
}

function envOr(name: string, fallback: string): string {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? fallback : value.trim();
}

const TEN_MIB = 10 * 1024 * 1024;

function positiveInt(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`target settings: ${what} must be a positive integer, got "${text}"`);
  return n;
}

function singleSignOnMethods(declared: string, security: Record<string, unknown>): string[] {
  if (declared) return declared === 'none' ? [] : declared.split(',').map((m) => m.trim()).filter(Boolean);
  const on = (name: string) => {
    const block = security[name];
    return typeof block === 'object' && block !== null && (block as Record<string, unknown>).enabled === true;
  };
  return ['oidc', 'ldap'].filter(on);
}

export function loadTargetSettings(): TargetSettings {
  const file = configPath();
  const config = applyEnvOverrides(readConfig(file));
  const server = section(config, 'server');
  const notifier = section(config, 'notifier');
  const database = section(config, 'database');
  const mq = section(config, 'message_queue');
  const security = section(config, 'security');
  const log = section(config, 'log');
  const worker = section(config, 'worker');
  const executor = section(config, 'executor');

  const apiDefault = `http://${clientHost(str(server.host, '127.0.0.1'))}:${str(server.port, '8080')}`;
  const wsDefault = `ws://${clientHost(str(notifier.host, '127.0.0.1'))}:${str(notifier.port, '8081')}/ws`;

  return {
    apiUrl: envOr('ATTUNE_API_URL', apiDefault).replace(/\/+$/, ''),
    wsUrl: envOr('ATTUNE_WS_URL', wsDefault),
    dbUrl: envOr('ATTUNE_DB_URL', str(database.url, 'postgresql://postgres@127.0.0.1:5432/attune_e2e')),
    amqpUrl: envOr('ATTUNE_AMQP_URL', str(mq.url, 'amqp://guest:guest@127.0.0.1:5672/%2F')),
    adminLogin: envOr('ATTUNE_ADMIN_LOGIN', str(security.admin_login, 'test@attune.local')),
    adminPassword: envOr('ATTUNE_ADMIN_PASSWORD', str(security.admin_password, 'TestPass123!')),
    serviceControl: envOr('ATTUNE_SERVICE_CONTROL', ''),
    infraControl: envOr('ATTUNE_INFRA_CONTROL', ''),
    containerRuntime: envOr('ATTUNE_E2E_CONTAINER_RUNTIME', ''),
    maxStdoutBytes: positiveInt(envOr('ATTUNE_E2E_MAX_STDOUT_BYTES', str(worker.max_stdout_bytes, String(TEN_MIB))), 'max stdout bytes'),
    maxStderrBytes: positiveInt(envOr('ATTUNE_E2E_MAX_STDERR_BYTES', str(worker.max_stderr_bytes, String(TEN_MIB))), 'max stderr bytes'),
    callbackHost: envOr('ATTUNE_E2E_CALLBACK_HOST', '127.0.0.1'),
    workerHeartbeatSeconds: positiveInt(envOr('ATTUNE_E2E_WORKER_HEARTBEAT_SECONDS', str(worker.heartbeat_interval, '30')), 'worker heartbeat interval'),
    timeoutCheckSeconds: positiveInt(envOr('ATTUNE_E2E_TIMEOUT_CHECK_SECONDS', str(executor.timeout_check_interval, '60')), 'executor timeout check interval'),
    logDir: path.resolve(projectRoot, envOr('ATTUNE_E2E_LOG_DIR', str(log.dir, './logs'))),
    jwtSecret: str(security.jwt_secret, ''),
    singleSignOn: singleSignOnMethods(envOr('ATTUNE_E2E_SINGLE_SIGN_ON', ''), security),
    configFile: file,
  };
}

let cached: TargetSettings | undefined;

/** The settings of this worker process (read once). */
export function target(): TargetSettings {
  cached ??= loadTargetSettings();
  return cached;
}
