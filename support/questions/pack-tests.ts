/**
 * Questions about a pack's test runs: its history (`GET /api/v1/packs/{ref}/tests`, newest first) and its latest run
 * (`GET /api/v1/packs/{ref}/tests/latest`, 404 when there is none). Runs are Attune's PackTestExecution (camelCase).
 */
import type { RawResponse } from '../api/client';
import type { Item } from '../api/models';
import { listItems } from '../api/envelopes';
import type { AttuneWorld } from '../world';

/** One test run as Attune lists it (its PackTestExecution, camelCase fields), typed from the generated document. */
export type PackTestRun = Item<'/api/v1/packs/{pack_ref}/tests', 'get'>;

/** Every test run of the scenario's pack as listed (one page of 100 is plenty for a scenario), with the listed total. */
export async function testRunsOfOwnPack(world: AttuneWorld): Promise<{ runs: PackTestRun[]; total: number }> {
  const ref = world.packRef;
  const answer = await world.api.GET('/api/v1/packs/{pack_ref}/tests', { params: { path: { pack_ref: ref }, query: { page_size: 100 } } });
  if (!answer.response.ok) throw new Error(`listing the test runs of pack ${ref} answered ${answer.response.status}: ${JSON.stringify(answer.error)}`);
  const body = answer.data as { pagination?: { total_items?: number } } | undefined;
  const runs = listItems(answer.data) as unknown as PackTestRun[];
  return { runs, total: Number(body?.pagination?.total_items ?? runs.length) };
}

/** The latest run of the scenario's pack, as answered (status and body). */
export async function latestTestRunOfOwnPack(world: AttuneWorld): Promise<RawResponse<{ data?: PackTestRun }>> {
  return world.api.raw<{ data?: PackTestRun }>('GET', `/api/v1/packs/${encodeURIComponent(world.packRef)}/tests/latest`);
}
