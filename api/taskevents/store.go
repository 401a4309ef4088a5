package taskevents

import (
	"context"
	"errors"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

// Store wraps the engine's store: after a batch with user-task records
// commits, it tells the hub. It forwards Prepare and Load, which the
// engine uses.
type Store struct {
	store.Store
	h *Hub
}

// Store returns s reporting its commits to h.
func (h *Hub) Store(s store.Store) *Store { return &Store{Store: s, h: h} }

// Commit implements store.Store.
func (s *Store) Commit(ctx context.Context, b *store.Batch) error {
	if err := s.Store.Commit(ctx, b); err != nil {
		return err
	}
	for i := len(b.Records) - 1; i >= 0; i-- {
		if b.Records[i].ValueType == record.TypeUserTask && b.Records[i].Kind == record.KindEvent {
			s.h.Changed(b.Records[len(b.Records)-1].Position)
			break
		}
	}
	return nil
}

// Prepare implements store.Preparer by forwarding.
func (s *Store) Prepare(b *store.Batch) error { return store.Prepare(s.Store, b) }

// Load implements store.Loader by forwarding; it fails when the wrapped
// store is not a Loader.
func (s *Store) Load(ctx context.Context) (*state.Snapshot, error) {
	l, ok := s.Store.(store.Loader)
	if !ok {
		return nil, errors.New("the wrapped store keeps no state rows to load")
	}
	return l.Load(ctx)
}

// Interface guards
var (
	_ store.Store    = (*Store)(nil)
	_ store.Loader   = (*Store)(nil)
	_ store.Preparer = (*Store)(nil)
)
