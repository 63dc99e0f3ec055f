/**
 * Acts on sensors as catalog entries (POST/PUT/DELETE /api/v1/sensors, enable/disable): a sensor of the scenario's pack
 * serving one of its triggers. These sensors are never started by the platform in the scenarios that use them (no
 * enabled rule uses their trigger), so their entrypoint is only a name.
 */
import type { RawResponse } from '../api/client';
import { unwrap } from '../api/envelopes';
import type { AttuneWorld } from '../world';
import { gone } from './common';
import { ensureOwnPack } from './packs';

export interface SensorSpec {
  name: string;
  trigger: string;
  description?: string;
  enabled?: boolean;
}

export interface SensorView {
  ref: string;
  pack_ref?: string | null;
  label: string;
  description?: string | null;
  entrypoint: string;
  runtime_ref: string;
  enabled: boolean;
  [field: string]: unknown;
}

function body(world: AttuneWorld, spec: SensorSpec): Record<string, unknown> {
  return {
    ref: world.ref(spec.name),
    pack_ref: world.packRef,
    label: spec.name,
    description: spec.description ?? `Acceptance-suite sensor "${spec.name}"`,
    entrypoint: `${spec.name.replace(/\W+/g, '_')}.sh`,
    runtime_ref: 'core.shell',
    trigger_ref: world.ref(spec.trigger),
    enabled: spec.enabled ?? true,
  };
}

/** Creates the sensor and registers its deletion (a 404 at cleanup is fine: the scenario may have deleted it). */
export async function createSensor(world: AttuneWorld, spec: SensorSpec): Promise<SensorView> {
  await ensureOwnPack(world);
  const ref = world.ref(spec.name);
  const sensor = unwrap(await world.api.POST('/api/v1/sensors', { body: body(world, spec) as never }), `creating sensor ${ref}`) as unknown as SensorView;
  world.onCleanup(`delete sensor ${ref}`, async () => gone(await world.api.DELETE('/api/v1/sensors/{ref}', { params: { path: { ref } } }), `deleting sensor ${ref}`));
  world.remember('sensor answer', spec.name, sensor);
  return sensor;
}

/** POST /api/v1/sensors with whatever comes back (a refusal included); remembered as the last response. */
export async function attemptSensorCreation(world: AttuneWorld, spec: SensorSpec, overrides: Record<string, unknown> = {}): Promise<RawResponse> {
  await ensureOwnPack(world);
  const response = await world.api.raw('POST', '/api/v1/sensors', { ...body(world, spec), ...overrides });
  if (response.ok) {
    const ref = world.ref(spec.name);
    world.onCleanup(`delete sensor ${ref}`, async () => gone(await world.api.DELETE('/api/v1/sensors/{ref}', { params: { path: { ref } } }), `deleting sensor ${ref}`));
  }
  world.scratch.lastResponse = response;
  return response;
}

export async function updateSensor(world: AttuneWorld, name: string, changes: Record<string, unknown>): Promise<SensorView> {
  const ref = world.ref(name);
  const sensor = unwrap(
    await world.api.PUT('/api/v1/sensors/{ref}', { params: { path: { ref } }, body: changes as never }),
    `updating sensor ${ref}`,
  ) as unknown as SensorView;
  world.remember('sensor answer', name, sensor);
  return sensor;
}

export async function switchSensor(world: AttuneWorld, name: string, enabled: boolean): Promise<SensorView> {
  const ref = world.ref(name);
  const path = { params: { path: { ref } } };
  const result = enabled ? await world.api.POST('/api/v1/sensors/{ref}/enable', path) : await world.api.POST('/api/v1/sensors/{ref}/disable', path);
  const sensor = unwrap(result, `${enabled ? 'enabling' : 'disabling'} sensor ${ref}`) as unknown as SensorView;
  world.remember('sensor answer', name, sensor);
  return sensor;
}

export async function deleteSensor(world: AttuneWorld, name: string): Promise<void> {
  const ref = world.ref(name);
  unwrap(await world.api.DELETE('/api/v1/sensors/{ref}', { params: { path: { ref } } }), `deleting sensor ${ref}`);
}
