package store

import (
	"context"
	"errors"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// Batch is what one processing batch writes: its records in log order and
// the state rows their events changed.
type Batch struct {
	Records []*record.Record
	Changes state.Changes
}

// Store keeps a partition's log and state rows durably.
type Store interface {
	// Commit writes a batch atomically: after it returns nil, every record
	// and row of the batch survives a crash; after an error, none of it is
	// visible.
	Commit(ctx context.Context, b *Batch) error
	// ReadLog calls fn for every record from position from on, in order.
	ReadLog(ctx context.Context, from int64, fn func(*record.Record) error) error
	// Close releases the store.
	Close() error
}

// ErrClosed is returned by a store that was closed.
var ErrClosed = errors.New("store is closed")

// Loader is a store that keeps state rows, so that a restart loads them
// instead of replaying the log.
type Loader interface {
	// Load returns the live state rows as of the last committed batch.
	Load(ctx context.Context) (*state.Snapshot, error)
}
