package taskevents_test

import (
	"errors"
	"testing"
	"time"

	"github.com/example/wf-engine/api/taskevents"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
)

func woken(s *taskevents.Subscription) bool {
	select {
	case <-s.Wake():
		return true
	default:
		return false
	}
}

func TestCommitsWithUserTaskEventsWake(t *testing.T) {
	h := taskevents.New(2)
	a, err := h.Subscribe()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := h.Subscribe()
	if _, err := h.Subscribe(); !errors.Is(err, taskevents.ErrFull) {
		t.Fatalf("third subscriber: %v", err)
	}
	commit := func(recs ...*record.Record) {
		t.Helper()
		h.ObserveCommit(&store.Batch{Records: recs}, time.Millisecond, nil)
	}
	rec := func(pos int64, kind record.Kind, vt record.ValueType) *record.Record {
		return &record.Record{Position: pos, Kind: kind, ValueType: vt, Intent: record.IntentJobCreated, Value: &record.JobValue{}}
	}
	commit(rec(1, record.KindEvent, record.TypeJob))
	h.ObserveCommit(&store.Batch{Records: []*record.Record{rec(2, record.KindEvent, record.TypeUserTask)}}, 0, errors.New("disk full"))
	commit(rec(2, record.KindCommand, record.TypeUserTask), rec(3, record.KindRejection, record.TypeUserTask))
	if woken(a) || woken(b) {
		t.Fatal("woken by a batch without user-task events, or by a failed commit")
	}
	commit(rec(4, record.KindCommand, record.TypeUserTask), rec(5, record.KindEvent, record.TypeUserTask), rec(6, record.KindEvent, record.TypeJob))
	commit(rec(7, record.KindEvent, record.TypeUserTask))
	if !woken(a) || !woken(b) || a.Position() != 7 {
		t.Fatalf("after two batches with user-task events: position %d", a.Position())
	}
	if woken(a) {
		t.Fatal("two commits woke a subscriber twice: wake-ups merge")
	}
	a.Close()
	if h.Subscribers() != 1 {
		t.Fatalf("subscribers after close: %d", h.Subscribers())
	}
	if _, err := h.Subscribe(); err != nil {
		t.Fatalf("a closed subscription frees its place: %v", err)
	}
}
