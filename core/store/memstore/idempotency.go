package memstore

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/example/wf-engine/core/store"
)

// idempotencyKeys holds the answers of commands sent with an
// Idempotency-Key, by key hash, as the durable stores' idempotency_keys
// table does.
type idempotencyKeys map[string]store.IdempotencyAnswer

// keepIdempotencyKeys projects a committed batch's answers; the caller
// holds the write lock. A later answer replaces an earlier one, as the
// durable stores' upsert does.
func (s *Store) keepIdempotencyKeys(b *store.Batch) {
	for _, a := range store.IdempotencyAnswersOf(b.Records) {
		if s.idempotency == nil {
			s.idempotency = idempotencyKeys{}
		}
		s.idempotency[a.KeyHash] = a
	}
}

// IdempotencyAnswer implements store.IdempotencyKeys.
func (s *Store) IdempotencyAnswer(_ context.Context, keyHash string) (*store.IdempotencyAnswer, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, store.ErrClosed
	}
	a, ok := s.idempotency[keyHash]
	if !ok {
		return nil, nil
	}
	return &a, nil
}

// ExpireIdempotencyKeys implements store.IdempotencyKeys.
func (s *Store) ExpireIdempotencyKeys(_ context.Context, before time.Time, limit int) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, store.ErrClosed
	}
	// Oldest first, as the durable stores delete by their created index.
	var due []store.IdempotencyAnswer
	for _, a := range s.idempotency {
		if a.Created.Before(before) {
			due = append(due, a)
		}
	}
	slices.SortFunc(due, func(a, b store.IdempotencyAnswer) int {
		return cmp.Or(a.Created.Compare(b.Created), strings.Compare(a.KeyHash, b.KeyHash))
	})
	if len(due) > limit {
		due = due[:limit]
	}
	for _, a := range due {
		delete(s.idempotency, a.KeyHash)
	}
	return len(due), nil
}

// Interface guard
var _ store.IdempotencyKeys = (*Store)(nil)
