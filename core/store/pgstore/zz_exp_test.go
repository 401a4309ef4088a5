package pgstore

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/tables"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
	"github.com/example/wf-engine/elements/standard"
	"github.com/jackc/pgx/v5"
)

func w1Batches(t testing.TB, n, per int) []*store.Batch {
	xml, _ := os.ReadFile("../../engine/testdata/w1.bpmn")
	p := engine.NewProcessor(1, engine.NewState(), standard.Registry())
	now := time.Now().UnixMilli()
	var out []*store.Batch
	var recs []*record.Record
	do := func(cmd *record.Record) *engine.Result {
		cmd.Timestamp = now
		res, err := p.Process(cmd)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, res.Records...)
		return res
	}
	flush := func() {
		out = append(out, &store.Batch{Records: recs, Changes: p.State().TakeChanges()})
		recs = nil
	}
	do(&record.Record{ValueType: record.TypeDeployment, Intent: record.IntentDeploymentCreate, Version: 1,
		Value: &record.DeploymentValue{Resources: []record.Resource{{Name: "w1.bpmn", Content: xml}}}})
	flush()
	// like the engine with many clients: each batch holds creates, activations, completes of different instances
	var pending []int64
	for i := 0; i < n; i += per / 3 {
		for k := 0; k < per/3; k++ {
			do(&record.Record{ValueType: record.TypeProcessInstanceCreation, Intent: record.IntentProcessInstanceCreate, Version: 1,
				Value: &record.ProcessInstanceCreationValue{BPMNProcessID: "w1"}})
		}
		for k := 0; k < per/3; k++ {
			res := do(&record.Record{ValueType: record.TypeJobBatch, Intent: record.IntentJobBatchActivate, Version: 1,
				Value: &record.JobBatchValue{Type: "w1-work", Worker: "w", Timeout: 60000, MaxJobsToActivate: 1}})
			for _, j := range res.Response.([]engine.ActivatedJob) {
				pending = append(pending, j.Key)
			}
		}
		for _, k := range pending {
			do(&record.Record{Key: k, ValueType: record.TypeJob, Intent: record.IntentJobComplete, Version: 1, Value: &record.JobValue{}})
		}
		pending = nil
		flush()
	}
	return out
}

func TestExpCommitSpeed(t *testing.T) {
	batches := w1Batches(t, 6000, 33)
	s, err := Open(context.Background(), pgtest.URL(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	start := time.Now()
	recs := 0
	for _, b := range batches {
		if err := s.Commit(ctx, b); err != nil {
			t.Fatal(err)
		}
		recs += len(b.Records)
	}
	el := time.Since(start)
	t.Logf("%d batches, %d records in %v: %.2f ms/commit, %.0f instances/s", len(batches), recs, el, el.Seconds()*1000/float64(len(batches)), 6000/el.Seconds())
}

func TestExpBreakdown(t *testing.T) {
	batches := w1Batches(t, 6000, 33)
	ctx := context.Background()
	run := func(name string, prep func(s *Store), mod func(b *store.Batch) *store.Batch) {
		s, err := Open(ctx, pgtest.URL(t), Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		prep(s)
		start := time.Now()
		for _, b := range batches {
			if err := s.Commit(ctx, mod(b)); err != nil {
				t.Fatal(err)
			}
		}
		el := time.Since(start)
		t.Logf("%-30s %.2f ms/commit, %.0f instances/s", name, el.Seconds()*1000/float64(len(batches)), 6000/el.Seconds())
	}
	none := func(*Store) {}
	same := func(b *store.Batch) *store.Batch { return b }
	run("full", none, same)
	run("log only", none, func(b *store.Batch) *store.Batch { return &store.Batch{Records: b.Records, Changes: state0(b)} })
	run("state only", none, func(b *store.Batch) *store.Batch { return &store.Batch{Changes: b.Changes} })
	run("empty", none, func(b *store.Batch) *store.Batch { return &store.Batch{Changes: state0(b)} })
	run("no secondary indexes", func(s *Store) {
		rows, err := s.pool.Query(ctx, "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexname NOT LIKE '%_pkey'")
		if err != nil {
			t.Fatal(err)
		}
		names, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		for _, ix := range names {
			if _, err := s.pool.Exec(ctx, "DROP INDEX "+ix); err != nil {
				t.Fatal(err)
			}
		}
	}, same)
	run("synchronous_commit off", func(s *Store) {}, same)
}

func state0(b *store.Batch) state.Changes {
	return state.Changes{LastKey: b.Changes.LastKey, LastPosition: b.Changes.LastPosition}
}

func TestExpCopy(t *testing.T) {
	batches := w1Batches(t, 6000, 33)
	ctx := context.Background()
	s, err := Open(ctx, pgtest.URL(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var encode, total time.Duration
	for _, b := range batches {
		t0 := time.Now()
		logRows, err := tables.EncodeLog(b.Records)
		if err != nil {
			t.Fatal(err)
		}
		encode += time.Since(t0)
		rows := make([][]any, logRows.Len())
		for i := range rows {
			rows[i] = logRows.AppendRow(nil, i)
		}
		tx, err := s.pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		names := []string{}
		for _, c := range tables.Log.Columns {
			names = append(names, c.Name)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"log"}, names, pgx.CopyFromRows(rows)); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		total += time.Since(t0)
	}
	t.Logf("copy log only: %.2f ms/commit (encode %.2f ms)", total.Seconds()*1000/float64(len(batches)), encode.Seconds()*1000/float64(len(batches)))
}

func TestExpAB(t *testing.T) {
	batches := w1Batches(t, 3000, 33)
	ctx := context.Background()
	names := []string{}
	for _, c := range tables.Log.Columns {
		names = append(names, c.Name)
	}
	unnest := func(s *Store, b *store.Batch) {
		lr, _ := tables.EncodeLog(b.Records)
		bt := &pgx.Batch{}
		bt.Queue(tables.Log.InsertUnnest(), lr.Arrays()...)
		bt.Queue(updateMeta, b.Changes.LastKey, b.Changes.LastPosition)
		if err := s.pool.SendBatch(ctx, bt).Close(); err != nil {
			t.Fatal(err)
		}
	}
	cp := func(s *Store, b *store.Batch) {
		lr, _ := tables.EncodeLog(b.Records)
		rows := make([][]any, lr.Len())
		for i := range rows {
			rows[i] = lr.AppendRow(nil, i)
		}
		tx, err := s.pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"log"}, names, pgx.CopyFromRows(rows)); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, updateMeta, b.Changes.LastKey, b.Changes.LastPosition); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for round := range 3 {
		for _, v := range []struct {
			name string
			fn   func(*Store, *store.Batch)
		}{{"unnest", unnest}, {"copy", cp}} {
			s, err := Open(ctx, pgtest.URL(t), Options{})
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			for _, b := range batches {
				v.fn(s, b)
			}
			el := time.Since(start)
			t.Logf("round %d %-8s %.2f ms/commit", round, v.name, el.Seconds()*1000/float64(len(batches)))
			s.Close()
		}
	}
}

func TestExpSegments(t *testing.T) {
	batches := w1Batches(t, 6000, 33)
	ctx := context.Background()
	for round := range 2 {
		for _, mode := range []string{"rows", "segment"} {
			s, err := Open(ctx, pgtest.URL(t), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.pool.Exec(ctx, "CREATE TABLE log_segments (first_position BIGINT PRIMARY KEY, last_position BIGINT NOT NULL, records BYTEA NOT NULL)"); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			for _, b := range batches {
				if mode == "rows" {
					if err := s.Commit(ctx, b); err != nil {
						t.Fatal(err)
					}
					continue
				}
				var buf []byte
				for _, r := range b.Records {
					j, _ := record.Marshal(r)
					buf = append(buf, j...)
					buf = append(buf, '\n')
				}
				stateRows, _ := tables.EncodeChanges(&b.Changes)
				bt := &pgx.Batch{}
				bt.Queue("INSERT INTO log_segments VALUES ($1, $2, $3)", b.Records[0].Position, b.Records[len(b.Records)-1].Position, buf)
				for _, r := range stateRows {
					bt.Queue(r.T.InsertUnnest(), r.Arrays()...)
				}
				bt.Queue(updateMeta, b.Changes.LastKey, b.Changes.LastPosition)
				if err := s.pool.SendBatch(ctx, bt).Close(); err != nil {
					t.Fatal(err)
				}
			}
			el := time.Since(start)
			t.Logf("round %d %-8s %.2f ms/commit, %.0f instances/s", round, mode, el.Seconds()*1000/float64(len(batches)), 6000/el.Seconds())
			s.Close()
		}
	}
}
