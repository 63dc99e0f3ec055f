/**
 * Acts on inquiries (docs/inquiries.md, contract §14): respond to one (as the scenario tenant or another identity),
 * ask one directly about an execution (`POST /inquiries`), and make sure a workflow run that waits on a person does
 * not outlive its scenario (cancelled at cleanup when it has not ended; cancelling cancels its pending inquiry).
 */
import type { ApiClient, RawResponse } from '../api/client';
import { ApiError, unwrapBody } from '../api/envelopes';
import type { Inquiry } from '../questions/inquiries';
import type { AttuneWorld } from '../world';

/** What the scenario remembers about the inquiry it last looked at ("that inquiry"). */
export interface RememberedInquiry {
  inquiry: Inquiry;
  /** the task whose `core.ask` child asked it, when it came from a workflow */
  task?: string;
  /** the workflow run it belongs to, when it came from a workflow */
  runId?: number;
}

export function rememberInquiry(world: AttuneWorld, remembered: RememberedInquiry): RememberedInquiry {
  if (remembered.task) world.remember('inquiry', remembered.task, remembered);
  return world.remember('inquiry', 'last', remembered);
}

export function thatInquiry(world: AttuneWorld): RememberedInquiry {
  return world.recall<RememberedInquiry>('inquiry', 'last');
}

/** `POST /inquiries/{id}/respond` with `{response}` as `as`; the raw answer (the caller judges it). */
export async function respond(world: AttuneWorld, id: number, response: unknown, as: ApiClient = world.api): Promise<RawResponse> {
  return as.raw('POST', `/api/v1/inquiries/${id}/respond`, { response });
}

/** Responds and requires the documented success answer (200); returns the inquiry the answer carries. */
export async function answer(world: AttuneWorld, id: number, response: unknown, as: ApiClient = world.api): Promise<Inquiry> {
  const reply = await respond(world, id, response, as);
  if (reply.status !== 200) {
    throw new ApiError('POST', `/api/v1/inquiries/${id}/respond`, reply.status, reply.body, `responding to inquiry ${id} as ${as.actor} (200 expected)`);
  }
  world.remember('inquiry reply', String(id), reply);
  return unwrapBody(reply.body) as Inquiry;
}

export interface InquiryRequest {
  execution: number;
  prompt: string;
  response_schema?: unknown;
  assigned_to?: number;
  timeout_at?: string;
}

/** Creates an inquiry directly (`POST /inquiries`, 201 expected) and schedules its deletion. */
export async function askDirectly(world: AttuneWorld, request: InquiryRequest, as: ApiClient = world.api): Promise<Inquiry> {
  const reply = await as.raw('POST', '/api/v1/inquiries', request);
  if (reply.status !== 201) {
    throw new ApiError('POST', '/api/v1/inquiries', reply.status, reply.body, `asking about execution ${request.execution} as ${as.actor} (201 expected)`);
  }
  const created = unwrapBody(reply.body) as Inquiry;
  world.onCleanup(`delete inquiry ${created.id}`, async () => {
    const removed = await as.raw('DELETE', `/api/v1/inquiries/${created.id}`);
    if (!removed.ok && removed.status !== 404) {
      throw new ApiError('DELETE', `/api/v1/inquiries/${created.id}`, removed.status, removed.body, `deleting inquiry ${created.id}`);
    }
  });
  return created;
}

export { cancelAtCleanupIfUnfinished } from './workflows';
