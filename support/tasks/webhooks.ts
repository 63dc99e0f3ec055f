/**
 * Acts on triggers and their webhooks: create a trigger in the scenario's pack, enable its webhook, post to it.
 */
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
  return { status: response.status, eventId: response.ok ? data?.event_id : undefined, body: response.body };
}
