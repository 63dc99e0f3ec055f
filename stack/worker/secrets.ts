/**
 * Secrets merged into an action's parameter document (§4.5): keys owned by `system`, then by the
 * action's pack, then by the action; a later owner overrides an earlier one with the same `name`.
 * Encrypted values are decrypted (AES-256-GCM); expired keys, keys encrypted under another key
 * and undecryptable values are skipped. Secrets never go into environment variables.
 */
import { decryptJson, encryptionKeyHash } from '../common/crypto';
import type { Queryable } from '../common/db';
import { fault } from '../common/faults';

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
/** fault secret-owner-order-reversed: the pack's secret wins a name clash with the action's own */
const REVERSED_OWNER_ORDER: Record<string, number> = { system: 0, action: 1, pack: 2 };

export interface MergeOutcome {
  secrets: Record<string, unknown>;
  skipped: Array<{ ref?: string; name: string; reason: string }>;
}

export function mergeSecrets(rows: readonly SecretRow[], encryptionKey: string, now: Date = new Date()): MergeOutcome {
  const secrets: Record<string, unknown> = {};
  const skipped: MergeOutcome['skipped'] = [];
  const order: Record<string, number> = {
    ...(fault('secret-owner-order-reversed') ? REVERSED_OWNER_ORDER : OWNER_ORDER),
    // fault identity-keys-delivered: identity-owned keys are merged like system keys (see withSecretScopeFaults)
    ...(fault('identity-keys-delivered') ? { identity: 0 } : {}),
  };
  const ordered = rows
    .filter((r) => r.owner_type in order)
    .map((r, i) => ({ r, i }))
    .sort((a, b) => order[a.r.owner_type] - order[b.r.owner_type] || a.i - b.i)
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

/**
 * Which keys the worker's claim statement hands to an action (its `WHERE` on `key k`, action `a`): system keys, the
 * action's pack's and the action's own. Identity-owned keys are never delivered. Two faults widen that scope:
 * identity-keys-delivered (every identity's keys too) and secrets-of-every-pack (every pack's keys, not only the
 * action's pack's).
 */
export function withSecretScopeFaults(claimSql: string): string {
  let sql = claimSql;
  if (fault('secrets-of-every-pack')) sql = sql.replace("(k.owner_type = 'pack' AND k.owner_pack = a.pack)", "k.owner_type = 'pack'");
  if (fault('identity-keys-delivered')) sql = sql.replace("(k.owner_type = 'system'", "(k.owner_type IN ('system', 'identity')");
  return sql;
}

/**
 * The secrets an action would receive, looked up by the rule that runs it. Only the fault
 * secrets-merged-at-enforcement uses it: the executor then merges them into the rule's rendered parameters, so they
 * land in the enforcement's and the execution's config (the defect of resolving secrets before delivery).
 */
export async function secretsOfRuleAction(db: Queryable, ruleId: number, encryptionKey: string): Promise<Record<string, unknown>> {
  const { rows } = await db.query<SecretRow>(
    `SELECT k.ref, k.owner_type, k.name, k.value, k.encrypted, k.encryption_key_hash, k.expires_at
       FROM rule r JOIN action a ON a.id = r.action
       JOIN key k ON k.owner_type = 'system' OR (k.owner_type = 'pack' AND k.owner_pack = a.pack)
                  OR (k.owner_type = 'action' AND k.owner_action = a.id)
      WHERE r.id = $1
      ORDER BY k.id`,
    [ruleId],
  );
  return mergeSecrets(rows, encryptionKey).secrets;
}
