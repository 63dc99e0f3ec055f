/**
 * Questions about the datastore.
 */
import { createHash } from 'node:crypto';
import type { ApiClient, RawResponse } from '../api/client';
import { db, type KeyAtRestRow } from '../database';
import { listAll } from './tenancy';
import type { Key } from '../api/models';
import type { AttuneWorld } from '../world';

export type { Key };

/** Reads a key; returns the status too, because a denied read looks like a missing key (404). */
export async function key(world: AttuneWorld, ref: string, as: ApiClient = world.api): Promise<RawResponse<{ data?: Key }>> {
  return as.raw<{ data?: Key }>('GET', `/api/v1/keys/${encodeURIComponent(ref)}`);
}

// ---- the datastore scenarios -----------------------------------------------------------------------------------

/** The refs of every key `as` lists (all pages). */
export async function keyRefsListed(as: ApiClient): Promise<string[]> {
  return (await listAll(as, 'keys')).map((row) => String(row.ref));
}

/** The key rows stored under `ref` (the database's own view, read-only session). */
export function keyAtRest(ref: string): Promise<KeyAtRestRow[]> {
  return db.keyAtRest(ref);
}

/** AES-256-GCM as Attune stores it: base64(12-byte nonce ‖ ciphertext ‖ 16-byte tag); the ciphertext is as long as the
 * value's JSON text. */
export const SEAL_OVERHEAD_BYTES = 12 + 16;

/** What the database keeps for an encrypted key, reduced to the facts a scenario compares against `SEALED`. */
export interface SealingReport {
  rows: number;
  encrypted: boolean | undefined;
  /** the JSON type of the stored value */
  storedAs: string;
  /** the stored string is canonical base64 */
  base64: boolean;
  /** decoded bytes minus the byte length of the clear value's JSON text */
  decodedBytesOverClearText: number | null;
  /** pieces of clear text (of any value the key was ever given) found in the stored text or in its decoded bytes */
  clearTextFound: string[];
  encryptionKeyHashIsSha256Hex: boolean;
}

export const SEALED: SealingReport = {
  rows: 1,
  encrypted: true,
  storedAs: 'string',
  base64: true,
  decodedBytesOverClearText: SEAL_OVERHEAD_BYTES,
  clearTextFound: [],
  encryptionKeyHashIsSha256Hex: true,
};

/**
 * The clear-text pieces of a value worth looking for: its JSON text and every string inside it, when at least 6
 * characters long (a shorter piece could turn up in 40 random base64 characters or bytes by chance; 6 cannot in
 * practice: ~L/64^6 for base64 text, ~L/256^6 for bytes).
 */
export function clearTextPieces(value: unknown): string[] {
  const pieces = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') pieces.add(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.entries(v).forEach(([k, x]) => (walk(k), walk(x)));
  };
  walk(value);
  pieces.add(JSON.stringify(value));
  return [...pieces].filter((p) => p.length >= 6);
}

export function sealingReport(found: KeyAtRestRow[], lastValue: unknown, everyValue: unknown[]): SealingReport {
  const row = found[0];
  const stored = row?.value;
  const isText = typeof stored === 'string';
  const base64 = isText && stored.length > 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(stored) && Buffer.from(stored, 'base64').toString('base64') === stored;
  const decoded = base64 ? Buffer.from(stored as string, 'base64') : undefined;
  const haystacks = [row?.value_text ?? '', ...(decoded ? [decoded.toString('latin1'), decoded.toString('utf8')] : [])];
  const pieces = [...new Set(everyValue.flatMap(clearTextPieces))];
  return {
    rows: found.length,
    encrypted: row?.encrypted,
    storedAs: stored === null ? 'null' : Array.isArray(stored) ? 'array' : typeof stored,
    base64,
    decodedBytesOverClearText: decoded ? decoded.length - Buffer.byteLength(JSON.stringify(lastValue), 'utf8') : null,
    clearTextFound: pieces.filter((p) => haystacks.some((h) => h.includes(p) || h.includes(Buffer.from(p, 'utf8').toString('latin1')))),
    encryptionKeyHashIsSha256Hex: typeof row?.encryption_key_hash === 'string' && /^[0-9a-f]{64}$/.test(row.encryption_key_hash),
  };
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
