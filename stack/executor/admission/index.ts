/**
 * Admission (internals §3.5): the executor's gate between `requested` and scheduling. An execution whose action
 * is governed by a concurrency policy takes a slot, waits in the FIFO queue of its (action, group), or — method
 * `cancel` with no free slot — ends `cancelled` before it ever starts. Every terminal execution gives its slot
 * back (completion listener) and the next queued execution is re-published as ExecutionRequested.
 *
 * State ownership: the executor writes these tables, queue_stats, and the pre-dispatch `cancelled` status.
 */
import { withRetriedTransaction } from '../../common/db';
import { makeEnvelope } from '../../common/envelope';
import { fault } from '../../common/faults';
import type { ExecutorContext } from '../context';
import { terminateExecution } from '../execution-outcomes';
import { ConcurrencyPolicy, effectivePolicy, effectivePolicyJsonSql, policyFromRow } from './effective-policy';
import { admitInQueue, releaseFromQueue } from './fifo';
import { handleExecutionRequested } from '../scheduler';

export type Admission = { admit: true } | { admit: false; reason: string };

export interface AdmissionCandidate {
  id: number;
  action: number | null;
  action_ref: string;
  config: Record<string, unknown> | null;
}

/**
 * Runs that got a slot go on to scheduling. This executor schedules them itself, at once: re-published as
 * ExecutionRequested they would wait behind every request queued meanwhile (a burst of submissions to a FIFO-policed
 * action put 24 ms between one run's end and the next one's start). When that fails (the database went away
 * mid-way, say) the request is published after all, and the admission sweep re-publishes any run that still sits
 * `requested` with a slot, so a slot is never lost with this process.
 */
export async function republish(ctx: ExecutorContext, ids: number[], correlationId?: string): Promise<void> {
  if (ids.length === 0) return;
  const { rows } = await ctx.pool.query('SELECT id, action_ref FROM execution WHERE id = ANY($1::bigint[]) ORDER BY id', [ids]);
  for (const row of rows) {
    const payload = { execution_id: Number(row.id), action_ref: row.action_ref as string };
    try {
      await handleExecutionRequested(ctx, makeEnvelope('ExecutionRequested', payload, { correlationId, source: 'executor' }), { slotGranted: true });
      ctx.log.debug({ execution_id: row.id }, 'queued execution got a slot; scheduled');
      continue;
    } catch (err) {
      ctx.log.warn({ execution_id: row.id, err: (err as Error).message }, 'queued execution got a slot; scheduling it failed, re-publishing it');
    }
    await ctx.mq.publish('ExecutionRequested', payload, { correlationId });
  }
}

/** What the scheduler's load of the execution already read (same statement): its governing policy, its queue place. */
export interface AdmissionPreview {
  governing: ConcurrencyPolicy | null;
  placed: boolean;
}

/** The columns a query loading execution `e` adds to give an AdmissionPreview (see previewFromRow). */
export function admissionPreviewColumns(): string {
  return `${effectivePolicyJsonSql('e.action')} AS admission_policy,
         EXISTS (SELECT 1 FROM execution_admission_entry x WHERE x.execution_id = e.id) AS admission_placed`;
}

export function previewFromRow(row: { admission_policy?: unknown; admission_placed?: unknown }): AdmissionPreview {
  return { governing: policyFromRow(row.admission_policy as Record<string, unknown> | null), placed: row.admission_placed === true };
}

export async function admit(ctx: ExecutorContext, execution: AdmissionCandidate, correlationId?: string, preview?: AdmissionPreview): Promise<Admission> {
  // fault policy-ignored: concurrency policies are never consulted
  if (fault('policy-ignored') || execution.action === null) return { admit: true };
  const actionId = execution.action;
  // the common case (no policy governs the action, the run holds no place) costs no transaction; the scheduler read
  // both with the execution itself, other callers read them here. Either way the transaction below reads them again.
  const { governing, placed } = preview ?? {
    governing: await effectivePolicy(ctx.pool, actionId),
    placed: !!(await ctx.pool.query('SELECT 1 FROM execution_admission_entry WHERE execution_id = $1', [execution.id])).rowCount,
  };
  if (!governing && !placed) return { admit: true };
  const outcome = await withRetriedTransaction(ctx.pool, async (c) => {
    const known = await c.query('SELECT 1 FROM execution_admission_entry WHERE execution_id = $1', [execution.id]);
    const policy = await effectivePolicy(c, actionId);
    if (!policy) {
      if (!known.rowCount) return null; // not policed: no queue, no stats
      // policed when it arrived, the policy has gone since: it keeps its place (released slots still reach it)
      const entry = await c.query('SELECT status FROM execution_admission_entry WHERE execution_id = $1', [execution.id]);
      return { kind: entry.rows[0]?.status === 'active' ? ('admit' as const) : ('wait' as const), activated: [] as number[] };
    }
    return admitInQueue(c, { id: execution.id, action: actionId, config: execution.config }, policy);
  });
  if (outcome === null) return { admit: true };
  await republish(ctx, outcome.activated, correlationId);
  if (outcome.kind === 'admit') return { admit: true };
  if (outcome.kind === 'cancel') {
    await terminateExecution(ctx, execution.id, 'requested', 'cancelled', outcome.reason, correlationId);
    return { admit: false, reason: outcome.reason };
  }
  return { admit: false, reason: 'waiting in the FIFO queue of its concurrency policy' };
}

/** After a terminal status: the slot (or queue place) is given back and the next in line re-published. */
export async function releaseSlot(ctx: ExecutorContext, executionId: number, correlationId?: string, placedKnown?: boolean): Promise<void> {
  // most runs hold no place in any queue: no transaction for them (the completion listener read that with the row)
  const placed = placedKnown ?? !!(await ctx.pool.query('SELECT 1 FROM execution_admission_entry WHERE execution_id = $1', [executionId])).rowCount;
  if (!placed) return;
  const released = await withRetriedTransaction(ctx.pool, (c) => releaseFromQueue(c, executionId));
  if (released) await republish(ctx, released.activated, correlationId);
}
