-- 20250101000009_workflow_engine_state
-- The reference stack's own bookkeeping for a workflow run, beside Attune's columns: which failed
-- tasks had a transition that handled the failure, and how many items of each with_items task
-- have been dispatched. Written only by the executor, inside the transaction that holds the row.
ALTER TABLE workflow_execution
    ADD COLUMN engine_state JSONB NOT NULL DEFAULT '{}'::jsonb;

-- When the executor only records bookkeeping on a finished workflow child (its workflow_task
-- metadata: completed_at, duration_ms, timed_out), the row's `updated` keeps the moment the
-- execution really changed, so `updated` of a finished execution stays its end time.
CREATE FUNCTION execution_touch_updated() RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    IF (to_jsonb(NEW) - 'workflow_task' - 'updated') IS DISTINCT FROM (to_jsonb(OLD) - 'workflow_task' - 'updated') THEN
        NEW.updated := now();
    END IF;
    RETURN NEW;
END;
$$;
DROP TRIGGER execution_updated ON execution;
CREATE TRIGGER execution_updated BEFORE UPDATE ON execution
    FOR EACH ROW EXECUTE FUNCTION execution_touch_updated();
