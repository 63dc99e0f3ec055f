/**
 * The records an event led to, read digit for digit: the enforcement's and the execution's `config` and the
 * execution's `result`. The typed client would parse these with JSON.parse and so round an integer beyond 2^53
 * exactly as a target that loses it would; `ApiClient.raw` parses them exactly (support/json-text.ts).
 */
import type { AttuneWorld } from '../world';

async function readExactly(world: AttuneWorld, what: string, path: string): Promise<Record<string, unknown>> {
  const answer = await world.api.raw<{ data?: Record<string, unknown> }>('GET', path);
  if (answer.status !== 200 || !answer.body?.data) throw new Error(`reading ${what} answered ${answer.status}: ${String(answer.body)}`);
  return answer.body.data;
}

export interface ExactChain {
  enforcementConfig: unknown;
  executionConfig: unknown;
  /** what the action printed on stdout, as text */
  stdout: string;
  /** the action's parsed output (`result.data`) */
  resultData: unknown;
}

export async function exactChain(world: AttuneWorld, enforcementId: number, executionId: number): Promise<ExactChain> {
  const enforcement = await readExactly(world, `enforcement ${enforcementId}`, `/api/v1/enforcements/${enforcementId}`);
  const execution = await readExactly(world, `execution ${executionId}`, `/api/v1/executions/${executionId}`);
  const result = (execution.result ?? {}) as { stdout?: unknown; data?: unknown };
  return {
    enforcementConfig: enforcement.config,
    executionConfig: execution.config,
    stdout: typeof result.stdout === 'string' ? result.stdout : '',
    resultData: result.data,
  };
}
