/** Objects the integration tests create over the API: a pack, a webhook trigger, a rule. */
import { call, dataOf } from './http';

export async function createPack(token: string, ref: string): Promise<void> {
  dataOf(await call('POST', '/api/v1/packs', { token, body: { ref, label: `itest ${ref}`, version: '1.0.0' } }), `creating pack ${ref}`);
}

export async function createTrigger(token: string, packRef: string, ref: string): Promise<void> {
  dataOf(await call('POST', '/api/v1/triggers', { token, body: { ref, pack_ref: packRef, label: ref } }), `creating trigger ${ref}`);
}

/** Enables the trigger's webhook and returns its key. */
export async function enableWebhook(token: string, triggerRef: string): Promise<string> {
  const t = dataOf<{ webhook_key: string }>(
    await call('POST', `/api/v1/triggers/${triggerRef}/webhooks/enable`, { token }),
    `enabling the webhook of ${triggerRef}`,
  );
  return t.webhook_key;
}

export async function createRule(token: string, body: Record<string, unknown>): Promise<{ id: number; ref: string }> {
  return dataOf(await call('POST', '/api/v1/rules', { token, body: { label: String(body.ref), ...body } }), `creating rule ${String(body.ref)}`);
}

/** Posts `{payload}` to the webhook and returns the event id. */
export async function fireWebhook(key: string, payload: unknown): Promise<number> {
  return dataOf<{ event_id: number }>(await call('POST', `/api/v1/webhooks/${key}`, { body: { payload } }), 'posting the webhook').event_id;
}
