package history_test

import (
	"context"
	"errors"
	"testing"

	"github.com/example/wf-engine/api/history"
	"github.com/example/wf-engine/core/record"
)

// logOf returns a ReadLog over recs (positions 1..n) that counts the
// records it hands out.
func logOf(recs []*record.Record, read *int) history.ReadLog {
	return func(ctx context.Context, from int64, fn func(*record.Record) error) error {
		for _, r := range recs {
			if r.Position < from {
				continue
			}
			*read++
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}
}

func element(pos, key, pi int64, intent record.Intent) *record.Record {
	return &record.Record{Position: pos, Key: key, Kind: record.KindEvent, ValueType: record.TypeProcessInstance, Intent: intent,
		Value: &record.ProcessInstanceValue{ProcessInstanceKey: pi, ElementID: "e"}}
}

// sample: instance 100 runs from position 3 to 8, instance 200 around it.
func sample() []*record.Record {
	return []*record.Record{
		element(1, 200, 200, record.IntentElementActivating),
		{Position: 2, Kind: record.KindCommand, ValueType: record.TypeProcessInstanceCreation, Value: &record.ProcessInstanceCreationValue{}},
		element(3, 100, 100, record.IntentElementActivating),
		element(4, 201, 200, record.IntentElementActivating),
		{Position: 5, Key: 300, Kind: record.KindEvent, ValueType: record.TypeJob, Intent: record.IntentJobCreated, Value: &record.JobValue{ProcessInstanceKey: 100}},
		{Position: 6, Key: 300, Kind: record.KindCommand, ValueType: record.TypeJob, Intent: record.IntentJobComplete, Value: &record.JobValue{ProcessInstanceKey: 100}},
		{Position: 7, Key: 400, Kind: record.KindEvent, ValueType: record.TypeVariable, Value: &record.VariableValue{ProcessInstanceKey: 100, Name: "a"}},
		element(8, 100, 100, record.IntentElementCompleted),
		element(9, 201, 200, record.IntentElementCompleted),
	}
}

func positions(p history.Page) []int64 {
	var out []int64
	for _, r := range p.Records {
		out = append(out, r.Position)
	}
	return out
}

func TestReadPagesAnInstancesEvents(t *testing.T) {
	cases := []struct {
		name     string
		q        history.Query
		want     []int64
		end      int64
		more     bool
		maxReads int
	}{
		{"whole, from the log's start", history.Query{ProcessInstanceKey: 100}, []int64{3, 5, 7, 8}, 8, false, 8},
		{"from the start position on", history.Query{ProcessInstanceKey: 100, Start: 3}, []int64{3, 5, 7, 8}, 8, false, 6},
		{"a page of two", history.Query{ProcessInstanceKey: 100, Start: 3, Limit: 2}, []int64{3, 5}, 5, true, 3},
		{"the next page", history.Query{ProcessInstanceKey: 100, Start: 3, After: 5, Limit: 2}, []int64{7, 8}, 8, false, 3},
		{"a budget cuts the page short", history.Query{ProcessInstanceKey: 100, Start: 3, Budget: 2}, []int64{3}, 4, true, 2},
		{"a running instance reads to the log's end", history.Query{ProcessInstanceKey: 200}, []int64{1, 4, 9}, 9, false, 9},
		{"after the end", history.Query{ProcessInstanceKey: 200, After: 9}, nil, 9, false, 0},
		{"an instance without records", history.Query{ProcessInstanceKey: 999, Budget: 4}, nil, 4, true, 4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			read := 0
			p, err := history.Read(context.Background(), logOf(sample(), &read), tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := positions(p); len(got) != len(tc.want) || (len(got) > 0 && !equal(got, tc.want)) || p.End != tc.end || p.More != tc.more {
				t.Fatalf("got %v end %d more %v, want %v end %d more %v", got, p.End, p.More, tc.want, tc.end, tc.more)
			}
			if read > tc.maxReads {
				t.Fatalf("read %d records, want at most %d", read, tc.maxReads)
			}
		})
	}
}

func equal(a, b []int64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestReadPassesLogErrorsOn(t *testing.T) {
	boom := errors.New("boom")
	_, err := history.Read(context.Background(), func(context.Context, int64, func(*record.Record) error) error { return boom }, history.Query{ProcessInstanceKey: 1})
	if !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
}

func TestBelongsModification(t *testing.T) {
	r := &record.Record{Kind: record.KindEvent, ValueType: record.TypeProcessInstanceModification, Intent: record.IntentProcessInstanceModified,
		Value: &record.ProcessInstanceModificationValue{ProcessInstanceKey: 100}}
	if !history.Belongs(r, 100) || history.Belongs(r, 200) {
		t.Fatal("a modification belongs to its process instance only")
	}
	r.Kind = record.KindCommand
	if history.Belongs(r, 100) {
		t.Fatal("the modification command is no event of the instance")
	}
}
