/**
 * Acts on the datastore: keys owned by the tenant identity.
 */
import type { RawResponse } from '../api/client';
import { ok, unwrap } from '../api/envelopes';
import type { AttuneWorld } from '../world';
import { gone } from './common';
import { ensureOwnPack } from './packs';

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

// ---- the datastore scenarios: what a key was given, changes, deletes, pack-owned secrets ----------------------------

/** What the scenario gave a key, for "reads back exactly the value I gave it" (and every value it ever held). */
export interface KeyHistory {
  ref: string;
  /** the value given last (create or change) */
  value: unknown;
  encrypted: boolean;
  /** every value the key was given, oldest first (none of them may be kept in clear when encrypted) */
  values: unknown[];
  /** `updated` as the API reported it right before the last change (undefined before any change) */
  updatedBeforeChange?: string;
  /** `updated` as the API reported it after the last create or change */
  updated: string;
  /** this process's clock (ms) when the create was answered */
  storedAtMs: number;
  /** the `ttl_seconds` the key was created with */
  ttlSeconds?: number;
}

const HISTORY = 'key history';

export function keyHistory(world: AttuneWorld, name: string): KeyHistory {
  return world.recall<KeyHistory>(HISTORY, name);
}

function noteGiven(world: AttuneWorld, name: string, key: Key, value: unknown, previous?: KeyHistory, ttlSeconds?: number): void {
  world.remember<KeyHistory>(HISTORY, name, {
    ref: key.ref,
    value,
    encrypted: key.encrypted,
    values: [...(previous?.values ?? []), value],
    updatedBeforeChange: previous?.updated,
    updated: key.updated,
    storedAtMs: previous?.storedAtMs ?? Date.now(),
    ttlSeconds: previous?.ttlSeconds ?? ttlSeconds,
  });
}

export interface StoredKeySpec extends KeySpec {
  /** project extension (docs/decisions.md): the key expires this many seconds after it is created */
  ttlSeconds?: number;
  /** who owns the key: the tenant identity (default) or the scenario's own pack (a secret of its actions) */
  owner?: 'me' | 'my pack';
}

/** Creates a key in the scenario's namespace (ref `<packRef>.<slug of name>`, `name` as given) and remembers its value. */
export async function storeKey(world: AttuneWorld, spec: StoredKeySpec): Promise<Key> {
  const ref = world.ref(spec.name);
  const owner =
    spec.owner === 'my pack'
      ? { owner_type: 'pack' as const, owner_pack_ref: await ensureOwnPack(world) }
      : { owner_type: 'identity' as const, owner_identity: world.tenant.id };
  const key = unwrap(
    await world.api.POST('/api/v1/keys', {
      body: {
        ref,
        name: spec.name,
        value: spec.value,
        encrypted: spec.encrypted ?? false,
        ...owner,
        ...(spec.ttlSeconds !== undefined ? { ttl_seconds: spec.ttlSeconds } : {}),
      },
    }),
    `creating key ${ref}`,
  );
  world.onCleanup(`delete key ${ref}`, () => removeKey(world, ref));
  world.remember('key', spec.name, key);
  noteGiven(world, spec.name, key, spec.value, undefined, spec.ttlSeconds);
  return key;
}

/**
 * `world`'s tenant stores a key of its own under a ref given whole (another tenant's key may already use it): the
 * create must be answered 201; the key is remembered under `name` like `storeKey` does, for the read-back steps.
 */
export async function storeKeyUnderRef(world: AttuneWorld, spec: KeySpec & { ref: string }): Promise<Key> {
  const key = unwrap(
    await world.api.POST('/api/v1/keys', {
      body: { ref: spec.ref, name: spec.name, value: spec.value, encrypted: spec.encrypted ?? false, owner_type: 'identity', owner_identity: world.tenant.id },
    }),
    `creating a key of ${world.tenant.login} under the ref ${spec.ref}`,
  );
  world.onCleanup(`delete key ${spec.ref} of ${world.tenant.login}`, () => removeKey(world, spec.ref));
  world.remember('key', spec.name, key);
  noteGiven(world, spec.name, key, spec.value);
  return key;
}

/** POST a key of `world`'s tenant under a ref given whole; the answer as it came (a refused create leaves nothing). */
export async function attemptKeyUnderRef(world: AttuneWorld, spec: KeySpec & { ref: string }): Promise<RawResponse> {
  const answer = await world.api.raw('POST', '/api/v1/keys', {
    ref: spec.ref, name: spec.name, value: spec.value, encrypted: spec.encrypted ?? false, owner_type: 'identity', owner_identity: world.tenant.id,
  });
  if (answer.status === 201) world.onCleanup(`delete key ${spec.ref} (created although it should not have been)`, () => removeKey(world, spec.ref));
  return answer;
}

/** PUT a new value (only the value: the key keeps its encryption and its name). */
export async function changeKey(world: AttuneWorld, name: string, value: unknown): Promise<Key> {
  const previous = keyHistory(world, name);
  const key = unwrap(
    await world.api.PUT('/api/v1/keys/{ref}', { params: { path: { ref: previous.ref } }, body: { value } }),
    `changing key ${previous.ref}`,
  );
  world.remember('key', name, key);
  noteGiven(world, name, key, value, previous);
  return key;
}

/** PUT with the given value as the whole body's `value`, answer returned as it came (nothing remembered). */
export async function attemptKeyChange(world: AttuneWorld, name: string, value: unknown): Promise<RawResponse> {
  const { ref } = keyHistory(world, name);
  return world.api.raw('PUT', `/api/v1/keys/${encodeURIComponent(ref)}`, { value });
}

export async function deleteKey(world: AttuneWorld, name: string): Promise<void> {
  const { ref } = keyHistory(world, name);
  ok(await world.api.DELETE('/api/v1/keys/{ref}', { params: { path: { ref } } }), `deleting key ${ref}`);
}

async function removeKey(world: AttuneWorld, ref: string): Promise<void> {
  gone(await world.api.DELETE('/api/v1/keys/{ref}', { params: { path: { ref } } }), `deleting key ${ref}`);
}

// ---- keys that an action stores (through the API, with its execution token) --------------------------------------

/**
 * A key that something other than the suite will store in `world`'s tenant's name (an action with its execution
 * token): the ref it must use is `world.ref(name)`; its deletion is registered now (a key that was never stored is
 * fine) and what it will be given is remembered like `storeKey` does, so the read-back and at-rest steps apply.
 */
export function keyToBeStoredElsewhere(world: AttuneWorld, spec: { name: string; value: unknown; encrypted?: boolean }): string {
  const ref = world.ref(spec.name);
  world.onCleanup(`delete key ${ref} (stored by an action)`, () => removeKey(world, ref));
  world.remember<KeyHistory>(HISTORY, spec.name, {
    ref,
    value: spec.value,
    encrypted: spec.encrypted ?? false,
    values: [spec.value],
    updated: '',
    storedAtMs: Date.now(),
  });
  return ref;
}
