import { stringifyExact } from '../common/exact-json';
/**
 * HTTP conventions of Attune's API: envelopes, error bodies, pagination.
 *  - single object: {"data": …, "message"?: …}
 *  - list: {"items": [...], "data": [...] (same array, for early-2026 clients), "pagination": {...}}
 *  - handler error: {"error": "<message>", "code": "<CODE>"}
 *  - auth failure: {"error": {"code": 401, "message": "<message>"}}
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    if (this.code === 'AUTH') return { error: { code: this.status, message: this.message } };
    return { error: this.message, code: this.code, ...(this.details !== undefined ? { details: this.details } : {}) };
  }
}

export const badRequest = (msg: string, details?: unknown) => new ApiError(400, 'BAD_REQUEST', msg, details);
export const unauthenticated = (msg: string) => new ApiError(401, 'AUTH', msg);
export const unauthorized = (msg: string) => new ApiError(401, 'UNAUTHORIZED', msg);
export const forbidden = (msg: string) => new ApiError(403, 'FORBIDDEN', msg);
export const notFound = (msg: string) => new ApiError(404, 'NOT_FOUND', msg);
export const conflict = (msg: string) => new ApiError(409, 'CONFLICT', msg);
export const validationError = (msg: string, details?: unknown) =>
  new ApiError(422, 'VALIDATION_ERROR', msg.startsWith('Validation failed') ? msg : `Validation failed: ${msg}`, details);
export const unprocessable = (msg: string) => new ApiError(422, 'UNPROCESSABLE_ENTITY', msg);

export function ok<T>(data: T, message?: string): { data: T; message?: string } {
  return message === undefined ? { data } : { data, message };
}

export function deleted(message: string): { success: true; message: string } {
  return { success: true, message };
}

export interface Paging {
  page: number;
  pageSize: number;
  limit: number;
  offset: number;
}

/**
 * Page parameters. Families differ in Attune: most lists take `page`/`page_size` (default 50),
 * executions `page`/`per_page` (default 20), events/enforcements/keys `page`/`per_page` (50).
 * Both size names are accepted everywhere; SQL limit capped at 100.
 */
export function parsePaging(query: unknown, defaultSize = 50): Paging {
  const q = (query ?? {}) as Record<string, unknown>;
  const num = (v: unknown, fallback: number) => {
    if (v === undefined || v === null || v === '') return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw badRequest(`invalid paging value ${stringifyExact(v)}: must be a positive integer`);
    return n;
  };
  const page = num(q.page, 1);
  const pageSize = num(q.per_page ?? q.page_size, defaultSize);
  const limit = Math.min(pageSize, 100);
  return { page, pageSize, limit, offset: (page - 1) * limit };
}

export function pageOf<T>(items: T[], paging: Paging, total: number) {
  const totalPages = Math.max(1, Math.ceil(total / paging.pageSize));
  return {
    items,
    data: items,
    pagination: {
      page: paging.page,
      page_size: paging.pageSize,
      total_items: total,
      total_pages: totalPages,
      has_previous: paging.page > 1,
      has_next: paging.page < totalPages,
    },
  };
}

/** Maps PostgreSQL errors from bad input to 4xx instead of 500. Returns undefined for real faults. */
export function fromPgError(err: unknown): ApiError | undefined {
  const e = err as { code?: string; constraint?: string; detail?: string; message?: string };
  switch (e?.code) {
    case '23505':
      return conflict(`Already exists (${e.constraint ?? 'unique constraint'})`);
    case '23514':
      return validationError(`${e.message}${e.constraint ? ` (${e.constraint})` : ''}`);
    case '23502':
      return validationError(e.message ?? 'a required value is missing');
    case '23503':
      return badRequest(`Referenced entity does not exist (${e.constraint ?? 'foreign key'})`);
    case '22P02':
    case '22007':
    case '22008':
    case '22003':
      return badRequest(`Invalid value: ${e.message}`);
    default:
      return undefined;
  }
}

/** A JSON-serialisable row: timestamps as RFC 3339 strings. */
export function serialize<T extends Record<string, unknown>>(row: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = v instanceof Date ? v.toISOString() : v;
  return out as T;
}
