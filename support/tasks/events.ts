/**
 * Acts on events through the API: POST /api/v1/events, which Attune accepts from sensor and execution tokens only.
 * A sensor token is minted for a sensor ref of the scenario's pack and the triggers it may post for
 * (POST /auth/sensor-token); the post is made with it, through its own typed client.
 */
import type { ApiClient, RawResponse } from '../api/client';
import { unwrap } from '../api/envelopes';
import type { AttuneWorld } from '../world';

export interface EventPost {
  trigger_ref: string;
  payload: unknown;
  trigger_instance_id?: string;
}

/** A client holding a fresh sensor token for `<pack>.<sensorName>` that may post events for `triggerRefs`. */
export async function sensorClient(world: AttuneWorld, sensorName: string, triggerRefs: string[]): Promise<ApiClient> {
  const sensorRef = world.ref(sensorName);
  const minted = unwrap(
    await world.api.POST('/auth/sensor-token', { body: { sensor_ref: sensorRef, trigger_types: triggerRefs } }),
    `minting a sensor token for ${sensorRef}`,
  ) as { token?: string; access_token?: string };
  const token = minted.token ?? minted.access_token;
  if (!token) throw new Error(`the sensor token answer for ${sensorRef} holds no token: ${JSON.stringify(minted)}`);
  return world.clientFor(`sensor ${sensorRef}`, () => token);
}

/** POST /api/v1/events as `as`; the answer (whatever it is) is remembered as the last response. */
export async function postEvent(world: AttuneWorld, as: ApiClient, post: EventPost): Promise<RawResponse> {
  const result = await as.POST('/api/v1/events', { body: post as never });
  const response: RawResponse = {
    status: result.response.status,
    ok: result.response.ok,
    body: result.response.ok ? result.data : result.error,
    headers: result.response.headers,
    contentType: result.response.headers.get('content-type') ?? '',
  };
  world.scratch.lastResponse = response;
  return response;
}
