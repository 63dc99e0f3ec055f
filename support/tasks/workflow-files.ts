/**
 * Acts on workflow files of the scenario's pack: save one through the API (POST /packs/{pack_ref}/workflow-files),
 * rewrite it (PUT /workflows/{ref}/file), validate and sync the pack's workflow files.
 */
import type { RawResponse } from '../api/client';
import type { AttuneWorld } from '../world';

/** A chain of core.echo tasks, each echoing its own name, each going on to the next. */
export function echoChain(names: string[]): Record<string, unknown> {
  return {
    tasks: names.map((name, i) => ({
      name,
      action: 'core.echo',
      input: { message: name },
      ...(i + 1 < names.length ? { next: [{ when: '{{ succeeded() }}', do: [names[i + 1]] }] } : {}),
    })),
  };
}

export interface WorkflowFileFields {
  name: string;
  label: string;
  version: string;
  definition: Record<string, unknown>;
}

function body(world: AttuneWorld, f: WorkflowFileFields) {
  return { name: f.name, label: f.label, version: f.version, pack_ref: world.packRef, definition: f.definition, param_schema: null, out_schema: null };
}

export async function saveWorkflowFile(world: AttuneWorld, f: WorkflowFileFields): Promise<RawResponse> {
  return world.api.raw('POST', `/api/v1/packs/${encodeURIComponent(world.packRef)}/workflow-files`, body(world, f));
}

export async function rewriteWorkflowFile(world: AttuneWorld, f: WorkflowFileFields): Promise<RawResponse> {
  return world.api.raw('PUT', `/api/v1/workflows/${encodeURIComponent(`${world.packRef}.${f.name}`)}/file`, body(world, f));
}

export async function validatePackWorkflows(world: AttuneWorld): Promise<RawResponse> {
  return world.api.raw('POST', `/api/v1/packs/${encodeURIComponent(world.packRef)}/workflows/validate`);
}

export async function syncPackWorkflows(world: AttuneWorld): Promise<RawResponse> {
  return world.api.raw('POST', `/api/v1/packs/${encodeURIComponent(world.packRef)}/workflows/sync`);
}
