/**
 * Questions about enforcements: those of a rule or of an event.
 */
import type { ApiClient } from '../api/client';
import type { Enforcement, EnforcementSummary } from '../api/models';
import { unwrap } from '../api/envelopes';
import type { AttuneWorld } from '../world';
import { allPages, PAGE_SIZE } from './pages';

export type { Enforcement, EnforcementSummary };

export interface EnforcementFilter {
  rule_ref?: string;
  event?: number;
}

export async function enforcementsOf(
  world: AttuneWorld,
  filter: EnforcementFilter,
  as: ApiClient = world.api,
): Promise<EnforcementSummary[]> {
  if (filter.rule_ref === undefined && filter.event === undefined) throw new Error('enforcementsOf needs a rule_ref or an event');
  const rows = await allPages<EnforcementSummary>(`listing enforcements of ${JSON.stringify(filter)}`, (page) =>
    as.GET('/api/v1/enforcements', { params: { query: { ...filter, page, per_page: PAGE_SIZE } } }),
  );
  return rows
    .filter((e) => (filter.event === undefined || e.event === filter.event) && (!filter.rule_ref || e.rule_ref === filter.rule_ref))
    .sort((a, b) => Date.parse(a.created) - Date.parse(b.created) || a.id - b.id);
}

export async function enforcement(world: AttuneWorld, id: number, as: ApiClient = world.api): Promise<Enforcement> {
  return unwrap(await as.GET('/api/v1/enforcements/{id}', { params: { path: { id } } }), `reading enforcement ${id}`);
}
