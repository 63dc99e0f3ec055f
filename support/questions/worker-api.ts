/**
 * Questions about workers through the API (/api/v1/workers, Attune 0.2.1's WorkerSummary, a bare object), asked as
 * the operator (admin persona): the registered workers that run actions, one worker by id, the operator's identity.
 */
import type { ApiClient } from '../api/client';
import { ok, unwrapBody, type FetchResult } from '../api/envelopes';
import type { AttuneWorld } from '../world';
import { allPages, PAGE_SIZE } from './pages';

export interface WorkerView {
  id: number;
  name: string;
  worker_role: string;
  status: string | null;
  cordoned: boolean;
  cordon_reason?: string | null;
  cordoned_by?: number | null;
  cordoned_at?: string | null;
  health_state: string;
  heartbeat_stale: boolean;
  supported_runtimes: Array<{ name: string; versions: string[] }>;
  load: Record<string, number | null>;
}

/** Every worker with role action that is active with a fresh heartbeat, id order. */
export async function actionWorkers(world: AttuneWorld, as: ApiClient = world.admin): Promise<WorkerView[]> {
  const all = await allPages<WorkerView>('listing the workers', (page) =>
    as.GET('/api/v1/workers', { params: { query: { role: 'action', page, page_size: PAGE_SIZE } } }) as Promise<FetchResult<unknown>>,
  );
  return all.filter((w) => w.status === 'active' && !w.heartbeat_stale);
}

export async function workerById(world: AttuneWorld, id: number, as: ApiClient = world.admin): Promise<WorkerView> {
  return ok(await as.GET('/api/v1/workers/{id}', { params: { path: { id } } }), `reading worker ${id}`) as unknown as WorkerView;
}

/** The identity id of the admin persona (GET /auth/me). */
export async function operatorId(world: AttuneWorld): Promise<number> {
  const me = unwrapBody(ok(await world.admin.GET('/auth/me'), 'reading the operator identity') as never) as { id: number };
  return me.id;
}
