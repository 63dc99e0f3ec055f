-- 20250101000003_identity_and_auth
-- Identities, permission sets and their assignments (direct and through roles),
-- integration tokens, and execution policies.
-- policy.action gets its foreign key in the next file, once the action table exists.

CREATE TABLE identity (
    id            BIGSERIAL PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    display_name  TEXT,
    password_hash TEXT,
    attributes    JSONB NOT NULL DEFAULT '{}'::jsonb,
    frozen        BOOLEAN NOT NULL DEFAULT false,
    created       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TRIGGER identity_updated BEFORE UPDATE ON identity
    FOR EACH ROW EXECUTE FUNCTION update_updated_column();

-- Ownership of packs: the identity that registered the pack.
ALTER TABLE pack
    ADD CONSTRAINT pack_installed_by_fkey
    FOREIGN KEY (installed_by) REFERENCES identity (id) ON DELETE SET NULL;

CREATE TABLE permission_set (
    id          BIGSERIAL PRIMARY KEY,
    ref         TEXT NOT NULL UNIQUE,
    pack        BIGINT REFERENCES pack (id) ON DELETE CASCADE,
    pack_ref    TEXT,
    label       TEXT,
    description TEXT,
    grants      JSONB NOT NULL DEFAULT '[]'::jsonb,
    created     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated     TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT permission_set_ref_lowercase CHECK (ref = lower(ref)),
    CONSTRAINT permission_set_ref_format CHECK (ref ~ '^[^.]+\.[^.]+$')
);
CREATE INDEX idx_permission_set_pack ON permission_set (pack);
CREATE INDEX idx_permission_set_pack_ref ON permission_set (pack_ref);
CREATE TRIGGER permission_set_updated BEFORE UPDATE ON permission_set
    FOR EACH ROW EXECUTE FUNCTION update_updated_column();

CREATE TABLE permission_assignment (
    id       BIGSERIAL PRIMARY KEY,
    identity BIGINT NOT NULL REFERENCES identity (id) ON DELETE CASCADE,
    permset  BIGINT NOT NULL REFERENCES permission_set (id) ON DELETE CASCADE,
    created  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT permission_assignment_unique UNIQUE (identity, permset)
);
CREATE INDEX idx_permission_assignment_permset ON permission_assignment (permset);

CREATE TABLE identity_role_assignment (
    id       BIGSERIAL PRIMARY KEY,
    identity BIGINT NOT NULL REFERENCES identity (id) ON DELETE CASCADE,
    role     TEXT NOT NULL CHECK (length(role) BETWEEN 1 AND 255),
    source   TEXT NOT NULL DEFAULT 'manual',
    managed  BOOLEAN NOT NULL DEFAULT false,
    created  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT identity_role_assignment_unique UNIQUE (identity, role)
);
CREATE INDEX idx_identity_role_assignment_role ON identity_role_assignment (role);
CREATE TRIGGER identity_role_assignment_updated BEFORE UPDATE ON identity_role_assignment
    FOR EACH ROW EXECUTE FUNCTION update_updated_column();

CREATE TABLE permission_set_role_assignment (
    id      BIGSERIAL PRIMARY KEY,
    permset BIGINT NOT NULL REFERENCES permission_set (id) ON DELETE CASCADE,
    role    TEXT NOT NULL CHECK (length(role) BETWEEN 1 AND 255),
    created TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT permission_set_role_assignment_unique UNIQUE (permset, role)
);
CREATE INDEX idx_permission_set_role_assignment_role ON permission_set_role_assignment (role);

-- Opaque API tokens issued to an identity; only a hash is stored.
CREATE TABLE integration_token (
    id           BIGSERIAL PRIMARY KEY,
    identity     BIGINT NOT NULL REFERENCES identity (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    token_prefix TEXT,
    token_suffix TEXT,
    expires_at   TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ,
    last_used_at TIMESTAMPTZ,
    created      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_integration_token_identity ON integration_token (identity);
CREATE TRIGGER integration_token_updated BEFORE UPDATE ON integration_token
    FOR EACH ROW EXECUTE FUNCTION update_updated_column();

-- Execution policies. Scope: action (action set), pack (pack set, no action) or global (neither).
CREATE TABLE policy (
    id                        BIGSERIAL PRIMARY KEY,
    ref                       TEXT NOT NULL UNIQUE,
    pack                      BIGINT REFERENCES pack (id) ON DELETE CASCADE,
    pack_ref                  TEXT,
    action                    BIGINT,
    action_ref                TEXT,
    parameters                TEXT[] NOT NULL DEFAULT '{}',
    method                    policy_method_enum,
    threshold                 INTEGER,
    name                      TEXT,
    description               TEXT,
    tags                      TEXT[] NOT NULL DEFAULT '{}',
    enabled                   BOOLEAN NOT NULL DEFAULT true,
    priority                  INTEGER NOT NULL DEFAULT 0,
    rate_limit_max_executions INTEGER,
    rate_limit_window_seconds INTEGER,
    quotas                    JSONB NOT NULL DEFAULT '[]'::jsonb,
    created                   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated                   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT policy_ref_lowercase CHECK (ref = lower(ref)),
    CONSTRAINT policy_ref_format CHECK (ref ~ '^[^.]+\.[^.]+$'),
    CONSTRAINT policy_threshold_positive CHECK (threshold IS NULL OR threshold > 0),
    CONSTRAINT policy_concurrency_pair CHECK ((threshold IS NULL) = (method IS NULL)),
    CONSTRAINT policy_rate_limit_pair CHECK (
        (rate_limit_max_executions IS NULL AND rate_limit_window_seconds IS NULL)
        OR (rate_limit_max_executions > 0 AND rate_limit_window_seconds > 0)
    ),
    CONSTRAINT policy_quotas_array CHECK (jsonb_typeof(quotas) = 'array'),
    CONSTRAINT policy_has_limit CHECK (
        threshold IS NOT NULL
        OR rate_limit_max_executions IS NOT NULL
        OR CASE WHEN jsonb_typeof(quotas) = 'array' THEN jsonb_array_length(quotas) > 0 ELSE false END
    )
);
CREATE INDEX idx_policy_pack ON policy (pack);
CREATE INDEX idx_policy_action ON policy (action);
CREATE INDEX idx_policy_action_ref ON policy (action_ref);
CREATE INDEX idx_policy_pack_ref ON policy (pack_ref);
CREATE TRIGGER policy_updated BEFORE UPDATE ON policy
    FOR EACH ROW EXECUTE FUNCTION update_updated_column();
