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
	// Prepared is what the store's Prepare made of the batch, for its
	// Commit; nil when Prepare was not called.
	Prepared any
}

// Store keeps a partition's log and state rows durably.
type Store interface {
	// Commit writes a batch atomically: after it returns nil, every record
	// and row of the batch survives a crash; after an error, none of it is
	// visible, unless the error wraps ErrCommitUnknown (then the batch is
	// either wholly written or not at all).
	Commit(ctx context.Context, b *Batch) error
	// ReadLog calls fn for every record from position from on, in order.
	ReadLog(ctx context.Context, from int64, fn func(*record.Record) error) error
	// Close releases the store.
	Close() error
}

// ErrClosed is returned by a store that was closed.
var ErrClosed = errors.New("store is closed")

// ErrCommitUnknown is wrapped by a Commit error when the store cannot tell
// whether the batch was written: the connection was lost after the commit
// was sent. Every other Commit error means nothing was written.
var ErrCommitUnknown = errors.New("the store did not confirm the commit; it may have been written")

// Preparer is a store whose commit does work that needs no database, such
// as encoding rows. The engine's committer calls Prepare and then Commit
// with the same batch, while the processing goroutine already runs the
// next commands; a Prepare error fails the batch as a commit error that
// wrote nothing would. Prepare must not change what Commit writes.
type Preparer interface {
	Prepare(b *Batch) error
}

// Prepare calls s's Prepare when it has one; Commit encodes an unprepared
// batch itself. Stores that wrap another forward Prepare through it.
func Prepare(s Store, b *Batch) error {
	if p, ok := s.(Preparer); ok {
		return p.Prepare(b)
	}
	return nil
}

// Loader is a store that keeps state rows, so that a restart loads them
// instead of replaying the log.
type Loader interface {
	// Load returns the live state rows as of the last committed batch.
	Load(ctx context.Context) (*state.Snapshot, error)
}
