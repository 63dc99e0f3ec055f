-- 20250101000002_pack_system
-- Packs, pack registry index, runtimes and runtime versions.
-- pack.installed_by (identity that registered the pack, used for ownership) is declared
-- here; its foreign key to identity is added in the identity_and_auth file.

CREATE TABLE pack (
    id                  BIGSERIAL PRIMARY KEY,
    ref                 TEXT NOT NULL UNIQUE,
    label               TEXT NOT NULL,
    description         TEXT,
    version             TEXT NOT NULL,
    conf_schema         JSONB NOT NULL DEFAULT '{}'::jsonb,
    config              JSONB NOT NULL DEFAULT '{}'::jsonb,
    meta                JSONB NOT NULL DEFAULT '{}'::jsonb,
    tags                TEXT[] NOT NULL DEFAULT '{}',
    runtime_deps        TEXT[] NOT NULL DEFAULT '{}',
    dependencies        TEXT[] NOT NULL DEFAULT '{}',
    is_standard         BOOLEAN NOT NULL DEFAULT false,
    installers          JSONB DEFAULT '[]'::jsonb,
    source_type         TEXT,
    source_url          TEXT,
    source_ref          TEXT,
    checksum            TEXT,
    checksum_verified   BOOLEAN DEFAULT false,
    installed_at        TIMESTAMPTZ,
    installed_by        BIGINT,
    installation_method TEXT,
    storage_path        TEXT,
    created             TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated             TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT pack_ref_lowercase CHECK (ref = lower(ref)),
    CONSTRAINT pack_ref_format CHECK (ref ~ '^[a-z][a-z0-9_-]+$'),
    CONSTRAINT pack_version_semver CHECK (
        version ~ '^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$'
    )
);
CREATE INDEX idx_pack_installed_by ON pack (installed_by);
CREATE INDEX idx_pack_tags ON pack USING gin (tags);
CREATE INDEX idx_pack_created ON pack (created);
CREATE TRIGGER pack_updated BEFORE UPDATE ON pack
    FOR EACH ROW EXECUTE FUNCTION update_updated_column();

CREATE TABLE pack_registry_index (
    id       BIGSERIAL PRIMARY KEY,
    name     TEXT NOT NULL,
    url      TEXT NOT NULL UNIQUE,
    position INTEGER NOT NULL DEFAULT 0 CHECK (position >= 0),
    enabled  BOOLEAN NOT NULL DEFAULT true,
    headers  JSONB NOT NULL DEFAULT '{}'::jsonb,
    created  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TRIGGER pack_registry_index_updated BEFORE UPDATE ON pack_registry_index
    FOR EACH ROW EXECUTE FUNCTION update_updated_column();

CREATE TABLE runtime (
    id               BIGSERIAL PRIMARY KEY,
    ref              TEXT NOT NULL UNIQUE,
    pack             BIGINT REFERENCES pack (id) ON DELETE CASCADE,
    pack_ref         TEXT,
    description      TEXT,
    name             TEXT NOT NULL,
    aliases          TEXT[] NOT NULL DEFAULT '{}',
    distributions    JSONB NOT NULL DEFAULT '{}'::jsonb,
    installation     JSONB,
    installers       JSONB DEFAULT '[]'::jsonb,
    execution_config JSONB NOT NULL DEFAULT '{}'::jsonb,
    auto_detected    BOOLEAN NOT NULL DEFAULT false,
    detection_config JSONB NOT NULL DEFAULT '{}'::jsonb,
    created          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated          TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT runtime_ref_lowercase CHECK (ref = lower(ref))
);
CREATE INDEX idx_runtime_pack ON runtime (pack);
CREATE INDEX idx_runtime_pack_ref ON runtime (pack_ref);
CREATE INDEX idx_runtime_name_lower ON runtime (lower(name));
CREATE INDEX idx_runtime_aliases ON runtime USING gin (aliases);
CREATE TRIGGER runtime_updated BEFORE UPDATE ON runtime
    FOR EACH ROW EXECUTE FUNCTION update_updated_column();

CREATE TABLE runtime_version (
    id               BIGSERIAL PRIMARY KEY,
    runtime          BIGINT NOT NULL REFERENCES runtime (id) ON DELETE CASCADE,
    runtime_ref      TEXT NOT NULL,
    version          TEXT NOT NULL,
    version_major    INTEGER,
    version_minor    INTEGER,
    version_patch    INTEGER,
    execution_config JSONB NOT NULL DEFAULT '{}'::jsonb,
    distributions    JSONB NOT NULL DEFAULT '{}'::jsonb,
    is_default       BOOLEAN NOT NULL DEFAULT false,
    available        BOOLEAN NOT NULL DEFAULT true,
    verified_at      TIMESTAMPTZ,
    meta             JSONB NOT NULL DEFAULT '{}'::jsonb,
    created          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated          TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT runtime_version_unique UNIQUE (runtime, version)
);
CREATE INDEX idx_runtime_version_runtime_ref ON runtime_version (runtime_ref);
CREATE TRIGGER runtime_version_updated BEFORE UPDATE ON runtime_version
    FOR EACH ROW EXECUTE FUNCTION update_updated_column();
