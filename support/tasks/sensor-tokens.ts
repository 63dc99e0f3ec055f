/**
 * Acts on sensor credentials: the administrator issues a sensor token (POST /auth/sensor-token), a sensor renews it
 * with nothing but the token (POST /auth/internal/sensor-token). The identity `sensor:<ref>` is deleted at cleanup.
 */
import type { RawResponse } from '../api/client';
import { ApiError, unwrapBody } from '../api/envelopes';
import type { AttuneWorld } from '../world';
import { deleteIdentity } from './identities';

export interface SensorToken {
  identity_id: number;
  sensor_ref: string;
  pack_ref?: string | null;
  token: string;
  expires_at: string;
  trigger_types: string[];
  permission_set_refs?: string[];
  /** when the request was sent (ms since the epoch) */
  requestedAt: number;
}

function tokenOf(reply: RawResponse, requestedAt: number, method: string, path: string, what: string): SensorToken {
  if (reply.status !== 200) throw new ApiError(method, path, reply.status, reply.body, `${what} (200 expected)`);
  return { ...(unwrapBody(reply.body) as Omit<SensorToken, 'requestedAt'>), requestedAt };
}

/** As the admin: a token for sensor `sensorRef` (its identity deleted at cleanup). */
export async function issueSensorToken(world: AttuneWorld, sensorRef: string, triggerTypes: string[], ttlSeconds?: number): Promise<SensorToken> {
  const requestedAt = Date.now();
  const body = { sensor_ref: sensorRef, trigger_types: triggerTypes, ...(ttlSeconds === undefined ? {} : { ttl_seconds: ttlSeconds }) };
  const issued = tokenOf(await world.admin.raw('POST', '/auth/sensor-token', body), requestedAt, 'POST', '/auth/sensor-token', `issuing a token for ${sensorRef}`);
  world.onCleanup(`delete sensor identity of ${sensorRef} (#${issued.identity_id})`, () => deleteIdentity(world, issued.identity_id));
  return issued;
}

/** POST /auth/internal/sensor-token with the sensor's token as bearer and no body. */
export async function renewSensorToken(world: AttuneWorld, current: SensorToken): Promise<SensorToken> {
  const requestedAt = Date.now();
  const reply = await world.anonymous.raw('POST', '/auth/internal/sensor-token', undefined, { headers: { authorization: `Bearer ${current.token}` } });
  return tokenOf(reply, requestedAt, 'POST', '/auth/internal/sensor-token', `renewing the token of ${current.sensor_ref}`);
}

/** POST /auth/internal/sensor-token with no token and an empty body, the raw answer. */
export async function askInternalSensorTokenBare(world: AttuneWorld): Promise<RawResponse> {
  return world.anonymous.raw('POST', '/auth/internal/sensor-token', {}, { anonymous: true });
}

/** A request with the sensor token as bearer. */
export async function asSensor(world: AttuneWorld, token: SensorToken, path: string): Promise<RawResponse> {
  return world.anonymous.raw('GET', path, undefined, { headers: { authorization: `Bearer ${token.token}` } });
}
