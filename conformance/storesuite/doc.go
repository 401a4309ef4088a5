// Package storesuite is the contract suite of store.Store, store.Loader and
// store.Querier: every store (memstore, sqlitestore, pgstore) runs it from
// its own tests, and all must behave alike. It is test support: production
// code must never import it.
package storesuite
