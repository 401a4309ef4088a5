package storesuite

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

// IdempotencyStore is how RunIdempotency opens the store under test.
type IdempotencyStore struct {
	// Open returns a new, empty store (the suite closes it).
	Open func(t *testing.T) store.Store
	// Reopen, when set, closes s and opens the same store again, as a
	// restarted process would.
	Reopen func(t *testing.T, s store.Store) store.Store
}

// RunIdempotency checks a store's idempotency_keys (store.IdempotencyKeys):
// answers are projected from IDEMPOTENCY_KEY RECORDED events as their
// batch commits, read back field for field, survive a reopen, are rebuilt
// by committing the log again into an empty store, and expire oldest
// first in bounded batches.
func RunIdempotency(t *testing.T, is IdempotencyStore) {
	t.Helper()
	open := func(t *testing.T) (store.Store, store.IdempotencyKeys) {
		t.Helper()
		s := is.Open(t)
		keys, ok := s.(store.IdempotencyKeys)
		if !ok {
			_ = s.Close()
			t.Fatalf("%T does not keep idempotency keys", s)
		}
		return s, keys
	}
	t.Run("AnswersCommitWithTheirBatchAndReadBack", func(t *testing.T) {
		s, keys := open(t)
		defer func() { _ = s.Close() }()
		ctx := context.Background()
		b := idempotencyBatches()
		for _, batch := range b {
			if err := s.Commit(ctx, batch); err != nil {
				t.Fatal(err)
			}
		}
		checkAnswers(t, keys, idempotencyWant())
		if is.Reopen != nil {
			s = is.Reopen(t, s)
			checkAnswers(t, s.(store.IdempotencyKeys), idempotencyWant())
		}
		// The table is derived from the log: committing the log again into
		// an empty store rebuilds it.
		replayed, rkeys := open(t)
		defer func() { _ = replayed.Close() }()
		var recs []*record.Record
		if err := s.ReadLog(ctx, 1, func(r *record.Record) error { recs = append(recs, r); return nil }); err != nil {
			t.Fatal(err)
		}
		if err := replayed.Commit(ctx, &store.Batch{Records: recs, Changes: state.Changes{LastKey: 900, LastPosition: recs[len(recs)-1].Position}}); err != nil {
			t.Fatal(err)
		}
		checkAnswers(t, rkeys, idempotencyWant())
	})
	t.Run("ExpiryRemovesTheOldestInBatches", func(t *testing.T) {
		s, keys := open(t)
		defer func() { _ = s.Close() }()
		ctx := context.Background()
		for _, batch := range idempotencyBatches() {
			if err := s.Commit(ctx, batch); err != nil {
				t.Fatal(err)
			}
		}
		// Answers at epoch, epoch+1h, epoch+2h (twice, "b" replaced at
		// epoch+3h). Before epoch+2h30m: the first two, one per batch.
		before := time.UnixMilli(epoch).Add(150 * time.Minute)
		for i, want := range []int{1, 1, 0} {
			n, err := keys.ExpireIdempotencyKeys(ctx, before, 1)
			if err != nil || n != want {
				t.Fatalf("expiry batch %d: removed %d, %v; want %d", i, n, err, want)
			}
		}
		left := idempotencyWant()
		left["hash-a"], left["hash-c"] = nil, nil
		checkAnswers(t, keys, left)
		if n, err := keys.ExpireIdempotencyKeys(ctx, before.Add(24*time.Hour), 10); err != nil || n != 2 {
			t.Fatalf("expire the rest: %d, %v", n, err)
		}
		checkAnswers(t, keys, map[string]*store.IdempotencyAnswer{"hash-a": nil, "hash-b": nil, "hash-c": nil, "hash-d": nil})
	})
	t.Run("ClosedStoreRefuses", func(t *testing.T) {
		s, keys := open(t)
		_ = s.Close()
		if _, err := keys.IdempotencyAnswer(context.Background(), "hash-a"); err == nil {
			t.Fatal("a closed store answered")
		}
	})
}

// idempotencyBatches are three batches of keyed commands: an accepted
// create with its answer, a rejected completion, a key recorded twice in
// one batch and a key answered again in a later batch (the later answer
// replaces the earlier one in both cases, so that any split of a log into
// batches gives the same table).
func idempotencyBatches() []*store.Batch {
	pos := int64(0)
	var batches []*store.Batch
	batch := func(ts time.Duration, answers ...*record.IdempotencyKeyValue) {
		var recs []*record.Record
		for _, a := range answers {
			pos++
			cmd := &record.Record{Position: pos, Key: 0, Kind: record.KindCommand, ValueType: record.TypeProcessInstanceCreation,
				Intent: record.IntentProcessInstanceCreate, Version: 1, Timestamp: epoch + ts.Milliseconds(),
				Value: &record.ProcessInstanceCreationValue{BPMNProcessID: "order"}}
			pos++
			v := *a
			v.CommandPosition = cmd.Position
			ev := &record.Record{Position: pos, SourcePosition: cmd.Position, Kind: record.KindEvent, ValueType: record.TypeIdempotencyKey,
				Intent: record.IntentIdempotencyKeyRecorded, Version: 1, Timestamp: cmd.Timestamp, Value: &v}
			recs = append(recs, cmd, ev)
		}
		batches = append(batches, &store.Batch{Records: recs, Changes: state.Changes{LastKey: 900, LastPosition: pos}})
	}
	batch(0, &record.IdempotencyKeyValue{KeyHash: "hash-a", Fingerprint: "fp-a",
		Response: json.RawMessage(`{"ProcessInstanceKey":2251799813685249,"BPMNProcessID":"order"}`)})
	batch(time.Hour, &record.IdempotencyKeyValue{KeyHash: "hash-b", Fingerprint: "fp-b", RejectionType: record.RejectionNotFound,
		RejectionReason: "expected job 7 to exist, but it does not"},
		&record.IdempotencyKeyValue{KeyHash: "hash-c", Fingerprint: "fp-c1"},
		&record.IdempotencyKeyValue{KeyHash: "hash-c", Fingerprint: "fp-c2"})
	batch(3*time.Hour, &record.IdempotencyKeyValue{KeyHash: "hash-b", Fingerprint: "fp-b2"},
		&record.IdempotencyKeyValue{KeyHash: "hash-d", Fingerprint: "fp-d"})
	return batches
}

// idempotencyWant is what the stores keep of idempotencyBatches, by key
// hash (nil: no answer).
func idempotencyWant() map[string]*store.IdempotencyAnswer {
	at := func(d time.Duration) time.Time { return time.UnixMilli(epoch).Add(d).UTC() }
	return map[string]*store.IdempotencyAnswer{
		"hash-a": {KeyHash: "hash-a", Fingerprint: "fp-a", Created: at(0), CommandPosition: 1,
			Response: []byte(`{"ProcessInstanceKey":2251799813685249,"BPMNProcessID":"order"}`)},
		"hash-b": {KeyHash: "hash-b", Fingerprint: "fp-b2", Created: at(3 * time.Hour), CommandPosition: 9},
		"hash-c": {KeyHash: "hash-c", Fingerprint: "fp-c2", Created: at(time.Hour), CommandPosition: 7},
		"hash-d": {KeyHash: "hash-d", Fingerprint: "fp-d", Created: at(3 * time.Hour), CommandPosition: 11},
		"hash-x": nil,
	}
}

func checkAnswers(t *testing.T, keys store.IdempotencyKeys, want map[string]*store.IdempotencyAnswer) {
	t.Helper()
	for hash, w := range want {
		got, err := keys.IdempotencyAnswer(context.Background(), hash)
		if err != nil {
			t.Fatalf("answer of %s: %v", hash, err)
		}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("answer of %s:\n got %+v\nwant %+v", hash, got, w)
		}
	}
}
