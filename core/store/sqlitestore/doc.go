// Package sqlitestore is the embedded default store: one SQLite file
// (modernc.org/sqlite, pure Go) in WAL mode holding a partition's log and
// state rows, written in one transaction per batch by a single writer
// connection and read through a separate pool. It implements store.Store,
// store.Loader and store.Querier. It must never interpret records and
// never write outside a Commit's transaction, except to clear the recovery
// marker (store.RecoveryDetector) and for log compaction's checkpoints and
// deletions, on the writer between commits (compaction.go).
//
// Backup and restore: Backup copies a live store with VACUUM INTO (one
// snapshot, beside the writer) to a file that carries the recovery marker;
// Restore puts such a file in place of a store. An open store holds a
// shared flock on PATH.lock, Restore an exclusive one, so that a restore
// never replaces the file under a running engine.
//
// Durability: by default every commit is synced to disk (synchronous=FULL),
// so an acknowledged batch survives a power loss as well as a crash of the
// process. Options.Synchronous "NORMAL" syncs the WAL only at checkpoints:
// a crash of the process still loses nothing, a power loss may lose the
// last batches, which is faster on slow disks.
//
// Tenants: SQLite has no row-level security. A search restricted to a
// principal's tenants (store.Query.Tenants) is filtered by its own SQL
// condition only; there is no second guard in the database as pgstore has
// with a read role.
package sqlitestore
