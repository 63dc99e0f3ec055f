/**
 * Which policy governs an execution (internals §3.5): one effective policy per execution, chosen among the
 * enabled ones that apply to its action — action-scoped beats pack-scoped beats global; inside one scope the
 * highest `priority`, then the newest. The winner's concurrency settings (threshold + method) are what the
 * FIFO admission enforces; a winner without a concurrency limit means no limit.
 */
import { fault } from '../../common/faults';
import type { Queryable } from '../../common/db';
import { stringifyExact } from '../../common/exact-json';

export interface ConcurrencyPolicy {
  id: number;
  ref: string;
  threshold: number;
  method: 'enqueue' | 'cancel';
  /** dotted paths into execution.config that split the action's queue into groups */
  parameters: string[];
}

// Scope rank: 0 action, 1 pack, 2 global. An action-scoped row carries its pack as well, so the pack and
// global branches require the narrower columns to be empty.
const EFFECTIVE_POLICY = (rankOrder: 'ASC' | 'DESC') => `
  WITH a AS (SELECT id, ref, pack, pack_ref FROM action WHERE id = $1),
  ranked AS (
    SELECT p.id, p.ref, p.threshold, p.method, p.parameters, p.priority, p.created,
           CASE
             WHEN p.action = a.id OR p.action_ref = a.ref THEN 0
             WHEN p.action IS NULL AND p.action_ref IS NULL AND (p.pack = a.pack OR p.pack_ref = a.pack_ref) THEN 1
             WHEN p.action IS NULL AND p.action_ref IS NULL AND p.pack IS NULL AND p.pack_ref IS NULL THEN 2
           END AS scope_rank
      FROM policy p, a
     WHERE p.enabled
  )
  SELECT id, ref, threshold, method, parameters
    FROM ranked
   WHERE scope_rank IS NOT NULL
   ORDER BY scope_rank ${rankOrder}, priority DESC, created DESC, id DESC
   LIMIT 1`;

export async function effectivePolicy(db: Queryable, actionId: number): Promise<ConcurrencyPolicy | null> {
  // fault scope-precedence-wrong: the broadest scope wins (global over pack over action)
  const { rows } = await db.query(EFFECTIVE_POLICY(fault('scope-precedence-wrong') ? 'DESC' : 'ASC'), [actionId]);
  const row = rows[0];
  if (!row || row.threshold === null || row.method === null) return null;
  return {
    id: Number(row.id),
    ref: row.ref as string,
    threshold: Number(row.threshold),
    method: row.method as 'enqueue' | 'cancel',
    parameters: (row.parameters as string[] | null) ?? [],
  };
}

/** The group an execution queues in: JSON of {path: value} sorted by path; null when the policy names no paths. */
export function groupKey(parameters: string[], config: Record<string, unknown> | null): string | null {
  if (parameters.length === 0) return null;
  const picked: Record<string, unknown> = {};
  for (const path of [...parameters].sort()) {
    let value: unknown = config ?? {};
    for (const segment of path.split('.')) {
      value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[segment] : undefined;
    }
    picked[path] = value === undefined ? null : value;
  }
  return stringifyExact(picked);
}
