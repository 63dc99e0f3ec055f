/**
 * Runtimes on the worker side:
 *  - detectRuntimes: what this worker advertises in `capabilities.runtimes`;
 *  - planInvocation: how to start an action (interpreter, args, inline script or file), from the
 *    action's runtime row (`execution_config.interpreter`) or the built-in defaults;
 *  - runtimeEnvVars: the runtime's `execution_config.env_vars` (set / prepend / append).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { canonicalRuntimeName } from '../common/runtimes';

export type RuntimeKind = 'shell' | 'python' | 'node' | 'native';

export interface RuntimeRow {
  ref: string | null;
  name: string | null;
  execution_config: unknown;
}

/** The runtimes this worker offers: `ATTUNE_WORKER_RUNTIMES` (comma list) or detection. */
export function detectRuntimes(env: NodeJS.ProcessEnv = process.env, probePython: () => boolean = pythonAvailable): string[] {
  const fromEnv = env.ATTUNE_WORKER_RUNTIMES;
  if (fromEnv && fromEnv.trim()) {
    return [...new Set(fromEnv.split(',').map((s) => s.trim()).filter(Boolean))];
  }
  const out = ['shell'];
  if (probePython()) out.push('python');
  out.push('node', 'native'); // node: this very process; native: executables run directly
  return out;
}

/** python3 runs and has `venv` (per-pack environments need it; Debian splits it into python3-venv). */
export function pythonAvailable(): boolean {
  try {
    const r = spawnSync('python3', ['-c', 'import venv, sys; sys.exit(0 if sys.version_info >= (3, 8) else 1)'], { timeout: 5000, stdio: 'ignore' });
    return r.status === 0;
  } catch {
    return false;
  }
}

const KIND_BY_REF: Record<string, RuntimeKind> = {
  'core.shell': 'shell',
  'core.python': 'python',
  'core.nodejs': 'node',
  'core.node': 'node',
  'core.native': 'native',
};

const KIND_BY_EXTENSION: Record<string, RuntimeKind> = {
  '.sh': 'shell',
  '.bash': 'shell',
  '.py': 'python',
  '.js': 'node',
  '.cjs': 'node',
  '.mjs': 'node',
};

/** The built-in kind of a runtime row (by ref, then by name/alias); undefined when unknown. */
export function runtimeKindOf(runtime: RuntimeRow): RuntimeKind | undefined {
  if (runtime.ref && KIND_BY_REF[runtime.ref.toLowerCase()]) return KIND_BY_REF[runtime.ref.toLowerCase()];
  const candidates = [runtime.name, runtime.ref?.split('.').pop()].filter((s): s is string => typeof s === 'string' && s !== '');
  for (const c of candidates) {
    const canon = canonicalRuntimeName(c);
    if (canon === 'shell' || canon === 'python' || canon === 'node' || canon === 'native') return canon;
  }
  return undefined;
}

const DEFAULT_INTERPRETERS: Record<RuntimeKind, { binary: string; args: string[] } | null> = {
  shell: { binary: '/bin/bash', args: [] },
  python: { binary: 'python3', args: ['-u'] },
  node: { binary: 'node', args: [] },
  native: null,
};

export interface InvocationInput {
  runtime: RuntimeRow | null;
  entrypoint: string;
  /** `<packs_base_dir>/<pack_ref>` */
  packDir: string;
  /** `<packDir>/actions/<entrypoint>` */
  scriptPath: string;
  scriptExists: boolean;
  /** `<runtime_envs_dir>/<pack_ref>/<runtime name>` */
  envDir: string;
  fileExists?: (p: string) => boolean;
}

export interface Invocation {
  kind: RuntimeKind | 'custom';
  command: string;
  /** Arguments before the script path. */
  args: string[];
  /** `file`: run scriptPath; `inline`: the entrypoint text is a shell script to write to a temp file. */
  mode: 'file' | 'inline';
  /** Script to run (mode file) — for inline the caller appends its temp file path. */
  scriptPath: string | null;
}

export class InvocationError extends Error {}

interface InterpreterConfig {
  binary?: unknown;
  args?: unknown;
}

function interpreterFromConfig(executionConfig: unknown): { binary: string; args: string[] } | null {
  if (typeof executionConfig !== 'object' || executionConfig === null) return null;
  const interp = (executionConfig as { interpreter?: InterpreterConfig }).interpreter;
  if (!interp || typeof interp.binary !== 'string' || interp.binary.trim() === '') return null;
  const args = Array.isArray(interp.args) ? interp.args.filter((a): a is string => typeof a === 'string') : [];
  return { binary: interp.binary.trim(), args };
}

function environmentInterpreter(executionConfig: unknown): string | null {
  if (typeof executionConfig !== 'object' || executionConfig === null) return null;
  const envCfg = (executionConfig as { environment?: { interpreter_path?: unknown } }).environment;
  return envCfg && typeof envCfg.interpreter_path === 'string' && envCfg.interpreter_path ? envCfg.interpreter_path : null;
}

/** The runtime runs inline code as shell scripts: its `inline_execution.extension` is `.sh`. */
function inlineShellRuntime(runtime: RuntimeRow | null): boolean {
  const cfg = runtime?.execution_config;
  if (typeof cfg !== 'object' || cfg === null) return false;
  const inline = (cfg as { inline_execution?: { extension?: unknown } }).inline_execution;
  return typeof inline === 'object' && inline !== null && inline.extension === '.sh';
}

/** Replaces `{pack_dir}`, `{env_dir}`, `{action_file}`, `{interpreter}` tokens. */
export function substituteTokens(text: string, tokens: Record<string, string>): string {
  return text.replace(/\{(pack_dir|env_dir|action_file|interpreter|manifest_path)\}/g, (m, k: string) => tokens[k] ?? m);
}

/** Decides how an action is started. Throws InvocationError when the script is missing. */
export function planInvocation(input: InvocationInput): Invocation {
  const { runtime, entrypoint, scriptPath, scriptExists } = input;
  const exists = input.fileExists ?? (() => false);
  let kind: RuntimeKind | undefined;
  if (runtime) kind = runtimeKindOf(runtime);
  else kind = KIND_BY_EXTENSION[path.extname(entrypoint).toLowerCase()] ?? (scriptExists ? 'native' : 'shell');

  const configured = runtime ? interpreterFromConfig(runtime.execution_config) : null;
  const interpreter = configured ?? (kind ? DEFAULT_INTERPRETERS[kind] : null);

  if (!scriptExists) {
    // also a runtime of another name whose inline code is shell (`inline_execution.extension: .sh`, e.g. core.container)
    if (kind === 'shell' || (configured && inlineShellRuntime(runtime))) {
      const shell = interpreter ?? DEFAULT_INTERPRETERS.shell!;
      return { kind: 'shell', command: shell.binary, args: [...shell.args], mode: 'inline', scriptPath: null };
    }
    throw new InvocationError(`Action script not found: ${scriptPath}`);
  }

  if (!interpreter) return { kind: kind ?? 'native', command: scriptPath, args: [], mode: 'file', scriptPath };

  const tokens: Record<string, string> = { pack_dir: input.packDir, env_dir: input.envDir, action_file: scriptPath, interpreter: interpreter.binary };
  let command = substituteTokens(interpreter.binary, tokens);
  // A per-pack environment's interpreter wins when it exists on disk (§4.10).
  const envInterp = runtime ? environmentInterpreter(runtime.execution_config) : null;
  if (envInterp) {
    const candidate = substituteTokens(envInterp, tokens);
    if (exists(candidate)) command = candidate;
  }
  tokens.interpreter = command;
  return {
    kind: kind ?? 'custom',
    command,
    args: interpreter.args.map((a) => substituteTokens(a, tokens)),
    mode: 'file',
    scriptPath,
  };
}

/**
 * The runtime's `execution_config.env_vars`: `{NAME: "value"}` or `{NAME: {value, operation:
 * set|prepend|append, separator}}`. Names starting with ATTUNE_ are ignored (reserved).
 */
export function runtimeEnvVars(executionConfig: unknown, base: Record<string, string>, tokens: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof executionConfig !== 'object' || executionConfig === null) return out;
  const vars = (executionConfig as { env_vars?: unknown }).env_vars;
  if (typeof vars !== 'object' || vars === null || Array.isArray(vars)) return out;
  for (const [name, spec] of Object.entries(vars as Record<string, unknown>)) {
    if (name.startsWith('ATTUNE_') || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) continue;
    if (typeof spec === 'string') {
      out[name] = substituteTokens(spec, tokens);
      continue;
    }
    if (typeof spec !== 'object' || spec === null) continue;
    const s = spec as { value?: unknown; operation?: unknown; separator?: unknown };
    if (typeof s.value !== 'string') continue;
    const value = substituteTokens(s.value, tokens);
    const sep = typeof s.separator === 'string' ? s.separator : ':';
    const current = out[name] ?? base[name];
    if (s.operation === 'prepend') out[name] = current ? `${value}${sep}${current}` : value;
    else if (s.operation === 'append') out[name] = current ? `${current}${sep}${value}` : value;
    else out[name] = value;
  }
  return out;
}
