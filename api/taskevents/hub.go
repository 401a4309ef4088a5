package taskevents

import (
	"errors"
	"sync"
)

// ErrFull is returned by Subscribe when the hub has as many subscribers as
// it allows.
var ErrFull = errors.New("too many subscribers to user task events")

// Hub wakes subscribers when user tasks change.
type Hub struct {
	max int

	mu       sync.Mutex
	subs     map[*Subscription]struct{}
	position int64 // last position of the last batch with user-task records
}

// New returns a hub that allows at most limit subscribers (at least 1).
func New(limit int) *Hub {
	return &Hub{max: max(limit, 1), subs: map[*Subscription]struct{}{}}
}

// Subscription is one listener. Wake receives a value after user-task
// records committed; wake-ups that arrive while one is pending merge into
// it, and Position tells how far the log had come.
type Subscription struct {
	h    *Hub
	wake chan struct{}
}

// Wake returns the channel that receives a value after user tasks changed.
func (s *Subscription) Wake() <-chan struct{} { return s.wake }

// Position is the last log position of the latest committed batch that
// held user-task records.
func (s *Subscription) Position() int64 {
	s.h.mu.Lock()
	defer s.h.mu.Unlock()
	return s.h.position
}

// Close ends the subscription.
func (s *Subscription) Close() {
	s.h.mu.Lock()
	delete(s.h.subs, s)
	s.h.mu.Unlock()
}

// Subscribe adds a subscriber, or returns ErrFull.
func (h *Hub) Subscribe() (*Subscription, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.subs) >= h.max {
		return nil, ErrFull
	}
	s := &Subscription{h: h, wake: make(chan struct{}, 1)}
	h.subs[s] = struct{}{}
	return s, nil
}

// Subscribers counts the current subscribers.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// Changed records that user-task records up to position committed and
// wakes every subscriber without waiting for any.
func (h *Hub) Changed(position int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.position = max(h.position, position)
	for s := range h.subs {
		select {
		case s.wake <- struct{}{}:
		default: // a wake-up is pending already
		}
	}
}
