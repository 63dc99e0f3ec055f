/**
 * Acts on secrets: keys stored for an owner whose actions receive them (the scenario's pack, one of its actions, a
 * second pack of the tenant) or for an identity, each with a value the scenario can later look for.
 *
 * Every secret gets a ref of its own, derived from its owner (so a pack's "region" and an action's "region" never
 * share a ref), and is remembered under a label: the bare name for the scenario's pack and for an identity, "<action>'s
 * <name>" for an action, "another pack's <name>" for the second pack.
 */
import { randomBytes } from 'node:crypto';
import { unwrap } from '../api/envelopes';
import type { Key } from '../api/models';
import { slug, type AttuneWorld } from '../world';
import { gone } from './common';
import { createPack, ensureOwnPack } from './packs';

export type SecretOwner =
  | { kind: 'my pack' }
  | { kind: 'another pack' }
  | { kind: 'action'; actionRef: string }
  | { kind: 'identity' };

export interface SecretSpec {
  /** the key's `name`: what the action finds the value under */
  name: string;
  value: unknown;
  encrypted?: boolean;
  owner: SecretOwner;
}

/** A secret as stored, and every value the scenario gave it (the log and record checks look for all of them). */
export interface StoredSecret {
  ref: string;
  /** the owner fields the create request carried (the answer must name the same owner) */
  owner: OwnerFields;
  name: string;
  value: unknown;
  values: unknown[];
  encrypted: boolean;
  key: Key;
}

const SECRETS = 'secret';
const OTHER_PACK = 'another pack of mine';

/**
 * A value no other scenario holds and nothing could produce by chance: 24 random hex digits, with a space, a single
 * quote and a `$` around them, so a shell that quotes or expands it wrongly changes it.
 */
export function uniqueSecretValue(name: string): string {
  return `${slug(name)}-${randomBytes(12).toString('hex')} it's $HOME`;
}

export function secretLabel(owner: SecretOwner, name: string, world: AttuneWorld): string {
  switch (owner.kind) {
    case 'action':
      return `${owner.actionRef.slice(world.packRef.length + 1)}'s ${name}`;
    case 'another pack':
      return `another pack's ${name}`;
    default:
      return name;
  }
}

/** The second pack of the tenant (created on first need): a pack whose secrets the scenario's actions must not get. */
async function anotherPack(world: AttuneWorld): Promise<string> {
  const known = world.recallMaybe<string>(OTHER_PACK, 'ref');
  if (known) return known;
  await ensureOwnPack(world);
  const pack = await createPack(world, { name: OTHER_PACK });
  return world.remember(OTHER_PACK, 'ref', pack.ref);
}

export interface OwnerFields {
  owner_type: 'pack' | 'action' | 'identity';
  owner_pack_ref?: string;
  owner_action_ref?: string;
  owner_identity?: number;
}

async function ownerFields(world: AttuneWorld, owner: SecretOwner, name: string): Promise<{ ref: string; fields: OwnerFields }> {
  switch (owner.kind) {
    case 'my pack': {
      const packRef = await ensureOwnPack(world);
      return { ref: `${packRef}.${slug(name)}`, fields: { owner_type: 'pack', owner_pack_ref: packRef } };
    }
    case 'another pack': {
      const packRef = await anotherPack(world);
      return { ref: `${packRef}.${slug(name)}`, fields: { owner_type: 'pack', owner_pack_ref: packRef } };
    }
    case 'action':
      return { ref: `${owner.actionRef}_${slug(name)}`, fields: { owner_type: 'action', owner_action_ref: owner.actionRef } };
    case 'identity':
      return { ref: `${world.packRef}.${slug(name)}`, fields: { owner_type: 'identity', owner_identity: world.tenant.id } };
  }
}

/** POSTs the key as `world`'s tenant, registers its deletion, remembers it under its label. */
export async function storeSecret(world: AttuneWorld, spec: SecretSpec): Promise<StoredSecret> {
  const { ref, fields } = await ownerFields(world, spec.owner, spec.name);
  const key = unwrap(
    await world.api.POST('/api/v1/keys', {
      body: { ref, name: spec.name, value: spec.value, encrypted: spec.encrypted ?? false, ...fields },
    }),
    `creating the secret ${ref}`,
  );
  world.onCleanup(`delete key ${ref}`, async () =>
    gone(await world.api.DELETE('/api/v1/keys/{ref}', { params: { path: { ref } } }), `deleting key ${ref}`),
  );
  const stored: StoredSecret = { ref, owner: fields, name: spec.name, value: spec.value, values: [spec.value], encrypted: key.encrypted, key };
  return world.remember(SECRETS, secretLabel(spec.owner, spec.name, world), stored);
}

/** Gives a stored secret a new value (PUT with the value only); every value it held stays remembered. */
export async function changeSecret(world: AttuneWorld, label: string, value: unknown): Promise<StoredSecret> {
  const before = secretNamed(world, label);
  const key = unwrap(
    await world.api.PUT('/api/v1/keys/{ref}', { params: { path: { ref: before.ref } }, body: { value } }),
    `changing the secret ${before.ref}`,
  );
  return world.remember(SECRETS, label, { ...before, value, values: [...before.values, value], key });
}

export function secretNamed(world: AttuneWorld, label: string): StoredSecret {
  return world.recall<StoredSecret>(SECRETS, label);
}
