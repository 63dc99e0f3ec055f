-- 20250101000007_supporting_systems
-- Key store (secrets/config values), artifacts and their versions, FIFO queue statistics,
-- durable admission state, per-pack runtime environments, pack test results, and the
-- trigger webhook functions.
--
-- Project-specific additions in this file (not in Attune's own schema):
--   * key.expires_at TIMESTAMPTZ NULL: optional time-to-live for a key; NULL means the key
--     never expires. The API treats an expired key as absent.
--   * key.created_by BIGINT NULL -> identity ON DELETE SET NULL: the identity that created the
--     key, so ownership and audit questions can be answered for any owner_type.
--   * validate_key_owner() raises SQLSTATE 23514 (check_violation, constraint name
--     key_owner_check) with a message naming the problem, so the API can map it to a 4xx.
--   * enable_trigger_webhook() builds webhook_url from the session setting
--     attune.webhook_base_url when it is set (default http://localhost:8080).

-- ---------------------------------------------------------------------------
-- key
-- ---------------------------------------------------------------------------
CREATE TABLE key (
    id                  BIGSERIAL PRIMARY KEY,
    ref                 TEXT NOT NULL UNIQUE,
    owner_type          owner_type_enum NOT NULL,
    owner               TEXT NOT NULL,  -- filled by validate_key_owner()
    owner_identity      BIGINT REFERENCES identity (id) ON DELETE CASCADE,
    owner_pack          BIGINT REFERENCES pack (id) ON DELETE CASCADE,
    owner_pack_ref      TEXT,
    owner_action        BIGINT REFERENCES action (id) ON DELETE CASCADE,
    owner_action_ref    TEXT,
    owner_sensor        BIGINT REFERENCES sensor (id) ON DELETE CASCADE,
    owner_sensor_ref    TEXT,
    name                TEXT NOT NULL,
    encrypted           BOOLEAN NOT NULL DEFAULT false,
    encryption_key_hash TEXT,
    value               JSONB NOT NULL,
    expires_at          TIMESTAMPTZ,
    created_by          BIGINT REFERENCES identity (id) ON DELETE SET NULL,
    created             TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated             TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT key_ref_lowercase CHECK (ref = lower(ref)),
    CONSTRAINT key_ref_format CHECK (ref ~ '^[^.]+(\.[^.]+)*$')
);
CREATE UNIQUE INDEX uq_key_owner_name ON key (owner_type, owner, name);
CREATE INDEX idx_key_owner_identity ON key (owner_identity);
CREATE INDEX idx_key_owner_pack ON key (owner_pack);
CREATE INDEX idx_key_owner_action ON key (owner_action);
CREATE INDEX idx_key_owner_sensor ON key (owner_sensor);
CREATE INDEX idx_key_created_by ON key (created_by);
CREATE INDEX idx_key_expires_at ON key (expires_at) WHERE expires_at IS NOT NULL;

-- Exactly the owner column that matches owner_type is set (none for system); `owner`
-- becomes 'system' or the owning row's id as text; *_ref columns follow the owning row.
CREATE FUNCTION validate_key_owner() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_problem TEXT;
    v_ref     TEXT;
BEGIN
    CASE NEW.owner_type
        WHEN 'system' THEN
            IF NEW.owner_identity IS NOT NULL OR NEW.owner_pack IS NOT NULL
               OR NEW.owner_action IS NOT NULL OR NEW.owner_sensor IS NOT NULL
               OR NEW.owner_pack_ref IS NOT NULL OR NEW.owner_action_ref IS NOT NULL
               OR NEW.owner_sensor_ref IS NOT NULL THEN
                v_problem := 'a key with owner_type system must not set any owner column';
            ELSE
                NEW.owner := 'system';
            END IF;
        WHEN 'identity' THEN
            IF NEW.owner_identity IS NULL THEN
                v_problem := 'a key with owner_type identity needs owner_identity';
            ELSIF NEW.owner_pack IS NOT NULL OR NEW.owner_action IS NOT NULL OR NEW.owner_sensor IS NOT NULL
                  OR NEW.owner_pack_ref IS NOT NULL OR NEW.owner_action_ref IS NOT NULL
                  OR NEW.owner_sensor_ref IS NOT NULL THEN
                v_problem := 'a key with owner_type identity may only set owner_identity';
            ELSE
                NEW.owner := NEW.owner_identity::text;
            END IF;
        WHEN 'pack' THEN
            IF NEW.owner_pack IS NULL THEN
                v_problem := 'a key with owner_type pack needs owner_pack';
            ELSIF NEW.owner_identity IS NOT NULL OR NEW.owner_action IS NOT NULL OR NEW.owner_sensor IS NOT NULL
                  OR NEW.owner_action_ref IS NOT NULL OR NEW.owner_sensor_ref IS NOT NULL THEN
                v_problem := 'a key with owner_type pack may only set owner_pack / owner_pack_ref';
            ELSE
                NEW.owner := NEW.owner_pack::text;
                SELECT p.ref INTO v_ref FROM pack p WHERE p.id = NEW.owner_pack;
                IF FOUND THEN NEW.owner_pack_ref := v_ref; END IF;
            END IF;
        WHEN 'action' THEN
            IF NEW.owner_action IS NULL THEN
                v_problem := 'a key with owner_type action needs owner_action';
            ELSIF NEW.owner_identity IS NOT NULL OR NEW.owner_pack IS NOT NULL OR NEW.owner_sensor IS NOT NULL
                  OR NEW.owner_pack_ref IS NOT NULL OR NEW.owner_sensor_ref IS NOT NULL THEN
                v_problem := 'a key with owner_type action may only set owner_action / owner_action_ref';
            ELSE
                NEW.owner := NEW.owner_action::text;
                SELECT a.ref INTO v_ref FROM action a WHERE a.id = NEW.owner_action;
                IF FOUND THEN NEW.owner_action_ref := v_ref; END IF;
            END IF;
        WHEN 'sensor' THEN
            IF NEW.owner_sensor IS NULL THEN
                v_problem := 'a key with owner_type sensor needs owner_sensor';
            ELSIF NEW.owner_identity IS NOT NULL OR NEW.owner_pack IS NOT NULL OR NEW.owner_action IS NOT NULL
                  OR NEW.owner_pack_ref IS NOT NULL OR NEW.owner_action_ref IS NOT NULL THEN
                v_problem := 'a key with owner_type sensor may only set owner_sensor / owner_sensor_ref';
            ELSE
                NEW.owner := NEW.owner_sensor::text;
                SELECT s.ref INTO v_ref FROM sensor s WHERE s.id = NEW.owner_sensor;
                IF FOUND THEN NEW.owner_sensor_ref := v_ref; END IF;
            END IF;
        ELSE
            -- owner_type NULL: the NOT NULL constraint reports it
            NULL;
    END CASE;

    IF v_problem IS NOT NULL THEN
        RAISE EXCEPTION 'invalid key owner for key "%": %', NEW.ref, v_problem
            USING ERRCODE = 'check_violation',
                  CONSTRAINT = 'key_owner_check',
                  TABLE = 'key';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER validate_key_owner BEFORE INSERT OR UPDATE ON key
    FOR EACH ROW EXECUTE FUNCTION validate_key_owner();
CREATE TRIGGER key_updated BEFORE UPDATE ON key
    FOR EACH ROW EXECUTE FUNCTION update_updated_column();

-- ---------------------------------------------------------------------------
-- artifact / artifact_version
-- ---------------------------------------------------------------------------
CREATE TABLE artifact (
    id               BIGSERIAL PRIMARY KEY,
    ref              TEXT NOT NULL,
    scope            owner_type_enum NOT NULL DEFAULT 'system',
    owner            TEXT NOT NULL DEFAULT '',
    type             artifact_type_enum NOT NULL,
    visibility       artifact_visibility_enum NOT NULL DEFAULT 'private',
    classification   artifact_classification_enum NOT NULL DEFAULT 'general',
    execution        BIGINT REFERENCES execution (id) ON DELETE SET NULL,
    name             TEXT,
    description      TEXT,
    content_type     TEXT,
    size_bytes       BIGINT,
    data             JSONB,
    retention_policy artifact_retention_enum NOT NULL DEFAULT 'versions',
    retention_limit  INTEGER NOT NULL DEFAULT 1 CHECK (retention_limit > 0),
    created          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_artifact_ref ON artifact (ref);
CREATE INDEX idx_artifact_scope_owner ON artifact (scope, owner);
CREATE INDEX idx_artifact_type ON artifact (type);
CREATE INDEX idx_artifact_execution ON artifact (execution);
CREATE INDEX idx_artifact_created ON artifact (created);
CREATE TRIGGER artifact_updated BEFORE UPDATE ON artifact
    FOR EACH ROW EXECUTE FUNCTION update_updated_column();

CREATE TABLE artifact_version (
    id           BIGSERIAL PRIMARY KEY,
    artifact     BIGINT NOT NULL REFERENCES artifact (id) ON DELETE CASCADE,
    version      INTEGER NOT NULL,
    execution    BIGINT REFERENCES execution (id) ON DELETE SET NULL,
    content_type TEXT,
    size_bytes   BIGINT,
    content      BYTEA,
    content_json JSONB,
    file_path    TEXT,
    meta         JSONB,
    created_by   TEXT,
    created      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT artifact_version_unique UNIQUE (artifact, version)
);
CREATE INDEX idx_artifact_version_execution ON artifact_version (execution);

CREATE FUNCTION next_artifact_version(artifact_id BIGINT) RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT coalesce(max(v.version), 0) + 1 FROM artifact_version v WHERE v.artifact = artifact_id;
$$;

-- A version inserted without a number gets the next one.
CREATE FUNCTION assign_artifact_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.version IS NULL THEN
        NEW.version := next_artifact_version(NEW.artifact);
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER assign_artifact_version BEFORE INSERT ON artifact_version
    FOR EACH ROW EXECUTE FUNCTION assign_artifact_version();

-- After a new version: drop versions the parent's retention policy no longer keeps (never the
-- new one) and copy size/content type to the parent artifact.
CREATE FUNCTION enforce_artifact_retention() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_policy artifact_retention_enum;
    v_limit  INTEGER;
BEGIN
    SELECT a.retention_policy, a.retention_limit INTO v_policy, v_limit
      FROM artifact a WHERE a.id = NEW.artifact;
    IF v_policy = 'versions' THEN
        DELETE FROM artifact_version v
         WHERE v.artifact = NEW.artifact
           AND v.id <> NEW.id
           AND v.id NOT IN (SELECT k.id FROM artifact_version k
                             WHERE k.artifact = NEW.artifact
                             ORDER BY k.version DESC
                             LIMIT v_limit);
    ELSIF v_policy IN ('days', 'hours', 'minutes') THEN
        DELETE FROM artifact_version v
         WHERE v.artifact = NEW.artifact
           AND v.id <> NEW.id
           AND v.created < now() - CASE v_policy
                   WHEN 'days' THEN make_interval(days => v_limit)
                   WHEN 'hours' THEN make_interval(hours => v_limit)
                   ELSE make_interval(mins => v_limit)
               END;
    END IF;
    UPDATE artifact a
       SET size_bytes = coalesce(NEW.size_bytes, a.size_bytes),
           content_type = coalesce(NEW.content_type, a.content_type)
     WHERE a.id = NEW.artifact
       AND (a.size_bytes IS DISTINCT FROM coalesce(NEW.size_bytes, a.size_bytes)
            OR a.content_type IS DISTINCT FROM coalesce(NEW.content_type, a.content_type));
    RETURN NULL;
END;
$$;
CREATE TRIGGER enforce_artifact_retention AFTER INSERT ON artifact_version
    FOR EACH ROW EXECUTE FUNCTION enforce_artifact_retention();

-- pg_notify: artifact_created / artifact_updated (progress data only while small)
CREATE FUNCTION artifact_notify_payload(a artifact) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'entity_type', 'artifact',
        'entity_id', a.id,
        'id', a.id,
        'ref', a.ref,
        'type', a.type,
        'visibility', a.visibility,
        'classification', a.classification,
        'name', a.name,
        'scope', a.scope,
        'owner', a.owner,
        'content_type', a.content_type,
        'size_bytes', a.size_bytes
    );
$$;

CREATE FUNCTION artifact_progress_fields(a artifact) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'execution', a.execution,
        'progress_percent', CASE WHEN jsonb_typeof(a.data) = 'array'
                                 THEN small_jsonb(a.data -> -1 -> 'percent', 100) END,
        'progress_message', CASE WHEN jsonb_typeof(a.data) = 'array'
                                 THEN small_jsonb(a.data -> -1 -> 'message', 1000) END,
        'progress_entries', small_jsonb(a.data, 2000)
    );
$$;

CREATE FUNCTION notify_artifact_created() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM notify_json('artifact_created', artifact_notify_payload(NEW));
    RETURN NULL;
END;
$$;
CREATE TRIGGER artifact_created_notify AFTER INSERT ON artifact
    FOR EACH ROW EXECUTE FUNCTION notify_artifact_created();

CREATE FUNCTION notify_artifact_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM notify_json('artifact_updated',
        artifact_notify_payload(NEW)
        || artifact_progress_fields(NEW)
        || jsonb_build_object('artifact_version_id', NULL, 'version', NULL));
    RETURN NULL;
END;
$$;
CREATE TRIGGER artifact_updated_notify AFTER UPDATE ON artifact
    FOR EACH ROW EXECUTE FUNCTION notify_artifact_updated();

CREATE FUNCTION notify_artifact_version_created() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    a artifact;
BEGIN
    SELECT * INTO a FROM artifact WHERE id = NEW.artifact;
    IF FOUND THEN
        PERFORM notify_json('artifact_updated',
            artifact_notify_payload(a)
            || artifact_progress_fields(a)
            || jsonb_build_object(
                   'execution', coalesce(NEW.execution, a.execution),
                   'artifact_version_id', NEW.id,
                   'version', NEW.version));
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER artifact_version_created_notify AFTER INSERT ON artifact_version
    FOR EACH ROW EXECUTE FUNCTION notify_artifact_version_created();

-- ---------------------------------------------------------------------------
-- queue_stats (one row per policed action, upserted by the executor)
-- ---------------------------------------------------------------------------
CREATE TABLE queue_stats (
    action_id          BIGINT PRIMARY KEY REFERENCES action (id) ON DELETE CASCADE,
    queue_length       INTEGER NOT NULL DEFAULT 0,
    active_count       INTEGER NOT NULL DEFAULT 0,
    max_concurrent     INTEGER NOT NULL DEFAULT 1,
    oldest_enqueued_at TIMESTAMPTZ,
    total_enqueued     BIGINT NOT NULL DEFAULT 0,
    total_completed    BIGINT NOT NULL DEFAULT 0,
    last_updated       TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- ---------------------------------------------------------------------------
-- Durable admission (FIFO state shared by executor replicas)
-- ---------------------------------------------------------------------------
CREATE TABLE execution_admission_state (
    id               BIGSERIAL PRIMARY KEY,
    action_id        BIGINT NOT NULL REFERENCES action (id) ON DELETE CASCADE,
    group_key        TEXT,
    max_concurrent   INTEGER NOT NULL CHECK (max_concurrent > 0),
    next_queue_order BIGINT NOT NULL DEFAULT 0,
    total_enqueued   BIGINT NOT NULL DEFAULT 0,
    total_completed  BIGINT NOT NULL DEFAULT 0,
    created          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX uq_execution_admission_state_group
    ON execution_admission_state (action_id, coalesce(group_key, ''));
CREATE TRIGGER execution_admission_state_updated BEFORE UPDATE ON execution_admission_state
    FOR EACH ROW EXECUTE FUNCTION update_updated_column();

CREATE TABLE execution_admission_entry (
    id           BIGSERIAL PRIMARY KEY,
    state_id     BIGINT NOT NULL REFERENCES execution_admission_state (id) ON DELETE CASCADE,
    execution_id BIGINT NOT NULL UNIQUE REFERENCES execution (id) ON DELETE CASCADE,
    status       TEXT NOT NULL CHECK (status IN ('active', 'queued')),
    queue_order  BIGINT NOT NULL,
    enqueued_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    activated_at TIMESTAMPTZ
);
CREATE INDEX idx_execution_admission_entry_queue
    ON execution_admission_entry (state_id, status, queue_order);

-- ---------------------------------------------------------------------------
-- pack_environment (per pack x runtime [x runtime version] dependency environment)
-- ---------------------------------------------------------------------------
CREATE TABLE pack_environment (
    id              BIGSERIAL PRIMARY KEY,
    pack            BIGINT NOT NULL REFERENCES pack (id) ON DELETE CASCADE,
    pack_ref        TEXT NOT NULL,
    runtime         BIGINT NOT NULL REFERENCES runtime (id) ON DELETE CASCADE,
    runtime_ref     TEXT NOT NULL,
    runtime_version BIGINT REFERENCES runtime_version (id) ON DELETE CASCADE,
    env_path        TEXT NOT NULL,
    status          pack_environment_status_enum NOT NULL DEFAULT 'pending',
    installed_at    TIMESTAMPTZ,
    last_verified   TIMESTAMPTZ,
    install_log     TEXT,
    install_error   TEXT,
    metadata        JSONB NOT NULL DEFAULT '{}'::jsonb,
    created         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated         TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX uq_pack_environment
    ON pack_environment (pack, runtime, coalesce(runtime_version, 0));
CREATE INDEX idx_pack_environment_runtime ON pack_environment (runtime);
CREATE INDEX idx_pack_environment_status ON pack_environment (status);
CREATE TRIGGER pack_environment_updated BEFORE UPDATE ON pack_environment
    FOR EACH ROW EXECUTE FUNCTION update_updated_column();

-- Legacy location template; services use their configured runtime_envs_dir instead.
CREATE FUNCTION get_pack_environment_path(p_pack_ref TEXT, p_runtime_ref TEXT) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT '/opt/attune/packenvs/' || p_pack_ref || '/'
        || lower(coalesce((SELECT r.name FROM runtime r WHERE r.ref = p_runtime_ref),
                          split_part(p_runtime_ref, '.', 2),
                          p_runtime_ref));
$$;

-- ---------------------------------------------------------------------------
-- pack_test_execution
-- ---------------------------------------------------------------------------
CREATE TABLE pack_test_execution (
    id             BIGSERIAL PRIMARY KEY,
    pack_id        BIGINT NOT NULL REFERENCES pack (id) ON DELETE CASCADE,
    pack_version   TEXT NOT NULL,
    execution_time TIMESTAMPTZ NOT NULL DEFAULT now(),
    trigger_reason TEXT NOT NULL CHECK (trigger_reason IN ('install', 'update', 'manual', 'validation')),
    total_tests    INTEGER NOT NULL DEFAULT 0 CHECK (total_tests >= 0),
    passed         INTEGER NOT NULL DEFAULT 0 CHECK (passed >= 0),
    failed         INTEGER NOT NULL DEFAULT 0 CHECK (failed >= 0),
    skipped        INTEGER NOT NULL DEFAULT 0 CHECK (skipped >= 0),
    pass_rate      DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (pass_rate >= 0 AND pass_rate <= 1),
    duration_ms    BIGINT NOT NULL DEFAULT 0 CHECK (duration_ms >= 0),
    result         JSONB NOT NULL DEFAULT '{}'::jsonb,
    created        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_pack_test_execution_pack ON pack_test_execution (pack_id, execution_time DESC);

-- ---------------------------------------------------------------------------
-- Trigger webhooks
-- ---------------------------------------------------------------------------
CREATE FUNCTION generate_webhook_key() RETURNS text
LANGUAGE sql VOLATILE AS $$
    SELECT 'wh_' || encode(gen_random_bytes(16), 'hex');
$$;

CREATE FUNCTION webhook_base_url() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('attune.webhook_base_url', true), ''),
                    'http://localhost:8080');
$$;

-- Enables webhooks on a trigger, keeping its current key or generating one, and stores config.
CREATE FUNCTION enable_trigger_webhook(p_trigger_id BIGINT, p_config JSONB DEFAULT '{}'::jsonb)
RETURNS TABLE (webhook_enabled BOOLEAN, webhook_key TEXT, webhook_url TEXT)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_key TEXT;
BEGIN
    SELECT t.webhook_key INTO v_key FROM trigger t WHERE t.id = p_trigger_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'trigger % not found', p_trigger_id USING ERRCODE = 'no_data_found';
    END IF;
    IF v_key IS NULL THEN
        v_key := generate_webhook_key();
    END IF;
    UPDATE trigger t
       SET webhook_enabled = true,
           webhook_key = v_key,
           webhook_config = coalesce(p_config, '{}'::jsonb)
     WHERE t.id = p_trigger_id;
    RETURN QUERY SELECT true, v_key, webhook_base_url() || '/api/v1/webhooks/' || v_key;
END;
$$;

-- Disables webhooks and forgets the key. Returns false when the trigger does not exist.
CREATE FUNCTION disable_trigger_webhook(p_trigger_id BIGINT) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE trigger t
       SET webhook_enabled = false,
           webhook_key = NULL
     WHERE t.id = p_trigger_id;
    RETURN FOUND;
END;
$$;

-- Replaces the key of a webhook-enabled trigger; the old key stops working at once.
CREATE FUNCTION regenerate_trigger_webhook_key(p_trigger_id BIGINT)
RETURNS TABLE (webhook_key TEXT, previous_key_revoked BOOLEAN)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_enabled BOOLEAN;
    v_old     TEXT;
    v_new     TEXT;
BEGIN
    SELECT t.webhook_enabled, t.webhook_key INTO v_enabled, v_old
      FROM trigger t WHERE t.id = p_trigger_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'trigger % not found', p_trigger_id USING ERRCODE = 'no_data_found';
    END IF;
    IF NOT v_enabled THEN
        RAISE EXCEPTION 'webhooks are not enabled for trigger %', p_trigger_id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    v_new := generate_webhook_key();
    UPDATE trigger t SET webhook_key = v_new WHERE t.id = p_trigger_id;
    RETURN QUERY SELECT v_new, v_old IS NOT NULL;
END;
$$;
