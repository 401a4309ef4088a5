package lease

import (
	"context"
	"errors"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/store"
)

var t0 = time.Date(2026, 12, 6, 23, 0, 0, 0, time.UTC)

func claim(node string, ttl time.Duration) store.LeaseClaim {
	return store.LeaseClaim{Partition: 1, NodeID: node, Address: "http://" + node + ":8080", TTL: ttl}
}

// waitUntil polls cond until it holds, failing the test after a while.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// advanceUntil moves the clock by step, each time once the code under test
// waits on it, until done reports true; it returns the clock's time then.
func advanceUntil(t *testing.T, c *clock.Manual, step, limit time.Duration, check func() bool) time.Time {
	t.Helper()
	end := c.Now().Add(limit)
	finished := false
	done := func() bool { // check may consume what it looks at: ask it until it said yes once
		finished = finished || check()
		return finished
	}
	for {
		waitUntil(t, "the lease code waits on the clock or is done", func() bool { return done() || c.Waiting() > 0 })
		if done() {
			return c.Now()
		}
		if !c.Now().Before(end) {
			t.Fatalf("not done after %s", limit)
		}
		c.Advance(step)
	}
}

func TestAcquireTakesAFreeLeaseAtOnce(t *testing.T) {
	c := clock.NewManual(t0)
	tab := newTable(c.Now)
	h, err := Acquire(context.Background(), Config{Leaser: tab, Claim: claim("a", 3*time.Second), Clock: c})
	if err != nil {
		t.Fatal(err)
	}
	if l := h.Lease(); l.Epoch != 1 || l.NodeID != "a" {
		t.Fatalf("took %+v, want epoch 1 for a", l)
	}
}

// A standby looks at the lease every third of its time to live and takes
// it over right after the holder's time ran out, with the next epoch; it
// learns the holder meanwhile.
func TestStandbyTakesOverRightAfterExpiry(t *testing.T) {
	c := clock.NewManual(t0)
	tab := newTable(c.Now)
	ttl := 3 * time.Second
	if _, err := Acquire(context.Background(), Config{Leaser: tab, Claim: claim("a", ttl), Clock: c}); err != nil {
		t.Fatal(err)
	}
	var seen []string
	got := make(chan *Held, 1)
	go func() {
		h, err := Acquire(context.Background(), Config{Leaser: tab, Claim: claim("b", ttl), Clock: c,
			OnRead: func(l store.Lease) { seen = append(seen, l.NodeID) }})
		if err != nil {
			t.Error(err)
		}
		got <- h
	}()
	var h *Held
	at := advanceUntil(t, c, 250*time.Millisecond, time.Minute, func() bool {
		select {
		case h = <-got:
			return true
		default:
			return false
		}
	})
	if h.Lease().Epoch != 2 || h.Lease().NodeID != "b" {
		t.Fatalf("b took %+v, want epoch 2", h.Lease())
	}
	if took := at.Sub(t0); took < ttl || took > ttl+250*time.Millisecond {
		t.Fatalf("b took over %s after a's lease began, want right after its %s", took, ttl)
	}
	if len(seen) == 0 || seen[0] != "a" {
		t.Fatalf("b saw holders %v, want a first", seen)
	}
}

// A holder renews every third of the time to live; when it stops cleanly
// it releases the lease, and another node takes it at once.
func TestKeepRenewsUntilStoppedThenReleases(t *testing.T) {
	c := clock.NewManual(t0)
	tab := newTable(c.Now)
	ttl := 3 * time.Second
	h, err := Acquire(context.Background(), Config{Leaser: tab, Claim: claim("a", ttl), Clock: c})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	kept := make(chan error, 1)
	go func() { kept <- h.Keep(ctx) }()
	for range 9 { // three times the time to live
		waitUntil(t, "Keep waits", func() bool { return c.Waiting() > 0 })
		c.Advance(time.Second)
		waitUntil(t, "Keep renewed", func() bool {
			l, _, _ := tab.ReadLease(context.Background(), 1)
			return l.Remaining == ttl
		})
	}
	cancel()
	if err := <-kept; err != nil {
		t.Fatalf("Keep after a clean stop: %v", err)
	}
	if l, _, _ := tab.ReadLease(context.Background(), 1); l.Live() {
		t.Fatalf("lease after a clean stop: %+v, want released", l)
	}
	b, err := Acquire(context.Background(), Config{Leaser: tab, Claim: claim("b", ttl), Clock: c})
	if err != nil || b.Lease().Epoch != 2 {
		t.Fatalf("b after a's release: %+v, %v; want epoch 2 at once", b, err)
	}
}

// A holder whose renewals fail gives the lease up before the store's clock
// could let another node take it.
func TestKeepGivesUpBeforeTheStoreCouldExpire(t *testing.T) {
	c := clock.NewManual(t0)
	tab := newTable(c.Now)
	ttl := 3 * time.Second
	h, err := Acquire(context.Background(), Config{Leaser: tab, Claim: claim("a", ttl), Clock: c})
	if err != nil {
		t.Fatal(err)
	}
	tab.setBroken(true)
	kept := make(chan error, 1)
	go func() { kept <- h.Keep(context.Background()) }()
	var err2 error
	at := advanceUntil(t, c, 50*time.Millisecond, time.Minute, func() bool {
		select {
		case err2 = <-kept:
			return true
		default:
			return false
		}
	})
	if !errors.Is(err2, ErrLost) {
		t.Fatalf("Keep with a broken store: %v, want ErrLost", err2)
	}
	if gave := at.Sub(t0); gave < GiveUpAfter(ttl) || gave >= ttl {
		t.Fatalf("gave the lease up %s after taking it, want between %s and the store's expiry at %s", gave, GiveUpAfter(ttl), ttl)
	}
}

// A holder whose lease another node took notices it at its next renewal.
func TestKeepNoticesATakeover(t *testing.T) {
	c := clock.NewManual(t0)
	tab := newTable(c.Now)
	ttl := 3 * time.Second
	h, err := Acquire(context.Background(), Config{Leaser: tab, Claim: claim("a", ttl), Clock: c})
	if err != nil {
		t.Fatal(err)
	}
	// a was paused past its lease: b took over meanwhile.
	c.Advance(ttl)
	if _, won, _ := tab.AcquireLease(context.Background(), claim("b", ttl)); !won {
		t.Fatal("b could not take the expired lease")
	}
	h.renewed = c.Now() // a's own clock did not see the pause
	kept := make(chan error, 1)
	go func() { kept <- h.Keep(context.Background()) }()
	waitUntil(t, "Keep waits", func() bool { return c.Waiting() > 0 })
	c.Advance(RenewEvery(ttl))
	if err := <-kept; !errors.Is(err, ErrLost) {
		t.Fatalf("Keep after a takeover: %v, want ErrLost", err)
	}
	if tab.commit(1, "a", 1) {
		t.Fatal("a's commit under epoch 1 was taken after b's takeover")
	}
}

func TestAcquireEndsWithItsContext(t *testing.T) {
	c := clock.NewManual(t0)
	tab := newTable(c.Now)
	if _, err := Acquire(context.Background(), Config{Leaser: tab, Claim: claim("a", time.Minute), Clock: c}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := Acquire(ctx, Config{Leaser: tab, Claim: claim("b", time.Minute), Clock: c})
		done <- err
	}()
	waitUntil(t, "b waits", func() bool { return c.Waiting() > 0 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Acquire after its context ended: %v", err)
	}
}

// simNode is a node of the property test: what it holds and when it last
// sent a renewal that succeeded.
type simNode struct {
	name    string
	held    *store.Lease
	renewed time.Time
}

// believes reports whether the node takes itself for the holder at now:
// Keep's rule.
func (n *simNode) believes(now time.Time, ttl time.Duration) bool {
	return n.held != nil && now.Before(n.renewed.Add(GiveUpAfter(ttl)))
}

// Random interleavings of acquisitions, renewals (sent, then run by the
// store after a delay), releases, pauses (time passing while a node does
// nothing) and commits on the simulated table: the table never takes two
// nodes' commits under one epoch, never a commit of a lower epoch after one
// of a higher, and at no moment do two nodes take themselves for the
// holder under Keep's rule. A node commits whenever it holds a lease,
// whether or not it still believes it does: a paused node does not know.
func TestNoTwoHoldersCommitInOneEpoch(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		ctx := context.Background()
		ttl := time.Duration(rapid.IntRange(3, 50).Draw(rt, "ttl_100ms")) * 100 * time.Millisecond
		now := t0
		tab := newTable(func() time.Time { return now })
		nodes := make([]*simNode, rapid.IntRange(2, 4).Draw(rt, "nodes"))
		for i := range nodes {
			nodes[i] = &simNode{name: string(rune('a' + i))}
		}
		delay := func(label string) time.Duration {
			return time.Duration(rapid.Int64Range(0, int64(ttl/2)).Draw(rt, label))
		}
		steps := rapid.IntRange(1, 300).Draw(rt, "steps")
		for range steps {
			n := nodes[rapid.IntRange(0, len(nodes)-1).Draw(rt, "node")]
			switch rapid.IntRange(0, 4).Draw(rt, "action") {
			case 0: // time passes; whoever does not act meanwhile is paused
				now = now.Add(time.Duration(rapid.Int64Range(0, int64(2*ttl)).Draw(rt, "elapse")))
			case 1: // acquire, sent now and run by the store a little later
				if n.held != nil {
					continue
				}
				sent := now
				now = now.Add(delay("acquire_delay"))
				if l, won, _ := tab.AcquireLease(ctx, claim(n.name, ttl)); won {
					n.held, n.renewed = &l, sent
				}
			case 2: // renew, as Keep does: give up past the deadline
				if n.held == nil {
					continue
				}
				if !n.believes(now, ttl) {
					n.held = nil
					continue
				}
				sent := now
				now = now.Add(delay("renew_delay"))
				ok, _ := tab.RenewLease(ctx, *n.held, ttl)
				if ok {
					n.renewed = sent
				} else {
					n.held = nil
				}
			case 3: // commit under the epoch it holds
				if n.held != nil {
					tab.commit(1, n.name, n.held.Epoch)
				}
			case 4: // stop cleanly
				if n.held != nil {
					_ = tab.ReleaseLease(ctx, *n.held)
					n.held = nil
				}
			}
			believers := 0
			for _, x := range nodes {
				if x.believes(now, ttl) {
					believers++
				}
			}
			if believers > 1 {
				rt.Fatalf("%d nodes take themselves for the holder at %s", believers, now.Sub(t0))
			}
		}
		owner := map[int64]string{}
		var last int64
		for i, c := range tab.commits {
			if c.epoch < last {
				rt.Fatalf("commit %d under epoch %d after one under epoch %d", i, c.epoch, last)
			}
			last = c.epoch
			if o, ok := owner[c.epoch]; ok && o != c.node {
				rt.Fatalf("epoch %d has commits of %s and %s", c.epoch, o, c.node)
			}
			owner[c.epoch] = c.node
		}
	})
}

// TryAcquire looks once: it takes a free lease, reports a live one with
// its holder, and takes an expired one with the next epoch.
func TestTryAcquireLooksOnce(t *testing.T) {
	c := clock.NewManual(t0)
	tab := newTable(c.Now)
	ttl := 3 * time.Second
	a, _, err := TryAcquire(context.Background(), Config{Leaser: tab, Claim: claim("a", ttl), Clock: c})
	if err != nil || a == nil || a.Lease().Epoch != 1 {
		t.Fatalf("a: held %v, err %v; want epoch 1", a, err)
	}
	b, seen, err := TryAcquire(context.Background(), Config{Leaser: tab, Claim: claim("b", ttl), Clock: c})
	if err != nil || b != nil || seen.NodeID != "a" || !seen.Live() {
		t.Fatalf("b: held %v, saw %+v, err %v; want a's live lease", b, seen, err)
	}
	c.Advance(ttl + time.Millisecond)
	b, _, err = TryAcquire(context.Background(), Config{Leaser: tab, Claim: claim("b", ttl), Clock: c})
	if err != nil || b == nil || b.Lease().Epoch != 2 || b.Lease().NodeID != "b" {
		t.Fatalf("b after expiry: held %v, err %v; want epoch 2", b, err)
	}
}
