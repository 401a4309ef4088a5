package storesuite

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

func (s *suite) commitThenReadLog(t *testing.T) {
	st := s.store(t)
	w := newWorkload(t, 1, st)
	w.run(150)
	// A rejection with an awkward reason and a record with every envelope field set.
	last := w.log[len(w.log)-1].Position
	odd := []*record.Record{
		{Position: last + 1, Key: 7, Kind: record.KindRejection, ValueType: record.TypeJob, Intent: record.IntentJobComplete, Version: 1,
			Timestamp: epoch, RejectionType: record.RejectionNotFound, RejectionReason: "expected job '7' to exist, but \"none\" was found: <ünïcødé> \\ \x00",
			Value: &record.JobValue{Variables: map[string]any{"big": 9007199254740993.0, "neg": -0.5, "exp": 1e300}}},
		{Position: last + 2, SourcePosition: last + 1, Key: record.Key(3, 1<<50), Kind: record.KindEvent, ValueType: record.TypeVariable,
			Intent: record.IntentVariableUpdated, Version: 65535, Timestamp: -1, Value: &record.VariableValue{Name: "", Value: nil}},
	}
	commit(t, st, &store.Batch{Records: odd, Changes: state.Changes{LastKey: w.st().LastKey(), LastPosition: last + 2}})
	sameRecords(t, readAll(t, st), append(append([]*record.Record(nil), w.log...), odd...))
	for _, vt := range []record.ValueType{record.TypeDeployment, record.TypeProcess, record.TypeProcessInstance, record.TypeProcessInstanceCreation,
		record.TypeJob, record.TypeJobBatch, record.TypeVariable, record.TypeIncident, record.TypeVariableDocument} {
		found := false
		for _, r := range w.log {
			found = found || r.ValueType == vt
		}
		if !found {
			t.Errorf("the workload wrote no %s record: the test covers less than it claims", vt)
		}
	}
}

func (s *suite) readLogFrom(t *testing.T) {
	st := s.store(t)
	w := newWorkload(t, 2, st)
	w.run(60)
	n := int64(len(w.log))
	for _, from := range []int64{-5, 0, 1, 2, n / 2, n, n + 1, n + 100} {
		var got []*record.Record
		if err := st.ReadLog(context.Background(), from, func(r *record.Record) error {
			got = append(got, r)
			return nil
		}); err != nil {
			t.Fatalf("read from %d: %v", from, err)
		}
		start := min(max(from, 1), n+1) - 1
		sameRecords(t, got, w.log[start:])
	}
}

func (s *suite) readLogMany(t *testing.T) {
	st := s.store(t)
	const total = 2600
	var all []*record.Record
	for len(all) < total {
		var batch []*record.Record
		for range 700 {
			p := int64(len(all) + len(batch) + 1)
			batch = append(batch, &record.Record{Position: p, SourcePosition: p - 1, Key: p, Kind: record.KindCommand,
				ValueType: record.TypeJob, Intent: record.IntentJobComplete, Version: 1, Timestamp: epoch + p,
				Value: &record.JobValue{Type: fmt.Sprintf("t%d", p), CustomHeaders: map[string]string{}}})
		}
		all = append(all, batch...)
		commit(t, st, &store.Batch{Records: batch, Changes: state.Changes{LastKey: int64(len(all)), LastPosition: int64(len(all))}})
	}
	sameRecords(t, readAll(t, st), all)
	var got []*record.Record
	if err := st.ReadLog(context.Background(), 999, func(r *record.Record) error {
		got = append(got, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	sameRecords(t, got, all[998:])

	stop := errors.New("enough")
	seen := 0
	err := st.ReadLog(context.Background(), 1, func(*record.Record) error {
		seen++
		if seen == 1500 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || seen != 1500 {
		t.Fatalf("ReadLog after the callback failed: err %v, %d records seen, want the callback's error after 1500", err, seen)
	}
	ctx, cancel := context.WithCancel(context.Background())
	seen = 0
	err = st.ReadLog(ctx, 1, func(*record.Record) error {
		if seen++; seen == 10 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || seen > 10 {
		t.Fatalf("ReadLog after cancel: err %v after %d records, want context.Canceled after 10", err, seen)
	}
}

func (s *suite) failingCommit(t *testing.T) {
	st := s.store(t)
	w := newWorkload(t, 3, st)
	w.run(80)
	before := snapshot(t, st)
	last := w.log[len(w.log)-1].Position

	// The processor's next batch, changed so that its last record repeats a
	// committed position: none of its records, rows or counters may land.
	b := w.gen(25)
	if len(b.Records) < 2 {
		t.Fatalf("the workload wrote %d records", len(b.Records))
	}
	dup := *b.Records[len(b.Records)-1]
	dup.Position = last
	recs := append(append([]*record.Record(nil), b.Records[:len(b.Records)-1]...), &dup)
	if err := st.Commit(context.Background(), &store.Batch{Records: recs, Changes: b.Changes}); err == nil {
		t.Fatal("a batch repeating a committed position was committed")
	}
	sameSnapshot(t, snapshot(t, st), before)
	sameRecords(t, readAll(t, st), w.log)

	// Two records with one position inside a batch fail as well.
	twice := &store.Batch{Records: []*record.Record{b.Records[0], b.Records[0]}, Changes: b.Changes}
	if err := st.Commit(context.Background(), twice); err == nil {
		t.Fatal("a batch with a position twice was committed")
	}
	sameSnapshot(t, snapshot(t, st), before)
	sameRecords(t, readAll(t, st), w.log)

	// The store still works: the real batch commits and reads back.
	commit(t, st, b)
	w.accept(b)
	sameRecords(t, readAll(t, st), w.log)
	live := restore(t, snapshot(t, st))
	if got, want := string(live.Dump()), string(w.st().Dump()); got != want {
		t.Fatalf("state after the failed commits differs:\ngot  %s\nwant %s", got, want)
	}
}

func (s *suite) concurrentReads(t *testing.T) {
	st := s.store(t)
	w := newWorkload(t, 4, st)
	q := querier(t, st)
	var mu sync.Mutex
	boundaries := map[int64]bool{w.batches[0]: true}
	w.beforeCommit = func(last int64) {
		mu.Lock()
		defer mu.Unlock()
		boundaries[last] = true
	}
	done := make(chan struct{})
	errs := make(chan error, 3)
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- readUntil(done, st, q, func(last int64) bool {
				mu.Lock()
				defer mu.Unlock()
				return boundaries[last]
			})
		}()
	}
	for range 15 {
		w.run(10)
	}
	close(done)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	sameRecords(t, readAll(t, st), w.log)
}

// readUntil reads the log, searches and loads until done is closed, and
// checks that every read of the log ends at a batch boundary.
func readUntil(done <-chan struct{}, st store.Store, q store.Querier, boundary func(int64) bool) error {
	ctx := context.Background()
	l, _ := st.(store.Loader)
	for {
		select {
		case <-done:
			return nil
		default:
		}
		var last int64
		err := st.ReadLog(ctx, 1, func(r *record.Record) error {
			if r.Position != last+1 {
				return fmt.Errorf("position %d follows %d", r.Position, last)
			}
			last = r.Position
			return nil
		})
		if err != nil {
			return err
		}
		if !boundary(last) {
			return fmt.Errorf("a read of the log ended at position %d, inside a batch", last)
		}
		if _, err := q.SearchElementInstances(ctx, store.Query{Limit: 5, Sort: []store.SortField{{Field: "startDate", Desc: true}}}); err != nil {
			return err
		}
		if l != nil {
			snap, err := l.Load(ctx)
			if err != nil {
				return err
			}
			if !boundary(snap.LastPosition) {
				return fmt.Errorf("a load saw position %d, inside a batch", snap.LastPosition)
			}
		}
	}
}

func (s *suite) closed(t *testing.T) {
	st := s.open(t)
	w := newWorkload(t, 5, st)
	w.run(10)
	if err := st.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := st.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	ctx := context.Background()
	if err := st.Commit(ctx, &store.Batch{}); !errors.Is(err, store.ErrClosed) {
		t.Errorf("commit after close: %v, want store.ErrClosed", err)
	}
	if err := st.ReadLog(ctx, 1, func(*record.Record) error { return nil }); !errors.Is(err, store.ErrClosed) {
		t.Errorf("read log after close: %v, want store.ErrClosed", err)
	}
	if _, err := loader(t, st).Load(ctx); !errors.Is(err, store.ErrClosed) {
		t.Errorf("load after close: %v, want store.ErrClosed", err)
	}
	if _, err := querier(t, st).SearchJobs(ctx, store.Query{}); !errors.Is(err, store.ErrClosed) {
		t.Errorf("search after close: %v, want store.ErrClosed", err)
	}
}
