import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { fromRoot, projectRoot } from './paths';

/**
 * Attune's configuration format: a base file ($ATTUNE_CONFIG or config.yaml), then
 * config.<environment>.yaml, then ATTUNE__SECTION__KEY environment variables (highest).
 * The reference stack's default environment is `e2e` (config.e2e.yaml at the project root).
 */
export interface AttuneConfig {
  service_name: string;
  environment: string;
  database: {
    url: string;
    schema: string;
    max_connections: number;
    min_connections: number;
    /** parameterised statements become named prepared statements of each connection (default true) */
    prepared_statements?: boolean;
  };
  message_queue: {
    url: string;
    /** how long a lost broker connection is retried in process before the service exits (75) */
    reconnect_give_up_seconds?: number;
    /** how long a publish waits for a lost connection to come back before it fails */
    publish_wait_seconds?: number;
  };
  server: {
    host: string;
    port: number;
    max_body_size: number;
    /**
     * Our addition, off by default: POST /executions/execute refuses (422, naming the parameter) a request whose
     * parameters break the action's schema. Off, as in Attune, such a request is accepted and the executor ends the
     * execution `failed` naming the parameter (docs/decisions.md, issue 11).
     */
    strict_execution_parameters?: boolean;
  };
  notifier: {
    host: string;
    port: number;
    max_connections: number;
    /**
     * The notifier process's scheduling priority (a nice value, -20..19; unset: inherited). Frames are the
     * platform's real-time promise, so on a busy machine the notifier may be put ahead of the rest; a value below
     * the current one needs the privilege to raise priorities (CAP_SYS_NICE), without which it is logged and left.
     */
    priority?: number;
  };
  security: {
    jwt_secret: string;
    jwt_access_expiration: number;
    jwt_refresh_expiration: number;
    encryption_key: string;
    enable_auth: boolean;
    allow_self_registration: boolean;
    admin_login: string;
    admin_password: string;
    admin_permission_set_ref: string;
    /** Argon2id cost of new password hashes (our addition; defaults are Attune's m=19456 KiB, t=2). */
    password_hash_memory_kib: number;
    password_hash_iterations: number;
  };
  log: { level: string; format: string; dir: string };
  worker: {
    name: string;
    max_concurrent_tasks: number;
    heartbeat_interval: number;
    max_stdout_bytes: number;
    max_stderr_bytes: number;
    shutdown_timeout: number;
    /** per-pack dependency builds add the package managers' offline switches (PIP_NO_INDEX, npm --offline) */
    offline_dependencies: boolean;
    /** one environment build command (venv creation, pip / npm install) is killed after this many seconds */
    dependency_build_timeout: number;
    /** the container runtime's sandbox (stack/worker/sandbox): tool and the root filesystem `rootfs: default` means */
    container: { tool: string; rootfs: string };
    /**
     * Our addition, on by default: action processes are started by a small long-lived launcher process the worker
     * forks once (stack/worker/launcher), not by the worker itself; false starts them in the worker (docs/decisions.md).
     */
    launcher: boolean;
  };
  sensor: { heartbeat_interval: number };
  executor: { scheduled_timeout: number; timeout_check_interval: number; enable_timeout_monitor: boolean };
  /** the reference stack's supervisor (our addition): how many worker processes it starts */
  supervisor: { workers: number };
  packs_base_dir: string;
  runtime_envs_dir: string;
  artifacts_dir: string;
  default_execution_timeout_seconds: number;
  /** recovery controls (Attune Late's `maintenance` section): how often one execution may be requested again by hand */
  maintenance: { execution_reschedule_max_attempts: number };
}

export const configDefaults: AttuneConfig = {
  service_name: 'attune',
  environment: 'e2e',
  database: { url: 'postgresql://postgres@127.0.0.1:5432/attune', schema: 'attune', max_connections: 50, min_connections: 5 },
  message_queue: { url: 'amqp://guest:guest@localhost:5672/%2f', reconnect_give_up_seconds: 300, publish_wait_seconds: 30 },
  server: { host: '0.0.0.0', port: 8080, max_body_size: 10 * 1024 * 1024, strict_execution_parameters: false },
  notifier: { host: '0.0.0.0', port: 8081, max_connections: 10000 },
  security: {
    jwt_secret: '',
    jwt_access_expiration: 3600,
    jwt_refresh_expiration: 604800,
    encryption_key: '',
    enable_auth: true,
    allow_self_registration: false,
    admin_login: 'test@attune.local',
    admin_password: 'TestPass123!',
    admin_permission_set_ref: 'core.admin',
    password_hash_memory_kib: 19456,
    password_hash_iterations: 2,
  },
  log: { level: 'info', format: 'json', dir: './logs' },
  worker: {
    name: 'worker-local',
    max_concurrent_tasks: 10,
    heartbeat_interval: 30,
    max_stdout_bytes: 10 * 1024 * 1024,
    max_stderr_bytes: 10 * 1024 * 1024,
    shutdown_timeout: 30,
    offline_dependencies: false,
    dependency_build_timeout: 300,
    container: { tool: 'bwrap', rootfs: './.attune/container-rootfs' },
    launcher: true,
  },
  sensor: { heartbeat_interval: 30 },
  executor: { scheduled_timeout: 300, timeout_check_interval: 60, enable_timeout_monitor: true },
  supervisor: { workers: 1 },
  packs_base_dir: './packs',
  runtime_envs_dir: './runtime_envs',
  artifacts_dir: './artifacts',
  default_execution_timeout_seconds: 600,
  maintenance: { execution_reschedule_max_attempts: 5 },
};

type Tree = Record<string, unknown>;

function isTree(v: unknown): v is Tree {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge: objects merge key by key, everything else is replaced. */
export function mergeConfig(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = isTree(v) && isTree(out[k]) ? mergeConfig(out[k] as Tree, v) : v;
  }
  return out;
}

/** Values from the environment are strings; parse numbers and booleans the way Attune does. */
export function parseEnvValue(raw: string): unknown {
  const lower = raw.trim().toLowerCase();
  if (['true', 'yes', 'on'].includes(lower)) return true;
  if (['false', 'no', 'off'].includes(lower)) return false;
  if (/^-?\d+(\.\d+)?$/.test(raw.trim())) return Number(raw);
  return raw;
}

/** ATTUNE__SECURITY__JWT_SECRET=x → {security: {jwt_secret: 'x'}} (keys lower-cased). */
export function envOverrides(env: NodeJS.ProcessEnv): Tree {
  const out: Tree = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('ATTUNE__') || value === undefined) continue;
    const keys = name.slice('ATTUNE__'.length).toLowerCase().split('__').filter(Boolean);
    if (keys.length === 0) continue;
    let node = out;
    for (const k of keys.slice(0, -1)) {
      if (!isTree(node[k])) node[k] = {};
      node = node[k] as Tree;
    }
    node[keys[keys.length - 1]] = parseEnvValue(value);
  }
  return out;
}

function readYaml(file: string): Tree {
  if (!fs.existsSync(file)) return {};
  const parsed = YAML.parse(fs.readFileSync(file, 'utf8'));
  if (parsed !== null && !isTree(parsed)) throw new Error(`configuration file ${file} must hold a mapping`);
  return (parsed as Tree) ?? {};
}

export class ConfigError extends Error {}

export function validateConfig(cfg: AttuneConfig): void {
  if (!cfg.database.url) throw new ConfigError('database.url must be set');
  if (cfg.security.enable_auth && !cfg.security.jwt_secret) throw new ConfigError('security.jwt_secret is required when security.enable_auth is true');
  if (cfg.security.encryption_key && cfg.security.encryption_key.length < 32) throw new ConfigError('security.encryption_key must be at least 32 characters');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AttuneConfig {
  const base = readYaml(env.ATTUNE_CONFIG ? fromRoot(env.ATTUNE_CONFIG) : path.join(projectRoot, 'config.yaml'));
  const overrides = envOverrides(env);
  const environment = String((overrides.environment as string) ?? (base.environment as string) ?? 'e2e');
  const envFile = readYaml(path.join(projectRoot, `config.${environment}.yaml`));
  const merged = mergeConfig(mergeConfig(mergeConfig(configDefaults as unknown as Tree, base), envFile), overrides) as unknown as AttuneConfig;
  merged.environment = environment;
  validateConfig(merged);
  return merged;
}

let cached: AttuneConfig | undefined;
/** The process-wide configuration, loaded once. */
export function config(): AttuneConfig {
  cached ??= loadConfig();
  return cached;
}
