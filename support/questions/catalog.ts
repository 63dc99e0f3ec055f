/**
 * Questions about the catalog as the API lists it: a pack's components by kind, the enabled lists, the rules of an
 * action or of a trigger, the sensors of a trigger, and action search. Every answer is the full list (all pages) in
 * the order the target gave it; lists that span every pack are narrowed to one pack by the caller (`ofPack`).
 */
import type { ApiClient } from '../api/client';
import { ok, unwrap, type FetchResult } from '../api/envelopes';
import type { SensorView } from '../tasks/sensors';
import type { AttuneWorld } from '../world';
import { allPages, PAGE_SIZE } from './pages';

export interface Listed {
  ref: string;
  pack_ref?: string | null;
  [field: string]: unknown;
}

export type PackComponentKind = 'actions' | 'triggers' | 'sensors' | 'rules' | 'policies';

const each = (what: string, fetch: (page: number) => Promise<unknown>) =>
  allPages<Listed>(what, (page) => fetch(page) as Promise<FetchResult<unknown>>);

/** GET /api/v1/packs/{pack_ref}/<kind>. */
export async function componentsOfPack(world: AttuneWorld, kind: PackComponentKind, packRef: string, as: ApiClient = world.api): Promise<Listed[]> {
  const path = { pack_ref: packRef };
  const what = `listing the ${kind} of pack ${packRef}`;
  switch (kind) {
    case 'actions':
      return each(what, (page) => as.GET('/api/v1/packs/{pack_ref}/actions', { params: { path, query: { page, per_page: PAGE_SIZE } } }));
    case 'triggers':
      return each(what, (page) => as.GET('/api/v1/packs/{pack_ref}/triggers', { params: { path, query: { page, per_page: PAGE_SIZE } } }));
    case 'sensors':
      return each(what, (page) => as.GET('/api/v1/packs/{pack_ref}/sensors', { params: { path, query: { page, per_page: PAGE_SIZE } } }));
    case 'rules':
      return each(what, (page) => as.GET('/api/v1/packs/{pack_ref}/rules', { params: { path, query: { page, per_page: PAGE_SIZE } } }));
    case 'policies':
      return each(what, (page) => as.GET('/api/v1/packs/{pack_ref}/policies', { params: { path, query: { page, page_size: PAGE_SIZE } } }));
  }
}

export type EnabledKind = 'rules' | 'triggers' | 'sensors';

/** GET /api/v1/<kind>/enabled: every enabled entry the caller may read, in the target's order. */
export async function enabledList(world: AttuneWorld, kind: EnabledKind, as: ApiClient = world.api): Promise<Listed[]> {
  const what = `listing the enabled ${kind}`;
  switch (kind) {
    case 'rules':
      return each(what, (page) => as.GET('/api/v1/rules/enabled', { params: { query: { page, per_page: PAGE_SIZE } } }));
    case 'triggers':
      return each(what, (page) => as.GET('/api/v1/triggers/enabled', { params: { query: { page, per_page: PAGE_SIZE } } }));
    case 'sensors':
      return each(what, (page) => as.GET('/api/v1/sensors/enabled', { params: { query: { page, page_size: PAGE_SIZE } } }));
  }
}

/** GET /api/v1/sensors: every sensor the caller may read. */
export async function allSensors(world: AttuneWorld, as: ApiClient = world.api): Promise<Listed[]> {
  return each('listing the sensors', (page) => as.GET('/api/v1/sensors', { params: { query: { page, page_size: PAGE_SIZE } } }));
}

/** GET /api/v1/policies: every policy the caller may read. */
export async function allPolicies(world: AttuneWorld, as: ApiClient = world.api): Promise<Listed[]> {
  return each('listing the policies', (page) => as.GET('/api/v1/policies', { params: { query: { page, page_size: PAGE_SIZE } } }));
}

/** GET /api/v1/actions/{action_ref}/policies. */
export async function policiesOfAction(world: AttuneWorld, actionRef: string, as: ApiClient = world.api): Promise<Listed[]> {
  return each(`listing the policies of action ${actionRef}`, (page) =>
    as.GET('/api/v1/actions/{action_ref}/policies', { params: { path: { action_ref: actionRef }, query: { page, page_size: PAGE_SIZE } } }),
  );
}

/** GET /api/v1/actions/{action_ref}/rules or /api/v1/triggers/{trigger_ref}/rules. */
export async function rulesUsing(world: AttuneWorld, kind: 'action' | 'trigger', ref: string, as: ApiClient = world.api): Promise<Listed[]> {
  const what = `listing the rules of ${kind} ${ref}`;
  return kind === 'action'
    ? each(what, (page) => as.GET('/api/v1/actions/{action_ref}/rules', { params: { path: { action_ref: ref }, query: { page, page_size: PAGE_SIZE } } }))
    : each(what, (page) => as.GET('/api/v1/triggers/{trigger_ref}/rules', { params: { path: { trigger_ref: ref }, query: { page, page_size: PAGE_SIZE } } }));
}

/** GET /api/v1/triggers/{trigger_ref}/sensors. */
export async function sensorsOfTrigger(world: AttuneWorld, triggerRef: string, as: ApiClient = world.api): Promise<Listed[]> {
  return each(`listing the sensors of trigger ${triggerRef}`, (page) =>
    as.GET('/api/v1/triggers/{trigger_ref}/sensors', { params: { path: { trigger_ref: triggerRef }, query: { page, page_size: PAGE_SIZE } } }),
  );
}

export interface SearchAnswer {
  status: number;
  hits: Listed[];
  body: unknown;
}

/** GET /api/v1/actions/search?q=…&packs=… (one page of up to 100 hits; a refused search gives its status and body). */
export async function searchActions(world: AttuneWorld, words: string, packs: string[], as: ApiClient = world.api): Promise<SearchAnswer> {
  const result = await as.GET('/api/v1/actions/search', { params: { query: { q: words, packs: packs.join(','), page_size: PAGE_SIZE } } });
  if (!result.response.ok) return { status: result.response.status, hits: [], body: result.error };
  const body = ok(result, `searching actions for "${words}"`) as { items?: Listed[]; data?: Listed[] };
  return { status: result.response.status, hits: body.items ?? body.data ?? [], body };
}

/** The entries of one pack, keeping the list's order. */
export function ofPack(list: readonly Listed[], packRef: string): Listed[] {
  return list.filter((x) => x.pack_ref === packRef || (x.pack_ref == null && x.ref.startsWith(`${packRef}.`)));
}

/** The sensor as GET /api/v1/sensors/{ref} shows it, or the status that said it is not there. */
export async function sensorByRef(world: AttuneWorld, ref: string, as: ApiClient = world.api): Promise<{ status: number; sensor?: SensorView }> {
  const result = await as.GET('/api/v1/sensors/{ref}', { params: { path: { ref } } });
  return result.response.ok ? { status: result.response.status, sensor: unwrap(result) as unknown as SensorView } : { status: result.response.status };
}
