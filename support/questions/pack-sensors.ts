/**
 * Questions about a pack sensor's readings: the events it recorded (with their payloads), grouped
 * by the sensor's start (`boot` in the fixture sensor's payload).
 */
import type { AttuneWorld } from '../world';
import { event, eventsOf, type EventFilter } from './events';

/** One recorded event of the fixture sensor, with the fields of its payload. */
export interface Reading {
  id: number;
  created: number;
  source_ref: string | null;
  rule_ref: string | null;
  trigger_ref: string;
  reading: unknown;
  seq: unknown;
  boot: unknown;
  payload: unknown;
}

/** Every event matching the filter, payloads read one by one (cached: events never change). */
export async function readings(world: AttuneWorld, filter: EventFilter): Promise<Reading[]> {
  const cache = (world.scratch['sensor readings'] ??= new Map<number, Reading>()) as Map<number, Reading>;
  const out: Reading[] = [];
  for (const summary of await eventsOf(world, filter)) {
    let reading = cache.get(summary.id);
    if (!reading) {
      const full = await event(world, summary.id);
      const payload = (full.payload ?? null) as Record<string, unknown> | null;
      reading = {
        id: full.id,
        created: Date.parse(full.created),
        source_ref: full.source_ref ?? null,
        rule_ref: full.rule_ref ?? null,
        trigger_ref: full.trigger_ref,
        reading: payload?.reading,
        seq: payload?.seq,
        boot: payload?.boot,
        payload,
      };
      cache.set(summary.id, reading);
    }
    out.push(reading);
  }
  return out;
}

/** Readings grouped by start, in the order the starts first posted. */
export function byBoot(list: Reading[]): Map<string, Reading[]> {
  const groups = new Map<string, Reading[]>();
  for (const r of list) {
    const key = String(r.boot);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(r);
  }
  return groups;
}

/** A compact view of readings for failure messages. */
export function shown(list: Reading[]): Array<Record<string, unknown>> {
  return list.map((r) => ({ id: r.id, created: new Date(r.created).toISOString(), rule: r.rule_ref, source: r.source_ref, payload: r.payload }));
}
