/**
 * The environment of an action process (§4.6): the worker's own environment minus the token it
 * may have inherited and the ATTUNE__* configuration overrides (which can hold the JWT secret and
 * the encryption key), plus the runtime's env vars, the execution's env_vars (never ATTUNE_*), and
 * the ATTUNE_* context variables, which nothing may override.
 */
import type { AttuneConfig } from '../common/config';
import { fault } from '../common/faults';
import { stringifyExact } from '../common/exact-json';

/** `http://<server.host>:<server.port>`, with wildcard binds rewritten to 127.0.0.1. */
export function apiUrl(cfg: Pick<AttuneConfig, 'server'>): string {
  const host = cfg.server.host;
  const h = !host || host === '0.0.0.0' || host === '::' || host === '[::]' ? '127.0.0.1' : host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${h}:${cfg.server.port}`;
}

export interface ActionEnvInput {
  baseEnv: NodeJS.ProcessEnv;
  executionId: number;
  actionRef: string;
  packRef: string;
  apiUrl: string;
  apiToken: string;
  ruleRef?: string | null;
  triggerRef?: string | null;
  parameterDelivery: string;
  parameterFormat: string;
  parameterFile?: string | null;
  runtimeEnv?: Record<string, string>;
  executionEnvVars?: unknown;
  /** the secrets merged into the parameter document; they never go into the environment (fault secret-in-env) */
  secrets?: Record<string, unknown>;
}

export function buildActionEnv(input: ActionEnvInput): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.baseEnv)) {
    if (v === undefined) continue;
    if (k === 'ATTUNE_API_TOKEN' || k.startsWith('ATTUNE__')) continue;
    env[k] = v;
  }
  for (const [k, v] of Object.entries(input.runtimeEnv ?? {})) if (!k.startsWith('ATTUNE_')) env[k] = v;
  const extra = input.executionEnvVars;
  if (typeof extra === 'object' && extra !== null && !Array.isArray(extra)) {
    for (const [k, v] of Object.entries(extra as Record<string, unknown>)) {
      if (k.startsWith('ATTUNE_') || k === '' || k.includes('=') || k.includes('\0')) continue;
      if (v === null || v === undefined) continue;
      env[k] = typeof v === 'string' ? v : stringifyExact(v);
    }
  }
  if (fault('secret-in-env')) for (const [k, v] of Object.entries(input.secrets ?? {})) env[k] = typeof v === 'string' ? v : stringifyExact(v);
  // bash reads ~/.bashrc when SHLVL is unset and stdin is a socket (Node's pipes); keep actions' shells clean.
  env.SHLVL ??= '1';
  env.ATTUNE_EXEC_ID = String(input.executionId);
  env.ATTUNE_ACTION = input.actionRef;
  // fault action-env-api-url-missing: the action is not told where the API is
  if (fault('action-env-api-url-missing')) delete env.ATTUNE_API_URL;
  else env.ATTUNE_API_URL = input.apiUrl;
  env.ATTUNE_API_TOKEN = input.apiToken;
  env.ATTUNE_PACK_REF = input.packRef;
  if (input.ruleRef) env.ATTUNE_RULE = input.ruleRef;
  if (input.triggerRef) env.ATTUNE_TRIGGER = input.triggerRef;
  env.ATTUNE_PARAMETER_DELIVERY = input.parameterDelivery;
  env.ATTUNE_PARAMETER_FORMAT = input.parameterFormat;
  if (input.parameterFile) env.ATTUNE_PARAMETER_FILE = input.parameterFile;
  return env;
}
