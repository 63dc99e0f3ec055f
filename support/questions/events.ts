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
