-- 20250101000001_initial_setup
-- Extensions, every enum type of the schema, and the small helper functions that later
-- files rely on (updated-column trigger, size guards for pg_notify payloads).
-- The runner has already done: SET LOCAL search_path = attune, public;

-- Extensions live in public so that unqualified calls (gen_random_bytes, uuid_generate_v4)
-- resolve through the search_path `<schema>, public` whatever the schema is called.
CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;

-- ---------------------------------------------------------------------------
-- Enum types (labels and their order are part of the contract)
-- ---------------------------------------------------------------------------
CREATE TYPE worker_type_enum AS ENUM ('local', 'remote', 'container');
CREATE TYPE worker_role_enum AS ENUM ('action', 'sensor', 'hybrid');
CREATE TYPE worker_status_enum AS ENUM ('active', 'inactive', 'busy', 'error');
CREATE TYPE enforcement_status_enum AS ENUM ('created', 'processed', 'disabled');
CREATE TYPE enforcement_condition_enum AS ENUM ('any', 'all');
CREATE TYPE execution_status_enum AS ENUM (
    'requested', 'scheduling', 'scheduled', 'running', 'completed',
    'failed', 'canceling', 'cancelled', 'timeout', 'abandoned'
);
CREATE TYPE inquiry_status_enum AS ENUM ('pending', 'responded', 'timeout', 'cancelled');
CREATE TYPE policy_method_enum AS ENUM ('cancel', 'enqueue');
CREATE TYPE owner_type_enum AS ENUM ('system', 'identity', 'pack', 'action', 'sensor');
CREATE TYPE notification_status_enum AS ENUM ('created', 'queued', 'processing', 'error');
CREATE TYPE artifact_type_enum AS ENUM (
    'file_binary', 'file_datatable', 'file_image', 'file_text', 'other', 'progress', 'url'
);
CREATE TYPE artifact_retention_enum AS ENUM ('versions', 'days', 'hours', 'minutes');
CREATE TYPE artifact_visibility_enum AS ENUM ('public', 'private');
CREATE TYPE pack_environment_status_enum AS ENUM ('pending', 'installing', 'ready', 'failed', 'outdated');
CREATE TYPE action_reference_visibility_enum AS ENUM ('public', 'private', 'restricted');
CREATE TYPE sensor_process_status_enum AS ENUM ('starting', 'running', 'stopped', 'failed', 'backoff');
CREATE TYPE artifact_classification_enum AS ENUM ('general', 'runtime_log');
-- Work-queue enums (Mid era). No table of this schema uses them yet; they exist so that
-- the enum catalogue matches the contract. Type names are ours, labels are the contract's.
CREATE TYPE work_queue_update_strategy_enum AS ENUM ('immutable', 'replace', 'merge_patch');
CREATE TYPE work_queue_batch_mode_enum AS ENUM ('single', 'batch');
CREATE TYPE work_queue_item_status_enum AS ENUM (
    'queued', 'leased', 'retry', 'completed', 'failed', 'skipped', 'cancelled'
);
CREATE TYPE work_queue_dispatch_status_enum AS ENUM (
    'leased', 'dispatched', 'completed', 'failed', 'released', 'cancelled'
);

-- ---------------------------------------------------------------------------
-- Helper functions
-- ---------------------------------------------------------------------------

-- BEFORE UPDATE trigger body for every table that has an `updated` column.
CREATE FUNCTION update_updated_column() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated := now();
    RETURN NEW;
END;
$$;

-- Returns the value unchanged when its JSON text is at most max_bytes long, otherwise NULL.
-- Used to keep large documents (payloads, workflow_task, responses) out of notifications.
CREATE FUNCTION small_jsonb(value jsonb, max_bytes integer) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN value IS NULL THEN NULL
        WHEN octet_length(value::text) > max_bytes THEN NULL
        ELSE value
    END;
$$;

-- Sends a JSON notification. PostgreSQL refuses NOTIFY payloads of 8000 bytes or more and
-- that error would abort the writing transaction, so an oversized document is replaced by a
-- compact one that still carries the identifying fields and says it was shortened.
CREATE FUNCTION notify_json(channel text, payload jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    body text := payload::text;
BEGIN
    IF octet_length(body) > 7500 THEN
        body := jsonb_build_object(
            'entity_type', payload -> 'entity_type',
            'entity_id', payload -> 'entity_id',
            'id', payload -> 'id',
            'status', payload -> 'status',
            'old_status', payload -> 'old_status',
            'payload_truncated', true
        )::text;
    END IF;
    PERFORM pg_notify(channel, body);
END;
$$;
