/**
 * Acts for the tenancy scenarios: a tenant builds and uses a small piece of automation of its own (its "estate": a
 * pack, an action, a webhook trigger, a rule, a key, one event, its enforcement and its execution), and another tenant
 * tries to change, delete and run things it does not own.
 */
import type { RawResponse } from '../api/client';
import { eventually } from '../eventually';
import { enforcementsOf } from '../questions/enforcements';
import { awaitOutcome, executionsOf } from '../questions/executions';
import { timeouts } from '../timeouts';
import type { AttuneWorld } from '../world';
import { createAction } from './actions';
import { createKey } from './keys';
import { ensureOwnPack } from './packs';
import { createRule } from './rules';
import { createTrigger, enableWebhook, fireWebhook } from './webhooks';

/** What one tenant owns after `buildOwnAutomation`: refs of its components, ids of its history. */
export interface Estate {
  login: string;
  pack: string;
  action: string;
  trigger: string;
  rule: string;
  key: string;
  execution: number;
  event: number;
  enforcement: number;
}

export const ESTATE_GREETING = 'hello from the doorbell';

/**
 * In the tenant's own namespace: action "greeter" (prints a greeting), trigger "doorbell" with its webhook enabled,
 * rule "greet on ring" (doorbell → greeter), key "favourite_colour" = "teal"; then posts to the webhook once and waits
 * until that event's single enforcement is processed and its single execution has completed.
 */
export async function buildOwnAutomation(world: AttuneWorld): Promise<Estate> {
  const pack = await ensureOwnPack(world);
  const action = await createAction(world, { name: 'greeter', script: `echo "${ESTATE_GREETING}"` });
  const trigger = await createTrigger(world, 'doorbell');
  const webhookKey = await enableWebhook(world, trigger.ref);
  const rule = await createRule(world, { name: 'greet on ring', trigger_ref: trigger.ref, action_ref: action.ref });
  const key = await createKey(world, { name: 'favourite_colour', value: 'teal' });

  const receipt = await fireWebhook(world, webhookKey, { visitor: 'ada' });
  if (receipt.status !== 200 || receipt.eventId === undefined) {
    throw new Error(`posting to the webhook of ${trigger.ref} answered ${receipt.status}: ${JSON.stringify(receipt.body)}`);
  }
  const eventId = receipt.eventId;
  const [enforcement] = await eventually(
    `the processed enforcement of event ${eventId} (rule ${rule.row.ref})`,
    () => enforcementsOf(world, { event: eventId }),
    (rows) => rows.length === 1 && rows[0].status === 'processed',
    { timeoutMs: timeouts.enforcementResolved },
  );
  const [run] = await eventually(
    `the execution of enforcement ${enforcement.id}`,
    () => executionsOf(world, { enforcement: enforcement.id }),
    (rows) => rows.length === 1,
    { timeoutMs: timeouts.enforcementResolved },
  );
  await awaitOutcome(world, run.id, 'completed');
  world.markAsserted(run.id);

  return world.remember<Estate>('estate', 'mine', {
    login: world.tenant.login,
    pack,
    action: action.ref,
    trigger: trigger.ref,
    rule: rule.row.ref,
    key: key.ref,
    execution: run.id,
    event: eventId,
    enforcement: enforcement.id,
  });
}

export function estateOf(world: AttuneWorld): Estate {
  return world.recall<Estate>('estate', 'mine');
}

/**
 * Writes a tenant may try on an estate it does not own, by the words features use. Each names the identifier it aims
 * at (so the same request can be made against an identifier that never existed) and makes the request as `as`.
 */
export interface Trespass {
  target: (estate: Estate) => string | number;
  attempt: (world: AttuneWorld, target: string | number) => Promise<RawResponse>;
}

const enc = (value: string | number): string => encodeURIComponent(String(value));

export const TRESPASSES: Record<string, Trespass> = {
  'change my pack': {
    target: (e) => e.pack,
    attempt: (w, t) => w.api.raw('PUT', `/api/v1/packs/${enc(t)}`, { label: 'taken over', conf_schema: null, config: null, meta: null }),
  },
  'delete my pack': {
    target: (e) => e.pack,
    attempt: (w, t) => w.api.raw('DELETE', `/api/v1/packs/${enc(t)}`),
  },
  'add an action to my pack': {
    target: (e) => e.pack,
    attempt: (w, t) =>
      w.api.raw('POST', '/api/v1/actions', {
        ref: `${t}.intruder`,
        pack_ref: t,
        label: 'intruder',
        entrypoint: 'echo intruder',
        runtime_ref: 'core.shell',
      }),
  },
  'change my action': {
    target: (e) => e.action,
    attempt: (w, t) => w.api.raw('PUT', `/api/v1/actions/${enc(t)}`, { label: 'taken over', entrypoint: 'echo taken over' }),
  },
  'delete my action': {
    target: (e) => e.action,
    attempt: (w, t) => w.api.raw('DELETE', `/api/v1/actions/${enc(t)}`),
  },
  'run my action': {
    target: (e) => e.action,
    attempt: (w, t) => w.api.raw('POST', '/api/v1/executions/execute', { action_ref: t, parameters: {}, env_vars: {} }),
  },
  'change my trigger': {
    target: (e) => e.trigger,
    attempt: (w, t) => w.api.raw('PUT', `/api/v1/triggers/${enc(t)}`, { label: 'taken over', param_schema: null, out_schema: null }),
  },
  'disable my webhook': {
    target: (e) => e.trigger,
    attempt: (w, t) => w.api.raw('POST', `/api/v1/triggers/${enc(t)}/webhooks/disable`),
  },
  'delete my trigger': {
    target: (e) => e.trigger,
    attempt: (w, t) => w.api.raw('DELETE', `/api/v1/triggers/${enc(t)}`),
  },
  'change my rule': {
    target: (e) => e.rule,
    attempt: (w, t) =>
      w.api.raw('PUT', `/api/v1/rules/${enc(t)}`, { label: 'taken over', conditions: null, action_params: null, trigger_params: null }),
  },
  'disable my rule': {
    target: (e) => e.rule,
    attempt: (w, t) => w.api.raw('POST', `/api/v1/rules/${enc(t)}/disable`),
  },
  'delete my rule': {
    target: (e) => e.rule,
    attempt: (w, t) => w.api.raw('DELETE', `/api/v1/rules/${enc(t)}`),
  },
  'change my key': {
    target: (e) => e.key,
    attempt: (w, t) => w.api.raw('PUT', `/api/v1/keys/${enc(t)}`, { value: 'taken over' }),
  },
  'delete my key': {
    target: (e) => e.key,
    attempt: (w, t) => w.api.raw('DELETE', `/api/v1/keys/${enc(t)}`),
  },
  'cancel my run': {
    target: (e) => e.execution,
    attempt: (w, t) => w.api.raw('POST', `/api/v1/executions/${enc(t)}/cancel`),
  },
};

export function trespass(words: string): Trespass {
  const found = TRESPASSES[words.trim()];
  if (!found) throw new Error(`"${words}" is not an attempt this suite knows; use one of: ${Object.keys(TRESPASSES).join(', ')}`);
  return found;
}
