/**
 * Acts on container actions (docs/runtimes.md "Container runner"): inline actions of the container runtime
 * (`core.container`, or a runtime the scenario's pack declares) with the delivery, format and timeout a scenario asks
 * for; runs that look for what another run saw; a run pointed at one of the scenario's webhooks; cancelling a run.
 */
import { stringify as toYaml } from 'yaml';
import type { Action } from '../api/models';
import type { AttuneWorld } from '../world';
import { createAction } from './actions';
import { runAction, type Execution } from './executions';
import { addPackFile } from './packs';

/** The container runtime every Attune-compatible target with a sandbox offers (docs/runtimes.md). */
export const CONTAINER_RUNTIME = 'core.container';

export interface ContainerActionSpec {
  /** bare name, resolved into the scenario's pack */
  name: string;
  /** the shell script (busybox sh inside the container) */
  script: string;
  parameterDelivery?: 'stdin' | 'file';
  parameterFormat?: 'json' | 'dotenv' | 'yaml';
  outputFormat?: 'text' | 'json' | 'yaml' | 'jsonl';
  timeoutSeconds?: number;
  /** default `core.container` */
  runtimeRef?: string;
}

/** Creates an inline action of the container runtime in the scenario's pack (deleted at cleanup). */
export async function createContainerAction(world: AttuneWorld, spec: ContainerActionSpec): Promise<Action> {
  return createAction(world, {
    ...spec,
    description: `Acceptance-suite container action "${spec.name}"`,
    runtimeRef: spec.runtimeRef ?? CONTAINER_RUNTIME,
  });
}

/** The parameters of a look-around run that searches for what an earlier run saw (its folder, its parent process). */
export function lookForWhatWasSeen(seen: { dir: string; parent_pid: number }): Record<string, unknown> {
  return { look_for_dir: seen.dir, look_for_pid: String(seen.parent_pid) };
}

/** Runs an action remembered under `name` as well as under its ref and "last". */
export async function runNamed(world: AttuneWorld, actionRef: string, name: string, parameters: Record<string, unknown> = {}): Promise<Execution> {
  const run = await runAction(world, actionRef, parameters, name);
  world.remember('execution', name, run);
  return run;
}

/** The path of a webhook of the scenario (its key taken from the enable call), for an action that posts to it. */
export function webhookPath(world: AttuneWorld, triggerRef: string): string {
  const key = world.recall<string>('webhook', triggerRef);
  return `/api/v1/webhooks/${encodeURIComponent(key)}`;
}

/**
 * Writes `runtimes/<name>.yaml` into the scenario's pack files: a runtime of its own named Container (so a worker
 * offering the container runtime takes its actions) whose `container` block allows the network. Returns its ref.
 */
export function declareNetworkedContainerRuntime(world: AttuneWorld, name: string): string {
  const ref = world.ref(name);
  addPackFile(
    world,
    `runtimes/${ref.split('.').pop()}.yaml`,
    toYaml({
      ref,
      name: 'Container',
      description: 'The container runtime with the network allowed',
      execution_config: {
        interpreter: { binary: '/bin/sh', args: [], file_extension: '.sh' },
        inline_execution: { strategy: 'temp_file', extension: '.sh', inject_shell_helpers: true },
        // tool and rootfs left to the worker (its sandbox tool, its default root file system)
        container: { network: true },
      },
    }),
  );
  return ref;
}
