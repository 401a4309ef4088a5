package idempotency

import (
	"sync"
	"time"
)

// Response is a remembered answer.
type Response struct {
	Status      int
	ContentType string
	Body        []byte
}

// Outcome says what to do with a request that carries a key.
type Outcome uint8

// Outcomes of Begin.
const (
	// Proceed: the key is new; run the request, then Finish or Abandon it.
	Proceed Outcome = iota + 1
	// Replay: the same request was answered before; send the Response.
	Replay
	// Mismatch: the key was used for another request.
	Mismatch
	// InFlight: the same key is being handled right now.
	InFlight
)

type entry struct {
	fingerprint string
	expires     time.Time
	done        bool
	resp        Response
}

// Cache remembers keys for a TTL, at most maxKeys of them (the oldest are
// forgotten first). It is safe for concurrent use.
type Cache struct {
	ttl     time.Duration
	maxKeys int
	now     func() time.Time

	mu    sync.Mutex
	keys  map[string]*entry
	order []string // keys in insertion order, for expiry and eviction
}

// New returns an empty cache. now is the clock (time.Now in production).
func New(ttl time.Duration, maxKeys int, now func() time.Time) *Cache {
	return &Cache{ttl: ttl, maxKeys: maxKeys, now: now, keys: map[string]*entry{}}
}

// Begin looks key up. fingerprint identifies the request (method, path and
// a hash of the body). With Replay, the Response is the first answer.
func (c *Cache) Begin(key, fingerprint string) (Outcome, Response) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	c.expire(now)
	if e, ok := c.keys[key]; ok {
		switch {
		case e.fingerprint != fingerprint:
			return Mismatch, Response{}
		case !e.done:
			return InFlight, Response{}
		}
		return Replay, e.resp
	}
	for len(c.keys) >= c.maxKeys && len(c.order) > 0 {
		c.drop()
	}
	c.keys[key] = &entry{fingerprint: fingerprint, expires: now.Add(c.ttl)}
	c.order = append(c.order, key)
	return Proceed, Response{}
}

// Finish remembers the answer to a request that Begin let proceed.
func (c *Cache) Finish(key string, r Response) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.keys[key]; ok {
		e.done, e.resp = true, r
	}
}

// Abandon forgets a key whose request had no final answer (it may be
// retried with the same key).
func (c *Cache) Abandon(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.keys, key)
}

// Len returns the number of remembered keys.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.keys)
}

// expire forgets keys whose time is up; order is by insertion, and every
// key has the same TTL, so expired keys are at the front.
func (c *Cache) expire(now time.Time) {
	for len(c.order) > 0 {
		e, ok := c.keys[c.order[0]]
		if ok && now.Before(e.expires) {
			return
		}
		c.drop()
	}
}

// drop forgets the oldest key.
func (c *Cache) drop() {
	k := c.order[0]
	c.order[0] = ""
	c.order = c.order[1:]
	delete(c.keys, k)
}
