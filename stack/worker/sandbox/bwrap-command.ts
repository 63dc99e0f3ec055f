/**
 * The bubblewrap command line of one sandboxed process. It only builds arguments (it touches the file system only
 * under the fault container-tmp-shared).
 *
 * Layout inside the sandbox:
 *   /          the root filesystem (read-only; scripts/build-container-rootfs.sh)
 *   /proc      a new procfs of the sandbox's own PID namespace
 *   /dev       a minimal /dev (null, zero, random, urandom, tty, shm …)
 *   /tmp       an empty tmpfs, the only writable place
 *   /pack      the action's pack directory (read-only), the working directory when it exists
 *   /action    the run's own files (inline script, parameter file), read-only
 * Namespaces: all of them (user and cgroup when the kernel allows), except the network one when the runtime allows
 * the network. The sandbox dies with the worker (--die-with-parent: bwrap's parent is the worker, or the worker's process
 * launcher, which exits with the worker; stack/worker/launcher), has its own session (--new-session: no
 * terminal injection), no capabilities, and an environment made of exactly the variables it is given.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fault } from '../../common/faults';

export interface SandboxBind {
  /** a path on the host */
  host: string;
  /** where it appears inside */
  inside: string;
}

export interface SandboxPlan {
  /** the root filesystem on the host */
  rootfs: string;
  /** keep the host's network namespace */
  network: boolean;
  /** read-only binds, in order */
  binds: SandboxBind[];
  /** working directory inside */
  cwd: string;
  /** the complete environment inside */
  env: Record<string, string>;
  /** command and arguments, as seen inside */
  command: string;
  args: string[];
}

/** The host folder the fault container-tmp-shared binds at /tmp of every sandbox. */
function sharedTmp(): string {
  const dir = path.join(os.tmpdir(), 'attune-container-shared-tmp');
  fs.mkdirSync(dir, { recursive: true, mode: 0o1777 });
  return dir;
}

/** Where things live inside the sandbox. */
export const INSIDE = {
  pack: '/pack',
  action: '/action',
  tmp: '/tmp',
  path: '/bin:/usr/bin',
} as const;

/** The namespace options: everything unshared, or everything but the network. */
function namespaceArgs(network: boolean): string[] {
  // fault container-shares-host-pid: the PID namespace is the host's (its /proc lists the host's processes)
  if (fault('container-shares-host-pid')) {
    return ['--unshare-user-try', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try', ...(network ? [] : ['--unshare-net'])];
  }
  return network ? ['--unshare-all', '--share-net'] : ['--unshare-all'];
}

/** The argument list for bwrap (without the bwrap binary itself). */
export function bwrapArgs(plan: SandboxPlan): string[] {
  // fault container-network-on: every sandbox keeps the host's network, whatever the runtime says
  const network = plan.network || fault('container-network-on');
  const args: string[] = [
    ...namespaceArgs(network),
    // fault container-outlives-worker: the sandbox is not tied to its parent, so killing bwrap leaves the action running
    ...(fault('container-outlives-worker') ? [] : ['--die-with-parent']),
    '--new-session',
    '--cap-drop', 'ALL',
    // fault container-rootfs-writable: the root file system is bound read-write (an action can change it for all runs)
    fault('container-rootfs-writable') ? '--bind' : '--ro-bind', plan.rootfs, '/',
    '--proc', '/proc',
    '--dev', '/dev',
    // fault container-tmp-shared: /tmp is one host folder shared by every sandbox instead of an empty tmpfs per run
    ...(fault('container-tmp-shared') ? ['--bind', sharedTmp(), INSIDE.tmp] : ['--tmpfs', INSIDE.tmp]),
  ];
  // name resolution needs the host's resolver configuration when the network is on (the rootfs holds an empty file)
  if (network) args.push('--ro-bind-try', '/etc/resolv.conf', '/etc/resolv.conf');
  for (const b of plan.binds) args.push('--ro-bind', b.host, b.inside);
  args.push('--chdir', plan.cwd);
  args.push('--clearenv');
  for (const [name, value] of Object.entries(plan.env)) args.push('--setenv', name, value);
  args.push('--', plan.command, ...plan.args);
  return args;
}
