-- A key's ref is unique per owner, not across owners: another identity may hold a key under the
-- same ref, and creating one tells nobody that such a key exists elsewhere (docs/decisions.md,
-- "Key refs are scoped to their owner"). (owner_type, owner, name) stays unique as before.
ALTER TABLE key DROP CONSTRAINT IF EXISTS key_ref_key;
CREATE UNIQUE INDEX IF NOT EXISTS uq_key_owner_ref ON key (owner_type, owner, ref);
CREATE INDEX IF NOT EXISTS idx_key_ref ON key (ref);
