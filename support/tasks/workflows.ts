/**
 * Acts on workflows (contract §13, docs/workflows.md): create, change, delete a workflow of the scenario's pack, try to
 * create one that should be refused, run one, cancel a run.
 *
 * Definitions come from features as YAML. A task's `action` written as a bare name ("shout") stands for the component
 * of that name in the scenario's pack (`<packRef>.shout`), exactly as `{ref}` does in step text; a dotted ref
 * (`core.echo`) is global and stays as written. Nothing else in the definition is rewritten.
 *
 * The workflow routes are called through the client's untyped path (`raw`): they may be missing from the generated
 * types of an older target, and every answer is read the same way whatever the document says.
 */
import { parse as parseYaml } from 'yaml';
import type { RawResponse } from '../api/client';
import { ApiError, unwrapBody } from '../api/envelopes';
import { awaitTerminal, execution } from '../questions/executions';
import { isTerminal } from '../status';
import { timeouts } from '../timeouts';
import type { AttuneWorld } from '../world';
import { ensureOwnPack } from './packs';
import { runAction, type Execution } from './executions';

/** A workflow as the API answers it (WorkflowResponse, contract §13.1). */
export interface Workflow {
  id: number;
  ref: string;
  pack?: number;
  pack_ref: string;
  label: string;
  description?: string | null;
  version: string;
  param_schema?: unknown;
  out_schema?: unknown;
  definition: Record<string, unknown>;
  tags?: string[] | null;
  created: string;
  updated: string;
}

export type Definition = Record<string, unknown>;

const enc = (value: string): string => encodeURIComponent(value);

/** Parses a YAML (or JSON) definition and resolves bare action names into the scenario's pack. */
export function readDefinition(world: AttuneWorld, text: string): Definition {
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new Error(`the workflow definition is not valid YAML (${(error as Error).message}):\n${text}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`the workflow definition must be a mapping with "tasks", got: ${JSON.stringify(parsed)}`);
  }
  const definition = parsed as Definition;
  const tasks = definition.tasks;
  if (Array.isArray(tasks)) {
    for (const task of tasks) {
      if (task && typeof task === 'object' && typeof (task as { action?: unknown }).action === 'string') {
        const named = task as { action: string };
        named.action = world.ref(named.action);
      }
    }
  }
  return definition;
}

function workflowBody(world: AttuneWorld, name: string, definition: Definition, packRef: string): Record<string, unknown> {
  return {
    ref: world.ref(name),
    pack_ref: packRef,
    label: name,
    description: `Acceptance-suite workflow "${name}"`,
    version: typeof definition.version === 'string' ? definition.version : '1.0.0',
    definition,
  };
}

export async function deleteWorkflowByRef(world: AttuneWorld, ref: string): Promise<RawResponse> {
  return world.api.raw('DELETE', `/api/v1/workflows/${enc(ref)}`);
}

function registerCleanup(world: AttuneWorld, ref: string): void {
  world.onCleanup(`delete workflow ${ref}`, async () => {
    const response = await deleteWorkflowByRef(world, ref);
    if (!response.ok && response.status !== 404) {
      throw new ApiError('DELETE', `/api/v1/workflows/${ref}`, response.status, response.body, `deleting workflow ${ref}`);
    }
  });
}

/** Tries to create a workflow and returns the raw answer; one that was created anyway is cleaned up like any other. */
export async function attemptWorkflow(world: AttuneWorld, name: string, definition: Definition): Promise<RawResponse> {
  const packRef = await ensureOwnPack(world);
  const body = workflowBody(world, name, definition, packRef);
  const response = await world.api.raw('POST', '/api/v1/workflows', body);
  if (response.ok) registerCleanup(world, String(body.ref));
  world.remember('workflow answer', name, response);
  world.remember('workflow definition', name, definition);
  return response;
}

/** Creates a workflow in the scenario's pack (201 expected) and schedules its deletion. */
export async function createWorkflow(world: AttuneWorld, name: string, definition: Definition): Promise<Workflow> {
  const response = await attemptWorkflow(world, name, definition);
  if (response.status !== 201) {
    throw new ApiError('POST', '/api/v1/workflows', response.status, response.body, `creating workflow ${world.ref(name)} (201 expected)`);
  }
  return world.remember('workflow', name, unwrapBody(response.body) as Workflow);
}

/** PUT a new definition (and label) for a workflow; returns the raw answer. */
export async function changeWorkflow(world: AttuneWorld, name: string, definition: Definition, label?: string): Promise<RawResponse> {
  const ref = world.ref(name);
  const response = await world.api.raw('PUT', `/api/v1/workflows/${enc(ref)}`, {
    ...(label !== undefined ? { label } : {}),
    version: typeof definition.version === 'string' ? definition.version : '1.0.0',
    definition,
  });
  world.remember('workflow answer', name, response);
  world.remember('workflow definition', name, definition);
  return response;
}

export async function deleteWorkflow(world: AttuneWorld, name: string): Promise<RawResponse> {
  const response = await deleteWorkflowByRef(world, world.ref(name));
  world.remember('workflow answer', name, response);
  return response;
}

/** What the scenario knows about the workflow run it started (kept under the kind "workflow run"). */
export interface WorkflowRun {
  name: string;
  ref: string;
  execution: Execution;
}

/** Runs a workflow like any action (`POST /executions/execute`); the run becomes "the workflow run" of the scenario. */
export async function runWorkflow(
  world: AttuneWorld,
  name: string,
  parameters: Record<string, unknown> = {},
  timeoutSeconds?: number,
): Promise<WorkflowRun> {
  const ref = world.ref(name);
  const execution =
    timeoutSeconds === undefined
      ? await runAction(world, ref, parameters, `workflow run ${name}`)
      : await runActionWithTimeout(world, ref, parameters, timeoutSeconds);
  cancelAtCleanupIfUnfinished(world, execution.id);
  return world.remember<WorkflowRun>('workflow run', 'last', { name, ref, execution });
}

/** Runs an action (or workflow) with `timeout_seconds` on the execute request; remembered as the last execution. */
export async function runActionWithTimeout(
  world: AttuneWorld,
  ref: string,
  parameters: Record<string, unknown>,
  timeoutSeconds: number,
): Promise<Execution> {
  const response = await world.api.raw('POST', '/api/v1/executions/execute', {
    action_ref: ref,
    parameters,
    env_vars: {},
    timeout_seconds: timeoutSeconds,
  });
  if (response.status !== 201 && response.status !== 200) {
    throw new ApiError('POST', '/api/v1/executions/execute', response.status, response.body, `running ${ref} with timeout_seconds ${timeoutSeconds}`);
  }
  const execution = unwrapBody(response.body) as Execution;
  world.trackExecution(execution.id);
  world.remember('execution', ref, execution);
  world.remember('execution', 'last', execution);
  return execution;
}

/** The id of the workflow run the scenario started last. */
export function lastRunId(world: AttuneWorld): number {
  return lastWorkflowRun(world).execution.id;
}

/** The workflow run the scenario started last. */
export function lastWorkflowRun(world: AttuneWorld): WorkflowRun {
  return world.recall<WorkflowRun>('workflow run', 'last');
}

/** Makes a run started some other way (a rule) the scenario's workflow run. */
export function adoptWorkflowRun(world: AttuneWorld, name: string, execution: Execution): WorkflowRun {
  world.trackExecution(execution.id);
  return world.remember<WorkflowRun>('workflow run', 'last', { name, ref: world.ref(name), execution });
}

const guarded = new WeakMap<object, Set<number>>();

/**
 * Registers (once per run) a cleanup that cancels a workflow run still unfinished when the scenario ends, so a run
 * whose person never answered does not wait on the shared target forever, and waits until the cancel has settled
 * (terminal). A run that ended is left alone; a cancel refused because the run ended meanwhile is fine.
 */
export function cancelAtCleanupIfUnfinished(world: AttuneWorld, runId: number): void {
  const root = world.viewOf ?? world;
  const seen = guarded.get(root) ?? new Set<number>();
  guarded.set(root, seen);
  if (seen.has(runId)) return;
  seen.add(runId);
  world.onCleanup(`cancel workflow run #${runId} if it is still waiting`, async () => {
    const before = await execution(world, runId);
    if (isTerminal(before.status)) return;
    if (before.status !== 'canceling') {
      const reply = await world.api.raw('POST', `/api/v1/executions/${runId}/cancel`);
      if (!reply.ok) {
        const after = await execution(world, runId);
        if (!isTerminal(after.status) && after.status !== 'canceling') {
          throw new ApiError('POST', `/api/v1/executions/${runId}/cancel`, reply.status, reply.body, `cancelling workflow run #${runId} (still "${after.status}")`);
        }
      }
    }
    // let the cancel settle before the workflow itself is deleted by the next cleanup
    await awaitTerminal(world, runId, timeouts.cleanupAction);
  });
}
