/**
 * How a pack sensor is started: the runtime's interpreter (its `execution_config.interpreter`, or
 * the built-in one for shell / python / node) with `<packs_base_dir>/<pack>/sensors/<entry_point>`,
 * or that file itself for native sensors. stdin is closed; the environment is a small base (PATH,
 * HOME, locale) plus the ATTUNE_* variables, never the sensor service's own secrets.
 */
import * as path from 'node:path';
import { runtimeKindOf, substituteTokens, type RuntimeRow } from '../../worker/runtimes';
import type { DesiredSensor } from './desired';

export interface LaunchPlan {
  command: string;
  args: string[];
  scriptPath: string;
}

export class LaunchError extends Error {}

const BASE_ENV_NAMES = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'NODE_PATH'];

function configuredInterpreter(runtime: RuntimeRow): { binary: string; args: string[] } | null {
  const cfg = runtime.execution_config;
  if (typeof cfg !== 'object' || cfg === null) return null;
  const interp = (cfg as { interpreter?: { binary?: unknown; args?: unknown } }).interpreter;
  if (!interp || typeof interp.binary !== 'string' || interp.binary.trim() === '') return null;
  const args = Array.isArray(interp.args) ? interp.args.filter((a): a is string => typeof a === 'string') : [];
  return { binary: interp.binary.trim(), args };
}

/** The command line for a sensor whose pack lives in `packDir`. */
export function planLaunch(d: Pick<DesiredSensor, 'entrypoint' | 'runtime'>, packDir: string): LaunchPlan {
  const entry = d.entrypoint.trim();
  if (entry === '' || path.isAbsolute(entry) || entry.split(/[\\/]/).includes('..')) {
    throw new LaunchError(`sensor entry point ${JSON.stringify(d.entrypoint)} is not a file name under sensors/`);
  }
  const scriptPath = path.join(packDir, 'sensors', entry);
  const kind = runtimeKindOf(d.runtime);
  const builtIn: Record<string, { binary: string; args: string[] } | null> = {
    shell: { binary: '/bin/bash', args: [] },
    python: { binary: 'python3', args: ['-u'] },
    node: { binary: process.execPath, args: [] },
    native: null,
  };
  const interp = configuredInterpreter(d.runtime) ?? (kind ? builtIn[kind] : null);
  if (!interp) return { command: scriptPath, args: [], scriptPath };
  const tokens = { pack_dir: packDir, action_file: scriptPath, interpreter: interp.binary, env_dir: '' };
  return { command: substituteTokens(interp.binary, tokens), args: [...interp.args.map((a) => substituteTokens(a, tokens)), scriptPath], scriptPath };
}

export interface SensorEnvInput {
  apiUrl: string;
  token: string | undefined;
  mqUrl: string;
  logLevel: string;
  desired: DesiredSensor;
}

/** The sensor process's environment (names as Attune hands them to its sensors). */
export function sensorEnv(input: SensorEnvInput, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of BASE_ENV_NAMES) if (base[name] !== undefined) env[name] = base[name]!;
  const d = input.desired;
  Object.assign(env, {
    ATTUNE_API_URL: input.apiUrl,
    ATTUNE_SENSOR_ID: String(d.sensorId),
    ATTUNE_SENSOR_REF: d.sensorRef,
    ATTUNE_SENSOR_TRIGGERS: JSON.stringify(d.rules),
    ATTUNE_SENSOR_TRIGGER_TYPES: JSON.stringify(d.triggerTypes),
    ATTUNE_SENSOR_CONFIG: JSON.stringify(d.config ?? {}),
    ATTUNE_MQ_URL: input.mqUrl,
    ATTUNE_MQ_EXCHANGE: 'attune.events',
    ATTUNE_LOG_LEVEL: input.logLevel,
  });
  if (input.token !== undefined) env.ATTUNE_API_TOKEN = input.token;
  return env;
}
