/**
 * Acts on rules: create in the scenario's pack, enable, disable. Cleanup disables, then deletes.
 */
import type { RawResponse } from '../api/client';
import { ApiError, unwrap } from '../api/envelopes';
import type { AttuneWorld } from '../world';
import { gone } from './common';
import { ensureOwnPack } from './packs';

import type { Rule } from '../api/models';

export type { Rule };

export interface RuleSpec {
  /** bare name ("timer rule"), resolved into the scenario's pack */
  name: string;
  trigger_ref: string;
  trigger_params?: Record<string, unknown>;
  action_ref: string;
  action_params?: Record<string, unknown>;
  conditions?: Record<string, unknown> | unknown[];
  enabled?: boolean;
  description?: string;
}

/** What the suite keeps about a rule it created. */
export interface RememberedRule {
  row: Rule;
  spec: RuleSpec;
  /** when the last disable call returned (epoch ms, this machine's clock) */
  disabledAt?: number;
  /** the server's own stamp of the disable (the rule's `updated` after the call), when it moved; compared with
   * event `created` stamps it avoids any clock skew between the suite and the target */
  disabledAtServer?: number;
  /** when the delete call returned (epoch ms, this machine's clock): no server stamp survives a delete */
  deletedAt?: number;
}

export async function disableRuleByRef(world: AttuneWorld, ref: string): Promise<Rule> {
  return unwrap(await world.api.POST('/api/v1/rules/{ref}/disable', { params: { path: { ref } } }), `disabling rule ${ref}`);
}

async function disableAndDelete(world: AttuneWorld, ref: string): Promise<void> {
  const disabled = await world.api.POST('/api/v1/rules/{ref}/disable', { params: { path: { ref } } });
  gone(disabled, `disabling rule ${ref} before deleting it`);
  gone(await world.api.DELETE('/api/v1/rules/{ref}', { params: { path: { ref } } }), `deleting rule ${ref}`);
}

export async function createRule(world: AttuneWorld, spec: RuleSpec): Promise<RememberedRule> {
  const packRef = await ensureOwnPack(world);
  const ref = world.ref(spec.name);
  const row = unwrap(
    await world.api.POST('/api/v1/rules', {
      body: {
        ref,
        pack_ref: packRef,
        label: spec.name,
        description: spec.description ?? `Acceptance-suite rule "${spec.name}"`,
        trigger_ref: spec.trigger_ref,
        trigger_params: spec.trigger_params ?? {},
        action_ref: spec.action_ref,
        action_params: spec.action_params ?? {},
        // the published document types conditions as an object; the array form is accepted too (contract §10.3)
        conditions: (spec.conditions ?? {}) as Record<string, unknown>,
        enabled: spec.enabled ?? true,
      },
    }),
    `creating rule ${ref}`,
  );
  world.onCleanup(`disable and delete rule ${ref}`, () => disableAndDelete(world, ref));
  return world.remember<RememberedRule>('rule', spec.name, { row, spec });
}

export async function disableRule(world: AttuneWorld, name: string): Promise<RememberedRule> {
  const remembered = world.recall<RememberedRule>('rule', name);
  const updatedBefore = Date.parse(remembered.row.updated);
  remembered.row = await disableRuleByRef(world, remembered.row.ref);
  remembered.disabledAt = Date.now();
  const updatedAfter = Date.parse(remembered.row.updated);
  remembered.disabledAtServer = Number.isFinite(updatedAfter) && updatedAfter > updatedBefore ? updatedAfter : undefined;
  return remembered;
}

export async function enableRule(world: AttuneWorld, name: string): Promise<RememberedRule> {
  const remembered = world.recall<RememberedRule>('rule', name);
  remembered.row = unwrap(
    await world.api.POST('/api/v1/rules/{ref}/enable', { params: { path: { ref: remembered.row.ref } } }),
    `enabling rule ${remembered.row.ref}`,
  );
  remembered.disabledAt = undefined;
  remembered.disabledAtServer = undefined;
  return remembered;
}

/** Deletes the rule outright (no disable first), as a user would; the cleanup registered at creation then finds it gone. */
export async function deleteRule(world: AttuneWorld, name: string): Promise<RememberedRule> {
  const remembered = world.recall<RememberedRule>('rule', name);
  const response = await world.api.DELETE('/api/v1/rules/{ref}', { params: { path: { ref: remembered.row.ref } } });
  if (!response.response.ok) {
    throw new ApiError('DELETE', response.response.url, response.response.status, response.error ?? response.data, `deleting rule ${remembered.row.ref}`);
  }
  remembered.deletedAt = Date.now();
  return remembered;
}

/** The period of an interval-timer rule in milliseconds (from its trigger parameters), or undefined. */
export function timerPeriodMs(spec: RuleSpec): number | undefined {
  if (spec.trigger_ref !== 'core.intervaltimer') return undefined;
  const interval = Number(spec.trigger_params?.interval ?? 60);
  const unit = String(spec.trigger_params?.unit ?? 'seconds');
  const factor: Record<string, number> = { seconds: 1000, minutes: 60_000, hours: 3_600_000, days: 86_400_000 };
  return interval * (factor[unit] ?? 1000);
}

/** `core.intervaltimer` parameters for a period given in milliseconds (whole seconds only). */
export function intervalTimerParams(periodMs: number): { unit: 'seconds'; interval: number } {
  if (periodMs < 1000 || periodMs % 1000 !== 0) {
    throw new Error(`an interval timer period must be a whole number of seconds, got ${periodMs} ms`);
  }
  return { unit: 'seconds', interval: periodMs / 1000 };
}

/**
 * Tries to create a rule and returns the raw answer (for rules a target should refuse). A rule that was created anyway
 * is registered for cleanup like any other.
 */
export async function attemptRuleCreation(world: AttuneWorld, spec: RuleSpec): Promise<RawResponse> {
  const packRef = await ensureOwnPack(world);
  const ref = world.ref(spec.name);
  const response = await world.api.raw('POST', '/api/v1/rules', {
    ref,
    pack_ref: packRef,
    label: spec.name,
    description: spec.description ?? `Acceptance-suite rule "${spec.name}" (expected to be refused)`,
    trigger_ref: spec.trigger_ref,
    trigger_params: spec.trigger_params ?? {},
    action_ref: spec.action_ref,
    action_params: spec.action_params ?? {},
    conditions: spec.conditions ?? {},
    enabled: spec.enabled ?? true,
  });
  if (response.ok) world.onCleanup(`disable and delete rule ${ref} (created although it should have been refused)`, () => disableAndDelete(world, ref));
  return response;
}
