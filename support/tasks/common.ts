/**
 * Small pieces shared by the tasks: deleting without caring whether the thing is already gone.
 */
import { ApiError, type FetchResult } from '../api/envelopes';

/** Accepts 2xx and 404 (already gone); anything else is a cleanup failure worth reporting. */
export function gone(result: FetchResult<unknown>, what: string): void {
  const { status } = result.response;
  if (result.response.ok || status === 404) return;
  throw new ApiError('DELETE', result.response.url, status, result.error ?? result.data, what);
}
