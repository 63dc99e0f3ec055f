/**
 * Reading Attune's response envelopes.
 *
 *  - single objects come as `{data: {...}}` (sometimes with `message`); a few documented bodies omit the wrapper
 *    the server really sends, so `unwrap` accepts both;
 *  - lists come as `{items, pagination}` (current) or `{data: [...], pagination}` (early 2026); a few are bare arrays.
 */

export class ApiError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly body: unknown,
    what?: string,
  ) {
    super(
      `${what ? `${what}: ` : ''}${method} ${url} answered ${status}` +
        `${body === undefined || body === '' ? '' : `: ${typeof body === 'string' ? body : JSON.stringify(body)}`}`.slice(0, 3000),
    );
    this.name = 'ApiError';
  }
}

/** What an openapi-fetch call resolves to (only the parts we read). */
export interface FetchResult<D> {
  data?: D;
  error?: unknown;
  response: Response;
}

export type Unwrapped<D> = D extends { data: infer X } ? X : D;

/** Returns the response body of a 2xx answer; throws an ApiError naming method, URL, status and body otherwise. */
export function ok<D>(result: FetchResult<D>, what?: string): NonNullable<D> {
  const { response } = result;
  if (!response.ok || result.error !== undefined) {
    throw new ApiError(inferMethod(result), response.url, response.status, result.error ?? result.data, what);
  }
  return result.data as NonNullable<D>;
}

/** A Response does not remember its request's method; the client notes it here so error messages can say it. */
const methods = new WeakMap<Response, string>();

export function noteMethod(response: Response, method: string): void {
  methods.set(response, method);
}

function inferMethod(result: FetchResult<unknown>): string {
  return methods.get(result.response) ?? 'request to';
}

/** `{data: X}` → X, a bare X stays X. */
export function unwrapBody<D>(body: D): Unwrapped<D> {
  if (body && typeof body === 'object' && !Array.isArray(body) && 'data' in (body as object)) {
    return (body as unknown as { data: unknown }).data as Unwrapped<D>;
  }
  return body as Unwrapped<D>;
}

/** The single object of a 2xx answer (`data.data`, or the bare body where the server does not wrap). */
export function unwrap<D>(result: FetchResult<D>, what?: string): Unwrapped<NonNullable<D>> {
  return unwrapBody(ok(result, what)) as Unwrapped<NonNullable<D>>;
}

type ListBody<T> = { items?: T[] | null } | { data?: T[] | null } | T[] | null | undefined;

/** The array of a list body in either envelope (`items ?? data`), or a bare array. */
export function listItems<T>(body: ListBody<T>): T[] {
  if (Array.isArray(body)) return body;
  if (!body || typeof body !== 'object') return [];
  const record = body as { items?: unknown; data?: unknown };
  const items = record.items ?? record.data;
  if (Array.isArray(items)) return items as T[];
  if (items && typeof items === 'object' && Array.isArray((items as { items?: unknown }).items)) {
    return (items as { items: T[] }).items;
  }
  return [];
}

/** The items of a 2xx list answer. */
export function list<D>(result: FetchResult<D>, what?: string): ListElement<NonNullable<D>>[] {
  return listItems(ok(result, what) as ListBody<ListElement<NonNullable<D>>>);
}

export type ListElement<D> = D extends { items: Array<infer X> }
  ? X
  : D extends { data: Array<infer X> }
    ? X
    : D extends Array<infer X>
      ? X
      : unknown;
