package auth

import (
	"fmt"
	"testing"
	"time"
)

func TestTokenCacheKeepsAPrincipalWithinItsWindowOnly(t *testing.T) {
	c := newTokenCache(3)
	now := time.Unix(1_800_000_000, 0)
	p := &Principal{Subject: "olga", Roles: []Role{RoleOperator}}
	c.put("tok", p, now.Add(-time.Second), now.Add(30*time.Second), now)
	got := c.get("tok", now)
	if got == nil || got.Subject != "olga" || got == p {
		t.Fatalf("got %+v, want a copy of the principal", got)
	}
	got.Roles[0] = RoleAdmin
	if again := c.get("tok", now); again.Roles[0] != RoleOperator {
		t.Fatal("a caller changed the cached principal")
	}
	if c.get("other", now) != nil {
		t.Fatal("an unknown token hit")
	}
	if c.get("tok", now.Add(31*time.Second)) != nil {
		t.Fatal("a token past its expiry hit")
	}
	if c.get("tok", now) != nil {
		t.Fatal("an expired entry was not removed")
	}
	c.put("early", p, now.Add(time.Hour), now.Add(2*time.Hour), now)
	if c.get("early", now) != nil {
		t.Fatal("a token before its not-before hit")
	}
	c.put("long", p, time.Time{}, now.Add(24*time.Hour), now)
	if c.get("long", now.Add(tokenCacheTTL+time.Second)) != nil {
		t.Fatal("an entry outlived tokenCacheTTL")
	}
	for i := range 10 {
		c.put(fmt.Sprint("t", i), p, time.Time{}, now.Add(time.Minute), now)
	}
	if n := len(c.entries); n > 3 {
		t.Fatalf("the cache holds %d entries, more than its bound 3", n)
	}
	c.put("dead", p, time.Time{}, now.Add(-time.Second), now)
	if c.get("dead", now) != nil {
		t.Fatal("an already expired token was cached")
	}
}
