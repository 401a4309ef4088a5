package search

import (
	"context"

	"github.com/example/wf-engine/core/store"
)

// Reader runs a search's two statements in one read-only snapshot: it
// returns the count statement's number and calls row for every row of the
// page statement. Each SQL store implements it over its own connections.
// tenants is the query's Tenants, which the statements already restrict
// the rows to; a store with a second guard (PostgreSQL's row-level
// security) sets it up for the snapshot.
type Reader func(ctx context.Context, tenants []string, count, page Statement, row func(scan func(...any) error) error) (total int64, err error)

// Read compiles q for e, runs it through read in dialect d and returns the
// page.
func Read[T any](ctx context.Context, e *Entity[T], q store.Query, d Dialect, read Reader) (store.Page[T], error) {
	return ReadByStart(ctx, e, q, d, read, nil)
}

// ReadByStart is Read for a store that tells which keys a start-date range
// holds (StartKeys, nil: none): a search by a start-date range of element
// instances, or of process instances not sorted by start date, reads only
// those keys.
func ReadByStart[T any](ctx context.Context, e *Entity[T], q store.Query, d Dialect, read Reader, keys StartKeys) (store.Page[T], error) {
	p, err := Compile(e, q)
	if err != nil {
		return store.Page[T]{}, err
	}
	if err := p.withStartKeys(ctx, keys); err != nil {
		return store.Page[T]{}, err
	}
	count, page := p.SQL(d)
	items := make([]T, 0, min(p.limit, 100)) // the page, or fewer
	total, err := read(ctx, q.Tenants, count, page, func(scan func(...any) error) error {
		item, err := e.Scan(scan)
		if err == nil {
			items = append(items, item)
		}
		return err
	})
	if err != nil {
		return store.Page[T]{}, err
	}
	return p.Page(items, total), nil
}
