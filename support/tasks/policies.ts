/**
 * Acts on execution policies (contract §16: /api/v1/policies) and on the runs they govern: gated actions that hold
 * their slot until the scenario opens their gate (support/slot-gate.ts), runs requested in quick succession, and
 * gates opened one at a time.
 *
 * Action- and pack-scoped policies are created by the tenant on its own pack. A global policy needs an unscoped
 * grant, so the administrator creates it; its ref still carries the scenario's pack, and its deletion is registered
 * at once (a global policy governs every run of the target: such scenarios are @serial).
 */
import { unwrap } from '../api/envelopes';
import type { Single } from '../api/models';
import { SlotGate } from '../slot-gate';
import type { AttuneWorld } from '../world';
import { slug } from '../world';
import { createAction } from './actions';
import { gone } from './common';
import { runAction } from './executions';
import { createPack, ensureOwnPack } from './packs';

const GATE = 'slot gate';

/** The scenario's gate, started on first need and closed at cleanup. */
export async function slotGate(world: AttuneWorld): Promise<SlotGate> {
  if (!world.scratch[GATE]) {
    const gate = await SlotGate.start();
    world.scratch[GATE] = gate;
    world.onCleanup('close the slot gate', () => gate.close());
  }
  return world.scratch[GATE] as SlotGate;
}

/** The shell text of a gated action: it calls its gate and finishes once the gate opens. */
const GATED_SCRIPT = [
  'curl -sS -f --max-time 120 "$gate/gate/$label" > /dev/null',
  'echo "released $label"',
].join('\n');

/**
 * A shell action that holds its slot until its run's gate opens. With `packRef` it goes into that pack (another pack
 * of the scenario) instead of the scenario's own.
 */
export async function createGatedAction(world: AttuneWorld, name: string, packRef?: string): Promise<string> {
  await slotGate(world);
  if (packRef === undefined) {
    await createAction(world, {
      name,
      script: GATED_SCRIPT,
      paramSchema: { gate: { type: 'string', required: true }, label: { type: 'string', required: true } },
    });
    return world.ref(name);
  }
  const ref = `${packRef}.${slug(name)}`;
  const action = unwrap(
    await world.api.POST('/api/v1/actions', {
      body: {
        ref, pack_ref: packRef, label: name, description: `Acceptance-suite gated action "${name}"`, entrypoint: GATED_SCRIPT,
        runtime_ref: 'core.shell', param_schema: { gate: { type: 'string', required: true }, label: { type: 'string', required: true } },
      },
    }),
    `creating action ${ref}`,
  );
  world.onCleanup(`delete action ${ref}`, async () => gone(await world.api.DELETE('/api/v1/actions/{ref}', { params: { path: { ref } } }), `deleting action ${ref}`));
  world.remember('action', name, action);
  return ref;
}

/** A second pack of the scenario (for "another pack" of mine); its ref is remembered under `name`. */
export async function createAnotherPack(world: AttuneWorld, name: string): Promise<string> {
  await ensureOwnPack(world);
  const pack = await createPack(world, { name });
  return pack.ref;
}

/** The ref of an action by the name the scenario gave it. */
export function gatedActionRef(world: AttuneWorld, name: string): string {
  return world.recall<{ ref: string }>('action', name).ref;
}

export type PolicyScope = { type: 'action'; action: string } | { type: 'pack'; packRef: string } | { type: 'global' };

export interface PolicySpec {
  name: string;
  scope: PolicyScope;
  limit: number;
  method: 'enqueue' | 'cancel';
}

/** Creates a concurrency policy and registers its deletion. Returns its ref. */
export async function createConcurrencyPolicy(world: AttuneWorld, spec: PolicySpec): Promise<string> {
  await ensureOwnPack(world);
  const ref = `${world.packRef}.${slug(spec.name)}`;
  const scope =
    spec.scope.type === 'action'
      ? { type: 'action' as const, action_ref: gatedActionRef(world, spec.scope.action) }
      : spec.scope.type === 'pack'
        ? { type: 'pack' as const, pack_ref: spec.scope.packRef }
        : { type: 'global' as const };
  const client = spec.scope.type === 'global' ? world.admin : world.api;
  const created = unwrap(
    await client.POST('/api/v1/policies', {
      body: { ref, name: spec.name, scope, concurrency: { limit: spec.limit, method: spec.method, parameters: [] } },
    }),
    `creating policy ${ref}`,
  );
  world.onCleanup(`delete policy ${ref}`, async () => gone(await client.DELETE('/api/v1/policies/{ref}', { params: { path: { ref } } }), `deleting policy ${ref}`));
  world.remember('policy', spec.name, created);
  world.remember('policy created', spec.name, created);
  world.remember('policy answer', spec.name, { to: 'its creation', policy: created });
  return ref;
}

export type Policy = Single<'/api/v1/policies', 'post'>;

/** The last answer the target gave to writing a policy (its creation, or the change that followed). */
export interface PolicyAnswer {
  to: 'its creation' | 'the change';
  policy: Policy;
}

/** Changes only the concurrency limit of a policy of the scenario (PUT, its method and group-by kept). */
export async function changePolicyLimit(world: AttuneWorld, name: string, limit: number): Promise<Policy> {
  const before = world.recall<Policy>('policy', name);
  const concurrency = before.concurrency;
  if (!concurrency) throw new Error(`policy ${before.ref} has no concurrency settings to change`);
  const changed = unwrap(
    await world.api.PUT('/api/v1/policies/{ref}', {
      params: { path: { ref: before.ref } },
      body: { concurrency: { limit, method: concurrency.method, parameters: concurrency.parameters ?? [] } },
    }),
    `changing the limit of policy ${before.ref} to ${limit}`,
  );
  world.remember('policy', name, changed);
  world.remember('policy answer', name, { to: 'the change', policy: changed });
  return changed;
}

export interface GatedRun {
  /** "run 3": the third request of its action in this scenario */
  name: string;
  action: string;
  /** what the run tells the gate */
  label: string;
  id: number;
}

const RUNS = 'gated runs';

/** Every gated run of the scenario, in submission order. */
export function gatedRuns(world: AttuneWorld, action?: string): GatedRun[] {
  const all = (world.scratch[RUNS] as GatedRun[] | undefined) ?? [];
  return action === undefined ? [...all] : all.filter((r) => r.action === action);
}

/** The run of `action` called `name` ("run 2"). */
export function gatedRun(world: AttuneWorld, action: string, name: string): GatedRun {
  const run = gatedRuns(world, action).find((r) => r.name === name);
  if (!run) throw new Error(`No ${name} of "${action}" in this scenario (known: ${gatedRuns(world, action).map((r) => r.name).join(', ') || 'none'})`);
  return run;
}

/** Requests `count` runs of the gated action back to back (each request answered before the next is sent). */
export async function requestGatedRuns(world: AttuneWorld, action: string, count: number): Promise<GatedRun[]> {
  const gate = await slotGate(world);
  const ref = gatedActionRef(world, action);
  const runs = (world.scratch[RUNS] ??= []) as GatedRun[];
  const made: GatedRun[] = [];
  for (let i = 0; i < count; i++) {
    const n = gatedRuns(world, action).length + 1;
    const label = `${slug(action)}-${n}`;
    const execution = await runAction(world, ref, { gate: gate.baseUrl, label }, `${action} run ${n}`);
    const run = { name: `run ${n}`, action, label, id: execution.id };
    runs.push(run);
    made.push(run);
  }
  world.scratch['gated action'] = action;
  return made;
}

/** The action the scenario requested runs of last (the one "run N" refers to when no action is named). */
export function actionInFocus(world: AttuneWorld): string {
  const action = world.scratch['gated action'];
  if (typeof action !== 'string') throw new Error('No gated action was requested in this scenario yet');
  return action;
}

/** Lets the run through its gate. */
export async function openGateOf(world: AttuneWorld, run: GatedRun): Promise<void> {
  (await slotGate(world)).open(run.label);
}

const DRILL_RUNS = 'policed runs';

/**
 * Requests `count` runs of the action the scenario named `action`, each request sent as soon as the one before it was
 * answered (submission order = request order = execution id order). Returns their ids in that order.
 */
export async function requestRuns(world: AttuneWorld, action: string, count: number): Promise<number[]> {
  const ref = gatedActionRef(world, action);
  const ids = ((world.scratch[DRILL_RUNS] as Record<string, number[]> | undefined) ?? {})[action] ?? [];
  for (let i = 0; i < count; i++) {
    const execution = unwrap(await world.api.POST('/api/v1/executions/execute', { body: { action_ref: ref, parameters: {}, env_vars: {} } }), `requesting run ${ids.length + 1} of ${ref}`);
    world.trackExecution(execution.id);
    ids.push(execution.id);
  }
  world.scratch[DRILL_RUNS] = { ...((world.scratch[DRILL_RUNS] as Record<string, number[]> | undefined) ?? {}), [action]: ids };
  return ids;
}

/** The ids of the runs of `action` requested with `requestRuns`, in submission order. */
export function requestedRuns(world: AttuneWorld, action: string): number[] {
  return ((world.scratch[DRILL_RUNS] as Record<string, number[]> | undefined) ?? {})[action] ?? [];
}
