/**
 * Questions for the tenancy scenarios: what a tenant's lists hold, what one thing answers when asked for by its ref or
 * id, and a snapshot of a tenant's estate to compare before and after someone else tried to change it.
 */
import type { ApiClient, RawResponse } from '../api/client';
import { listItems } from '../api/envelopes';
import type { Estate } from '../tasks/tenancy';

export const KINDS = ['packs', 'actions', 'triggers', 'rules', 'executions', 'events', 'enforcements', 'keys'] as const;
export type Kind = (typeof KINDS)[number];

type Row = Record<string, unknown>;
export type Identifier = string | number;

interface KindSpec {
  /** the estate's thing of this kind */
  member: (estate: Estate) => Identifier;
  /** the identifier of a listed row (comparable with `member`) */
  identify: (row: Row) => Identifier;
  /** the namespace (pack ref) a listed row belongs to */
  namespaceOf: (row: Row) => string;
  listPath: string;
  /** the list narrowed to an estate, where the contract offers a filter */
  narrowTo?: (estate: Estate) => Record<string, string>;
  onePath: (id: Identifier) => string;
}

const packOf = (ref: unknown): string => String(ref ?? '').split('.')[0];
const enc = (value: Identifier): string => encodeURIComponent(String(value));

export const KIND_SPECS: Record<Kind, KindSpec> = {
  packs: {
    member: (e) => e.pack,
    identify: (r) => String(r.ref),
    namespaceOf: (r) => String(r.ref),
    listPath: '/api/v1/packs',
    onePath: (id) => `/api/v1/packs/${enc(id)}`,
  },
  actions: {
    member: (e) => e.action,
    identify: (r) => String(r.ref),
    namespaceOf: (r) => packOf(r.ref),
    listPath: '/api/v1/actions',
    narrowTo: (e) => ({ pack_ref: e.pack }),
    onePath: (id) => `/api/v1/actions/${enc(id)}`,
  },
  triggers: {
    member: (e) => e.trigger,
    identify: (r) => String(r.ref),
    namespaceOf: (r) => packOf(r.ref),
    listPath: '/api/v1/triggers',
    narrowTo: (e) => ({ pack_ref: e.pack }),
    onePath: (id) => `/api/v1/triggers/${enc(id)}`,
  },
  rules: {
    member: (e) => e.rule,
    identify: (r) => String(r.ref),
    namespaceOf: (r) => packOf(r.ref),
    listPath: '/api/v1/rules',
    narrowTo: (e) => ({ pack_ref: e.pack }),
    onePath: (id) => `/api/v1/rules/${enc(id)}`,
  },
  executions: {
    member: (e) => e.execution,
    identify: (r) => Number(r.id),
    namespaceOf: (r) => packOf(r.action_ref),
    listPath: '/api/v1/executions',
    narrowTo: (e) => ({ action_ref: e.action }),
    onePath: (id) => `/api/v1/executions/${enc(id)}`,
  },
  events: {
    member: (e) => e.event,
    identify: (r) => Number(r.id),
    namespaceOf: (r) => packOf(r.trigger_ref),
    listPath: '/api/v1/events',
    narrowTo: (e) => ({ trigger_ref: e.trigger }),
    onePath: (id) => `/api/v1/events/${enc(id)}`,
  },
  enforcements: {
    member: (e) => e.enforcement,
    identify: (r) => Number(r.id),
    namespaceOf: (r) => packOf(r.rule_ref),
    listPath: '/api/v1/enforcements',
    narrowTo: (e) => ({ rule_ref: e.rule }),
    onePath: (id) => `/api/v1/enforcements/${enc(id)}`,
  },
  keys: {
    member: (e) => e.key,
    identify: (r) => String(r.ref),
    namespaceOf: (r) => packOf(r.ref),
    listPath: '/api/v1/keys',
    onePath: (id) => `/api/v1/keys/${enc(id)}`,
  },
};

export function kindNamed(words: string): Kind {
  const kind = words.trim().toLowerCase() as Kind;
  if (!KINDS.includes(kind)) throw new Error(`"${words}" is not a kind of thing this suite lists; use one of: ${KINDS.join(', ')}`);
  return kind;
}

const PAGE_SIZE = 100;
const MAX_PAGES = 20;

interface PaginationLike {
  has_next?: boolean | null;
  total_pages?: number | null;
}

/** Every row of a list as `client` sees it (all pages), optionally narrowed by query parameters. */
export async function listAll(client: ApiClient, kind: Kind, query: Record<string, string> = {}): Promise<Row[]> {
  const rows: Row[] = [];
  for (let page = 1; page <= MAX_PAGES; page += 1) {
    const search = new URLSearchParams({ ...query, page: String(page), per_page: String(PAGE_SIZE) });
    const path = `${KIND_SPECS[kind].listPath}?${search.toString()}`;
    const response = await client.raw<{ pagination?: PaginationLike }>('GET', path);
    if (!response.ok) throw new Error(`GET ${path} as ${client.actor} answered ${response.status}: ${JSON.stringify(response.body)}`);
    const items = listItems<Row>(response.body as never);
    rows.push(...items);
    const pagination = response.body?.pagination;
    const more = pagination?.has_next ?? (typeof pagination?.total_pages === 'number' ? page < pagination.total_pages : items.length >= PAGE_SIZE);
    if (!more || items.length === 0) break;
  }
  return rows;
}

/** The identifiers of every row of a list as `client` sees it. */
export async function identifiersListed(client: ApiClient, kind: Kind): Promise<Identifier[]> {
  return (await listAll(client, kind)).map((row) => KIND_SPECS[kind].identify(row));
}

/** One thing by its ref or id, as `client` asks for it (the answer whatever its status). */
export function readOne(client: ApiClient, kind: Kind, id: Identifier): Promise<RawResponse> {
  return client.raw('GET', KIND_SPECS[kind].onePath(id));
}

/** An identifier of the same shape that names nothing: the control for "answers like something that does not exist". */
export function neverExisting(id: Identifier): Identifier {
  return typeof id === 'number' ? 2_000_000_000 + (id % 1_000_000) : `${id}_gone`;
}

/** A response body with the identifier it was about replaced by a placeholder (to compare answers about different things). */
export function withoutIdentifier(body: unknown, id: Identifier): string {
  return JSON.stringify(body ?? null)
    .split(String(id))
    .join('<identifier>');
}

/** Whether an answer is a 404 with a JSON error body; returns what is wrong, or undefined. */
export function notFoundProblem(response: RawResponse): string | undefined {
  const shown = `${response.status} ${response.contentType || '(no content type)'}: ${JSON.stringify(response.body)}`;
  if (response.status !== 404) return `expected 404, got ${shown}`;
  if (!/json/.test(response.contentType)) return `expected a JSON error body, got ${shown}`;
  const body = response.body as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object' || !('error' in body) || !body.error) return `expected a JSON object with an "error", got ${shown}`;
  if ('data' in body) return `a hidden thing must not be described, got ${shown}`;
  return undefined;
}

/** A tenant's estate as its owner sees it: the identifiers of every list, and each of its things in full. */
export interface EstateSnapshot {
  lists: Record<Kind, Identifier[]>;
  things: Record<Kind, unknown>;
  /** every run of the estate's action, whoever started it (as the admin sees them) */
  runsOfAction: number[];
}

export async function snapshotOf(owner: ApiClient, admin: ApiClient, estate: Estate): Promise<EstateSnapshot> {
  const lists = {} as Record<Kind, Identifier[]>;
  const things = {} as Record<Kind, unknown>;
  for (const kind of KINDS) {
    lists[kind] = (await identifiersListed(owner, kind)).sort();
    const one = await readOne(owner, kind, KIND_SPECS[kind].member(estate));
    if (!one.ok) throw new Error(`${owner.actor} could not read its own ${kind} ${KIND_SPECS[kind].member(estate)}: ${one.status} ${JSON.stringify(one.body)}`);
    things[kind] = one.body;
  }
  const runsOfAction = (await listAll(admin, 'executions', { action_ref: estate.action })).map((row) => Number(row.id)).sort();
  return { lists, things, runsOfAction };
}
