/**
 * Acts on a pack's own tests (pack.yaml `testing`): running them again on demand (`POST /api/v1/packs/{ref}/test`).
 * Installing with or without them is `uploadPack`'s `skipTests` (support/tasks/packs.ts).
 */
import { unwrap } from '../api/envelopes';
import type { AttuneWorld } from '../world';

/** Runs the scenario's pack's tests now; 200 expected. Returns the run's result (Attune's PackTestResult). */
export async function runOwnPackTests(world: AttuneWorld): Promise<Record<string, unknown>> {
  const ref = world.packRef;
  return unwrap(
    await world.api.POST('/api/v1/packs/{pack_ref}/test', { params: { path: { pack_ref: ref } } }),
    `running the tests of pack ${ref}`,
  ) as unknown as Record<string, unknown>;
}
