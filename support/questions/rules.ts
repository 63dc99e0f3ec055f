/**
 * Questions about rules: one rule by its ref (or the answer saying there is none), and the rules of a pack.
 */
import type { ApiClient } from '../api/client';
import type { Rule } from '../api/models';
import { unwrapBody, type FetchResult } from '../api/envelopes';
import type { AttuneWorld } from '../world';
import { allPages, PAGE_SIZE } from './pages';

export type { Rule };

/** The rule with this ref, or the HTTP status that said it is not there (404 expected). */
export async function ruleByRef(world: AttuneWorld, ref: string, as: ApiClient = world.api): Promise<{ status: number; rule?: Rule }> {
  const result = await as.GET('/api/v1/rules/{ref}', { params: { path: { ref } } });
  const { status } = result.response;
  return result.response.ok ? { status, rule: unwrapBody(result.data) as Rule } : { status };
}

/** Every rule of the pack (the caller's view), by ref. */
export async function rulesOfPack(world: AttuneWorld, packRef: string, as: ApiClient = world.api): Promise<Rule[]> {
  return allPages<Rule>(`listing the rules of pack ${packRef}`, (page) =>
    as.GET('/api/v1/packs/{pack_ref}/rules', {
      params: { path: { pack_ref: packRef }, query: { page, per_page: PAGE_SIZE } },
    }) as Promise<FetchResult<unknown>>,
  );
}
