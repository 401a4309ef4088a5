DELETE FROM meta WHERE id <> 1;
DELETE FROM log_anchor WHERE id <> 1;
DELETE FROM recovery WHERE id <> 1;
ALTER TABLE meta DROP CONSTRAINT IF EXISTS meta_id_check;
ALTER TABLE meta ADD CONSTRAINT meta_id_check CHECK (id = 1);
ALTER TABLE log_anchor DROP CONSTRAINT IF EXISTS log_anchor_id_check;
ALTER TABLE log_anchor ADD CONSTRAINT log_anchor_id_check CHECK (id = 1);
ALTER TABLE recovery DROP CONSTRAINT IF EXISTS recovery_id_check;
ALTER TABLE recovery ADD CONSTRAINT recovery_id_check CHECK (id = 1);
