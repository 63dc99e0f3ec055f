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
// global branches require the narrower columns to be empty. `actionId` is the SQL expression of the action's id
// (a parameter, or a column of an enclosing query that reads the policy along with its execution).
const EFFECTIVE_POLICY = (rankOrder: 'ASC' | 'DESC', actionId = '$1') => `
  WITH a AS (SELECT id, ref, pack, pack_ref FROM action WHERE id = ${actionId}),
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

// fault scope-precedence-wrong: the broadest scope wins (global over pack over action)
const rankOrder = (): 'ASC' | 'DESC' => (fault('scope-precedence-wrong') ? 'DESC' : 'ASC');

/**
 * A scalar subquery giving the effective policy row of the action whose id is the SQL expression `actionId`, as JSON
 * (null when none): for a query that loads an execution to read its policy in the same statement.
 */
export function effectivePolicyJsonSql(actionId: string): string {
  return `(SELECT row_to_json(pol) FROM (${EFFECTIVE_POLICY(rankOrder(), actionId)}) pol)`;
}

/** The policy of a row of EFFECTIVE_POLICY (or its JSON form); null when there is none or it sets no limit. */
export function policyFromRow(row: Record<string, unknown> | null | undefined): ConcurrencyPolicy | null {
  if (!row || row.threshold === null || row.threshold === undefined || row.method === null || row.method === undefined) return null;
  return {
    id: Number(row.id),
    ref: row.ref as string,
    threshold: Number(row.threshold),
    method: row.method as 'enqueue' | 'cancel',
    parameters: (row.parameters as string[] | null) ?? [],
  };
}

export async function effectivePolicy(db: Queryable, actionId: number): Promise<ConcurrencyPolicy | null> {
  const { rows } = await db.query(EFFECTIVE_POLICY(rankOrder()), [actionId]);
  return policyFromRow(rows[0]);
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
