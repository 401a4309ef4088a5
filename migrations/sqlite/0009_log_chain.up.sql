-- The log's hash chain: each segment's hash is SHA-256 over the hash of the
-- segment before it (32 zero bytes for the first) followed by its data
-- (core/store/internal/tables/segments_chain.go). Segments written before
-- this migration have none; the chain starts after them.
ALTER TABLE log_segments ADD COLUMN hash BLOB;
