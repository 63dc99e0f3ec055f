/**
 * Questions about one trigger: how it looks now, and everything that followed from its events (enforcements and the
 * executions of those enforcements), listed by trigger ref so nothing the trigger caused can hide behind a rule filter.
 */
import type { ApiClient } from '../api/client';
import { unwrap } from '../api/envelopes';
import type { EnforcementSummary, ExecutionSummary, Trigger } from '../api/models';
import type { AttuneWorld } from '../world';
import { allPages, PAGE_SIZE } from './pages';

export async function trigger(world: AttuneWorld, ref: string, as: ApiClient = world.api): Promise<Trigger> {
  return unwrap(await as.GET('/api/v1/triggers/{ref}', { params: { path: { ref } } }), `reading trigger ${ref}`) as Trigger;
}

/** Every enforcement whose trigger_ref is `ref` (exact), oldest first. */
export async function enforcementsOfTrigger(world: AttuneWorld, ref: string, as: ApiClient = world.api): Promise<EnforcementSummary[]> {
  const rows = await allPages<EnforcementSummary>(`listing enforcements of trigger ${ref}`, (page) =>
    as.GET('/api/v1/enforcements', { params: { query: { trigger_ref: ref, page, per_page: PAGE_SIZE } } }),
  );
  return rows.filter((row) => row.trigger_ref === ref).sort((a, b) => a.id - b.id);
}

/** Every execution caused through an enforcement of trigger `ref` (the list filter follows the enforcement), oldest first. */
export async function executionsOfTrigger(world: AttuneWorld, ref: string, as: ApiClient = world.api): Promise<ExecutionSummary[]> {
  const rows = await allPages<ExecutionSummary>(`listing executions of trigger ${ref}`, (page) =>
    as.GET('/api/v1/executions', { params: { query: { trigger_ref: ref, page, per_page: PAGE_SIZE } } }),
  );
  rows.forEach((row) => world.trackExecution(row.id));
  return rows.sort((a, b) => a.id - b.id);
}
