/**
 * The container runtime (docs/runtimes.md "Container runner"): what ActionRunner.prepare and the worker's start-up
 * use of stack/worker/sandbox.
 *   containerSettingsOf(runtime)  null for ordinary runtimes; the sandbox settings of a container runtime
 *   requireSandbox()              this worker's sandbox, or an error saying why there is none
 *   sandboxBaseEnv()              the environment a sandboxed action starts from
 *   sandboxedIf(…)                the process spec, moved into the sandbox when the runtime asks for one
 *   sandboxStatus() / containerCapability()   the start-up probe and its capability report
 */
import type { ProcessSpec } from '../process-runner';
import type { ContainerSettings } from './container-settings';
import { sandboxStatus, type SandboxStatus } from './probe';
import { sandboxedSpec } from './sandboxed-spec';

export { containerSettingsOf, ContainerSettingsError, type ContainerSettings } from './container-settings';
export { containerCapability, sandboxStatus, type ContainerCapability, type SandboxStatus } from './probe';
export { sandboxBaseEnv, sandboxedSpec } from './sandboxed-spec';

/** This worker's sandbox when it has a usable one; otherwise throws the reason (the execution fails with it). */
export async function requireSandbox(): Promise<SandboxStatus> {
  const status = await sandboxStatus();
  if (!status.available) {
    throw new Error(`This worker cannot run container actions: ${status.reason}. The action was not run (it never runs outside its sandbox)`);
  }
  return status;
}

/** `spec` unchanged for ordinary runtimes; the same run inside the sandbox for a container runtime. */
export async function sandboxedIf(
  settings: ContainerSettings | null,
  status: SandboxStatus | undefined,
  where: { packDir?: string; tmpDir?: string },
  spec: ProcessSpec,
): Promise<ProcessSpec> {
  if (!settings) return spec;
  return sandboxedSpec({ spec, settings, status: status ?? (await requireSandbox()), ...where });
}

/**
 * The runtime names the worker advertises, with `container` decided by the probe: added when the sandbox works and
 * the list was detected; kept out (or taken out of an explicit ATTUNE_WORKER_RUNTIMES list) when it does not.
 */
export function withContainerRuntime(runtimes: string[], status: Pick<SandboxStatus, 'available'>, explicitList: boolean): string[] {
  const isContainer = (r: string): boolean => ['container', 'sandbox'].includes(r.trim().toLowerCase());
  if (!status.available) return runtimes.filter((r) => !isContainer(r));
  if (explicitList || runtimes.some(isContainer)) return runtimes;
  return [...runtimes, 'container'];
}
