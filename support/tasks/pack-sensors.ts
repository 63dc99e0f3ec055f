/**
 * Acts around a pack's own sensor (internals §5.1): installs the fixture pack of
 * fixtures/packs/e2e_pack_sensor as the scenario's pack, creates rules on its trigger with the
 * sensor's parameters, and crashes the running sensor process over the wire (its `control`
 * trigger's description, which the fixture sensor polls).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiError, unwrapBody } from '../api/envelopes';
import { projectRoot } from '../target';
import type { AttuneWorld } from '../world';
import { addPackFile, installPackFromFiles } from './packs';
import { createRule, type RememberedRule } from './rules';

export const SENSOR_FIXTURE_DIR = path.join(projectRoot, 'fixtures', 'packs', 'e2e_pack_sensor');

/** What a scenario keeps about the pack sensor it installed. */
export interface PackSensor {
  ref: string;
  triggerRef: string;
  controlRef: string;
  /** server stamp (epoch ms) of the last crash order: the control trigger's `updated` after the call */
  crashedAt?: number;
  /** the start (payload `boot`) that was running when the crash order went out */
  crashedBoot?: string;
}

function fixtureFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? fixtureFiles(dir, rel) : [rel];
  });
}

/** Installs the fixture pack as the scenario's own pack; its sensor and triggers are named as the feature names them. */
export async function installSensorPack(world: AttuneWorld, sensorName: string, triggerName: string): Promise<PackSensor> {
  const sensor: PackSensor = { ref: world.ref(sensorName), triggerRef: world.ref(triggerName), controlRef: world.ref('control') };
  if (sensor.ref !== `${world.packRef}.poller` || sensor.triggerRef !== `${world.packRef}.reading`) {
    throw new Error(`the fixture pack's sensor is "poller" serving the trigger "reading" (asked: "${sensorName}", "${triggerName}")`);
  }
  for (const file of fixtureFiles(SENSOR_FIXTURE_DIR)) {
    if (file === 'README.md') continue;
    addPackFile(world, file, fs.readFileSync(path.join(SENSOR_FIXTURE_DIR, file), 'utf8'));
  }
  await installPackFromFiles(world);
  return world.remember<PackSensor>('pack sensor', sensorName, sensor);
}

/** A rule on the sensor's trigger whose action is core.echo with `message`; the sensor reads `sensorParams`. */
export async function createSensorRule(
  world: AttuneWorld,
  name: string,
  triggerRef: string,
  message: string,
  sensorParams: Record<string, string>,
): Promise<RememberedRule> {
  const trigger_params: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(sensorParams)) trigger_params[key] = /^\d+$/.test(value) ? Number(value) : value;
  return createRule(world, { name, trigger_ref: triggerRef, trigger_params, action_ref: 'core.echo', action_params: { message } });
}

/** Orders the running sensor process to kill itself (SIGKILL): the control trigger's description becomes "crash <n>". */
export async function crashSensor(world: AttuneWorld, sensor: PackSensor, runningBoot: string): Promise<void> {
  const path = `/api/v1/triggers/${encodeURIComponent(sensor.controlRef)}`;
  const response = await world.api.raw('PUT', path, { description: `crash ${world.uniq('order')}` });
  const row = unwrapBody(response.body) as { updated?: string } | null;
  if (response.status !== 200 || typeof row?.updated !== 'string') {
    throw new ApiError('PUT', path, response.status, response.body, `ordering the sensor ${sensor.ref} to crash (200 with the trigger expected)`);
  }
  sensor.crashedAt = Date.parse(row.updated);
  sensor.crashedBoot = runningBoot;
}
