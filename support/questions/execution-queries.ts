/**
 * Questions about executions and inquiries as the query routes answer them: the caller's execution statistics, the
 * executions in one status, the executions of one enforcement, the caller's inquiries (all or in one status). Each
 * list is read whole (every page) in the target's order.
 */
import type { ApiClient } from '../api/client';
import { unwrap, type FetchResult } from '../api/envelopes';
import type { ExecutionStatus } from '../status';
import type { AttuneWorld } from '../world';
import { allPages, PAGE_SIZE } from './pages';

export interface Listed {
  id: number;
  status?: string;
  action_ref?: string;
  [field: string]: unknown;
}

const each = (what: string, fetch: (page: number) => Promise<unknown>) =>
  allPages<Listed>(what, (page) => fetch(page) as Promise<FetchResult<unknown>>);

/** GET /api/v1/executions/stats (counts over the executions the caller may read). */
export async function executionStats(world: AttuneWorld, as: ApiClient = world.api): Promise<Record<string, number>> {
  return unwrap(await as.GET('/api/v1/executions/stats'), 'reading the execution statistics') as unknown as Record<string, number>;
}

/** GET /api/v1/executions/status/{status}. */
export async function executionsWithStatus(world: AttuneWorld, status: ExecutionStatus, as: ApiClient = world.api): Promise<Listed[]> {
  return each(`listing the executions in status ${status}`, (page) =>
    as.GET('/api/v1/executions/status/{status}', { params: { path: { status }, query: { page, page_size: PAGE_SIZE } } }),
  );
}

/** GET /api/v1/enforcements/{enforcement_id}/executions. */
export async function executionsOfEnforcement(world: AttuneWorld, enforcementId: number, as: ApiClient = world.api): Promise<Listed[]> {
  return each(`listing the executions of enforcement ${enforcementId}`, (page) =>
    as.GET('/api/v1/enforcements/{enforcement_id}/executions', { params: { path: { enforcement_id: enforcementId }, query: { page, page_size: PAGE_SIZE } } }),
  );
}

/** GET /api/v1/inquiries, or GET /api/v1/inquiries/status/{status} when a status is given. */
export async function inquiriesListed(world: AttuneWorld, status?: string, as: ApiClient = world.api): Promise<Listed[]> {
  return !status
    ? each('listing the inquiries', (page) => as.GET('/api/v1/inquiries', { params: { query: { page, page_size: PAGE_SIZE } } }))
    : each(`listing the ${status} inquiries`, (page) =>
        as.GET('/api/v1/inquiries/status/{status}', { params: { path: { status: status as never }, query: { page, page_size: PAGE_SIZE } } }),
      );
}
