package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/pgstore"
	"github.com/example/wf-engine/core/store/sqlitestore"
	"github.com/example/wf-engine/elements/standard"
)

// seedOptions are the command line of `wf-bench seed`.
type seedOptions struct {
	PGURL      string
	SQLitePath string
	Completed  int
	Running    int
	// Batch is the number of instances per commit.
	Batch int
	// From is the start of the first completed instance; completed
	// instance i starts at From + i*Interval. Running instances start when
	// the run creates them.
	From     time.Time
	Interval time.Duration
	// Progress is how often a progress line is printed.
	Progress time.Duration
}

// SeedResult is what `wf-bench seed` prints at the end.
type SeedResult struct {
	Store string `json:"store"`
	// Completed and Running are the seeded instances in the store now;
	// Added* are those this run added.
	Completed         int     `json:"completed"`
	Running           int     `json:"running"`
	AddedCompleted    int     `json:"added_completed"`
	AddedRunning      int     `json:"added_running"`
	Commits           int64   `json:"commits"`
	Records           int64   `json:"records"`
	Rows              int64   `json:"state_rows"`
	Seconds           float64 `json:"seconds"`
	InstancesPerSec   float64 `json:"instances_per_s"`
	RowsPerSec        float64 `json:"state_rows_per_s"`
	RecordsPerSec     float64 `json:"records_per_s"`
	From              string  `json:"from"`
	Interval          string  `json:"interval"`
	InstancesPerBatch int     `json:"instances_per_commit"`
}

// seedProgress is one progress line.
type seedProgress struct {
	Phase           string  `json:"phase"`
	Done            int     `json:"done"`
	Of              int     `json:"of"`
	InstancesPerSec float64 `json:"instances_per_s"`
	RowsPerSec      float64 `json:"state_rows_per_s"`
	Elapsed         float64 `json:"elapsed_s"`
}

// seedProcess is the process the seed runs: wf-bench's W1.
const seedProcess = "bench-w1"

// runSeed is `wf-bench seed`: it fills a store with completed and running
// W1 instances (see seeder).
func runSeed(ctx context.Context, args []string, out io.Writer, _ string) error {
	fs := flag.NewFlagSet("wf-bench seed", flag.ContinueOnError)
	fs.SetOutput(out)
	o := seedOptions{}
	day := time.Now().UTC().Truncate(24 * time.Hour)
	from := ""
	fs.StringVar(&o.PGURL, "pg-url", "", "PostgreSQL store to fill (postgres://...)")
	fs.StringVar(&o.SQLitePath, "sqlite-path", "", "SQLite store file to fill")
	fs.IntVar(&o.Completed, "completed", 10_000_000, "completed W1 instances the store should hold")
	fs.IntVar(&o.Running, "running", 100_000, "running W1 instances (waiting at the service task with an open job) the store should hold")
	fs.IntVar(&o.Batch, "batch", 100, "instances per commit")
	fs.StringVar(&from, "from", day.Add(-7*24*time.Hour).Format(time.RFC3339), "start time of the first completed instance (RFC 3339); give the same value when resuming")
	fs.DurationVar(&o.Interval, "interval", 50*time.Millisecond, "time between two completed instances' starts (at least 3ms); the same value when resuming")
	fs.DurationVar(&o.Progress, "progress", 10*time.Second, "how often to print progress")
	if err := fs.Parse(args); err != nil {
		return err
	}
	t, err := time.Parse(time.RFC3339, from)
	if err != nil {
		return fmt.Errorf("-from: %w", err)
	}
	o.From = t
	if (o.PGURL == "") == (o.SQLitePath == "") {
		return errors.New("seed: give exactly one of -pg-url and -sqlite-path")
	}
	switch {
	case o.Completed < 0 || o.Running < 0:
		return errors.New("seed: -completed and -running must not be negative")
	case o.Batch < 1 || o.Batch > 10000:
		return errors.New("seed: -batch must be between 1 and 10000")
	case o.Interval < 3*time.Millisecond:
		return errors.New("seed: -interval must be at least 3ms")
	case o.Progress <= 0:
		return errors.New("seed: -progress must be positive")
	}
	s, name, err := openSeedStore(ctx, o.PGURL, o.SQLitePath)
	if err != nil {
		return err
	}
	defer func() { _ = s.Close() }()
	res, err := seed(ctx, s, o, out)
	if err != nil {
		return err
	}
	res.Store = name
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}

// seedStore is a store the seed fills.
type seedStore interface {
	store.Store
	store.Loader
	store.Querier
}

// openSeedStore opens the store of -pg-url or, when it is empty, of
// -sqlite-path, and names its kind.
func openSeedStore(ctx context.Context, pgURL, sqlitePath string) (seedStore, string, error) {
	if pgURL != "" {
		s, err := pgstore.Open(ctx, pgURL, pgstore.Options{})
		if err != nil {
			return nil, "", err
		}
		return s, "postgres", nil
	}
	s, err := sqlitestore.Open(ctx, sqlitePath, sqlitestore.Options{Synchronous: "NORMAL"})
	if err != nil {
		return nil, "", err
	}
	return s, "sqlite", nil
}

// seeder drives the kernel over a store: the processor makes the records
// and rows exactly as the engine would, and every batch goes through the
// store's own Prepare and Commit.
type seeder struct {
	o     seedOptions
	s     store.Store
	p     *engine.Processor
	st    *state.State
	out   io.Writer
	step  int64 // ms between two completed instances' starts
	runAt int64 // Unix ms: running instance k starts at runAt + k

	records []*record.Record
	res     SeedResult
}

// seed fills s up to o's counts and returns what it did.
func seed(ctx context.Context, s seedStore, o seedOptions, out io.Writer) (*SeedResult, error) {
	snap, err := s.Load(ctx)
	if err != nil {
		return nil, err
	}
	reg := standard.Registry()
	st, err := engine.RestoreState(reg, snap)
	if err != nil {
		return nil, fmt.Errorf("seed: restore state: %w", err)
	}
	sd := &seeder{o: o, s: s, p: engine.NewProcessor(1, st, reg), st: st, out: out}
	sd.step = o.Interval.Milliseconds()
	sd.res.From, sd.res.Interval, sd.res.InstancesPerBatch = o.From.Format(time.RFC3339), o.Interval.String(), o.Batch
	if st.LatestProcess("<default>", seedProcess) == nil {
		if err := sd.deploy(ctx); err != nil {
			return nil, err
		}
	}
	running := 0
	for _, j := range snap.Jobs {
		if j.Value.Type == seedProcess {
			running++
		}
	}
	done, err := sd.completedSoFar(ctx)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if done < o.Completed {
		n, err := sd.run(ctx, "completed", done, o.Completed, sd.completedBatch)
		sd.res.AddedCompleted = n - done
		done = n
		if err != nil {
			return nil, err
		}
	}
	if running < o.Running {
		sd.runAt = time.Now().UnixMilli() - int64(running)
		n, err := sd.run(ctx, "running", running, o.Running, sd.runningBatch)
		sd.res.AddedRunning = n - running
		running = n
		if err != nil {
			return nil, err
		}
	}
	secs := time.Since(start).Seconds()
	sd.res.Completed, sd.res.Running, sd.res.Seconds = done, running, secs
	if secs > 0 {
		sd.res.InstancesPerSec = float64(sd.res.AddedCompleted+sd.res.AddedRunning) / secs
		sd.res.RowsPerSec = float64(sd.res.Rows) / secs
		sd.res.RecordsPerSec = float64(sd.res.Records) / secs
	}
	return &sd.res, nil
}

// completedSoFar finds how many completed instances earlier runs seeded:
// the completed instance i starts at From + i*Interval and a batch commits
// whole, so the latest start of a completed instance says it.
func (sd *seeder) completedSoFar(ctx context.Context) (int, error) {
	page, err := sd.s.(store.Querier).SearchProcessInstances(ctx, store.Query{
		Conditions: []store.Condition{{Field: "processDefinitionId", Value: seedProcess}, {Field: "state", Value: "COMPLETED"}},
		Sort:       []store.SortField{{Field: "startDate", Desc: true}}, Limit: 1,
	})
	if err != nil {
		return 0, fmt.Errorf("seed: find the last seeded instance: %w", err)
	}
	if len(page.Items) == 0 {
		return 0, nil
	}
	last := page.Items[0].StartDate.UnixMilli() - sd.o.From.UnixMilli()
	if last < 0 {
		return 0, fmt.Errorf("seed: the store holds %s instances that started before -from %s; give the -from of the earlier run", seedProcess, sd.o.From.Format(time.RFC3339))
	}
	return int(last/sd.step) + 1, nil
}

// run seeds instances [done, want) in batches made by next, committing
// each batch while the next is processed, as the engine does. It returns
// how many are in the store.
func (sd *seeder) run(ctx context.Context, phase string, done, want int, next func(i, n int) error) (int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type job struct {
		b *store.Batch
		n int // instances in the store once it commits
	}
	jobs := make(chan job, 1)
	committed := make(chan error, 1)
	var stored = done
	start := time.Now()
	go func() {
		tick := time.NewTicker(sd.o.Progress)
		defer tick.Stop()
		var rows int64
		for j := range jobs {
			if err := sd.s.Commit(ctx, j.b); err != nil {
				cancel()
				for range jobs { // drain the producer
				}
				committed <- err
				return
			}
			c := j.b.Changes
			rows += int64(len(c.Elements) + len(c.Variables) + len(c.Jobs) + len(c.Incidents) + len(c.Processes))
			sd.res.Commits++
			sd.res.Records += int64(len(j.b.Records))
			stored = j.n
			select {
			case <-tick.C:
				el := time.Since(start).Seconds()
				line, _ := json.Marshal(seedProgress{Phase: phase, Done: stored, Of: want, Elapsed: el,
					InstancesPerSec: float64(stored-done) / el, RowsPerSec: float64(rows) / el})
				fmt.Fprintln(sd.out, string(line))
			default:
			}
		}
		sd.res.Rows += rows
		committed <- nil
	}()
	var err error
	for i := done; i < want && err == nil; i += sd.o.Batch {
		n := min(sd.o.Batch, want-i)
		if err = next(i, n); err != nil {
			break
		}
		b := &store.Batch{Records: sd.records, Changes: sd.st.TakeChanges()}
		sd.records = nil
		if err = store.Prepare(sd.s, b); err != nil {
			break
		}
		select {
		case jobs <- job{b: b, n: i + n}:
		case <-ctx.Done():
			err = ctx.Err()
		}
	}
	close(jobs)
	cerr := <-committed
	if cerr != nil {
		return stored, fmt.Errorf("seed %s instances: commit: %w", phase, cerr)
	}
	if err != nil {
		return stored, fmt.Errorf("seed %s instances: %w", phase, err)
	}
	return stored, nil
}

// process runs one command at time at (Unix ms) and keeps its records.
func (sd *seeder) process(cmd *record.Record, at int64) (*engine.Result, error) {
	cmd.Version, cmd.Timestamp = 1, at
	res, err := sd.p.Process(cmd)
	if err != nil {
		return nil, err
	}
	if res.Rejection != nil {
		return nil, res.Rejection
	}
	sd.records = append(sd.records, res.Records...)
	return res, nil
}

func (sd *seeder) deploy(ctx context.Context) error {
	at := sd.o.From.Add(-time.Minute).UnixMilli()
	if _, err := sd.process(&record.Record{ValueType: record.TypeDeployment, Intent: record.IntentDeploymentCreate,
		Value: &record.DeploymentValue{Resources: []record.Resource{{Name: "w1.bpmn", Content: w1}}}}, at); err != nil {
		return fmt.Errorf("seed: deploy %s: %w", seedProcess, err)
	}
	b := &store.Batch{Records: sd.records, Changes: sd.st.TakeChanges()}
	sd.records = nil
	if err := sd.s.Commit(ctx, b); err != nil {
		return fmt.Errorf("seed: deploy %s: %w", seedProcess, err)
	}
	return nil
}

// create starts instance i at time at with the variables wf-bench's W1
// creates with.
func (sd *seeder) create(i int, at int64) error {
	_, err := sd.process(&record.Record{ValueType: record.TypeProcessInstanceCreation, Intent: record.IntentProcessInstanceCreate,
		Value: &record.ProcessInstanceCreationValue{BPMNProcessID: seedProcess,
			Variables: map[string]any{"orderId": fmt.Sprintf("o-%d", i), "amount": float64(i % 1000)}}}, at)
	return err
}

// completedBatch runs instances [i, i+n) to their end as a worker would:
// each is created at its start time, then one activation takes their jobs
// and each job is completed.
func (sd *seeder) completedBatch(i, n int) error {
	var at int64
	for k := i; k < i+n; k++ {
		at = sd.o.From.UnixMilli() + int64(k)*sd.step
		if err := sd.create(k, at); err != nil {
			return err
		}
	}
	res, err := sd.process(&record.Record{ValueType: record.TypeJobBatch, Intent: record.IntentJobBatchActivate,
		Value: &record.JobBatchValue{Type: seedProcess, Worker: "wf-bench", Timeout: 60000, MaxJobsToActivate: int32(n)}}, at+1)
	if err != nil {
		return err
	}
	jobs, _ := res.Response.([]engine.ActivatedJob)
	if len(jobs) != n {
		return fmt.Errorf("expected %d jobs to activate, but got %d", n, len(jobs))
	}
	for _, j := range jobs {
		if _, err := sd.process(&record.Record{Key: j.Key, ValueType: record.TypeJob, Intent: record.IntentJobComplete,
			Value: &record.JobValue{Variables: map[string]any{"done": true}}}, at+2); err != nil {
			return err
		}
	}
	return nil
}

// runningBatch creates running instances [i, i+n), one millisecond apart
// from when the phase began; each waits at the service task.
func (sd *seeder) runningBatch(i, n int) error {
	for k := i; k < i+n; k++ {
		if err := sd.create(-1-k, sd.runAt+int64(k)); err != nil {
			return err
		}
	}
	return nil
}
