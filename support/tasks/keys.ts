/**
 * Acts on the datastore: keys owned by the tenant identity.
 */
import { unwrap } from '../api/envelopes';
import type { AttuneWorld } from '../world';
import { gone } from './common';

import type { Key } from '../api/models';

export type { Key };

export interface KeySpec {
  /** bare name; the key ref becomes `<packRef>.<name>` */
  name: string;
  value: unknown;
  encrypted?: boolean;
}

export async function createKey(world: AttuneWorld, spec: KeySpec): Promise<Key> {
  const ref = world.ref(spec.name);
  const key = unwrap(
    await world.api.POST('/api/v1/keys', {
      body: {
        ref,
        name: spec.name,
        value: spec.value,
        encrypted: spec.encrypted ?? false,
        owner_type: 'identity',
        owner_identity: world.tenant.id,
      },
    }),
    `creating key ${ref}`,
  );
  world.onCleanup(`delete key ${ref}`, async () =>
    gone(await world.api.DELETE('/api/v1/keys/{ref}', { params: { path: { ref } } }), `deleting key ${ref}`),
  );
  return world.remember('key', spec.name, key);
}
