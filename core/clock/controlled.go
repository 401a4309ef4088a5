package clock

import (
	"sync"
	"time"
)

// Controlled is a clock that normally follows a base clock but can be
// pinned to a moment, as Camunda's clock API does for tests: while pinned,
// Now returns the pinned time and waiters fire only when a later pin moves
// past their deadline. Reset returns to the base clock.
type Controlled struct {
	base Clock

	mu      sync.Mutex
	pinned  bool
	at      time.Time
	waiters []waiter
}

// NewControlled returns a clock that follows base until it is pinned.
func NewControlled(base Clock) *Controlled { return &Controlled{base: base} }

// Now returns the pinned time, or the base clock's.
func (c *Controlled) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pinned {
		return c.at
	}
	return c.base.Now()
}

// After waits for d on the pinned time while pinned, else on the base clock.
func (c *Controlled) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.pinned {
		return c.base.After(d)
	}
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.at
		return ch
	}
	c.waiters = append(c.waiters, waiter{at: c.at.Add(d), ch: ch})
	return ch
}

// Pin fixes the clock at t and wakes every waiter that is due by then.
func (c *Controlled) Pin(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pinned, c.at = true, t.UTC()
	n := 0
	for _, w := range c.waiters {
		if !w.at.After(c.at) {
			w.ch <- c.at
			continue
		}
		c.waiters[n] = w
		n++
	}
	c.waiters = c.waiters[:n]
}

// Reset returns to the base clock and wakes every pinned waiter, so that
// they re-arm on the base clock.
func (c *Controlled) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pinned = false
	now := c.base.Now()
	for _, w := range c.waiters {
		w.ch <- now
	}
	c.waiters = nil
}

// Pinned reports whether the clock is pinned, and to what.
func (c *Controlled) Pinned() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at, c.pinned
}

// Interface guards
var _ Clock = (*Controlled)(nil)
