/**
 * Secrets merged into an action's parameter document (§4.5): keys owned by `system`, then by the
 * action's pack, then by the action; a later owner overrides an earlier one with the same `name`.
 * Encrypted values are decrypted (AES-256-GCM); expired keys, keys encrypted under another key
 * and undecryptable values are skipped. Secrets never go into environment variables.
 */
import { decryptJson, encryptionKeyHash } from '../common/crypto';

export interface SecretRow {
  ref?: string;
  owner_type: string;
  name: string;
  value: unknown;
  encrypted: boolean;
  encryption_key_hash?: string | null;
  expires_at?: string | Date | null;
}

const OWNER_ORDER: Record<string, number> = { system: 0, pack: 1, action: 2 };

export interface MergeOutcome {
  secrets: Record<string, unknown>;
  skipped: Array<{ ref?: string; name: string; reason: string }>;
}

export function mergeSecrets(rows: readonly SecretRow[], encryptionKey: string, now: Date = new Date()): MergeOutcome {
  const secrets: Record<string, unknown> = {};
  const skipped: MergeOutcome['skipped'] = [];
  const ordered = rows
    .filter((r) => r.owner_type in OWNER_ORDER)
    .map((r, i) => ({ r, i }))
    .sort((a, b) => OWNER_ORDER[a.r.owner_type] - OWNER_ORDER[b.r.owner_type] || a.i - b.i)
    .map(({ r }) => r);
  let keyHash: string | undefined;
  for (const row of ordered) {
    if (row.expires_at && new Date(row.expires_at).getTime() <= now.getTime()) {
      skipped.push({ ref: row.ref, name: row.name, reason: 'expired' });
      continue;
    }
    if (!row.encrypted) {
      secrets[row.name] = row.value;
      continue;
    }
    try {
      if (!encryptionKey) throw new Error('no encryption key configured');
      keyHash ??= encryptionKeyHash(encryptionKey);
      if (row.encryption_key_hash && row.encryption_key_hash !== keyHash) throw new Error('encrypted under a different key');
      if (typeof row.value !== 'string') throw new Error('encrypted value is not a string');
      secrets[row.name] = decryptJson(row.value, encryptionKey);
    } catch (err) {
      skipped.push({ ref: row.ref, name: row.name, reason: (err as Error).message });
    }
  }
  return { secrets, skipped };
}

/** The parameter document: execution.config (flat) with secrets on top (a secret wins a clash). */
export function mergeParameters(config: unknown, secrets: Record<string, unknown>): Record<string, unknown> {
  const base = typeof config === 'object' && config !== null && !Array.isArray(config) ? (config as Record<string, unknown>) : {};
  return { ...base, ...secrets };
}
