package idempotency_test

import (
	"testing"
	"time"

	"github.com/example/wf-engine/api/idempotency"
)

type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

func TestCache(t *testing.T) {
	clk := &clock{now: time.Unix(1000, 0)}
	c := idempotency.New(time.Hour, 2, clk.Now)
	if o, _ := c.Begin("a", "POST /x 1"); o != idempotency.Proceed {
		t.Fatalf("new key: %v", o)
	}
	if o, _ := c.Begin("a", "POST /x 1"); o != idempotency.InFlight {
		t.Fatalf("key in flight: %v", o)
	}
	c.Finish("a", idempotency.Response{Status: 200, ContentType: "application/json", Body: []byte("{}")})
	if o, r := c.Begin("a", "POST /x 1"); o != idempotency.Replay || r.Status != 200 || string(r.Body) != "{}" {
		t.Fatalf("replay: %v %+v", o, r)
	}
	if o, _ := c.Begin("a", "POST /x 2"); o != idempotency.Mismatch {
		t.Fatalf("other request: %v", o)
	}
	// Abandoned keys may be used again.
	c.Begin("b", "f")
	c.Abandon("b")
	if o, _ := c.Begin("b", "g"); o != idempotency.Proceed {
		t.Fatalf("abandoned key: %v", o)
	}
	// At most two keys: a third forgets the oldest.
	c.Begin("c", "f")
	if c.Len() != 2 {
		t.Fatalf("len %d", c.Len())
	}
	if o, _ := c.Begin("a", "POST /x 2"); o != idempotency.Proceed {
		t.Fatalf("evicted key: %v", o)
	}
	// Keys expire after the TTL.
	clk.now = clk.now.Add(2 * time.Hour)
	if o, _ := c.Begin("c", "other"); o != idempotency.Proceed || c.Len() != 1 {
		t.Fatalf("expired key: %v, %d keys", o, c.Len())
	}
}
