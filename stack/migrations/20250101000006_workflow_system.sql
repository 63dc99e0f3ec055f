-- 20250101000006_workflow_system
-- Workflow definitions and per-run workflow state, the foreign keys from action and
-- execution to workflow_definition, and two convenience views.

CREATE TABLE workflow_definition (
    id           BIGSERIAL PRIMARY KEY,
    ref          VARCHAR(255) NOT NULL UNIQUE,
    pack         BIGINT NOT NULL REFERENCES pack (id) ON DELETE CASCADE,
    pack_ref     TEXT NOT NULL,
    label        TEXT NOT NULL,
    description  TEXT,
    version      VARCHAR(50) NOT NULL,
    param_schema JSONB,
    out_schema   JSONB,
    definition   JSONB NOT NULL,
    tags         TEXT[] NOT NULL DEFAULT '{}',
    created      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_workflow_definition_pack ON workflow_definition (pack);
CREATE INDEX idx_workflow_definition_pack_ref ON workflow_definition (pack_ref);
CREATE INDEX idx_workflow_definition_tags ON workflow_definition USING gin (tags);
CREATE TRIGGER workflow_definition_updated BEFORE UPDATE ON workflow_definition
    FOR EACH ROW EXECUTE FUNCTION update_updated_column();

-- A workflow action disappears with its definition.
ALTER TABLE action
    ADD CONSTRAINT action_workflow_def_fkey
    FOREIGN KEY (workflow_def) REFERENCES workflow_definition (id) ON DELETE CASCADE;

-- Executions keep their history when a definition is removed.
ALTER TABLE execution
    ADD CONSTRAINT execution_workflow_def_fkey
    FOREIGN KEY (workflow_def) REFERENCES workflow_definition (id) ON DELETE SET NULL;

CREATE TABLE workflow_execution (
    id              BIGSERIAL PRIMARY KEY,
    execution       BIGINT NOT NULL UNIQUE REFERENCES execution (id) ON DELETE CASCADE,
    workflow_def    BIGINT NOT NULL REFERENCES workflow_definition (id) ON DELETE CASCADE,
    current_tasks   TEXT[] NOT NULL DEFAULT '{}',
    completed_tasks TEXT[] NOT NULL DEFAULT '{}',
    failed_tasks    TEXT[] NOT NULL DEFAULT '{}',
    skipped_tasks   TEXT[] NOT NULL DEFAULT '{}',
    variables       JSONB NOT NULL DEFAULT '{}'::jsonb,
    task_graph      JSONB NOT NULL,
    status          execution_status_enum NOT NULL DEFAULT 'requested',
    error_message   TEXT,
    paused          BOOLEAN NOT NULL DEFAULT false,
    pause_reason    TEXT,
    created         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated         TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_workflow_execution_workflow_def ON workflow_execution (workflow_def);
CREATE INDEX idx_workflow_execution_status ON workflow_execution (status);
CREATE INDEX idx_workflow_execution_created ON workflow_execution (created);
CREATE TRIGGER workflow_execution_updated BEFORE UPDATE ON workflow_execution
    FOR EACH ROW EXECUTE FUNCTION update_updated_column();

-- One row per workflow run with task counts.
CREATE VIEW workflow_execution_summary AS
SELECT we.id,
       we.execution,
       we.workflow_def,
       wd.ref AS workflow_ref,
       we.status,
       cardinality(we.current_tasks)   AS current_task_count,
       cardinality(we.completed_tasks) AS completed_task_count,
       cardinality(we.failed_tasks)    AS failed_task_count,
       cardinality(we.skipped_tasks)   AS skipped_task_count,
       we.paused,
       we.error_message,
       we.created,
       we.updated
  FROM workflow_execution we
  JOIN workflow_definition wd ON wd.id = we.workflow_def;

-- Which action runs which workflow definition (an action may be missing).
CREATE VIEW workflow_action_link AS
SELECT wd.id       AS workflow_def,
       wd.ref      AS workflow_ref,
       wd.pack_ref AS pack_ref,
       a.id        AS action_id,
       a.ref       AS action_ref
  FROM workflow_definition wd
  LEFT JOIN action a ON a.workflow_def = wd.id;
