/** A managed sensor's own sensor token: `POST /auth/internal/sensor-token` for its ref and trigger types. */
export const MANAGED_SENSOR_TOKEN_TTL_SECONDS = 86_400;

export async function mintSensorToken(apiUrl: string, sensorRef: string, triggerTypes: string[], ttlSeconds = MANAGED_SENSOR_TOKEN_TTL_SECONDS): Promise<string> {
  const res = await fetch(`${apiUrl}/auth/internal/sensor-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sensor_ref: sensorRef, trigger_types: triggerTypes, ttl_seconds: ttlSeconds }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`sensor token for ${sensorRef}: HTTP ${res.status}: ${text.slice(0, 300)}`);
  const token = (JSON.parse(text) as { data?: { token?: unknown } }).data?.token;
  if (typeof token !== 'string' || token === '') throw new Error(`sensor token for ${sensorRef}: the answer carries no data.token`);
  return token;
}
