/**
 * What a runtime row says about per-pack environments (`runtime.execution_config`, internals §4.2):
 * `environment {env_type, create_command, interpreter_path}` and `dependencies {manifest_file, install_command}`.
 * A runtime without an environment type (or `none`) or without a manifest file has no per-pack environment.
 */

export type EnvironmentType = 'virtualenv' | 'node_modules' | 'other';

export interface EnvironmentSpec {
  envType: EnvironmentType;
  /** the manifest's path relative to the pack folder, e.g. `requirements.txt`, `package.json` */
  manifestFile: string;
  /** run first in an empty build folder (may be empty: nothing to create) */
  createCommand: string[];
  /** installs the manifest's dependencies into the environment */
  installCommand: string[];
  /** the environment's own interpreter, with tokens, when it has one (`{env_dir}/bin/python3`) */
  interpreterPath: string | null;
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string' && s !== '') : [];
}

function record(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** The environment a runtime wants, or null when it has none. */
export function environmentSpec(executionConfig: unknown): EnvironmentSpec | null {
  const cfg = record(executionConfig);
  const environment = record(cfg.environment);
  const dependencies = record(cfg.dependencies);
  const envType = typeof environment.env_type === 'string' ? environment.env_type : '';
  const manifestFile = typeof dependencies.manifest_file === 'string' ? dependencies.manifest_file.trim() : '';
  if (envType === '' || envType === 'none' || manifestFile === '') return null;
  if (manifestFile.startsWith('/') || manifestFile.split(/[\\/]/).includes('..')) return null;
  const installCommand = stringList(dependencies.install_command);
  if (installCommand.length === 0) return null;
  return {
    envType: envType === 'virtualenv' || envType === 'node_modules' ? envType : 'other',
    manifestFile,
    createCommand: stringList(environment.create_command),
    installCommand,
    interpreterPath: typeof environment.interpreter_path === 'string' && environment.interpreter_path ? environment.interpreter_path : null,
  };
}
