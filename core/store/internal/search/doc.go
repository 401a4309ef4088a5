// Package search turns a store.Query into a checked plan that the stores
// run: as SQL for sqlitestore and pgstore, or over rows in memory for
// memstore, with the same meaning everywhere. It describes the searchable
// fields of every entity. It never runs a query itself and never writes.
package search
