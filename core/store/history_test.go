package store_test

import (
	"reflect"
	"testing"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
)

// A loop takes a flow again and again: the batch keeps its first taking
// per instance, and a command's or another instance's flows stay apart.
func TestHistoryKeepsEachFlowOncePerBatch(t *testing.T) {
	flow := func(pos, key, pi int64, id string, kind record.Kind) *record.Record {
		return &record.Record{Position: pos, Key: key, Kind: kind, ValueType: record.TypeProcessInstance,
			Intent: record.IntentSequenceFlowTaken, Value: &record.ProcessInstanceValue{ProcessInstanceKey: pi, ElementID: id}}
	}
	h := store.HistoryOf([]*record.Record{
		flow(1, 11, 1, "loop", record.KindEvent),
		flow(2, 12, 1, "loop", record.KindEvent),
		flow(3, 13, 2, "loop", record.KindEvent),
		flow(4, 14, 1, "out", record.KindCommand),
		flow(5, 15, 1, "loop", record.KindEvent),
		flow(6, 16, 1, "out", record.KindEvent),
	})
	var got [][2]any
	for _, f := range h.SequenceFlows {
		got = append(got, [2]any{f.Key, f.SequenceFlowID})
	}
	want := [][2]any{{int64(11), "loop"}, {int64(13), "loop"}, {int64(16), "out"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("flows %v, want %v", got, want)
	}
}

// JavaHash agrees with Java's String.hashCode, surrogate pairs included.
func TestJavaHash(t *testing.T) {
	for s, want := range map[string]int32{"": 0, "hello": 99162322, "Hello World": -862545276, "😀": 1772899} {
		if got := store.JavaHash(s); got != want {
			t.Errorf("JavaHash(%q) = %d, want %d", s, got, want)
		}
	}
}
