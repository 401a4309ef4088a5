package auth

import (
	"crypto/sha256"
	"sync"
	"time"
)

// tokenCache remembers the principals of verified tokens for a short
// while, so that a client sending the same token with every request costs
// one signature check per minute instead of one per request. It keys by a
// SHA-256 of the token (it never holds a token) and keeps an entry no
// longer than the token is valid nor than tokenCacheTTL, so a key removed
// from the issuer's set stops its tokens within that time.
type tokenCache struct {
	mu      sync.Mutex
	entries map[[sha256.Size]byte]tokenEntry
	max     int
}

type tokenEntry struct {
	p *Principal
	// from and until bound when the token is accepted (nbf and exp with
	// the clock skew), until also by the entry's age.
	from, until time.Time
}

// Sizes of the token cache.
const (
	tokenCacheTTL  = time.Minute
	tokenCacheSize = 10000
)

func newTokenCache(size int) *tokenCache {
	return &tokenCache{entries: map[[sha256.Size]byte]tokenEntry{}, max: size}
}

// get returns a copy of the principal of a token verified before, if it is
// still within its window at now.
func (c *tokenCache) get(token string, now time.Time) *Principal {
	id := sha256.Sum256([]byte(token))
	c.mu.Lock()
	e, ok := c.entries[id]
	if ok && (now.Before(e.from) || now.After(e.until)) {
		delete(c.entries, id)
		ok = false
	}
	c.mu.Unlock()
	if !ok {
		return nil
	}
	return e.p.clone()
}

// put remembers a verified token's principal for its window, capped at
// tokenCacheTTL from now. A full cache is emptied: refilling it costs one
// verification per active token.
func (c *tokenCache) put(token string, p *Principal, from, until, now time.Time) {
	if limit := now.Add(tokenCacheTTL); until.After(limit) {
		until = limit
	}
	if !until.After(now) {
		return
	}
	id := sha256.Sum256([]byte(token))
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		clear(c.entries)
	}
	c.entries[id] = tokenEntry{p: p.clone(), from: from, until: until}
}
