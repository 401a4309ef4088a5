// Package store is the contract between the kernel and its storage: a log of
// records and the state rows the records' events changed, written together
// in one transaction per batch, and the searches over those rows (Querier).
// A store may encode a batch ahead of its commit (Preparer), while the
// batch before commits. The SQL stores chain their log segments by hashes
// (ChainVerifier), and every store answers audit searches over the
// commands' principals (AuditQuerier). A LogCompactor removes old log
// segments behind a checkpoint of the state, archiving them first on
// request; its chain is then verified from an anchor (compaction.go).
// A Partitioned store is divided into partitions that share the state
// tables, each with its own log (a range of positions), counters and
// commit path, owning the rows of its key range (partitions.go).
// It defines the contract only; memstore, sqlitestore and pgstore implement
// it. It must never interpret records.
package store
