/**
 * What the target says about pack registry indices and the packs they offer (asked as the administrator, who
 * configures them), and about packs installed from them.
 */
import { list, unwrap } from '../api/envelopes';
import { eventually } from '../eventually';
import { timeouts } from '../timeouts';
import type { AttuneWorld } from '../world';
import { isTerminal } from '../status';
import type { Execution } from '../api/models';

export type IndexRecord = Record<string, unknown> & { id: number };
export type IndexedPack = { pack: Record<string, unknown>; registry: Record<string, unknown> };

/** GET /api/v1/pack-indices: every configured index, in the order answered. */
export async function configuredIndices(world: AttuneWorld): Promise<IndexRecord[]> {
  return list(await world.admin.GET('/api/v1/pack-indices', {}), 'listing pack indices') as unknown as IndexRecord[];
}

/** GET /api/v1/pack-indices/packs?registry_id=<id>: the packs that index offers, in the order answered. */
export async function packsOfIndex(world: AttuneWorld, registryId: number): Promise<IndexedPack[]> {
  return list(
    await world.admin.GET('/api/v1/pack-indices/packs', { params: { query: { registry_id: registryId } } }),
    `listing the packs of pack index ${registryId}`,
  ) as unknown as IndexedPack[];
}

/** GET /api/v1/pack-indices/packs/{ref}: the status and, when found, the indexed pack. */
export async function indexedPack(world: AttuneWorld, ref: string): Promise<{ status: number; body: unknown }> {
  const answer = await world.admin.raw('GET', `/api/v1/pack-indices/packs/${encodeURIComponent(ref)}`);
  return { status: answer.status, body: answer.body };
}

/** The action refs of an installed pack (GET /api/v1/packs/{ref}/actions), sorted. */
export async function actionRefsOfPack(world: AttuneWorld, ref: string): Promise<string[]> {
  const items = list(
    await world.admin.GET('/api/v1/packs/{pack_ref}/actions', { params: { path: { pack_ref: ref } } }),
    `listing the actions of pack ${ref}`,
  ) as unknown as { ref: string }[];
  return items.map((a) => a.ref).sort();
}

/** GET /api/v1/packs/{ref} as the administrator: status and body. */
export async function packAsAdmin(world: AttuneWorld, ref: string): Promise<{ status: number; body: unknown }> {
  const answer = await world.admin.raw('GET', `/api/v1/packs/${encodeURIComponent(ref)}`);
  return { status: answer.status, body: answer.body };
}

/** Runs an action as the administrator and waits for its terminal status. */
export async function runAsAdminToTheEnd(world: AttuneWorld, actionRef: string): Promise<Execution> {
  const started = unwrap(
    await world.admin.POST('/api/v1/executions/execute', { body: { action_ref: actionRef, parameters: {}, env_vars: {} } }),
    `running ${actionRef} as the administrator`,
  );
  world.trackExecution(started.id);
  return eventually(
    `execution ${started.id} of ${actionRef} to reach a terminal status`,
    async () => unwrap(await world.admin.GET('/api/v1/executions/{id}', { params: { path: { id: started.id } } }), `reading execution ${started.id}`),
    (run) => isTerminal(run.status),
    { timeoutMs: timeouts.executionTerminal },
  );
}
