-- A pack registry index's name is optional (Attune 0.2.1: CreatePackRegistryIndexRequest.name and the
-- index record's name are nullable); the url stays required and unique.
ALTER TABLE pack_registry_index ALTER COLUMN name DROP NOT NULL;
