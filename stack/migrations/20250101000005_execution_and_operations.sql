-- 20250101000005_execution_and_operations
-- Workers, executions, inquiries, managed sensor processes, notifications, their
-- pg_notify triggers, and the execution/worker helper functions and views.
-- execution.workflow_def gets its foreign key in the workflow_system file.
-- Note: Attune kept execution without foreign keys while it was a TimescaleDB hypertable;
-- this schema uses plain tables, so the id links are real foreign keys with ON DELETE SET NULL
-- (the text *_ref columns keep history readable after a delete).

-- ---------------------------------------------------------------------------
-- worker
-- ---------------------------------------------------------------------------
CREATE TABLE worker (
    id             BIGSERIAL PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    worker_type    worker_type_enum NOT NULL,
    worker_role    worker_role_enum NOT NULL,
    runtime        BIGINT REFERENCES runtime (id) ON DELETE SET NULL,
    host           TEXT,
    port           INTEGER,
    status         worker_status_enum DEFAULT 'active',
    capabilities   JSONB,
    meta           JSONB,
    last_heartbeat TIMESTAMPTZ,
    cordoned       BOOLEAN NOT NULL DEFAULT false,
    cordon_reason  TEXT,
    cordoned_by    BIGINT REFERENCES identity (id) ON DELETE SET NULL,
    cordoned_at    TIMESTAMPTZ,
    created        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_worker_status ON worker (status);
CREATE INDEX idx_worker_role ON worker (worker_role);
CREATE INDEX idx_worker_last_heartbeat ON worker (last_heartbeat);
CREATE TRIGGER worker_updated BEFORE UPDATE ON worker
    FOR EACH ROW EXECUTE FUNCTION update_updated_column();

-- ---------------------------------------------------------------------------
-- execution
-- ---------------------------------------------------------------------------
CREATE TABLE execution (
    id                        BIGSERIAL PRIMARY KEY,
    action                    BIGINT REFERENCES action (id) ON DELETE SET NULL,
    action_ref                TEXT NOT NULL,
    config                    JSONB,
    env_vars                  JSONB,
    parent                    BIGINT REFERENCES execution (id) ON DELETE SET NULL,
    enforcement               BIGINT REFERENCES enforcement (id) ON DELETE SET NULL,
    executor                  BIGINT REFERENCES identity (id) ON DELETE SET NULL,
    worker                    BIGINT REFERENCES worker (id) ON DELETE SET NULL,
    status                    execution_status_enum NOT NULL DEFAULT 'requested',
    result                    JSONB,
    started_at                TIMESTAMPTZ,
    timeout_seconds           INTEGER,
    workflow_def              BIGINT,
    workflow_task             JSONB,
    retry_count               INTEGER NOT NULL DEFAULT 0,
    max_retries               INTEGER,
    retry_reason              TEXT,
    original_execution        BIGINT REFERENCES execution (id) ON DELETE SET NULL,
    permission_set_refs       TEXT[],
    worker_selector           JSONB,
    worker_tolerations        JSONB,
    worker_affinity           JSONB,
    trace_tag                 TEXT,
    artifact_retention_policy artifact_retention_enum,
    artifact_retention_limit  INTEGER CHECK (artifact_retention_limit IS NULL OR artifact_retention_limit > 0),
    created                   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated                   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT execution_timeout_positive CHECK (timeout_seconds IS NULL OR timeout_seconds > 0),
    CONSTRAINT execution_retry_count_nonnegative CHECK (retry_count >= 0),
    CONSTRAINT execution_max_retries_nonnegative CHECK (max_retries IS NULL OR max_retries >= 0)
);
CREATE INDEX idx_execution_action ON execution (action);
CREATE INDEX idx_execution_action_ref ON execution (action_ref);
CREATE INDEX idx_execution_status ON execution (status);
CREATE INDEX idx_execution_enforcement ON execution (enforcement);
CREATE INDEX idx_execution_parent ON execution (parent);
CREATE INDEX idx_execution_executor ON execution (executor);
CREATE INDEX idx_execution_worker ON execution (worker);
CREATE INDEX idx_execution_workflow_def ON execution (workflow_def);
CREATE INDEX idx_execution_original_execution ON execution (original_execution);
CREATE INDEX idx_execution_created ON execution (created);
CREATE INDEX idx_execution_status_created ON execution (status, created);
CREATE INDEX idx_execution_trace_tag ON execution (trace_tag);
CREATE INDEX idx_execution_workflow_execution
    ON execution ((workflow_task ->> 'workflow_execution'))
    WHERE workflow_task IS NOT NULL;
-- One top-level execution per enforcement; retries (config carries retry_of) are exempt.
CREATE UNIQUE INDEX uq_execution_enforcement_top_level ON execution (enforcement)
    WHERE enforcement IS NOT NULL
      AND parent IS NULL
      AND NOT coalesce(config ? 'retry_of', false);
CREATE TRIGGER execution_updated BEFORE UPDATE ON execution
    FOR EACH ROW EXECUTE FUNCTION update_updated_column();

-- true iff the execution failed and still has automatic retries left
CREATE FUNCTION is_execution_retriable(execution_id BIGINT) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT coalesce((
        SELECT e.status = 'failed'
           AND coalesce(e.max_retries, 0) > 0
           AND e.retry_count < e.max_retries
          FROM execution e
         WHERE e.id = execution_id
    ), false);
$$;

-- ---------------------------------------------------------------------------
-- inquiry
-- ---------------------------------------------------------------------------
CREATE TABLE inquiry (
    id              BIGSERIAL PRIMARY KEY,
    execution       BIGINT NOT NULL REFERENCES execution (id) ON DELETE CASCADE,
    prompt          TEXT NOT NULL,
    response_schema JSONB,
    assigned_to     BIGINT REFERENCES identity (id) ON DELETE SET NULL,
    status          inquiry_status_enum NOT NULL DEFAULT 'pending',
    response        JSONB,
    timeout_at      TIMESTAMPTZ,
    responded_at    TIMESTAMPTZ,
    created         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated         TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_inquiry_execution ON inquiry (execution);
CREATE INDEX idx_inquiry_status ON inquiry (status);
CREATE INDEX idx_inquiry_assigned_to ON inquiry (assigned_to);
CREATE INDEX idx_inquiry_pending_timeout ON inquiry (timeout_at) WHERE status = 'pending';
CREATE INDEX idx_inquiry_created ON inquiry (created);
CREATE TRIGGER inquiry_updated BEFORE UPDATE ON inquiry
    FOR EACH ROW EXECUTE FUNCTION update_updated_column();

-- ---------------------------------------------------------------------------
-- sensor_process (live state of a managed sensor process; one row per sensor ref)
-- ---------------------------------------------------------------------------
CREATE TABLE sensor_process (
    id                   BIGSERIAL PRIMARY KEY,
    sensor               BIGINT REFERENCES sensor (id) ON DELETE CASCADE,
    sensor_ref           TEXT NOT NULL UNIQUE,
    worker               BIGINT REFERENCES worker (id) ON DELETE SET NULL,
    status               sensor_process_status_enum NOT NULL DEFAULT 'starting',
    pid                  INTEGER,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    last_started_at      TIMESTAMPTZ,
    last_exited_at       TIMESTAMPTZ,
    last_exit_code       INTEGER,
    next_restart_at      TIMESTAMPTZ,
    stderr_excerpt       TEXT,
    created              TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated              TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_sensor_process_sensor ON sensor_process (sensor);
CREATE INDEX idx_sensor_process_status ON sensor_process (status);
CREATE TRIGGER sensor_process_updated BEFORE UPDATE ON sensor_process
    FOR EACH ROW EXECUTE FUNCTION update_updated_column();

-- ---------------------------------------------------------------------------
-- notification
-- ---------------------------------------------------------------------------
CREATE TABLE notification (
    id          BIGSERIAL PRIMARY KEY,
    channel     TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity      TEXT NOT NULL,
    activity    TEXT NOT NULL,
    state       notification_status_enum NOT NULL DEFAULT 'created',
    content     JSONB,
    created     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated     TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- pg_notify refuses empty channel names and names longer than 63 bytes
    CONSTRAINT notification_channel_length CHECK (octet_length(channel) BETWEEN 1 AND 63)
);
CREATE INDEX idx_notification_channel ON notification (channel);
CREATE INDEX idx_notification_entity ON notification (entity_type, entity);
CREATE INDEX idx_notification_state ON notification (state);
CREATE INDEX idx_notification_created ON notification (created);
CREATE TRIGGER notification_updated BEFORE UPDATE ON notification
    FOR EACH ROW EXECUTE FUNCTION update_updated_column();

-- ---------------------------------------------------------------------------
-- Workers: helper function and view
-- ---------------------------------------------------------------------------
CREATE FUNCTION get_worker_queue_depth(worker_id BIGINT) RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN jsonb_typeof(w.capabilities -> 'health' -> 'queue_depth') = 'number'
        THEN (w.capabilities -> 'health' ->> 'queue_depth')::numeric::integer
    END
      FROM worker w
     WHERE w.id = worker_id;
$$;

-- Workers that may receive work now: active, heartbeat within 30 s, health absent/healthy/degraded.
CREATE VIEW healthy_workers AS
SELECT w.*
  FROM worker w
 WHERE w.status = 'active'
   AND w.last_heartbeat IS NOT NULL
   AND w.last_heartbeat > now() - interval '30 seconds'
   AND coalesce(w.capabilities -> 'health' ->> 'status', 'healthy') IN ('healthy', 'degraded');

-- ---------------------------------------------------------------------------
-- pg_notify: execution_created, execution_status_changed,
--            workflow_execution_status_changed
-- ---------------------------------------------------------------------------
CREATE FUNCTION execution_notify_payload(e execution) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_rule_ref    TEXT;
    v_trigger_ref TEXT;
BEGIN
    IF e.enforcement IS NOT NULL THEN
        SELECT en.rule_ref, en.trigger_ref
          INTO v_rule_ref, v_trigger_ref
          FROM enforcement en
         WHERE en.id = e.enforcement;
    END IF;
    RETURN jsonb_build_object(
        'entity_type', 'execution',
        'entity_id', e.id,
        'id', e.id,
        'action_id', e.action,
        'action_ref', e.action_ref,
        'status', e.status,
        'enforcement', e.enforcement,
        'rule_ref', v_rule_ref,
        'trigger_ref', v_trigger_ref,
        'parent', e.parent,
        'executor', e.executor,
        'started_at', e.started_at,
        -- workflow task metadata only while it stays small
        'workflow_task', small_jsonb(e.workflow_task, 2000),
        'created', e.created,
        'updated', e.updated
    );
END;
$$;

CREATE FUNCTION notify_execution_created() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM notify_json('execution_created', execution_notify_payload(NEW));
    RETURN NULL;
END;
$$;
CREATE TRIGGER execution_created_notify AFTER INSERT ON execution
    FOR EACH ROW EXECUTE FUNCTION notify_execution_created();

CREATE FUNCTION notify_execution_status_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM notify_json('execution_status_changed',
        execution_notify_payload(NEW) || jsonb_build_object('old_status', OLD.status));
    RETURN NULL;
END;
$$;
CREATE TRIGGER execution_status_changed_notify AFTER UPDATE ON execution
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION notify_execution_status_changed();

CREATE FUNCTION notify_workflow_execution_status_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM notify_json('workflow_execution_status_changed', jsonb_build_object(
        'entity_type', 'execution',
        'entity_id', NEW.id,
        'id', NEW.id,
        'action_ref', NEW.action_ref,
        'status', NEW.status,
        'old_status', OLD.status,
        'workflow_def', NEW.workflow_def,
        'parent', NEW.parent,
        'created', NEW.created,
        'updated', NEW.updated
    ));
    RETURN NULL;
END;
$$;
CREATE TRIGGER workflow_execution_status_changed_notify AFTER UPDATE ON execution
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status AND NEW.workflow_def IS NOT NULL)
    EXECUTE FUNCTION notify_workflow_execution_status_changed();

-- ---------------------------------------------------------------------------
-- pg_notify: inquiry_created, inquiry_responded, inquiry_timeout
-- ---------------------------------------------------------------------------
CREATE FUNCTION notify_inquiry_created() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM notify_json('inquiry_created', jsonb_build_object(
        'entity_type', 'inquiry',
        'entity_id', NEW.id,
        'id', NEW.id,
        'execution', NEW.execution,
        'status', NEW.status,
        'assigned_to', NEW.assigned_to,
        'timeout_at', NEW.timeout_at,
        'created', NEW.created
    ));
    RETURN NULL;
END;
$$;
CREATE TRIGGER inquiry_created_notify AFTER INSERT ON inquiry
    FOR EACH ROW EXECUTE FUNCTION notify_inquiry_created();

CREATE FUNCTION notify_inquiry_responded() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM notify_json('inquiry_responded', jsonb_build_object(
        'entity_type', 'inquiry',
        'entity_id', NEW.id,
        'id', NEW.id,
        'execution', NEW.execution,
        'status', NEW.status,
        -- the response only while it stays small
        'response', small_jsonb(NEW.response, 2000),
        'responded_at', NEW.responded_at,
        'updated', NEW.updated
    ));
    RETURN NULL;
END;
$$;
CREATE TRIGGER inquiry_responded_notify AFTER UPDATE ON inquiry
    FOR EACH ROW WHEN (NEW.status = 'responded' AND OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION notify_inquiry_responded();

CREATE FUNCTION notify_inquiry_timeout() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM notify_json('inquiry_timeout', jsonb_build_object(
        'entity_type', 'inquiry',
        'entity_id', NEW.id,
        'id', NEW.id,
        'execution', NEW.execution,
        'status', NEW.status,
        'timeout_at', NEW.timeout_at,
        'updated', NEW.updated
    ));
    RETURN NULL;
END;
$$;
CREATE TRIGGER inquiry_timeout_notify AFTER UPDATE ON inquiry
    FOR EACH ROW WHEN (NEW.status = 'timeout' AND OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION notify_inquiry_timeout();

-- ---------------------------------------------------------------------------
-- pg_notify: notification rows publish on their own channel
-- ---------------------------------------------------------------------------
CREATE FUNCTION notify_notification_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM notify_json(NEW.channel, jsonb_build_object(
        'id', NEW.id,
        'entity_type', NEW.entity_type,
        -- entity is free text; it becomes entity_id only when it is a row id
        'entity_id', CASE WHEN NEW.entity ~ '^[0-9]{1,18}$' THEN NEW.entity::bigint END,
        'entity', NEW.entity,
        'activity', NEW.activity
    ));
    RETURN NULL;
END;
$$;
CREATE TRIGGER notify_on_insert AFTER INSERT ON notification
    FOR EACH ROW EXECUTE FUNCTION notify_notification_inserted();
