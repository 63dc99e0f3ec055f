/**
 * Which pack sensors should be running: every enabled sensor (other than the built-in core timer
 * sensor, served in process) that declares at least one enabled trigger used by an enabled rule.
 * Read straight from the database on each reconcile, so a missed lifecycle message costs at most
 * one reconcile interval.
 */
import type { Queryable } from '../../common/db';
import { TIMER_SENSOR_REF } from '../../common/models';

/** One entry of ATTUNE_SENSOR_TRIGGERS: an enabled rule on one of the sensor's triggers. */
export interface SensorTriggerEntry {
  id: number;
  ref: string;
  trigger_ref: string;
  config: unknown;
}

export interface DesiredSensor {
  sensorId: number;
  sensorRef: string;
  packRef: string;
  entrypoint: string;
  runtime: { ref: string | null; name: string | null; execution_config: unknown };
  config: unknown;
  /** every trigger the sensor declares (the sensor token's trigger_types) */
  triggerTypes: string[];
  /** the enabled rules on those triggers, oldest first */
  rules: SensorTriggerEntry[];
}

/** A fingerprint of what the process was started with: a change means a restart. */
export function launchSignature(d: DesiredSensor): string {
  return JSON.stringify([d.entrypoint, d.runtime.ref, d.config, d.triggerTypes, d.rules]);
}

export async function loadDesiredSensors(db: Queryable): Promise<DesiredSensor[]> {
  const { rows } = await db.query(
    `SELECT s.id AS sensor_id, s.ref AS sensor_ref, s.pack_ref, s.entrypoint, s.config AS sensor_config,
            rt.ref AS runtime_ref, rt.name AS runtime_name, rt.execution_config,
            (SELECT coalesce(array_agg(t2.ref ORDER BY t2.ref), '{}') FROM "trigger" t2 WHERE t2.sensor = s.id) AS trigger_types,
            r.id AS rule_id, r.ref AS rule_ref, r.trigger_ref, r.trigger_params, r.enabled AS rule_enabled
       FROM sensor s
       JOIN runtime rt ON rt.id = s.runtime
       JOIN "trigger" t ON t.sensor = s.id AND t.enabled
       JOIN rule r ON r.trigger_ref = t.ref
      WHERE s.enabled AND s.ref <> $1 AND coalesce(s.pack_ref, '') <> 'core'
      ORDER BY s.id, r.id`,
    [TIMER_SENSOR_REF],
  );
  const byId = new Map<number, DesiredSensor>();
  for (const row of rows) {
    if (!row.rule_enabled) continue;
    const id = Number(row.sensor_id);
    let d = byId.get(id);
    if (!d) {
      d = {
        sensorId: id,
        sensorRef: row.sensor_ref,
        packRef: row.pack_ref,
        entrypoint: row.entrypoint,
        runtime: { ref: row.runtime_ref, name: row.runtime_name, execution_config: row.execution_config },
        config: row.sensor_config ?? {},
        triggerTypes: row.trigger_types as string[],
        rules: [],
      };
      byId.set(id, d);
    }
    d.rules.push({ id: Number(row.rule_id), ref: row.rule_ref, trigger_ref: row.trigger_ref, config: row.trigger_params ?? {} });
  }
  return [...byId.values()];
}
