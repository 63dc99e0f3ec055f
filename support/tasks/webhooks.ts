/**
 * Acts on triggers and their webhooks: create a trigger in the scenario's pack, enable its webhook, post to it.
 */
import { randomBytes } from 'node:crypto';
import { unwrap, unwrapBody } from '../api/envelopes';
import type { AttuneWorld } from '../world';
import { gone } from './common';
import { ensureOwnPack } from './packs';

import type { Trigger } from '../api/models';

export type { Trigger };

export async function createTrigger(world: AttuneWorld, name: string, description?: string): Promise<Trigger> {
  const packRef = await ensureOwnPack(world);
  const ref = world.ref(name);
  const trigger = unwrap(
    await world.api.POST('/api/v1/triggers', {
      body: { ref, pack_ref: packRef, label: name, description: description ?? `Acceptance-suite trigger "${name}"` },
    }),
    `creating trigger ${ref}`,
  );
  world.onCleanup(`delete trigger ${ref}`, async () =>
    gone(await world.api.DELETE('/api/v1/triggers/{ref}', { params: { path: { ref } } }), `deleting trigger ${ref}`),
  );
  return world.remember('trigger', name, trigger);
}

/** Enables the webhook of a trigger and returns its key (`wh_…`). */
export async function enableWebhook(world: AttuneWorld, triggerRef: string): Promise<string> {
  const trigger = unwrap(
    await world.api.POST('/api/v1/triggers/{ref}/webhooks/enable', { params: { path: { ref: triggerRef } } }),
    `enabling the webhook of ${triggerRef}`,
  ) as Trigger;
  if (!trigger.webhook_key) throw new Error(`enabling the webhook of ${triggerRef} returned no webhook_key: ${JSON.stringify(trigger)}`);
  world.remember('webhook', triggerRef, trigger.webhook_key);
  return trigger.webhook_key;
}

export interface WebhookReceipt {
  status: number;
  eventId?: number;
  body: unknown;
}

/** Posts `{payload}` to the public webhook URL (no token). Returns the status and, on success, the event id. */
export async function fireWebhook(world: AttuneWorld, webhookKey: string, payload: unknown): Promise<WebhookReceipt> {
  const response = await world.anonymous.raw('POST', `/api/v1/webhooks/${encodeURIComponent(webhookKey)}`, { payload }, { anonymous: true });
  const data = unwrapBody(response.body as { data?: { event_id?: number } } | undefined) as { event_id?: number } | undefined;
  const receipt: WebhookReceipt = { status: response.status, eventId: response.ok ? data?.event_id : undefined, body: response.body };
  world.remember('webhook receipt', 'last', receipt);
  return receipt;
}

// ---- more acts on webhooks (T1.4 / T1.5): the trigger with its webhook, disabling, posting whatever comes back --------

/** A trigger of the scenario's pack with its webhook enabled; the enable answer is remembered as `webhook trigger`. */
export async function createWebhookTrigger(world: AttuneWorld, name: string): Promise<Trigger> {
  const created = await createTrigger(world, name);
  const enabled = await enableWebhookAnswer(world, created.ref);
  return world.remember('trigger', name, enabled);
}

/** Enables the webhook of a trigger and returns the whole answer (the trigger as the target now shows it). */
export async function enableWebhookAnswer(world: AttuneWorld, triggerRef: string): Promise<Trigger> {
  const trigger = unwrap(
    await world.api.POST('/api/v1/triggers/{ref}/webhooks/enable', { params: { path: { ref: triggerRef } } }),
    `enabling the webhook of ${triggerRef}`,
  ) as Trigger;
  if (trigger.webhook_key) world.remember('webhook', triggerRef, trigger.webhook_key);
  world.remember('webhook enable answer', triggerRef, trigger);
  return trigger;
}

/** Disables the webhook of a trigger (Attune forgets the key); the key it had stays remembered as `webhook`. */
export async function disableWebhook(world: AttuneWorld, triggerRef: string): Promise<Trigger> {
  return unwrap(
    await world.api.POST('/api/v1/triggers/{ref}/webhooks/disable', { params: { path: { ref: triggerRef } } }),
    `disabling the webhook of ${triggerRef}`,
  ) as Trigger;
}

/** Disables the trigger itself (its webhook settings are left as they are). */
export async function disableTrigger(world: AttuneWorld, triggerRef: string): Promise<Trigger> {
  return unwrap(
    await world.api.POST('/api/v1/triggers/{ref}/disable', { params: { path: { ref: triggerRef } } }),
    `disabling trigger ${triggerRef}`,
  ) as Trigger;
}

/** Enables the trigger itself (POST /api/v1/triggers/{ref}/enable). */
export async function enableTrigger(world: AttuneWorld, triggerRef: string): Promise<Trigger> {
  return unwrap(
    await world.api.POST('/api/v1/triggers/{ref}/enable', { params: { path: { ref: triggerRef } } }),
    `enabling trigger ${triggerRef}`,
  ) as Trigger;
}

/** A key of the right shape (`wh_` + 32 hex digits) that no trigger holds: 128 fresh random bits. */
export function unknownWebhookKey(): string {
  return `wh_${randomBytes(16).toString('hex')}`;
}

/**
 * Posts every payload at the same time; every post must be accepted with an event id. Returns the payloads with their
 * event ids, in event id order (the order the target recorded them).
 */
export async function fireWebhookAtOnce(world: AttuneWorld, webhookKey: string, payloads: unknown[]): Promise<Array<{ payload: unknown; eventId: number }>> {
  const receipts = await Promise.all(payloads.map((payload) => fireWebhook(world, webhookKey, payload)));
  const out = receipts.map((receipt, i) => {
    if (receipt.status !== 200 || receipt.eventId === undefined) {
      throw new Error(`post ${i + 1} of ${payloads.length} (sent at once) to webhook ${webhookKey} answered ${receipt.status}: ${JSON.stringify(receipt.body)}`);
    }
    return { payload: payloads[i], eventId: receipt.eventId };
  });
  return out.sort((a, b) => a.eventId - b.eventId);
}

/** Posts each payload in turn (each post answered before the next is sent); every post must be accepted with an event id. */
export async function fireWebhookInTurn(world: AttuneWorld, webhookKey: string, payloads: unknown[]): Promise<number[]> {
  const ids: number[] = [];
  for (const [i, payload] of payloads.entries()) {
    const receipt = await fireWebhook(world, webhookKey, payload);
    if (receipt.status !== 200 || receipt.eventId === undefined) {
      throw new Error(`post ${i + 1} of ${payloads.length} to webhook ${webhookKey} answered ${receipt.status}: ${JSON.stringify(receipt.body)}`);
    }
    ids.push(receipt.eventId);
  }
  return ids;
}

export interface RegenerateAnswer {
  status: number;
  /** the trigger as the target shows it after the call (2xx), else undefined */
  trigger?: Trigger;
  body: unknown;
  /** the key the scenario held before the call (undefined when the webhook had none) */
  oldKey?: string;
}

/**
 * Asks for a new webhook key (POST /api/v1/triggers/{ref}/webhooks/regenerate). On success the new key becomes the one
 * the scenario posts to (`webhook`) and the old one is kept as `old webhook`. The answer is remembered, refused or not.
 */
export async function regenerateWebhookKey(world: AttuneWorld, triggerRef: string): Promise<RegenerateAnswer> {
  const oldKey = world.recallMaybe<string>('webhook', triggerRef);
  const result = await world.api.POST('/api/v1/triggers/{ref}/webhooks/regenerate', { params: { path: { ref: triggerRef } } });
  const answer: RegenerateAnswer = { status: result.response.status, body: result.data ?? result.error, oldKey };
  if (result.response.ok && result.data) {
    const trigger = unwrapBody(result.data) as Trigger;
    answer.trigger = trigger;
    if (oldKey !== undefined) world.remember('old webhook', triggerRef, oldKey);
    if (trigger.webhook_key) world.remember('webhook', triggerRef, trigger.webhook_key);
  }
  world.remember('webhook regenerate answer', triggerRef, answer);
  return answer;
}
