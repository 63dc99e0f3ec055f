/**
 * Questions about the fires of date and cron timers: what instant each event was due at (the date timer's `fire_at`,
 * the cron timer's `scheduled_at`), when it really fired (`fired_at`) and when the event was recorded (`created`).
 */
import type { EventSummary } from '../api/models';
import type { AttuneWorld } from '../world';
import { event, type Event } from './events';

export interface TimerFire {
  event: Event;
  /** payload.type */
  type: unknown;
  /** the instant the fire was due at (epoch ms): payload.fire_at (date) or payload.scheduled_at (cron) */
  dueAt: number;
  /** the text the payload gave for that instant */
  dueText: string;
  /** payload.fired_at (epoch ms) */
  firedAt: number;
  /** event.created (epoch ms) */
  createdAt: number;
  payload: Record<string, unknown>;
}

function instant(text: unknown, what: string, eventId: number): number {
  const value = typeof text === 'string' ? Date.parse(text) : NaN;
  if (!Number.isFinite(value)) throw new Error(`event ${eventId}: ${what} is not a timestamp: ${JSON.stringify(text)}`);
  return value;
}

/** Reads each event and picks out its timing; `dueField` is `fire_at` (date timers) or `scheduled_at` (cron timers). */
export async function timerFires(world: AttuneWorld, events: EventSummary[], dueField: 'fire_at' | 'scheduled_at'): Promise<TimerFire[]> {
  const fires: TimerFire[] = [];
  for (const summary of events) {
    const full = await event(world, summary.id);
    const payload = (full.payload ?? {}) as Record<string, unknown>;
    if (typeof payload !== 'object' || Array.isArray(payload)) throw new Error(`event ${full.id}: payload is not an object`);
    fires.push({
      event: full,
      type: payload.type,
      dueAt: instant(payload[dueField], `payload.${dueField}`, full.id),
      dueText: String(payload[dueField]),
      firedAt: instant(payload.fired_at, 'payload.fired_at', full.id),
      createdAt: instant(full.created, 'created', full.id),
      payload,
    });
  }
  return fires;
}

/** One line per fire, for failure messages and the report log. */
export function describeFires(fires: TimerFire[]): string {
  return fires
    .map((f) => `event #${f.event.id}: due ${f.dueText}, fired_at +${f.firedAt - f.dueAt} ms, created +${f.createdAt - f.dueAt} ms`)
    .join('; ');
}
