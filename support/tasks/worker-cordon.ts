/**
 * Acts on workers as an operator (the admin persona): cordon and uncordon through the API. Every cordon registers its
 * uncordon at cleanup, so a failing scenario never leaves the platform without workers.
 */
import { ok } from '../api/envelopes';
import type { WorkerView } from '../questions/worker-api';
import type { AttuneWorld } from '../world';

export async function cordonWorker(world: AttuneWorld, id: number, reason: string): Promise<WorkerView> {
  world.onCleanup(`uncordon worker ${id}`, async () => {
    ok(await world.admin.POST('/api/v1/workers/{id}/uncordon', { params: { path: { id } } }), `uncordoning worker ${id}`);
  });
  return ok(await world.admin.POST('/api/v1/workers/{id}/cordon', { params: { path: { id } }, body: { reason } }), `cordoning worker ${id}`) as unknown as WorkerView;
}

export async function uncordonWorker(world: AttuneWorld, id: number): Promise<WorkerView> {
  return ok(await world.admin.POST('/api/v1/workers/{id}/uncordon', { params: { path: { id } } }), `uncordoning worker ${id}`) as unknown as WorkerView;
}
