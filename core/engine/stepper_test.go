package engine_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store/memstore"
	"github.com/example/wf-engine/elements/standard"
)

// publish is a message publication command with a time to live, so that
// it is buffered and its answer carries its key.
func publish() *record.Record {
	return &record.Record{ValueType: record.TypeMessage, Intent: record.IntentMessagePublish, Version: 1,
		Value: &record.MessageValue{Name: "m", CorrelationKey: "k", TimeToLive: time.Minute.Milliseconds()}}
}

// TestIdempotencyKeyHeldWhileInFlight: a second command with the key of a
// command still in flight is refused, not run beside it (found by the
// simulator, conformance/sim testdata/regressions/idempotent-duplicate-in-flight.txt);
// once the first is answered, a retry gets its recorded answer.
func TestIdempotencyKeyHeldWhileInFlight(t *testing.T) {
	st := memstore.New(memstore.Options{})
	e, s, err := engine.StartStepped(context.Background(), engine.Config{Partition: 1, Clock: clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
		Store: st, Registry: standard.Registry(), Backpressure: engine.Backpressure{Off: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = e.Close() }()
	keyed := func() context.Context {
		return engine.WithIdempotencyKey(context.Background(), engine.IdempotencyKey{Key: "a", Fingerprint: "publish"})
	}
	first := s.Submit(keyed(), publish())
	dup := s.Submit(keyed(), publish())
	if !dup.Answered() {
		t.Fatal("the duplicate was queued beside the command holding its key")
	}
	if _, err := dup.Result(); !errors.Is(err, engine.ErrIdempotencyKeyInFlight) || !errors.Is(err, engine.ErrOverloaded) {
		t.Fatalf("duplicate: want ErrIdempotencyKeyInFlight (an ErrOverloaded), got %v", err)
	}
	if err := s.Step(); err != nil {
		t.Fatal(err)
	}
	if !first.Answered() {
		t.Fatal("the first command was not answered by its step")
	}
	res, err := first.Result()
	if err != nil {
		t.Fatal(err)
	}
	ctx := keyed()
	retry := s.Submit(ctx, publish())
	if !retry.Answered() || !engine.IdempotentReplay(ctx) {
		t.Fatal("the retry after the answer was not replayed from the record")
	}
	again, err := retry.Result()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := again.Response.(*engine.PublishedMessage).Key, res.Response.(*engine.PublishedMessage).Key; got != want {
		t.Fatalf("replayed message key %d, want %d", got, want)
	}
	if n := countRecords(t, st, record.KindEvent, record.IntentIdempotencyKeyRecorded); n != 1 {
		t.Fatalf("%d answers recorded, want 1", n)
	}
}
