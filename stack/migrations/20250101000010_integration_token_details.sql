-- 20250101000010_integration_token_details
-- Integration tokens as Attune's API describes them (internals §1.4, the token routes of REST 0.2.1): a
-- label and description, who created and who revoked a token and why, and where it was last used. The
-- first migration named the label `name`; it stays (filled with the label) so nothing older breaks.
ALTER TABLE integration_token
    ADD COLUMN label             TEXT,
    ADD COLUMN description       TEXT,
    ADD COLUMN created_by        BIGINT REFERENCES identity (id) ON DELETE SET NULL,
    ADD COLUMN last_used_ip      TEXT,
    ADD COLUMN revoked_by        BIGINT REFERENCES identity (id) ON DELETE SET NULL,
    ADD COLUMN revocation_reason TEXT;

UPDATE integration_token SET label = name WHERE label IS NULL;
ALTER TABLE integration_token
    ALTER COLUMN label SET NOT NULL,
    ADD CONSTRAINT integration_token_label_length CHECK (length(btrim(label)) BETWEEN 1 AND 255);
