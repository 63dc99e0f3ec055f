/**
 * The hook of the container runtime into ActionRunner.prepare: the process spec of a plain action (interpreter,
 * script, parameters, environment) becomes the same run inside a bubblewrap sandbox.
 *
 * Host paths the spec refers to are mapped to where they appear inside: the pack directory is bound read-only at
 * /pack, the run's temp folder (inline script, parameter file) read-only at /action. The command, its arguments, its
 * working directory and the values of its environment variables are rewritten accordingly, so
 * ATTUNE_PARAMETER_FILE, `{pack_dir}` tokens of the runtime's env_vars and the script path all name paths that exist
 * inside. Stdin (the parameter document), the timeout, the cancel signal and the output limits are unchanged: the
 * process runner kills bwrap's process group, and --die-with-parent takes the whole sandbox down with it.
 */
import { fault } from '../../common/faults';
import type { ProcessSpec } from '../process-runner';
import { bwrapArgs, INSIDE, type SandboxBind, type SandboxPlan } from './bwrap-command';
import type { ContainerSettings } from './container-settings';
import { sandboxStatus, type SandboxStatus } from './probe';

/** The environment a sandboxed action starts from, before the variables every action gets (§4.6) are added. */
export function sandboxBaseEnv(): NodeJS.ProcessEnv {
  // fault container-inherits-worker-env: the sandbox's environment starts from the worker's own
  if (fault('container-inherits-worker-env')) return { ...process.env };
  return { PATH: INSIDE.path };
}

/** Maps host paths to their place inside the sandbox, through the binds (longest host prefix wins). */
export class PathMap {
  private readonly binds: SandboxBind[];

  constructor(binds: SandboxBind[]) {
    this.binds = [...binds].sort((a, b) => b.host.length - a.host.length);
  }

  /** The inside path of a host path; undefined when the path is not bound into the sandbox. */
  inside(hostPath: string): string | undefined {
    for (const b of this.binds) {
      if (hostPath === b.host) return b.inside;
      if (hostPath.startsWith(`${b.host}/`)) return `${b.inside}${hostPath.slice(b.host.length)}`;
    }
    return undefined;
  }

  /** A value as it should read inside: a bound path (or a `:`-list of paths) mapped, anything else unchanged. */
  value(text: string): string {
    if (!text.startsWith('/')) return text;
    return text
      .split(':')
      .map((part) => (part.startsWith('/') ? (this.inside(part) ?? part) : part))
      .join(':');
  }
}

export interface SandboxInput {
  /** the plain process spec ActionRunner.prepare built */
  spec: ProcessSpec;
  settings: ContainerSettings;
  /** the action's pack directory on the host, when it exists */
  packDir?: string;
  /** the run's temp folder on the host (inline script, parameter file), when there is one */
  tmpDir?: string;
  /** the sandbox status to use (default: this worker's probe) */
  status?: SandboxStatus;
}

/** The sandbox plan of a run (exported for unit tests). */
export function sandboxPlan(input: SandboxInput, rootfs: string): SandboxPlan {
  const { spec } = input;
  // fault container-sees-host-root: the sandbox's root is the host's own root, every path bound where it is
  const hostRoot = fault('container-sees-host-root');
  const binds: SandboxBind[] = [];
  if (input.packDir) binds.push({ host: input.packDir, inside: hostRoot ? input.packDir : INSIDE.pack });
  if (input.tmpDir) binds.push({ host: input.tmpDir, inside: hostRoot ? input.tmpDir : INSIDE.action });
  const map = new PathMap(binds);

  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(spec.env)) {
    // fault container-parameter-file-unmapped: ATTUNE_PARAMETER_FILE keeps the host path, which does not exist inside
    env[name] = name === 'ATTUNE_PARAMETER_FILE' && fault('container-parameter-file-unmapped') ? value : map.value(value);
  }
  let command = map.value(spec.command);
  let args = spec.args.map((a) => map.value(a));
  // fault container-exit-code-lost: a wrapper shell reports every failure as exit code 1
  if (fault('container-exit-code-lost')) {
    args = ['-c', '"$@" || exit 1', 'sh', command, ...args];
    command = '/bin/sh';
  }
  return {
    rootfs: hostRoot ? '/' : rootfs,
    network: input.settings.network,
    binds,
    cwd: (spec.cwd ? map.inside(spec.cwd) : undefined) ?? INSIDE.tmp,
    env,
    command,
    args,
  };
}

/** The same run, inside the sandbox. Throws when this worker has no usable sandbox: never runs it on the host. */
export async function sandboxedSpec(input: SandboxInput): Promise<ProcessSpec> {
  const status = input.status ?? (await sandboxStatus());
  if (!status.available || !status.toolPath) {
    throw new Error(`This worker cannot run container actions (${status.reason}); the action was not run, as it never runs outside its sandbox`);
  }
  const plan = sandboxPlan(input, status.rootfs);
  return {
    ...input.spec,
    command: status.toolPath,
    args: bwrapArgs(plan),
    cwd: '/',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    // fault container-stdin-dropped: the sandbox is started without the parameter document on its stdin
    stdin: fault('container-stdin-dropped') ? undefined : input.spec.stdin,
  };
}
