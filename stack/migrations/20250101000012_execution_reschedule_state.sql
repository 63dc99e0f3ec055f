-- 20250101000011_execution_reschedule_state
-- How often an execution still `requested` was requested again (POST /api/v1/executions/{id}/reschedule,
-- Attune Late's recovery control): one row per execution, counting the attempts and naming the last one.
CREATE TABLE execution_reschedule_state (
    execution_id    BIGINT PRIMARY KEY REFERENCES execution (id) ON DELETE CASCADE,
    attempt_count   INTEGER NOT NULL DEFAULT 0 CHECK (attempt_count >= 0),
    last_attempt_at TIMESTAMPTZ,
    last_reason     TEXT,
    last_source     TEXT,
    created         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated         TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TRIGGER execution_reschedule_state_updated BEFORE UPDATE ON execution_reschedule_state
    FOR EACH ROW EXECUTE FUNCTION update_updated_column();
