-- Resource deletion (POST /v2/resources/{resourceKey}/deletion): a deleted
-- process definition or form keeps its row with deleted = 1, so that its
-- instances' history still names it and a restart knows the highest version
-- ever deployed (versions are never reused). Load and the searches read
-- only the rows with deleted = 0.
ALTER TABLE process_definitions ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE forms ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
