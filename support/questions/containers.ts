/**
 * Questions about container actions: what the look-around script reported (namespaces, folder, parent process, and
 * whether it could see what it was told to look for), and how a run stopped by a timeout ended.
 */
import type { AttuneWorld } from '../world';
import { awaitOutcome, type Execution } from './executions';
import { resultOf } from './outcomes';

/** One line of JSON the look-around script prints (parsed by the target into `result.data`). */
export interface LookAround {
  pid_ns: string;
  mnt_ns: string;
  net_ns: string;
  /** its working directory */
  dir: string;
  /** the process that started it */
  parent_pid: number;
  /** `yes` / `no` / `none` (nothing to look for) */
  saw_dir: string;
  saw_pid: string;
}

const NAMESPACE = { pid_ns: /^pid:\[\d+\]$/, mnt_ns: /^mnt:\[\d+\]$/, net_ns: /^net:\[\d+\]$/ } as const;

/** Waits for the named run to complete and returns its report; throws (with the result) when it is malformed. */
export async function lookAround(world: AttuneWorld, runName: string): Promise<{ run: Execution; report: LookAround }> {
  const started = world.recall<Execution>('execution', runName);
  const run = await awaitOutcome(world, started.id, 'completed');
  world.markAsserted(run.id);
  const data = resultOf(run).data as Partial<LookAround> | undefined;
  const shown = `"${runName}" (execution ${run.id}, result ${JSON.stringify(run.result)})`;
  if (!data || typeof data !== 'object') throw new Error(`${shown} printed no JSON report`);
  for (const [key, shape] of Object.entries(NAMESPACE)) {
    const value = (data as Record<string, unknown>)[key];
    if (typeof value !== 'string' || !shape.test(value)) throw new Error(`${shown}: ${key} is ${JSON.stringify(value)}, not a namespace id like ${shape.source}`);
  }
  if (typeof data.dir !== 'string' || !data.dir.startsWith('/')) throw new Error(`${shown}: dir is not an absolute path`);
  if (typeof data.parent_pid !== 'number' || data.parent_pid < 1) throw new Error(`${shown}: parent_pid is not a process id`);
  return { run, report: data as LookAround };
}

/** What a run that ran past its timeout must say about itself. */
export function timeoutOutcome(run: Execution): Record<string, unknown> {
  const result = resultOf(run);
  return {
    status: run.status,
    succeeded: result.succeeded,
    timed_out: result.timed_out,
    exit_code: result.exit_code,
    error: result.error,
    stdout: result.stdout,
  };
}
