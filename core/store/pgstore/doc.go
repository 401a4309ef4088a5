// Package pgstore is the production store: a partition's log and state rows
// in PostgreSQL through pgx v5, and searches on the same tables. Reads
// (loads, the log, searches) use a pool; commits use one writer connection
// whose statements are prepared by name when it connects. Prepare encodes a
// batch and binds those statements ahead of its commit; Commit sends the
// batch in a single round trip, one implicit transaction (ADR 0007). It
// implements store.Store, store.Preparer, store.Loader and store.Querier.
// It is store.Partitioned: a partition's view shares the read pool and has
// its own writer connection, meta row, hash chain and log range
// (partitions.go, migration 31).
// Each commit keeps element_counts exact in its own transaction: by
// deltas Prepare computes from what it remembers of the instances it saw
// start (countdeltas.go), by a statement for every other row
// (elementcounts.go).
// It also tells the engine when the database is not the one it last started
// on (store.RecoveryDetector, recovery.go): restored from a dump, recovered
// to a point in time or failed over. It must never interpret records, never
// write outside a Commit (except the recovery table, and log compaction's
// checkpoints and deletions on the read pool, compaction.go), never turn
// a row that may exist into a plain insert, never count from memory a row
// it did not see written, and never put a connection
// password into an error or a log.
package pgstore
