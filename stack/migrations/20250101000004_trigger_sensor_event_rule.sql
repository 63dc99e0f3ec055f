-- 20250101000004_trigger_sensor_event_rule
-- Triggers, sensors, actions, rules, events, enforcements, the webhook request log,
-- and the pg_notify triggers for events and enforcements.
-- action.workflow_def gets its foreign key in the workflow_system file.

-- ---------------------------------------------------------------------------
-- trigger
-- ---------------------------------------------------------------------------
CREATE TABLE trigger (
    id                          BIGSERIAL PRIMARY KEY,
    ref                         TEXT NOT NULL UNIQUE,
    pack                        BIGINT REFERENCES pack (id) ON DELETE CASCADE,
    pack_ref                    TEXT,
    label                       TEXT NOT NULL,
    description                 TEXT,
    enabled                     BOOLEAN NOT NULL DEFAULT true,
    is_adhoc                    BOOLEAN NOT NULL DEFAULT false,
    param_schema                JSONB,
    out_schema                  JSONB,
    webhook_enabled             BOOLEAN NOT NULL DEFAULT false,
    webhook_key                 VARCHAR(64) UNIQUE,
    webhook_config              JSONB DEFAULT '{}'::jsonb,
    sensor                      BIGINT,
    sensor_ref                  TEXT,
    reference_visibility        action_reference_visibility_enum NOT NULL DEFAULT 'public',
    reference_allowed_pack_refs TEXT[] NOT NULL DEFAULT '{}',
    created                     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated                     TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT trigger_ref_lowercase CHECK (ref = lower(ref)),
    CONSTRAINT trigger_ref_format CHECK (ref ~ '^[^.]+\.[^.]+$'),
    CONSTRAINT trigger_webhook_key_format CHECK (webhook_key IS NULL OR webhook_key ~ '^wh_[0-9a-f]{32}$'),
    CONSTRAINT trigger_webhook_enabled_has_key CHECK (NOT webhook_enabled OR webhook_key IS NOT NULL)
);
CREATE INDEX idx_trigger_pack ON trigger (pack);
CREATE INDEX idx_trigger_pack_ref ON trigger (pack_ref);
CREATE INDEX idx_trigger_sensor ON trigger (sensor);
CREATE INDEX idx_trigger_webhook_enabled ON trigger (webhook_enabled) WHERE webhook_enabled;
CREATE TRIGGER trigger_updated BEFORE UPDATE ON trigger
    FOR EACH ROW EXECUTE FUNCTION update_updated_column();

-- ---------------------------------------------------------------------------
-- sensor
-- ---------------------------------------------------------------------------
CREATE TABLE sensor (
    id                         BIGSERIAL PRIMARY KEY,
    ref                        TEXT NOT NULL UNIQUE,
    pack                       BIGINT REFERENCES pack (id) ON DELETE CASCADE,
    pack_ref                   TEXT,
    label                      TEXT NOT NULL,
    description                TEXT,
    entrypoint                 TEXT NOT NULL,
    runtime                    BIGINT NOT NULL REFERENCES runtime (id) ON DELETE CASCADE,
    runtime_ref                TEXT NOT NULL,
    enabled                    BOOLEAN NOT NULL DEFAULT true,
    is_adhoc                   BOOLEAN NOT NULL DEFAULT false,
    param_schema               JSONB,
    config                     JSONB,
    runtime_version_constraint TEXT,
    worker_selector            JSONB NOT NULL DEFAULT '{}'::jsonb,
    worker_tolerations         JSONB NOT NULL DEFAULT '[]'::jsonb,
    worker_affinity            JSONB NOT NULL DEFAULT '{}'::jsonb,
    log_retention_policy       artifact_retention_enum,
    log_retention_limit        INTEGER CHECK (log_retention_limit IS NULL OR log_retention_limit > 0),
    artifact_retention_policy  artifact_retention_enum,
    artifact_retention_limit   INTEGER CHECK (artifact_retention_limit IS NULL OR artifact_retention_limit > 0),
    created                    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated                    TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT sensor_ref_lowercase CHECK (ref = lower(ref)),
    CONSTRAINT sensor_ref_format CHECK (ref ~ '^[^.]+\.[^.]+$')
);
CREATE INDEX idx_sensor_pack ON sensor (pack);
CREATE INDEX idx_sensor_pack_ref ON sensor (pack_ref);
CREATE INDEX idx_sensor_runtime ON sensor (runtime);
CREATE INDEX idx_sensor_enabled ON sensor (enabled);
CREATE TRIGGER sensor_updated BEFORE UPDATE ON sensor
    FOR EACH ROW EXECUTE FUNCTION update_updated_column();

-- Back-link from a trigger to the sensor that declares it.
ALTER TABLE trigger
    ADD CONSTRAINT trigger_sensor_fkey
    FOREIGN KEY (sensor) REFERENCES sensor (id) ON DELETE SET NULL;

-- ---------------------------------------------------------------------------
-- action
-- ---------------------------------------------------------------------------
CREATE TABLE action (
    id                                    BIGSERIAL PRIMARY KEY,
    ref                                   TEXT NOT NULL UNIQUE,
    pack                                  BIGINT NOT NULL REFERENCES pack (id) ON DELETE CASCADE,
    pack_ref                              TEXT NOT NULL,
    label                                 TEXT NOT NULL,
    description                           TEXT,
    entrypoint                            TEXT NOT NULL,
    runtime                               BIGINT REFERENCES runtime (id) ON DELETE SET NULL,
    runtime_version_constraint            TEXT,
    enabled                               BOOLEAN NOT NULL DEFAULT true,
    param_schema                          JSONB,
    out_schema                            JSONB,
    parameter_delivery                    TEXT NOT NULL DEFAULT 'stdin',
    parameter_format                      TEXT NOT NULL DEFAULT 'json',
    output_format                         TEXT NOT NULL DEFAULT 'text',
    is_adhoc                              BOOLEAN NOT NULL DEFAULT false,
    timeout_seconds                       INTEGER,
    max_retries                           INTEGER NOT NULL DEFAULT 0,
    workflow_def                          BIGINT,
    required_worker_runtimes              JSONB NOT NULL DEFAULT '{}'::jsonb,
    worker_selector                       JSONB NOT NULL DEFAULT '{}'::jsonb,
    worker_tolerations                    JSONB NOT NULL DEFAULT '[]'::jsonb,
    worker_affinity                       JSONB NOT NULL DEFAULT '{}'::jsonb,
    default_execution_permission_set_refs TEXT[] NOT NULL DEFAULT '{}',
    accesses_mcp                          BOOLEAN NOT NULL DEFAULT false,
    reference_visibility                  action_reference_visibility_enum NOT NULL DEFAULT 'public',
    reference_allowed_pack_refs           TEXT[] NOT NULL DEFAULT '{}',
    log_retention_policy                  artifact_retention_enum,
    log_retention_limit                   INTEGER CHECK (log_retention_limit IS NULL OR log_retention_limit > 0),
    artifact_retention_policy             artifact_retention_enum,
    artifact_retention_limit              INTEGER CHECK (artifact_retention_limit IS NULL OR artifact_retention_limit > 0),
    created                               TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated                               TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT action_ref_lowercase CHECK (ref = lower(ref)),
    CONSTRAINT action_ref_format CHECK (ref ~ '^[^.]+\.[^.]+$'),
    CONSTRAINT action_parameter_delivery_check CHECK (parameter_delivery IN ('stdin', 'file')),
    CONSTRAINT action_parameter_format_check CHECK (parameter_format IN ('dotenv', 'json', 'yaml')),
    CONSTRAINT action_output_format_check CHECK (output_format IN ('text', 'json', 'yaml', 'jsonl')),
    CONSTRAINT action_timeout_positive CHECK (timeout_seconds IS NULL OR timeout_seconds > 0),
    CONSTRAINT action_max_retries_nonnegative CHECK (max_retries >= 0)
);
CREATE INDEX idx_action_pack ON action (pack);
CREATE INDEX idx_action_pack_ref ON action (pack_ref);
CREATE INDEX idx_action_runtime ON action (runtime);
CREATE INDEX idx_action_workflow_def ON action (workflow_def);
CREATE TRIGGER action_updated BEFORE UPDATE ON action
    FOR EACH ROW EXECUTE FUNCTION update_updated_column();

-- Action-scoped policies are removed with their action.
ALTER TABLE policy
    ADD CONSTRAINT policy_action_fkey
    FOREIGN KEY (action) REFERENCES action (id) ON DELETE CASCADE;

-- ---------------------------------------------------------------------------
-- rule
-- ---------------------------------------------------------------------------
CREATE TABLE rule (
    id                  BIGSERIAL PRIMARY KEY,
    ref                 TEXT NOT NULL UNIQUE,
    pack                BIGINT NOT NULL REFERENCES pack (id) ON DELETE CASCADE,
    pack_ref            TEXT NOT NULL,
    label               TEXT NOT NULL,
    description         TEXT,
    action              BIGINT REFERENCES action (id) ON DELETE SET NULL,
    action_ref          TEXT NOT NULL,
    trigger             BIGINT REFERENCES trigger (id) ON DELETE SET NULL,
    trigger_ref         TEXT NOT NULL,
    conditions          JSONB NOT NULL DEFAULT '[]'::jsonb,
    action_params       JSONB NOT NULL DEFAULT '{}'::jsonb,
    trigger_params      JSONB NOT NULL DEFAULT '{}'::jsonb,
    enabled             BOOLEAN NOT NULL DEFAULT true,
    is_adhoc            BOOLEAN NOT NULL DEFAULT false,
    owner_identity      BIGINT REFERENCES identity (id) ON DELETE SET NULL,
    permission_set_refs TEXT[],
    trace_tag_template  TEXT,
    created             TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated             TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT rule_ref_lowercase CHECK (ref = lower(ref)),
    CONSTRAINT rule_ref_format CHECK (ref ~ '^[^.]+\.[^.]+$')
);
CREATE INDEX idx_rule_pack ON rule (pack);
CREATE INDEX idx_rule_pack_ref ON rule (pack_ref);
CREATE INDEX idx_rule_action ON rule (action);
CREATE INDEX idx_rule_action_ref ON rule (action_ref);
CREATE INDEX idx_rule_trigger ON rule (trigger);
CREATE INDEX idx_rule_trigger_ref ON rule (trigger_ref);
CREATE INDEX idx_rule_trigger_ref_enabled ON rule (trigger_ref) WHERE enabled;
CREATE INDEX idx_rule_owner_identity ON rule (owner_identity);
CREATE TRIGGER rule_updated BEFORE UPDATE ON rule
    FOR EACH ROW EXECUTE FUNCTION update_updated_column();

-- ---------------------------------------------------------------------------
-- event (immutable after insert: no `updated` column)
-- ---------------------------------------------------------------------------
CREATE TABLE event (
    id          BIGSERIAL PRIMARY KEY,
    trigger     BIGINT REFERENCES trigger (id) ON DELETE SET NULL,
    trigger_ref TEXT NOT NULL,
    config      JSONB,
    payload     JSONB,
    source      BIGINT REFERENCES sensor (id) ON DELETE SET NULL,
    source_ref  TEXT,
    rule        BIGINT REFERENCES rule (id) ON DELETE SET NULL,
    rule_ref    TEXT,
    trace_tag   TEXT,
    created     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_event_trigger ON event (trigger);
CREATE INDEX idx_event_trigger_ref ON event (trigger_ref);
CREATE INDEX idx_event_source ON event (source);
CREATE INDEX idx_event_rule ON event (rule);
CREATE INDEX idx_event_rule_ref ON event (rule_ref);
CREATE INDEX idx_event_created ON event (created);
CREATE INDEX idx_event_trace_tag ON event (trace_tag);
CREATE INDEX idx_event_payload ON event USING gin (payload);

-- ---------------------------------------------------------------------------
-- enforcement (created, then one transition to processed or disabled)
-- ---------------------------------------------------------------------------
CREATE TABLE enforcement (
    id          BIGSERIAL PRIMARY KEY,
    rule        BIGINT REFERENCES rule (id) ON DELETE SET NULL,
    rule_ref    TEXT NOT NULL,
    trigger_ref TEXT NOT NULL,
    config      JSONB,
    event       BIGINT REFERENCES event (id) ON DELETE SET NULL,
    status      enforcement_status_enum NOT NULL DEFAULT 'created',
    payload     JSONB NOT NULL DEFAULT '{}'::jsonb,
    condition   enforcement_condition_enum NOT NULL DEFAULT 'all',
    conditions  JSONB NOT NULL DEFAULT '[]'::jsonb,
    trace_tag   TEXT,
    created     TIMESTAMPTZ NOT NULL DEFAULT now(),
    resolved_at TIMESTAMPTZ
);
CREATE INDEX idx_enforcement_rule ON enforcement (rule);
CREATE INDEX idx_enforcement_rule_ref ON enforcement (rule_ref);
CREATE INDEX idx_enforcement_trigger_ref ON enforcement (trigger_ref);
CREATE INDEX idx_enforcement_event ON enforcement (event);
CREATE INDEX idx_enforcement_status ON enforcement (status);
CREATE INDEX idx_enforcement_created ON enforcement (created);
CREATE INDEX idx_enforcement_trace_tag ON enforcement (trace_tag);
-- One enforcement per (rule, event): a redelivered EventCreated cannot enforce twice.
CREATE UNIQUE INDEX uq_enforcement_rule_event ON enforcement (rule, event)
    WHERE rule IS NOT NULL AND event IS NOT NULL;

-- ---------------------------------------------------------------------------
-- webhook_event_log (one row per webhook request, accepted or refused)
-- ---------------------------------------------------------------------------
CREATE TABLE webhook_event_log (
    id                 BIGSERIAL PRIMARY KEY,
    trigger_id         BIGINT REFERENCES trigger (id) ON DELETE SET NULL,
    trigger_ref        TEXT,
    webhook_key        TEXT,
    event_id           BIGINT REFERENCES event (id) ON DELETE SET NULL,
    source_ip          TEXT,
    user_agent         TEXT,
    payload_size_bytes INTEGER,
    headers            JSONB,
    status_code        INTEGER NOT NULL,
    error_message      TEXT,
    processing_time_ms INTEGER,
    hmac_verified      BOOLEAN,
    rate_limited       BOOLEAN NOT NULL DEFAULT false,
    ip_allowed         BOOLEAN,
    created            TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_webhook_event_log_trigger_id ON webhook_event_log (trigger_id);
CREATE INDEX idx_webhook_event_log_trigger_ref ON webhook_event_log (trigger_ref);
CREATE INDEX idx_webhook_event_log_webhook_key ON webhook_event_log (webhook_key);
CREATE INDEX idx_webhook_event_log_event_id ON webhook_event_log (event_id);
CREATE INDEX idx_webhook_event_log_created ON webhook_event_log (created);

-- ---------------------------------------------------------------------------
-- pg_notify: event_created, enforcement_created, enforcement_status_changed
-- ---------------------------------------------------------------------------
CREATE FUNCTION notify_event_created() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM notify_json('event_created', jsonb_build_object(
        'entity_type', 'event',
        'entity_id', NEW.id,
        'id', NEW.id,
        'trigger', NEW.trigger,
        'trigger_ref', NEW.trigger_ref,
        'source', NEW.source,
        'source_ref', NEW.source_ref,
        'rule', NEW.rule,
        'rule_ref', NEW.rule_ref,
        'has_payload', NEW.payload IS NOT NULL,
        -- the payload itself only while its text stays below 4000 bytes
        'payload', small_jsonb(NEW.payload, 3999),
        'created', NEW.created
    ));
    RETURN NULL;
END;
$$;
CREATE TRIGGER event_created_notify AFTER INSERT ON event
    FOR EACH ROW EXECUTE FUNCTION notify_event_created();

CREATE FUNCTION enforcement_notify_payload(e enforcement) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'entity_type', 'enforcement',
        'entity_id', e.id,
        'id', e.id,
        'rule', e.rule,
        'rule_ref', e.rule_ref,
        'trigger_ref', e.trigger_ref,
        'event', e.event,
        'status', e.status,
        'condition', e.condition,
        'created', e.created,
        'resolved_at', e.resolved_at
    );
$$;

CREATE FUNCTION notify_enforcement_created() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM notify_json('enforcement_created', enforcement_notify_payload(NEW));
    RETURN NULL;
END;
$$;
CREATE TRIGGER enforcement_created_notify AFTER INSERT ON enforcement
    FOR EACH ROW EXECUTE FUNCTION notify_enforcement_created();

CREATE FUNCTION notify_enforcement_status_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM notify_json('enforcement_status_changed',
        enforcement_notify_payload(NEW) || jsonb_build_object('old_status', OLD.status));
    RETURN NULL;
END;
$$;
CREATE TRIGGER enforcement_status_changed_notify AFTER UPDATE ON enforcement
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION notify_enforcement_status_changed();
