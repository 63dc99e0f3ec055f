-- 20250101000014_requested_executions_by_action
-- Admission under a concurrency policy looks for the `requested` executions of one action
-- newer than its queue's high-water mark (execution_admission_state.next_queue_order). The
-- plain index on execution(action) made that look visit every execution the action ever had;
-- this partial index holds only the requested ones, so it costs what is waiting, and an
-- execution leaves it with its first status change.
CREATE INDEX idx_execution_requested_action ON execution (action, id) WHERE status = 'requested';
