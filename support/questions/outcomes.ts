/**
 * Questions about how an execution ended: the parts of `result` the failure scenarios assert on (contract §12.4,
 * internals §4.8-4.9), waiting for a failure and describing it as one comparable object.
 */
import type { AttuneWorld } from '../world';
import { awaitOutcome, type Execution } from './executions';

/** What a failed execution must say about itself. */
export interface FailureOutcome {
  status: string;
  succeeded: unknown;
  exit_code: unknown;
  error: unknown;
}

export function resultOf(run: Execution): Record<string, unknown> {
  const result = run.result as Record<string, unknown> | null | undefined;
  return result && typeof result === 'object' ? result : {};
}

export function failureOutcome(run: Execution): FailureOutcome {
  const result = resultOf(run);
  return { status: run.status, succeeded: result.succeeded, exit_code: result.exit_code, error: result.error };
}

/** Waits until the execution has failed (stopping early when it ended otherwise), marks it asserted, returns it. */
export async function awaitFailure(world: AttuneWorld, id: number): Promise<Execution> {
  const run = await awaitOutcome(world, id, 'failed');
  world.markAsserted(id);
  return run;
}

/** The stdout text of an execution's result ('' when it printed nothing). */
export function stdoutOf(run: Execution): string {
  const stdout = resultOf(run).stdout;
  return typeof stdout === 'string' ? stdout : '';
}
