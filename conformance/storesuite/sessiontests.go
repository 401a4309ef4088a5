package storesuite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/example/wf-engine/core/store"
)

// SessionStore is how RunSessions opens the store under test.
type SessionStore struct {
	// Open returns a new, empty store (the suite closes it).
	Open func(t *testing.T) store.Store
	// Reopen, when set, closes s and opens the same store again, as a
	// restarted process would.
	Reopen func(t *testing.T, s store.Store) store.Store
}

// RunSessions checks a store's browser sessions (store.SessionKeeper):
// kept field for field and replaced whole, a use recorded only forward,
// ended one by one and by expiry, and kept across a reopen.
func RunSessions(t *testing.T, ss SessionStore) {
	t.Helper()
	s := ss.Open(t)
	defer func() { _ = s.Close() }()
	keeper := func(s store.Store) store.SessionKeeper {
		k, ok := s.(store.SessionKeeper)
		if !ok {
			t.Fatalf("%T does not keep browser sessions", s)
		}
		return k
	}
	k := keeper(s)
	ctx := context.Background()
	at := func(ms int64) time.Time { return time.UnixMilli(epoch + ms).UTC() }
	hash := func(id string) []byte { h := sha256.Sum256([]byte(id)); return h[:] }
	get := func(k store.SessionKeeper, id string) (store.Session, bool) {
		t.Helper()
		got, ok, err := k.GetSession(ctx, hash(id))
		if err != nil {
			t.Fatalf("get %s: %v", id, err)
		}
		return got, ok
	}
	same := func(got, want store.Session) bool {
		return bytes.Equal(got.IDHash, want.IDHash) && got.Created.Equal(want.Created) && got.LastUsed.Equal(want.LastUsed) &&
			bytes.Equal(got.Data, want.Data)
	}
	sealed := bytes.Repeat([]byte{0, 0xff, 7}, 700)
	a := store.Session{IDHash: hash("a"), Created: at(0), LastUsed: at(0), Data: sealed}
	b := store.Session{IDHash: hash("b"), Created: at(1000), LastUsed: at(1000), Data: []byte("b")}
	for _, sess := range []store.Session{a, b} {
		if err := k.PutSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
	}
	if got, ok := get(k, "a"); !ok || !same(got, a) {
		t.Fatalf("session a read back as %+v (found %v)", got, ok)
	}
	if _, ok := get(k, "c"); ok {
		t.Fatal("a session never kept was found")
	}

	// A refresh replaces the session whole.
	a.Data, a.LastUsed = []byte("refreshed"), at(500)
	if err := k.PutSession(ctx, a); err != nil {
		t.Fatal(err)
	}
	if got, _ := get(k, "a"); !same(got, a) {
		t.Fatalf("replaced session a read back as %+v", got)
	}

	// Uses move forward only, and touch no session that is not kept.
	for _, ms := range []int64{2000, 1500} {
		if err := k.TouchSession(ctx, hash("a"), at(ms)); err != nil {
			t.Fatal(err)
		}
	}
	if err := k.TouchSession(ctx, hash("c"), at(2000)); err != nil {
		t.Fatal(err)
	}
	if got, _ := get(k, "a"); !got.LastUsed.Equal(at(2000)) {
		t.Fatalf("last use of a: %s, want %s (the later of two)", got.LastUsed, at(2000))
	}
	if _, ok := get(k, "c"); ok {
		t.Fatal("a touch kept a session")
	}

	if ss.Reopen != nil {
		s = ss.Reopen(t, s)
		k = keeper(s)
		if got, ok := get(k, "b"); !ok || !same(got, b) {
			t.Fatalf("after a reopen session b read back as %+v (found %v)", got, ok)
		}
	}

	// Expiry: idle since before 1500 (b), or created before 0 (none).
	n, err := k.DeleteSessions(ctx, at(1500), at(0))
	if err != nil || n != 1 {
		t.Fatalf("idle sessions ended: %d (%v), want 1", n, err)
	}
	if _, ok := get(k, "b"); ok {
		t.Fatal("idle session b is still kept")
	}
	// Created before 1 ms: a, however recently used.
	if n, err := k.DeleteSessions(ctx, at(0), at(1)); err != nil || n != 1 {
		t.Fatalf("old sessions ended: %d (%v), want 1", n, err)
	}
	if _, ok := get(k, "a"); ok {
		t.Fatal("session a, created before the lifetime's start, is still kept")
	}

	if err := k.PutSession(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := k.DeleteSession(ctx, hash("b")); err != nil {
		t.Fatal(err)
	}
	if err := k.DeleteSession(ctx, hash("b")); err != nil {
		t.Fatalf("ending an ended session: %v", err)
	}
	if _, ok := get(k, "b"); ok {
		t.Fatal("an ended session is still kept")
	}
}
