// Package memstore is the in-memory store for tests, conformance runs and
// replay checks. It keeps the log and the latest state rows in memory (one
// log per partition with store.Partitioned, partitions.go); it
// must never be used where data has to survive the process.
package memstore
