package pgstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
)

func openLeases(t *testing.T, s *Store) *Leases {
	t.Helper()
	l, err := OpenLeases(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	return l
}

func leaseClaim(partition int32, node string, ttl time.Duration) store.LeaseClaim {
	return store.LeaseClaim{Partition: partition, NodeID: node, Address: "http://" + node + ":8080", TTL: ttl}
}

func acquire(t *testing.T, l *Leases, c store.LeaseClaim) (store.Lease, bool) {
	t.Helper()
	got, won, err := l.AcquireLease(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return got, won
}

// A lease is taken when free, refused while held, renewed by its holder
// only, taken over with the next epoch once it expired, and released for
// the next node at once.
func TestLeaseLifecycle(t *testing.T) {
	ctx := context.Background()
	l := openLeases(t, openTest(t, pgtest.URL(t)))
	if _, ok, err := l.ReadLease(ctx, 1); ok || err != nil {
		t.Fatalf("lease of a new store: %v, %v; want none", ok, err)
	}
	a, won := acquire(t, l, leaseClaim(1, "a", time.Minute))
	if !won || a.Epoch != 1 || a.Remaining <= 59*time.Second {
		t.Fatalf("a's first lease: %+v, %v; want epoch 1 for a minute", a, won)
	}
	if _, won := acquire(t, l, leaseClaim(1, "b", time.Minute)); won {
		t.Fatal("b took a lease a holds")
	}
	if _, won := acquire(t, l, leaseClaim(1, "a", time.Minute)); won {
		t.Fatal("a took its own live lease again (a restarted process with the same id must wait)")
	}
	read, ok, err := l.ReadLease(ctx, 1)
	if err != nil || !ok || read.NodeID != "a" || read.Epoch != 1 || read.Address != "http://a:8080" || !read.Live() {
		t.Fatalf("read a's lease: %+v, %v, %v", read, ok, err)
	}
	// Renewing for no time lets it expire now, by the database's clock.
	if ok, err := l.RenewLease(ctx, a, 0); !ok || err != nil {
		t.Fatalf("renew a's lease: %v, %v", ok, err)
	}
	b, won := acquire(t, l, leaseClaim(1, "b", time.Minute))
	if !won || b.Epoch != 2 {
		t.Fatalf("b after a's lease expired: %+v, %v; want epoch 2", b, won)
	}
	if ok, err := l.RenewLease(ctx, a, time.Minute); ok || err != nil {
		t.Fatalf("a renews after b took over: %v, %v; want refused", ok, err)
	}
	if err := l.ReleaseLease(ctx, a); err != nil {
		t.Fatal(err)
	}
	if read, _, _ := l.ReadLease(ctx, 1); !read.Live() || read.NodeID != "b" {
		t.Fatalf("a's release of a lease it lost changed b's: %+v", read)
	}
	if err := l.ReleaseLease(ctx, b); err != nil {
		t.Fatal(err)
	}
	if read, _, _ := l.ReadLease(ctx, 1); read.Live() || read.Epoch != 2 {
		t.Fatalf("b's lease after its release: %+v; want expired with epoch 2", read)
	}
	c, won := acquire(t, l, leaseClaim(1, "c", time.Minute))
	if !won || c.Epoch != 3 {
		t.Fatalf("c after b's release: %+v, %v; want epoch 3 at once", c, won)
	}
	if _, ok, _ := l.ReadLease(ctx, 2); ok {
		t.Fatal("partition 2 has a lease nobody took")
	}
}

// Nodes racing for a free (new or expired) lease: exactly one wins each
// time, and the epoch grows by one.
func TestRacingNodesElectOne(t *testing.T) {
	url := pgtest.URL(t)
	const nodes = 3
	leases := make([]*Leases, nodes)
	for i := range leases {
		leases[i] = openLeases(t, openTest(t, url))
	}
	ctx := context.Background()
	for round := range 20 {
		var wg sync.WaitGroup
		won := make([]store.Lease, nodes)
		start := make(chan struct{})
		for i := range nodes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				l, ok, err := leases[i].AcquireLease(ctx, leaseClaim(1, fmt.Sprint("n", i), time.Minute))
				if err != nil {
					t.Error(err)
				}
				if ok {
					won[i] = l
				}
			}()
		}
		close(start)
		wg.Wait()
		var winners []store.Lease
		for _, l := range won {
			if l.Epoch != 0 {
				winners = append(winners, l)
			}
		}
		if len(winners) != 1 || winners[0].Epoch != int64(round+1) {
			t.Fatalf("round %d: winners %+v, want one with epoch %d", round, winners, round+1)
		}
		if err := leases[0].ReleaseLease(ctx, winners[0]); err != nil {
			t.Fatal(err)
		}
	}
}

// A former holder's commit after another node took the lease over is
// refused in its own transaction, certainly not written, and says why;
// the new holder commits.
func TestFencedCommitOfAFormerHolderWritesNothing(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	old, fresh := openTest(t, url), openTest(t, url)
	l := openLeases(t, old)
	a, _ := acquire(t, l, leaseClaim(1, "a", time.Minute))
	old.FenceCommits(1, a.Epoch)
	if err := old.Commit(ctx, batch(1, 3)); err != nil {
		t.Fatalf("the holder's commit: %v", err)
	}
	if ok, err := l.RenewLease(ctx, a, 0); !ok || err != nil { // a paused past its lease
		t.Fatalf("expire a's lease: %v, %v", ok, err)
	}
	b, won := acquire(t, l, leaseClaim(1, "b", time.Minute))
	if !won {
		t.Fatal("b could not take the expired lease")
	}
	fresh.FenceCommits(1, b.Epoch)
	err := old.Commit(ctx, batch(4, 2))
	if !errors.Is(err, store.ErrLeaseLost) || errors.Is(err, store.ErrCommitUnknown) {
		t.Fatalf("a's commit after b's takeover: %v; want ErrLeaseLost, certainly not written", err)
	}
	if r, e := count(t, old); r != 3 || e != 3 {
		t.Fatalf("after the fenced commit: %d records, %d elements; want 3 and 3", r, e)
	}
	if _, err := fresh.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if err := fresh.Commit(ctx, batch(4, 2)); err != nil {
		t.Fatalf("the new holder's commit: %v", err)
	}
	if r, _ := count(t, fresh); r != 5 {
		t.Fatalf("after the new holder's commit: %d records, want 5", r)
	}
	// An unfenced store (a single node of an older configuration) is not
	// checked; a store fenced by a lease that never existed is refused.
	ghost := openTest(t, url)
	ghost.FenceCommits(7, 1)
	if err := ghost.Commit(ctx, batch(6, 1)); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("commit fenced by a lease nobody holds: %v", err)
	}
}

// A takeover waits for a commit in flight of the former holder: the new
// holder then loads a state that has it. The commit holds the lease row
// (wf_fence's FOR SHARE) until it ends.
func TestTakeoverWaitsForTheCommitInFlight(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	old := openTest(t, url+"&application_name=wf-lease-old")
	l := openLeases(t, openTest(t, url))
	a, _ := acquire(t, l, leaseClaim(1, "a", 200*time.Millisecond))
	old.FenceCommits(1, a.Epoch)
	// The commit's last statement: the fence passed long before. Shorter
	// than blockedAfter, after which a takeover ends a commit it waits for.
	old.extra = "SELECT pg_sleep(0.7)"
	committed := make(chan error, 1)
	go func() { committed <- old.Commit(ctx, batch(1, 3)) }()
	// Wait until the commit sleeps, then until a's lease expired.
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'wf-lease-old' AND query LIKE '%pg_sleep%' AND state = 'active'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the commit never reached its last statement")
		}
		time.Sleep(10 * time.Millisecond)
	}
	for {
		read, _, err := l.ReadLease(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if !read.Live() {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	b, won := acquire(t, l, leaseClaim(1, "b", time.Minute)) // waits for the commit
	if !won || b.Epoch != 2 {
		t.Fatalf("b after the commit: %+v, %v", b, won)
	}
	// Once b holds the lease, a's commit is durable: b loads it.
	if r, _ := count(t, old); r != 3 {
		t.Fatalf("b took the lease over while a's commit was in flight: it would load %d records, want a's 3", r)
	}
	if err := <-committed; err != nil {
		t.Fatalf("the commit in flight: %v", err)
	}
	old.extra = ""
}

// A holder stopped in the middle of a commit (its batch sent but for the
// final Sync) keeps the lease row locked. Once its lease expired, a
// takeover ends that session instead of waiting for it: the commit rolls
// back, and the new holder loads without it.
func TestTakeoverEndsTheSessionOfAStalledCommit(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	l := openLeases(t, openTest(t, url))
	a, _ := acquire(t, l, leaseClaim(1, "a", 200*time.Millisecond))
	stalled, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = stalled.Close(ctx) }()
	tx, err := stalled.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "SELECT wf_fence(1, $1)", a.Epoch); err != nil {
		t.Fatalf("a's fence: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		read, _, err := l.ReadLease(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if !read.Live() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a's lease never expired")
		}
		time.Sleep(10 * time.Millisecond)
	}
	start := time.Now()
	b, won := acquire(t, l, leaseClaim(1, "b", time.Minute))
	if !won || b.Epoch != 2 {
		t.Fatalf("b after a's lease expired: %+v, %v; want epoch 2", b, won)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("the takeover took %v", took)
	}
	if _, err := tx.Exec(ctx, "SELECT 1"); err == nil {
		t.Fatal("the stalled commit's session survived the takeover")
	}
}
