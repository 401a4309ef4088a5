package memstore

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/example/wf-engine/core/store"
)

// sessions are the store's browser sessions by id hash; the zero value is
// empty.
type sessions struct {
	mu   sync.Mutex
	byID map[string]store.Session
}

// PutSession implements store.SessionKeeper.
func (s *Store) PutSession(_ context.Context, sess store.Session) error {
	if err := s.live(); err != nil {
		return err
	}
	s.sess.mu.Lock()
	defer s.sess.mu.Unlock()
	if s.sess.byID == nil {
		s.sess.byID = map[string]store.Session{}
	}
	sess.IDHash, sess.Data = slices.Clone(sess.IDHash), slices.Clone(sess.Data)
	s.sess.byID[string(sess.IDHash)] = sess
	return nil
}

// GetSession implements store.SessionKeeper.
func (s *Store) GetSession(_ context.Context, idHash []byte) (store.Session, bool, error) {
	if err := s.live(); err != nil {
		return store.Session{}, false, err
	}
	s.sess.mu.Lock()
	defer s.sess.mu.Unlock()
	sess, ok := s.sess.byID[string(idHash)]
	if !ok {
		return store.Session{}, false, nil
	}
	sess.IDHash, sess.Data = slices.Clone(sess.IDHash), slices.Clone(sess.Data)
	return sess, true, nil
}

// TouchSession implements store.SessionKeeper.
func (s *Store) TouchSession(_ context.Context, idHash []byte, at time.Time) error {
	if err := s.live(); err != nil {
		return err
	}
	s.sess.mu.Lock()
	defer s.sess.mu.Unlock()
	if sess, ok := s.sess.byID[string(idHash)]; ok && at.After(sess.LastUsed) {
		sess.LastUsed = at
		s.sess.byID[string(idHash)] = sess
	}
	return nil
}

// DeleteSession implements store.SessionKeeper.
func (s *Store) DeleteSession(_ context.Context, idHash []byte) error {
	if err := s.live(); err != nil {
		return err
	}
	s.sess.mu.Lock()
	defer s.sess.mu.Unlock()
	delete(s.sess.byID, string(idHash))
	return nil
}

// DeleteSessions implements store.SessionKeeper.
func (s *Store) DeleteSessions(_ context.Context, idleBefore, createdBefore time.Time) (int64, error) {
	if err := s.live(); err != nil {
		return 0, err
	}
	s.sess.mu.Lock()
	defer s.sess.mu.Unlock()
	var n int64
	for id, sess := range s.sess.byID {
		if sess.LastUsed.Before(idleBefore) || sess.Created.Before(createdBefore) {
			delete(s.sess.byID, id)
			n++
		}
	}
	return n, nil
}

var _ store.SessionKeeper = (*Store)(nil)
