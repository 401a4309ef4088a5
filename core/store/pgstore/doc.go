// Package pgstore is the production store: a partition's log and state rows
// in PostgreSQL through a pgx v5 pool, one transaction per batch sent in a
// single round trip (array inserts and batched upserts), and searches on the
// same tables. It implements store.Store, store.Loader and store.Querier.
// It must never interpret records, never write outside a Commit, and never
// put a connection password into an error or a log.
package pgstore
