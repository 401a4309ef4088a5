package memstore

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/example/wf-engine/core/store"
)

// documents are the store's documents by id; the zero value is empty.
type documents struct {
	mu   sync.Mutex
	byID map[string]store.Document
}

// live returns store.ErrClosed once the store is closed.
func (s *Store) live() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return store.ErrClosed
	}
	return nil
}

// CreateDocument implements store.DocumentStore.
func (s *Store) CreateDocument(_ context.Context, d store.Document) error {
	if err := s.live(); err != nil {
		return err
	}
	s.docs.mu.Lock()
	defer s.docs.mu.Unlock()
	if _, ok := s.docs.byID[d.DocumentID]; ok {
		return store.ErrDocumentExists
	}
	if s.docs.byID == nil {
		s.docs.byID = map[string]store.Document{}
	}
	d.Content = slices.Clone(d.Content)
	if d.Content == nil {
		d.Content = []byte{}
	}
	s.docs.byID[d.DocumentID] = d
	return nil
}

// Document implements store.DocumentStore.
func (s *Store) Document(_ context.Context, id string, content bool) (store.Document, bool, error) {
	if err := s.live(); err != nil {
		return store.Document{}, false, err
	}
	s.docs.mu.Lock()
	defer s.docs.mu.Unlock()
	d, ok := s.docs.byID[id]
	if !ok {
		return store.Document{}, false, nil
	}
	if content {
		d.Content = slices.Clone(d.Content)
	} else {
		d.Content = nil
	}
	return d, true, nil
}

// DeleteDocument implements store.DocumentStore.
func (s *Store) DeleteDocument(_ context.Context, id string) (bool, error) {
	if err := s.live(); err != nil {
		return false, err
	}
	s.docs.mu.Lock()
	defer s.docs.mu.Unlock()
	_, ok := s.docs.byID[id]
	delete(s.docs.byID, id)
	return ok, nil
}

// DeleteExpiredDocuments implements store.DocumentStore.
func (s *Store) DeleteExpiredDocuments(_ context.Context, before time.Time, limit int) (int, error) {
	if err := s.live(); err != nil {
		return 0, err
	}
	s.docs.mu.Lock()
	defer s.docs.mu.Unlock()
	var expired []string
	for id, d := range s.docs.byID {
		if !d.ExpiresAt.IsZero() && !d.ExpiresAt.After(before) {
			expired = append(expired, id)
		}
	}
	slices.Sort(expired)
	if len(expired) > limit {
		expired = expired[:max(limit, 0)]
	}
	for _, id := range expired {
		delete(s.docs.byID, id)
	}
	return len(expired), nil
}

// Interface guard
var _ store.DocumentStore = (*Store)(nil)
