package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/core/retention"
	"github.com/example/wf-engine/core/store"
)

// `wf-bench sizes` measures the bytes a completed W1 instance takes in a
// store, before and after log compaction: it seeds a fresh store (as
// `wf-bench seed` does), measures every table, runs retention's log step
// (core/retention.LogStep: a checkpoint, then compaction of every segment
// before it) and measures again. Instances are kept (no history time to
// live), so the difference is the log's.

// SizesResult is what `wf-bench sizes` prints.
type SizesResult struct {
	Store     string `json:"store"`
	Instances int    `json:"instances"`
	// Compaction is what retention's log step did.
	Compaction SizesCompaction `json:"compaction"`
	// Stages are the store's sizes, in the order taken.
	Stages []SizeStage `json:"stages"`
}

// SizesCompaction is what the log step did between the stages.
type SizesCompaction struct {
	Segments             int   `json:"segments_removed"`
	AnchorPosition       int64 `json:"anchor_position"`
	HeadPosition         int64 `json:"head_position"`
	CheckpointStoreBytes int64 `json:"checkpoint_stored_bytes"`
}

// SizeStage is a store's size at one stage. Bytes count each table with
// its indexes (PostgreSQL: pg_total_relation_size, with TOAST and the free
// space and visibility maps; SQLite: the pages dbstat gives each table and
// its indexes). Per-instance figures are net of the empty store's (the
// stage "empty"), divided by the seeded instances; tables whose bytes did
// not change are left out of them.
type SizeStage struct {
	Stage string `json:"stage"`
	// How says how the database was prepared before the measurement.
	How              string             `json:"how"`
	TotalBytes       int64              `json:"total_bytes"`
	BytesPerInstance float64            `json:"bytes_per_instance"`
	Tables           map[string]int64   `json:"table_bytes"`
	TablesPerInst    map[string]float64 `json:"table_bytes_per_instance"`
}

// runSizes is `wf-bench sizes`.
func runSizes(ctx context.Context, args []string, out io.Writer, _ string) error {
	fs := flag.NewFlagSet("wf-bench sizes", flag.ContinueOnError)
	fs.SetOutput(out)
	o := seedOptions{}
	day := time.Now().UTC().Truncate(24 * time.Hour)
	fs.StringVar(&o.PGURL, "pg-url", "", "a fresh PostgreSQL database to fill and measure (postgres://...)")
	fs.StringVar(&o.SQLitePath, "sqlite-path", "", "a new SQLite store file to fill and measure")
	fs.IntVar(&o.Completed, "completed", 20_000, "completed W1 instances to seed")
	fs.IntVar(&o.Batch, "batch", 100, "instances per commit (a log segment each)")
	fs.DurationVar(&o.Progress, "progress", 10*time.Second, "how often to print the seed's progress")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case (o.PGURL == "") == (o.SQLitePath == ""):
		return errors.New("sizes: give exactly one of -pg-url and -sqlite-path")
	case o.Completed < 1:
		return errors.New("sizes: -completed must be at least 1")
	case o.Batch < 1 || o.Batch > 10000:
		return errors.New("sizes: -batch must be between 1 and 10000")
	case o.Progress <= 0:
		return errors.New("sizes: -progress must be positive")
	}
	o.From, o.Interval = day.Add(-7*24*time.Hour), 50*time.Millisecond
	res, err := sizes(ctx, o, out)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}

// sizes runs the stages: empty, seeded, compacted (and, on PostgreSQL,
// compacted after VACUUM FULL).
func sizes(ctx context.Context, o seedOptions, out io.Writer) (*SizesResult, error) {
	res := &SizesResult{Instances: o.Completed}
	var empty *SizeStage
	// measure takes a stage's sizes; full asks PostgreSQL for VACUUM FULL
	// instead of VACUUM.
	measure := func(stage string, full bool) error {
		tables, how, err := tableSizes(ctx, o, full)
		if err != nil {
			return fmt.Errorf("sizes: measure the %s store: %w", stage, err)
		}
		st := SizeStage{Stage: stage, How: how, Tables: tables, TablesPerInst: map[string]float64{}}
		for _, n := range tables {
			st.TotalBytes += n
		}
		if empty == nil {
			empty = &st
		}
		n := float64(o.Completed)
		st.BytesPerInstance = round1(float64(st.TotalBytes-empty.TotalBytes) / n)
		for t, b := range tables {
			if d := b - empty.Tables[t]; d != 0 {
				st.TablesPerInst[t] = round1(float64(d) / n)
			}
		}
		res.Stages = append(res.Stages, st)
		return nil
	}
	// with opens the store, runs fn on it and closes it, so that the
	// measurements see the database alone.
	with := func(fn func(s seedStore) error) error {
		s, name, err := openSeedStore(ctx, o.PGURL, o.SQLitePath)
		if err != nil {
			return err
		}
		res.Store = name
		err = fn(s)
		if cerr := s.Close(); err == nil {
			err = cerr
		}
		return err
	}
	if err := with(func(s seedStore) error { return fresh(ctx, s) }); err != nil {
		return nil, err
	}
	if err := measure("empty", false); err != nil {
		return nil, err
	}
	if err := with(func(s seedStore) error { _, err := seed(ctx, s, o, out); return err }); err != nil {
		return nil, err
	}
	if err := measure("seeded", false); err != nil {
		return nil, err
	}
	end := o.From.Add(time.Duration(o.Completed) * o.Interval)
	if err := with(func(s seedStore) error { return compact(ctx, s, end, &res.Compaction) }); err != nil {
		return nil, err
	}
	if err := measure("compacted", false); err != nil {
		return nil, err
	}
	if res.Store == "postgres" {
		if err := measure("compacted, VACUUM FULL", true); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// fresh fails unless s holds no process instance.
func fresh(ctx context.Context, s seedStore) error {
	p, err := s.SearchProcessInstances(ctx, store.Query{Limit: 1})
	if err != nil {
		return fmt.Errorf("sizes: count the store's instances: %w", err)
	}
	if p.Total > 0 {
		return fmt.Errorf("sizes: the store already holds %d process instances; give a fresh one", p.Total)
	}
	return nil
}

// sizesLogTTL is the log time to live of the compaction: every seeded
// record is older.
const sizesLogTTL = time.Minute

// compact runs retention's log step until nothing is left to compact, at a
// time after the last seeded record's and after now.
func compact(ctx context.Context, s seedStore, end time.Time, got *SizesCompaction) error {
	c, ok := s.(store.LogCompactor)
	if !ok {
		return errors.New("sizes: the store does not compact its log")
	}
	now := time.Now()
	if later := end.Add(sizesLogTTL + time.Minute); later.After(now) {
		now = later
	}
	step := retention.LogStep(c, retention.Config{LogTTL: sizesLogTTL}, nil, nil, 0, 0)
	for {
		b, err := step.Batch(ctx, now, step.Limit)
		if err != nil {
			return fmt.Errorf("sizes: compact the log: %w", err)
		}
		got.Segments += b.Removed
		if !b.More {
			break
		}
	}
	st, err := c.LogStatus(ctx)
	if err != nil {
		return fmt.Errorf("sizes: read the log's status: %w", err)
	}
	got.AnchorPosition, got.HeadPosition, got.CheckpointStoreBytes = st.Anchor.Position, st.Head, st.Checkpoint.StoredBytes
	return nil
}

// tableSizes prepares the database for a measurement and returns its
// tables' bytes, by table, and how it prepared it; full asks PostgreSQL for
// VACUUM FULL instead of VACUUM.
func tableSizes(ctx context.Context, o seedOptions, full bool) (map[string]int64, string, error) {
	if o.PGURL == "" {
		sizes, err := sqliteTableSizes(ctx, o.SQLitePath)
		return sizes, "wal_checkpoint(TRUNCATE), VACUUM", err
	}
	vacuum := "VACUUM"
	if full {
		vacuum = "VACUUM FULL"
	}
	sizes, err := pgTableSizes(ctx, o.PGURL, vacuum)
	return sizes, vacuum, err
}

// pgTableSizes runs vacuum (VACUUM or VACUUM FULL) on the tables of the
// connection's current schema and reads each one's pg_total_relation_size.
// It names the tables: a database-wide VACUUM FULL fails when another
// schema's table is dropped meanwhile (tests share a database).
func pgTableSizes(ctx context.Context, url, vacuum string) (map[string]int64, error) {
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, err
	}
	defer func() { _ = c.Close(context.WithoutCancel(ctx)) }()
	rows, err := c.Query(ctx, `SELECT n.nspname, c.relname FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname = current_schema() ORDER BY c.relname`)
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var schema, table string
		if err := rows.Scan(&schema, &table); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, pgx.Identifier{schema, table}.Sanitize())
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(names) > 0 {
		if _, err := c.Exec(ctx, vacuum+" "+strings.Join(names, ", ")); err != nil {
			return nil, fmt.Errorf("%s: %w", vacuum, err)
		}
	}
	rows, err = c.Query(ctx, `SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema()`)
	if err != nil {
		return nil, err
	}
	return collectSizes(rows.Next, rows.Scan, func() error { rows.Close(); return rows.Err() })
}

// sqliteTableSizes checkpoints the write-ahead log into the file, vacuums
// it and sums dbstat's pages by table (indexes with their table).
func sqliteTableSizes(ctx context.Context, path string) (map[string]int64, error) {
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, err
	}
	defer func() { _ = db.Close() }()
	for _, q := range []string{"PRAGMA wal_checkpoint(TRUNCATE)", "VACUUM"} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return nil, fmt.Errorf("%s: %w", q, err)
		}
	}
	rows, err := db.QueryContext(ctx, `SELECT coalesce(m.tbl_name, d.name), sum(d.pgsize) FROM dbstat d
		LEFT JOIN sqlite_schema m ON m.name = d.name GROUP BY 1`)
	if err != nil {
		return nil, err
	}
	return collectSizes(rows.Next, rows.Scan, func() error {
		err := rows.Err()
		if cerr := rows.Close(); err == nil {
			err = cerr
		}
		return err
	})
}

// collectSizes reads (table, bytes) rows.
func collectSizes(next func() bool, scan func(...any) error, done func() error) (map[string]int64, error) {
	out := map[string]int64{}
	for next() {
		var name string
		var n int64
		if err := scan(&name, &n); err != nil {
			_ = done()
			return nil, err
		}
		out[name] += n
	}
	return out, done()
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }
