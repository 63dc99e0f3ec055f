/**
 * queue_stats: one row per policed action, rewritten inside every admission transaction (a slot taken, an
 * execution queued, a slot released) from the durable admission tables, so the row and the queue never disagree.
 */
import type { Queryable } from '../../common/db';

export async function writeQueueStats(db: Queryable, actionId: number): Promise<void> {
  await db.query(
    `INSERT INTO queue_stats (action_id, queue_length, active_count, max_concurrent, oldest_enqueued_at,
                              total_enqueued, total_completed, last_updated)
     SELECT $1,
            (SELECT count(*) FROM execution_admission_entry e JOIN execution_admission_state s ON s.id = e.state_id
              WHERE s.action_id = $1 AND e.status = 'queued'),
            (SELECT count(*) FROM execution_admission_entry e JOIN execution_admission_state s ON s.id = e.state_id
              WHERE s.action_id = $1 AND e.status = 'active'),
            COALESCE((SELECT max(max_concurrent) FROM execution_admission_state WHERE action_id = $1), 1),
            (SELECT min(e.enqueued_at) FROM execution_admission_entry e JOIN execution_admission_state s ON s.id = e.state_id
              WHERE s.action_id = $1 AND e.status = 'queued'),
            COALESCE((SELECT sum(total_enqueued) FROM execution_admission_state WHERE action_id = $1), 0),
            COALESCE((SELECT sum(total_completed) FROM execution_admission_state WHERE action_id = $1), 0),
            clock_timestamp()
     ON CONFLICT (action_id) DO UPDATE SET
            queue_length = EXCLUDED.queue_length, active_count = EXCLUDED.active_count,
            max_concurrent = EXCLUDED.max_concurrent, oldest_enqueued_at = EXCLUDED.oldest_enqueued_at,
            total_enqueued = EXCLUDED.total_enqueued, total_completed = EXCLUDED.total_completed,
            last_updated = EXCLUDED.last_updated`,
    [actionId],
  );
}
