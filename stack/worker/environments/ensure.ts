/**
 * Per-pack dependency environments (internals §4.10), built lazily right before an execution needs one:
 *
 *   no manifest in the pack            → no environment (the runtime's system interpreter; a stale one is removed)
 *   stamp matches the manifest's hash  → reused as it is
 *   otherwise                          → built in a sibling folder (create command, then install command), stamped,
 *                                        and renamed into place; the previous one is moved aside and removed
 *
 * Builds are single-flight per environment folder in this process. A failed build throws EnvironmentError naming
 * the command and its last meaningful error line; the execution then ends `failed` with that text.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fault } from '../../common/faults';
import type { Logger } from '../../common/log';
import { substituteTokens, type RuntimeRow } from '../runtimes';
import { runBuildCommand } from './build-command';
import { meaningfulErrorLine } from './error-line';
import { withHostExecutable } from './host-interpreter';
import { buildDirFor, environmentDir, retiredDirFor, runtimeSegment } from './layout';
import { ManifestError, stagedPackageJson } from './node-manifest';
import { buildCommandEnv, withOfflineFlags } from './offline';
import { environmentSpec, type EnvironmentSpec } from './spec';
import { readStamp, sha256, writeStamp, type EnvironmentStamp } from './stamp';
import { SingleFlight } from './single-flight';
import { stringifyExact } from '../../common/exact-json';

export class EnvironmentError extends Error {}

export interface EnsureInput {
  runtime: RuntimeRow | null;
  packRef: string;
  packDir: string;
  /** absolute `runtime_envs_dir` */
  envRoot: string;
  /** add the package managers' offline switches (worker.offline_dependencies) */
  offline: boolean;
  buildTimeoutMs: number;
  log?: Pick<Logger, 'info' | 'warn'>;
}

export interface EnvironmentOutcome {
  /** where the pack's environment is (or would be) for this runtime: the `{env_dir}` token */
  envDir: string;
  state: 'none' | 'reused' | 'built';
  stamp?: EnvironmentStamp;
}

const flights = new SingleFlight<EnvironmentOutcome>();

function interpreterOf(runtime: RuntimeRow | null): string {
  const cfg = runtime?.execution_config as { interpreter?: { binary?: unknown } } | null | undefined;
  const binary = cfg?.interpreter?.binary;
  return typeof binary === 'string' && binary.trim() ? binary.trim() : '';
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.promises.stat(p); // follows links: a venv whose interpreter link is broken counts as missing
    return true;
  } catch {
    return false;
  }
}

async function readManifest(file: string): Promise<Buffer | null> {
  try {
    return await fs.promises.readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw new EnvironmentError(`Could not read ${path.basename(file)} of the pack: ${(err as Error).message}`);
  }
}

/** The environment the action's runtime needs for this pack, built or reused; throws EnvironmentError on failure. */
export async function ensureEnvironment(input: EnsureInput): Promise<EnvironmentOutcome> {
  const envDir = environmentDir(input.envRoot, input.packRef, input.runtime?.name ?? input.runtime?.ref?.split('.').pop());
  const spec = input.runtime ? environmentSpec(input.runtime.execution_config) : null;
  if (!spec) return { envDir, state: 'none' };
  const manifestPath = path.join(input.packDir, spec.manifestFile);
  const manifest = await readManifest(manifestPath);
  if (manifest === null) {
    return flights.run(envDir, 'none', async () => {
      // the pack no longer declares dependencies: an environment left from an earlier version must not be used
      if (await exists(envDir)) await retire(envDir);
      return { envDir, state: 'none' };
    });
  }
  const hash = sha256(manifest);
  return flights.run(envDir, hash, async () => {
    const stamp = await readStamp(envDir);
    if (stamp && (await usable(spec, envDir))) {
      const fresh = stamp.manifest_sha256 === hash;
      const rebuildAlways = spec.envType === 'virtualenv' && fault('venv-rebuilt-every-run');
      const ignoreChange = spec.envType === 'virtualenv' && fault('requirements-change-ignored');
      if ((fresh || ignoreChange) && !rebuildAlways) return { envDir, state: 'reused', stamp };
    }
    try {
      const built = await build(input, spec, envDir, manifestPath, manifest, hash);
      input.log?.info({ pack_ref: input.packRef, env_dir: envDir, build_ms: built.build_ms, steps: built.steps }, 'dependency environment built');
      return { envDir, state: 'built', stamp: built };
    } catch (err) {
      // fault env-build-failure-ignored: a failed build is only logged; the action runs without its environment
      if (fault('env-build-failure-ignored')) {
        input.log?.warn({ err, pack_ref: input.packRef }, 'dependency environment failed to build (ignored)');
        return { envDir, state: 'none' };
      }
      throw err;
    }
  });
}

async function usable(spec: EnvironmentSpec, envDir: string): Promise<boolean> {
  if (!spec.interpreterPath) return exists(envDir);
  return exists(substituteTokens(spec.interpreterPath, { env_dir: envDir }));
}

function describe(argv: string[], buildDir: string, packDir: string): string {
  return argv
    .map((a) => a.split(buildDir).join('{env_dir}').split(packDir + path.sep).join(''))
    .map((a) => (/\s/.test(a) ? stringifyExact(a) : a))
    .join(' ');
}

async function build(input: EnsureInput, spec: EnvironmentSpec, envDir: string, manifestPath: string, manifest: Buffer, hash: string): Promise<EnvironmentStamp> {
  const label = `the ${runtimeSegment(input.runtime?.name)} environment of pack ${input.packRef}`;
  const buildDir = buildDirFor(envDir);
  await fs.promises.mkdir(path.dirname(envDir), { recursive: true });
  await fs.promises.mkdir(buildDir);
  const started = Date.now();
  const steps: EnvironmentStamp['steps'] = [];
  try {
    const env = buildCommandEnv(process.env, input.offline);
    const tokens: Record<string, string> = { env_dir: buildDir, pack_dir: input.packDir, manifest_path: manifestPath, interpreter: interpreterOf(input.runtime) };
    const run = async (template: string[], what: string): Promise<void> => {
      const planned = withOfflineFlags(template.map((a) => substituteTokens(a, tokens)), input.offline);
      const shown = describe(planned, buildDir, input.packDir);
      const argv = withHostExecutable(planned);
      const outcome = await runBuildCommand(argv, { cwd: input.packDir, env, timeoutMs: input.buildTimeoutMs });
      steps.push({ command: shown, ms: outcome.ms });
      if (outcome.code === 0 && !outcome.timedOut) return;
      const why = outcome.spawnError
        ? `could not start ${argv[0]}: ${outcome.spawnError}`
        : outcome.timedOut
          ? `it did not finish within ${Math.round(input.buildTimeoutMs / 1000)} s`
          : `exited with code ${outcome.code}: ${meaningfulErrorLine(outcome.output) ?? '(no output)'}`;
      throw new EnvironmentError(`Could not build ${label} (${what}: ${shown}): ${why}`);
    };

    if (spec.createCommand.length) await run(spec.createCommand, 'creating it');
    if (spec.interpreterPath) tokens.interpreter = substituteTokens(spec.interpreterPath, tokens);
    if (spec.envType === 'node_modules') {
      // npm installs next to the package.json it reads: a copy with the pack's local specs made absolute
      let staged: string;
      try {
        staged = stagedPackageJson(manifest.toString('utf8'), input.packDir);
      } catch (err) {
        if (err instanceof ManifestError) throw new EnvironmentError(`Could not build ${label}: ${err.message}`);
        throw err;
      }
      tokens.manifest_path = path.join(buildDir, 'package.json');
      await fs.promises.writeFile(tokens.manifest_path, staged);
    }
    await run(spec.installCommand, `installing ${spec.manifestFile}`);

    const stamp: EnvironmentStamp = {
      manifest_file: spec.manifestFile,
      manifest_sha256: hash,
      interpreter: spec.interpreterPath ? substituteTokens(spec.interpreterPath, { env_dir: envDir }) : null,
      built_at: new Date().toISOString(),
      build_ms: Date.now() - started,
      steps,
    };
    await writeStamp(buildDir, stamp);
    await swapInto(buildDir, envDir);
    return stamp;
  } catch (err) {
    await fs.promises.rm(buildDir, { recursive: true, force: true }).catch(() => undefined);
    if (err instanceof EnvironmentError) throw err;
    throw new EnvironmentError(`Could not build ${label}: ${(err as Error).message}`);
  }
}

/** Puts the finished build at the environment's place: the old one (if any) is moved aside first, then removed. */
async function swapInto(buildDir: string, envDir: string): Promise<void> {
  let retired: string | null = null;
  if (await exists(envDir)) {
    retired = retiredDirFor(envDir);
    await fs.promises.rename(envDir, retired);
  }
  await fs.promises.rename(buildDir, envDir);
  if (retired) await fs.promises.rm(retired, { recursive: true, force: true }).catch(() => undefined);
}

async function retire(envDir: string): Promise<void> {
  const retired = retiredDirFor(envDir);
  await fs.promises.rename(envDir, retired).catch(() => undefined);
  await fs.promises.rm(retired, { recursive: true, force: true }).catch(() => undefined);
}
