/**
 * Questions about the datastore.
 */
import type { ApiClient, RawResponse } from '../api/client';
import type { Key } from '../api/models';
import type { AttuneWorld } from '../world';

export type { Key };

/** Reads a key; returns the status too, because a denied read looks like a missing key (404). */
export async function key(world: AttuneWorld, ref: string, as: ApiClient = world.api): Promise<RawResponse<{ data?: Key }>> {
  return as.raw<{ data?: Key }>('GET', `/api/v1/keys/${encodeURIComponent(ref)}`);
}
