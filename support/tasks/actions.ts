/**
 * Acts on actions: inline shell actions in the scenario's pack (runtime `core.shell`, the script is the entrypoint).
 */
import { unwrap } from '../api/envelopes';
import type { AttuneWorld } from '../world';
import { gone } from './common';
import { ensureOwnPack } from './packs';

import type { Action } from '../api/models';

export type { Action };

export interface ActionSpec {
  /** bare name ("greeter"), resolved into the scenario's pack */
  name: string;
  /** shell script text; parameters arrive as one JSON document on stdin */
  script: string;
  paramSchema?: Record<string, unknown>;
  outSchema?: Record<string, unknown>;
  description?: string;
  runtimeRef?: string;
  /** how the worker reads stdout (`json`: parsed into `result.data`); the target's default when absent */
  outputFormat?: 'text' | 'json' | 'yaml' | 'jsonl';
  /** how the input reaches the action; the target's defaults (stdin, json) when absent */
  parameterDelivery?: 'stdin' | 'file';
  parameterFormat?: 'json' | 'dotenv' | 'yaml';
  timeoutSeconds?: number;
}

export async function deleteAction(world: AttuneWorld, ref: string): Promise<void> {
  gone(await world.api.DELETE('/api/v1/actions/{ref}', { params: { path: { ref } } }), `deleting action ${ref}`);
}

export async function createAction(world: AttuneWorld, spec: ActionSpec): Promise<Action> {
  const packRef = await ensureOwnPack(world);
  const ref = world.ref(spec.name);
  const action = unwrap(
    await world.api.POST('/api/v1/actions', {
      body: {
        ref,
        pack_ref: packRef,
        label: spec.name,
        description: spec.description ?? `Acceptance-suite action "${spec.name}"`,
        entrypoint: spec.script,
        runtime_ref: spec.runtimeRef ?? 'core.shell',
        param_schema: spec.paramSchema,
        out_schema: spec.outSchema,
        ...(spec.outputFormat ? { output_format: spec.outputFormat } : {}),
        ...(spec.parameterDelivery ? { parameter_delivery: spec.parameterDelivery } : {}),
        ...(spec.parameterFormat ? { parameter_format: spec.parameterFormat } : {}),
        ...(spec.timeoutSeconds !== undefined ? { timeout_seconds: spec.timeoutSeconds } : {}),
      },
    }),
    `creating action ${ref}`,
  );
  world.onCleanup(`delete action ${ref}`, () => deleteAction(world, ref));
  return world.remember('action', spec.name, action);
}
