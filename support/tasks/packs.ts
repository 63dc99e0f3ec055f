/**
 * Acts on packs. Every scenario has its own pack (`world.packRef`), created on first need or by a Background step.
 */
import { unwrap } from '../api/envelopes';
import type { AttuneWorld } from '../world';
import { gone } from './common';

import type { Pack } from '../api/models';

export type { Pack };

export async function deletePack(world: AttuneWorld, ref: string): Promise<void> {
  gone(await world.api.DELETE('/api/v1/packs/{ref}', { params: { path: { ref } } }), `deleting pack ${ref}`);
}

/** Creates a pack owned by the tenant (default ref: the scenario's namespace) and schedules its deletion. */
export async function createPack(world: AttuneWorld, options: { ref?: string; name?: string; description?: string } = {}): Promise<Pack> {
  const ref = options.ref ?? (world.packCreated ? world.uniq('pack') : world.packRef);
  const pack = unwrap(
    await world.api.POST('/api/v1/packs', {
      body: {
        ref,
        label: options.name ?? `E2E pack ${ref}`,
        version: '1.0.0',
        description: options.description ?? 'Created by the acceptance suite for one scenario.',
      },
    }),
    `creating pack ${ref}`,
  );
  world.onCleanup(`delete pack ${ref}`, () => deletePack(world, ref));
  if (ref === world.packRef) world.packCreated = true;
  world.remember('pack', options.name ?? (ref === world.packRef ? 'my pack' : ref), pack);
  return pack;
}

/** The scenario's own pack, created the first time something needs it. */
export async function ensureOwnPack(world: AttuneWorld): Promise<string> {
  if (!world.packCreated) await createPack(world);
  return world.packRef;
}
