/**
 * Can this worker run container actions? Probed once per worker process: the sandbox tool is on PATH, the root
 * filesystem is built, and a trial sandbox (the very options real actions get) runs `/bin/true` with exit code 0.
 * The answer goes into `worker.capabilities` (`runtimes` gets `container` only when it is yes; `container:
 * {available, tool, reason}` always), and a container action on a worker that said no fails with the reason.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { config } from '../../common/config';
import { fromRoot } from '../../common/paths';
import { bwrapArgs, INSIDE } from './bwrap-command';

export interface SandboxStatus {
  available: boolean;
  tool: 'bwrap';
  /** why not (the tool's own words when the trial failed), or what was found */
  reason: string;
  /** absolute path of the tool, when found */
  toolPath?: string;
  /** absolute path of the root filesystem */
  rootfs: string;
  /** duration of the trial sandbox, when it ran */
  trialMs?: number;
}

/** The capability report of `worker.capabilities.container` (docs/runtimes.md). */
export interface ContainerCapability {
  available: boolean;
  tool: string;
  reason: string;
}

export function containerCapability(status: SandboxStatus): ContainerCapability {
  return { available: status.available, tool: status.tool, reason: status.reason };
}

/** `name` resolved on PATH (or as given, when it is a path); undefined when there is no such executable. */
export function findExecutable(name: string, envPath: string = process.env.PATH ?? '', isExecutable: (p: string) => boolean = executable): string | undefined {
  if (name.includes('/')) return isExecutable(name) ? path.resolve(name) : undefined;
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function executable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Runs a command, collecting its exit code and stderr; never rejects. */
function trial(command: string, args: string[], timeoutMs: number): Promise<{ code: number | null; stderr: string; spawnError?: string; ms: number }> {
  const start = performance.now();
  return new Promise((resolve) => {
    let stderr = '';
    let settled = false;
    const done = (r: { code: number | null; spawnError?: string }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...r, stderr, ms: Math.round(performance.now() - start) });
    };
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done({ code: null, spawnError: `the trial sandbox did not finish within ${timeoutMs} ms` });
    }, timeoutMs);
    child.stderr?.on('data', (c: Buffer) => {
      if (stderr.length < 4000) stderr += c.toString('utf8');
    });
    child.on('error', (err) => done({ code: null, spawnError: err.message }));
    child.on('close', (code) => done({ code }));
  });
}

export interface ProbeOptions {
  tool?: string;
  /** the root filesystem (relative paths are taken from the project root) */
  rootfs?: string;
  timeoutMs?: number;
}

export async function probeSandbox(opts: ProbeOptions = {}): Promise<SandboxStatus> {
  const cfg = config().worker.container;
  const toolName = opts.tool ?? cfg.tool;
  const rootfs = fromRoot(opts.rootfs ?? cfg.rootfs);
  const base = { tool: 'bwrap' as const, rootfs };
  if (path.basename(toolName) !== 'bwrap') {
    return { ...base, available: false, reason: `worker.container.tool '${toolName}' is not supported (this worker drives bwrap)` };
  }
  const toolPath = findExecutable(toolName);
  if (!toolPath) {
    const where = toolName.includes('/') ? `${toolName} is not an executable file` : 'bwrap not found on PATH';
    return { ...base, available: false, reason: `${where} (install bubblewrap: apt-get install bubblewrap)` };
  }
  if (!fs.existsSync(path.join(rootfs, 'bin', 'sh'))) {
    return { ...base, toolPath, available: false, reason: `no container root filesystem at ${rootfs} (build it with scripts/build-container-rootfs.sh)` };
  }
  const args = bwrapArgs({ rootfs, network: false, binds: [], cwd: '/', env: { PATH: INSIDE.path }, command: '/bin/true', args: [] });
  const run = await trial(toolPath, args, opts.timeoutMs ?? 10_000);
  if (run.spawnError !== undefined || run.code !== 0) {
    const why = run.stderr.trim().split('\n').filter(Boolean).pop() ?? run.spawnError ?? `exit code ${String(run.code)}`;
    return { ...base, toolPath, available: false, reason: run.spawnError && !run.stderr.trim() ? run.spawnError : why };
  }
  return { ...base, toolPath, available: true, trialMs: run.ms, reason: `bwrap at ${toolPath}, rootfs ${rootfs}: trial sandbox ran in ${run.ms} ms` };
}

let probed: Promise<SandboxStatus> | undefined;

/** This worker's sandbox status (probed on first use, then kept for the life of the process). */
export function sandboxStatus(): Promise<SandboxStatus> {
  probed ??= probeSandbox();
  return probed;
}
