/**
 * Pack registry indices (Attune 0.2.1 `pack_registry`): an index is the URL of a JSON document listing packs, each
 * with its latest version and install sources (`{type: "archive" | "git", url, checksum}`). This module fetches and
 * reads those documents and pack archives over HTTP. Every fetch is bounded in time and size, so a client naming an
 * address that never answers costs one timeout, never a hung request.
 */
import { createHash } from 'node:crypto';
import { badRequest } from './http';

/** One index document: 10 s (a local or LAN registry answers in milliseconds; a slow public one still fits). */
export const INDEX_FETCH_TIMEOUT_MS = 10_000;
/** One pack archive: 30 s (the archives the suite serves are a few kB; a real pack of some MB over a slow link fits). */
export const ARCHIVE_FETCH_TIMEOUT_MS = 30_000;
export const INDEX_MAX_BYTES = 5 * 1024 * 1024;
export const ARCHIVE_MAX_BYTES = 100 * 1024 * 1024;

/** Header names the HTTP client manages itself; an index may not set them (Attune refuses them too). */
const MANAGED_HEADERS = new Set([
  'host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'te', 'trailer', 'upgrade',
  'proxy-authenticate', 'proxy-authorization', 'forwarded', 'via', 'x-forwarded', 'x-real-ip',
]);
const HEADER_NAME_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export interface IndexSource {
  id: number | null;
  name: string | null;
  url: string;
  position: number;
  headers: Record<string, string>;
}

export type InstallSource = { type: 'archive'; url: string; checksum: string } | { type: 'git'; url: string; ref: string; checksum: string };

/** A pack entry of an index, kept as the document gave it (the API answers it unchanged). */
export type IndexEntry = Record<string, unknown> & { ref: string; label: string; description: string; version: string; install_sources: InstallSource[]; keywords: string[]; use_case?: string };

/** Why `headers` cannot be an index's headers, or null. */
export function headersProblem(headers: unknown): string | null {
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) return 'Pack index headers must be a JSON object';
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    if (typeof value !== 'string') return 'Pack index header values must be strings';
    const lower = name.toLowerCase();
    if (MANAGED_HEADERS.has(lower) || lower.startsWith('proxy-') || lower.startsWith('x-forwarded-')) {
      return `Registry header '${name}' is managed by the HTTP client and is not allowed`;
    }
    if (!HEADER_NAME_RE.test(name)) return `Invalid registry header name '${name}'`;
    if (/[\r\n\0]/.test(value) || [...value].some((c) => c.charCodeAt(0) > 0xff)) return `Invalid value for registry header '${name}'`;
  }
  return null;
}

/** Why `url` cannot be fetched (an absolute http or https URL), or null. */
export function urlProblem(url: unknown): string | null {
  if (typeof url !== 'string' || url.trim() === '') return 'url must be a non-empty string';
  if (url.length > 2048) return 'url must be at most 2048 characters';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `url '${url}' is not an absolute URL`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `url '${url}' must use http or https`;
  if (parsed.username || parsed.password) return 'url must not carry credentials (use headers)';
  return null;
}

export class FetchError extends Error {}

/** GETs `url` (no redirects followed) and returns its body; FetchError on a failed, slow or oversized answer. */
export async function fetchBounded(url: string, headers: Record<string, string>, timeoutMs: number, maxBytes: number): Promise<Buffer> {
  let response: Response;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    response = await fetch(url, { headers, redirect: 'error', signal });
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    throw new FetchError(signal.aborted ? `no answer within ${timeoutMs / 1000} s` : cause ?? (err as Error).message);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new FetchError(`HTTP ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new FetchError(`the answer exceeds ${maxBytes} bytes`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of response.body ?? []) {
      total += (chunk as Uint8Array).length;
      if (total > maxBytes) throw new FetchError(`the answer exceeds ${maxBytes} bytes`);
      chunks.push(Buffer.from(chunk as Uint8Array));
    }
  } catch (err) {
    if (err instanceof FetchError) throw err;
    throw new FetchError(signal.aborted ? `no answer within ${timeoutMs / 1000} s` : (err as Error).message);
  }
  return Buffer.concat(chunks);
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);

function entryProblem(e: unknown): string | null {
  if (e === null || typeof e !== 'object' || Array.isArray(e)) return 'a pack entry is not an object';
  const o = e as Record<string, unknown>;
  for (const f of ['ref', 'label', 'description', 'version', 'author', 'license']) if (!isString(o[f])) return `pack entry field '${f}' must be a string`;
  if (!isStringArray(o.keywords)) return `pack ${String(o.ref)}: keywords must be a list of strings`;
  if (!isStringArray(o.runtime_deps)) return `pack ${String(o.ref)}: runtime_deps must be a list of strings`;
  if (o.contents === null || typeof o.contents !== 'object' || Array.isArray(o.contents)) return `pack ${String(o.ref)}: contents must be an object`;
  if (!Array.isArray(o.install_sources)) return `pack ${String(o.ref)}: install_sources must be a list`;
  for (const s of o.install_sources as unknown[]) {
    const src = s as Record<string, unknown> | null;
    if (!src || typeof src !== 'object' || !isString(src.url) || !isString(src.checksum)) return `pack ${String(o.ref)}: an install source lacks url or checksum`;
    if (src.type === 'git' ? !isString(src.ref) : src.type !== 'archive') return `pack ${String(o.ref)}: an install source has an unknown type or a git source no ref`;
  }
  return null;
}

/** Reads an index document: `{registry_name, registry_url, version, last_updated, packs: [...]}` (Attune's PackIndex). */
export function parseIndex(body: Buffer): IndexEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new FetchError(`the index is not JSON: ${(err as Error).message}`);
  }
  const o = doc as Record<string, unknown> | null;
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw new FetchError('the index is not a JSON object');
  for (const f of ['registry_name', 'registry_url', 'version', 'last_updated']) if (!isString(o[f])) throw new FetchError(`the index field '${f}' must be a string`);
  if (!Array.isArray(o.packs)) throw new FetchError("the index field 'packs' must be a list");
  for (const e of o.packs) {
    const problem = entryProblem(e);
    if (problem) throw new FetchError(problem);
  }
  return o.packs as IndexEntry[];
}

export async function fetchIndex(source: IndexSource): Promise<IndexEntry[]> {
  return parseIndex(await fetchBounded(source.url, source.headers, INDEX_FETCH_TIMEOUT_MS, INDEX_MAX_BYTES));
}

/** The packs of every index, fetched at once, in the order of `sources`; an index that fails is left out (logged). */
export async function fetchIndices(
  sources: IndexSource[],
  warn: (source: IndexSource, err: unknown) => void,
): Promise<{ source: IndexSource; entries: IndexEntry[] }[]> {
  const results = await Promise.all(
    sources.map(async (source) => {
      try {
        return { source, entries: await fetchIndex(source) };
      } catch (err) {
        warn(source, err);
        return null;
      }
    }),
  );
  return results.filter((r): r is { source: IndexSource; entries: IndexEntry[] } => r !== null);
}

/** True when `q` (lower-case) is in the entry's ref, label, description, use case or one of its keywords. */
export function entryMatches(entry: IndexEntry, q: string): boolean {
  if (q === '') return true;
  const has = (v: unknown) => typeof v === 'string' && v.toLowerCase().includes(q);
  return has(entry.ref) || has(entry.label) || has(entry.description) || has(entry.use_case) || entry.keywords.some(has);
}

/** Registry checksums are `sha256:<64 lower-case hex digits>`, as Attune requires for archives from an index. */
export function registrySha256(checksum: string): string {
  const m = /^sha256:([0-9a-f]{64})$/.exec(checksum);
  if (!m) throw badRequest('Invalid checksum: Registry checksums must use sha256:<64 lowercase hex characters>');
  return m[1];
}

/** Refuses (400) bytes whose SHA-256 is not `expected` (`sha256:<hex>`). */
export function verifyChecksum(bytes: Buffer, expected: string): void {
  const want = registrySha256(expected);
  const got = createHash('sha256').update(bytes).digest('hex');
  if (got !== want) throw badRequest(`Checksum mismatch: expected ${want}, got ${got}`);
}
