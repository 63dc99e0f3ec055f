/**
 * Acts on executions: run an action by hand, cancel a run.
 */
import type { RawResponse } from '../api/client';
import { unwrap } from '../api/envelopes';
import type { AttuneWorld } from '../world';

import type { Execution } from '../api/models';

export type { Execution };

/** POST /api/v1/executions/execute; the new execution is remembered under `name` (default: the action ref). */
export async function runAction(
  world: AttuneWorld,
  actionRef: string,
  parameters: Record<string, unknown> = {},
  name?: string,
): Promise<Execution> {
  const execution = unwrap(
    await world.api.POST('/api/v1/executions/execute', {
      body: { action_ref: actionRef, parameters, env_vars: {} },
    }),
    `running ${actionRef}`,
  );
  world.trackExecution(execution.id);
  world.remember('execution', name ?? actionRef, execution);
  world.remember('execution', 'last', execution);
  return execution;
}

export async function cancelExecution(world: AttuneWorld, id: number): Promise<Execution> {
  return unwrap(
    await world.api.POST('/api/v1/executions/{id}/cancel', { params: { path: { id } } }),
    `cancelling execution ${id}`,
  );
}

/** Asks the platform to publish a still-requested execution's request again (Attune's recovery control); the answer as sent. */
export async function rescheduleExecution(world: AttuneWorld, id: number): Promise<RawResponse> {
  const result = await world.api.POST('/api/v1/executions/{id}/reschedule', { params: { path: { id } } });
  const { response } = result;
  return {
    status: response.status,
    ok: response.ok,
    body: result.data ?? result.error,
    headers: response.headers,
    contentType: response.headers.get('content-type') ?? '',
  };
}
