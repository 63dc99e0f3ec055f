/**
 * Questions about events: the events of a rule or trigger, one event with its payload.
 */
import type { ApiClient } from '../api/client';
import type { Event, EventSummary } from '../api/models';
import { unwrap } from '../api/envelopes';
import type { AttuneWorld } from '../world';
import { allPages, PAGE_SIZE } from './pages';

export type { Event, EventSummary };

export interface EventFilter {
  rule_ref?: string;
  trigger_ref?: string;
}

/** Events matching the filter, oldest first (by their own `created` stamp). */
export async function eventsOf(world: AttuneWorld, filter: EventFilter, as: ApiClient = world.api): Promise<EventSummary[]> {
  if (!filter.rule_ref && !filter.trigger_ref) throw new Error('eventsOf needs a rule_ref or a trigger_ref');
  const rows = await allPages<EventSummary>(`listing events of ${JSON.stringify(filter)}`, (page) =>
    as.GET('/api/v1/events', { params: { query: { ...filter, page, per_page: PAGE_SIZE } } }),
  );
  // the server filters; keep only exact matches in case a target treats the filter as a prefix
  return rows
    .filter((e) => (!filter.rule_ref || e.rule_ref === filter.rule_ref) && (!filter.trigger_ref || e.trigger_ref === filter.trigger_ref))
    .sort((a, b) => Date.parse(a.created) - Date.parse(b.created) || a.id - b.id);
}

export async function event(world: AttuneWorld, id: number, as: ApiClient = world.api): Promise<Event> {
  return unwrap(await as.GET('/api/v1/events/{id}', { params: { path: { id } } }), `reading event ${id}`);
}

/**
 * An event, its payload read digit for digit. The typed client parses answers with JSON.parse, which rounds an
 * integer beyond 2^53; the raw call parses them exactly (`parseJsonExact`), so a target that rounds is seen to.
 */
export async function eventAsWritten(world: AttuneWorld, id: number): Promise<Record<string, unknown>> {
  const answer = await world.api.raw<{ data?: Record<string, unknown> }>('GET', `/api/v1/events/${id}`);
  if (answer.status !== 200 || !answer.body?.data) throw new Error(`reading event ${id} answered ${answer.status}: ${String(answer.body)}`);
  return answer.body.data;
}
