/**
 * Walking a paginated list to its end (both envelopes), with a hard page cap so a broken `has_next` cannot loop.
 */
import { ok, listItems, type FetchResult } from '../api/envelopes';

export const PAGE_SIZE = 100;
const MAX_PAGES = 20;

interface PaginationLike {
  page?: number | null;
  has_next?: boolean | null;
  total_pages?: number | null;
}

export async function allPages<T>(what: string, fetchPage: (page: number) => Promise<FetchResult<unknown>>): Promise<T[]> {
  const all: T[] = [];
  for (let page = 1; page <= MAX_PAGES; page += 1) {
    const body = ok(await fetchPage(page), what) as { pagination?: PaginationLike };
    const items = listItems<T>(body as never);
    all.push(...items);
    const pagination = body.pagination;
    const more =
      pagination?.has_next ??
      (typeof pagination?.total_pages === 'number' ? page < pagination.total_pages : items.length >= PAGE_SIZE);
    if (!more || items.length === 0) break;
  }
  return all;
}
