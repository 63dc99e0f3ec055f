/**
 * The FIFO admission of policed executions (internals §3.5), kept in the durable admission tables
 * (execution_admission_state: one row per (action, group) with its limit and totals; execution_admission_entry:
 * one row per execution holding a slot (`active`) or waiting for one (`queued`)). Only the executor writes them.
 *
 * Every change runs in one transaction that first locks the (action, group) state row, so concurrent deliveries
 * and completions of one queue are serialised. The queue order is the execution id, i.e. submission order: an
 * execution whose request reaches the executor before an older one's does not overtake it, because admission
 * first enqueues every older `requested` execution of the same queue it has not seen yet.
 *
 *  - admit: a new execution joins the queue; then free slots go to the head of the queue. If the head is this
 *    execution it is scheduled now; with method `cancel` an execution that finds no free slot is cancelled instead
 *    of waiting (it never holds an entry). Heads activated for someone else are returned for re-publishing.
 *  - release: a terminal execution leaves (active or queued), total_completed counts it, free slots go to the
 *    head(s), which are returned so their ExecutionRequested can be re-published after the commit.
 */
import type { Client } from '../../common/db';
import { fault } from '../../common/faults';
import { ConcurrencyPolicy, groupKey } from './effective-policy';
import { writeQueueStats } from './queue-stats';

export type AdmitOutcome =
  | { kind: 'admit'; activated: number[] }
  | { kind: 'wait'; activated: number[] }
  | { kind: 'cancel'; activated: number[]; reason: string };

interface StateRow {
  id: number;
  max_concurrent: number;
}

interface LockedState extends StateRow {
  /** one past the newest execution id this queue has enqueued: every older `requested` execution of the queue was
   * looked for when that one was admitted, so the next look starts here */
  next_queue_order: number;
}

async function lockState(c: Client, actionId: number, key: string | null, limit: number): Promise<LockedState> {
  // the queue takes the limit of the policy as it stands now (a changed policy counts from the next admission on);
  // fault policy-update-ignored: the queue keeps the limit it was created with
  const onConflict = fault('policy-update-ignored') ? 'max_concurrent = execution_admission_state.max_concurrent' : 'max_concurrent = EXCLUDED.max_concurrent';
  const { rows } = await c.query(
    `INSERT INTO execution_admission_state (action_id, group_key, max_concurrent) VALUES ($1, $2, $3)
     ON CONFLICT (action_id, coalesce(group_key, '')) DO UPDATE SET ${onConflict}
     RETURNING id, max_concurrent, next_queue_order`,
    [actionId, key, limit],
  );
  return { id: Number(rows[0].id), max_concurrent: Number(rows[0].max_concurrent), next_queue_order: Number(rows[0].next_queue_order) };
}

async function enqueue(c: Client, stateId: number, executionId: number): Promise<void> {
  const inserted = await c.query(
    `INSERT INTO execution_admission_entry (state_id, execution_id, status, queue_order) VALUES ($1, $2, 'queued', $2)
     ON CONFLICT (execution_id) DO NOTHING`,
    [stateId, executionId],
  );
  if (!inserted.rowCount) return; // it holds a place already (in this queue or another group's)
  await c.query(
    `UPDATE execution_admission_state SET total_enqueued = total_enqueued + 1,
            next_queue_order = GREATEST(next_queue_order, $2 + 1) WHERE id = $1`,
    [stateId, executionId],
  );
}

/**
 * Hands free slots to the head of the queue, in queue order (fault fifo-served-lifo: newest first). A queued
 * entry whose execution is no longer `requested` (cancelled while waiting) leaves the queue and counts as
 * completed. Returns the executions activated.
 */
async function fillSlots(c: Client, state: StateRow): Promise<number[]> {
  const activated: number[] = [];
  const order = fault('fifo-served-lifo') ? 'DESC' : 'ASC';
  for (;;) {
    const active = Number(
      (await c.query(`SELECT count(*) AS n FROM execution_admission_entry WHERE state_id = $1 AND status = 'active'`, [state.id])).rows[0].n,
    );
    if (active >= state.max_concurrent) return activated;
    const { rows } = await c.query(
      `SELECT en.id, en.execution_id, ex.status
         FROM execution_admission_entry en JOIN execution ex ON ex.id = en.execution_id
        WHERE en.state_id = $1 AND en.status = 'queued'
        ORDER BY en.queue_order ${order} LIMIT 1`,
      [state.id],
    );
    const head = rows[0];
    if (!head) return activated;
    if (head.status !== 'requested') {
      await c.query('DELETE FROM execution_admission_entry WHERE id = $1', [head.id]);
      await c.query('UPDATE execution_admission_state SET total_completed = total_completed + 1 WHERE id = $1', [state.id]);
      continue;
    }
    await c.query(`UPDATE execution_admission_entry SET status = 'active', activated_at = clock_timestamp() WHERE id = $1`, [head.id]);
    activated.push(Number(head.execution_id));
  }
}

export interface Candidate {
  id: number;
  action: number;
  config: Record<string, unknown> | null;
}

export async function admitInQueue(c: Client, execution: Candidate, policy: ConcurrencyPolicy): Promise<AdmitOutcome> {
  const key = groupKey(policy.parameters, execution.config);
  const state = await lockState(c, execution.action, key, policy.threshold);
  const existing = (await c.query('SELECT status FROM execution_admission_entry WHERE execution_id = $1', [execution.id])).rows[0];

  if (!existing) {
    // older requests of this queue the executor has not admitted yet come first (submission order). Only ids from
    // the queue's high-water mark on are looked at (older ones were looked for at an earlier admission), over the
    // partial index of requested executions: the look costs what arrived since, not the action's whole history.
    // fault admission-skips-older-requests: nothing older is looked for, so an overtaking request goes first
    const older = fault('admission-skips-older-requests') ? { rows: [] as Array<{ id: number; config: Record<string, unknown> | null }> } : await c.query(
      `SELECT ex.id, ex.config FROM execution ex
        WHERE ex.action = $1 AND ex.status = 'requested' AND ex.id >= $3 AND ex.id < $2
          AND NOT EXISTS (SELECT 1 FROM execution_admission_entry en WHERE en.execution_id = ex.id)
        ORDER BY ex.id`,
      [execution.action, execution.id, state.next_queue_order],
    );
    for (const row of older.rows) {
      if (groupKey(policy.parameters, row.config) === key) await enqueue(c, state.id, Number(row.id));
    }
    await enqueue(c, state.id, execution.id);
  }

  const activated = await fillSlots(c, state);
  const others = activated.filter((id) => id !== execution.id);
  const mine = (await c.query('SELECT id, status FROM execution_admission_entry WHERE execution_id = $1', [execution.id])).rows[0];
  // fault cancel-method-enqueues: method cancel behaves like enqueue (the execution waits for a slot)
  if (mine?.status === 'queued' && policy.method === 'cancel' && !fault('cancel-method-enqueues')) {
    // no free slot: the execution never enters the queue (it is taken back out of the totals)
    await c.query('DELETE FROM execution_admission_entry WHERE id = $1', [mine.id]);
    await c.query('UPDATE execution_admission_state SET total_enqueued = total_enqueued - 1 WHERE id = $1', [state.id]);
    await writeQueueStats(c, execution.action);
    return {
      kind: 'cancel',
      activated: others,
      reason: `Concurrency limit reached: policy '${policy.ref}' allows ${policy.threshold} running execution(s) of this action at a time (method cancel)`,
    };
  }
  await writeQueueStats(c, execution.action);
  return mine?.status === 'active' ? { kind: 'admit', activated: others } : { kind: 'wait', activated: others };
}

/** Locks one (action, group) state and hands its free slots to the head of its queue (the admission sweep). */
export async function fillFreeSlots(c: Client, stateId: number): Promise<number[]> {
  const { rows } = await c.query('SELECT id, action_id, max_concurrent FROM execution_admission_state WHERE id = $1 FOR UPDATE', [stateId]);
  if (!rows[0]) return [];
  const activated = await fillSlots(c, { id: Number(rows[0].id), max_concurrent: Number(rows[0].max_concurrent) });
  if (activated.length) await writeQueueStats(c, Number(rows[0].action_id));
  return activated;
}

/** A terminal execution gives its slot (or its place in the queue) back. Returns the executions now activated. */
export async function releaseFromQueue(c: Client, executionId: number): Promise<{ actionId: number; activated: number[] } | null> {
  const found = await c.query(
    `SELECT s.id, s.action_id, s.max_concurrent FROM execution_admission_entry en
       JOIN execution_admission_state s ON s.id = en.state_id WHERE en.execution_id = $1`,
    [executionId],
  );
  if (!found.rows[0]) return null;
  const locked = await c.query('SELECT id, action_id, max_concurrent FROM execution_admission_state WHERE id = $1 FOR UPDATE', [found.rows[0].id]);
  const state: StateRow = { id: Number(locked.rows[0].id), max_concurrent: Number(locked.rows[0].max_concurrent) };
  const actionId = Number(locked.rows[0].action_id);
  const removed = await c.query('DELETE FROM execution_admission_entry WHERE execution_id = $1 AND state_id = $2', [executionId, state.id]);
  if (!removed.rowCount) return null; // released by a concurrent delivery
  await c.query('UPDATE execution_admission_state SET total_completed = total_completed + 1 WHERE id = $1', [state.id]);
  const activated = await fillSlots(c, state);
  // fault queue-stats-stale: a finish (and the start it lets through) leaves queue_stats as it was
  if (!fault('queue-stats-stale')) await writeQueueStats(c, actionId);
  return { actionId, activated };
}
