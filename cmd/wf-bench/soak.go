package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// maxSoak bounds a soak run.
const maxSoak = 4 * time.Hour

// soakOptions are the command line of wf-bench soak.
type soakOptions struct {
	run      options // shared by the W1 and W6 runs; Rate is the total
	interval time.Duration
	w6Share  float64
	// metricsURL is the engine's /metrics; pgURL and sqlitePath say where
	// its database is, for its size.
	metricsURL string
	pgURL      string
	sqlitePath string
}

// SoakSample is one line of a soak run: the interval that ended at
// Elapsed and the engine's state then.
type SoakSample struct {
	ElapsedSeconds float64 `json:"elapsed_s"`
	// Completed counts the instances completed since the start, Interval
	// those of this interval, P99 their create→completed p99.
	Completed         int64   `json:"completed"`
	CompletedInterval int64   `json:"completed_interval"`
	P99Millis         float64 `json:"p99_ms"`
	// Errors counts the failed requests since the start, Refused429 the
	// requests answered 429 (backpressure; sent again).
	Errors     int `json:"errors"`
	Refused429 int `json:"refused_429"`
	// The engine: resident set (-pid), goroutines and heap in use
	// (/metrics), database size (-pg-url or -sqlite-path); 0 when not
	// available (see Unavailable).
	RSSMB        float64  `json:"engine_rss_mb"`
	Goroutines   float64  `json:"engine_goroutines"`
	HeapInuseMB  float64  `json:"engine_heap_inuse_mb"`
	DBMB         float64  `json:"db_mb"`
	Unavailable  []string `json:"unavailable,omitempty"`
	RatePerSec   float64  `json:"instances_per_s"`
	elapsedSince time.Duration
}

// SoakSummary ends a soak run: how RSS, heap, goroutines and database size
// grew over the last 45 minutes (the last 75 % of a shorter run) and
// whether p99 stayed steady.
type SoakSummary struct {
	Summary         bool    `json:"summary"`
	DurationSeconds float64 `json:"duration_s"`
	TargetRate      float64 `json:"target_rate"`
	W6Share         float64 `json:"w6_share"`
	Completed       int64   `json:"completed"`
	// WindowFrom is where the window of the growth figures starts.
	WindowFromSeconds float64 `json:"window_from_s"`
	RSS               Growth  `json:"engine_rss_mb"`
	HeapInuse         Growth  `json:"engine_heap_inuse_mb"`
	Goroutines        Growth  `json:"engine_goroutines"`
	DB                Growth  `json:"db_mb"`
	// P99First and P99Last are the medians of the intervals' p99 in the
	// first and last third of the window; P99Steady holds when the last
	// is at most 25 % (or 5 ms) above the first.
	P99FirstMillis float64 `json:"p99_first_third_ms"`
	P99LastMillis  float64 `json:"p99_last_third_ms"`
	P99MaxMillis   float64 `json:"p99_max_interval_ms"`
	P99Steady      bool    `json:"p99_steady"`
	// Flat holds when RSS and the database grew less than 10 % over the
	// window (the bound).
	Flat bool               `json:"rss_and_db_flat"`
	Runs map[string]*Result `json:"runs"`
}

// Growth is a figure at the start and the end of the window.
type Growth struct {
	From      float64 `json:"from"`
	To        float64 `json:"to"`
	GrowthPct float64 `json:"growth_pct"`
}

func growthOf(from, to float64) Growth {
	g := Growth{From: round(from), To: round(to)}
	if from > 0 {
		g.GrowthPct = round((to - from) / from * 100)
	}
	return g
}

// runSoak runs W1 and W6 together at a fixed rate for a long time and
// writes a line of figures every interval and a summary at the end.
func runSoak(ctx context.Context, args []string, out io.Writer, token string) error {
	fs := flag.NewFlagSet("wf-bench soak", flag.ContinueOnError)
	fs.SetOutput(out)
	o := soakOptions{run: options{Token: token}}
	r := &o.run
	fs.StringVar(&r.Address, "address", "http://127.0.0.1:8080", "base address of the engine (loopback only)")
	fs.DurationVar(&r.Duration, "duration", time.Hour, "how long to run (at most 4h)")
	fs.Float64Var(&r.Rate, "rate", 0, "instances to create per second, W1 and W6 together (required; e.g. half of a measured peak)")
	fs.Float64Var(&o.w6Share, "w6-share", 0.5, "the share of the rate that is W6 (user tasks); the rest is W1")
	fs.DurationVar(&o.interval, "interval", time.Minute, "how often to write a line")
	fs.IntVar(&r.Creators, "creators", 8, "concurrent create requests of each workload")
	fs.IntVar(&r.Workers, "workers", 4, "concurrent long-polling job activations (W1)")
	fs.IntVar(&r.Completers, "completers", 24, "concurrent job completions (W1) and user task handlers (W6)")
	fs.IntVar(&r.MaxJobs, "max-jobs", 64, "maxJobsToActivate of each activation")
	fs.IntVar(&r.MaxInflight, "max-inflight", -1, "most instances of each workload started and not yet ended (-1: none for w1, 500 for w6; 0: none)")
	fs.DurationVar(&r.Drain, "drain", 15*time.Second, "how long to wait for started instances to complete after the run")
	fs.DurationVar(&r.RetryWait, "retry-wait", 5*time.Millisecond, "wait after a 429 before the next request")
	fs.IntVar(&r.PID, "pid", 0, "process id of the engine (on this machine), for its resident set")
	fs.StringVar(&o.metricsURL, "metrics-url", "", "the engine's /metrics (default: -address + /metrics; needs http.metrics)")
	fs.StringVar(&o.pgURL, "pg-url", "", "the engine's PostgreSQL database, for pg_database_size(current_database())")
	fs.StringVar(&o.sqlitePath, "sqlite-path", "", "the engine's SQLite file (with its -wal) or data folder (every file in it), for its size")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := o.check(); err != nil {
		return err
	}
	return soak(ctx, o, json.NewEncoder(out))
}

func (o *soakOptions) check() error {
	r := o.run
	r.Duration, r.Warmup = time.Second, 0 // checked here, not against a workload run's cap
	r.Settle = 0
	if err := r.check(); err != nil {
		return err
	}
	switch {
	case o.run.Duration <= 0 || o.run.Duration > maxSoak:
		return fmt.Errorf("-duration: must be between 0 and %s, got %s", maxSoak, o.run.Duration)
	case o.run.Rate <= 0:
		return errors.New("-rate: required, instances per second (e.g. half of a measured peak)")
	case o.w6Share < 0 || o.w6Share > 1:
		return errors.New("-w6-share: must be between 0 and 1")
	case o.interval <= 0 || o.interval > o.run.Duration:
		return errors.New("-interval: must be positive and at most -duration")
	case o.pgURL != "" && o.sqlitePath != "":
		return errors.New("-pg-url and -sqlite-path: give one")
	}
	o.run.Address = r.Address
	if o.metricsURL == "" {
		o.metricsURL = r.Address + "/metrics"
	}
	return nil
}

// soak runs the mix and writes its lines and summary to enc.
func soak(ctx context.Context, o soakOptions, enc *json.Encoder) error {
	probe, err := newProbe(ctx, o)
	if err != nil {
		return err
	}
	defer probe.close()
	var col collector
	var runs []*runState
	for _, mix := range []struct {
		name  string
		share float64
	}{{"w1", 1 - o.w6Share}, {"w6", o.w6Share}} {
		if mix.share == 0 {
			continue
		}
		w, _ := workloadNamed(mix.name)
		ro := o.run
		ro.Rate = o.run.Rate * mix.share
		s := newRunState(ro, w)
		s.sink = col.add
		runs = append(runs, s)
	}
	results := make([]*Result, len(runs))
	errs := make([]error, len(runs))
	start := time.Now()
	var wg sync.WaitGroup
	for i, s := range runs {
		wg.Go(func() { results[i], errs[i] = s.run(ctx) })
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()

	var samples []SoakSample
	tick := time.NewTicker(o.interval)
	defer tick.Stop()
	sample := func() error {
		sm := probe.sample(ctx, time.Since(start), &col, runs)
		samples = append(samples, sm)
		return enc.Encode(sm)
	}
	for done := false; !done; {
		select {
		case <-tick.C:
			if err := sample(); err != nil {
				return err
			}
		case <-finished:
			done = true
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	full := samples
	if err := sample(); err != nil { // the last, partial interval
		return err
	}
	if len(full) == 0 {
		full = samples
	}
	// The summary leaves out the last line when there are others: it is
	// taken after the workers stopped (fewer goroutines, a partial interval).
	sum := summarize(o, full, full[len(full)-1].elapsedSince)
	sum.Runs = map[string]*Result{}
	for _, r := range results {
		sum.Runs[r.Workload] = r
		sum.Completed += r.Completed
	}
	return enc.Encode(sum)
}

// collector gathers the latencies of an interval.
type collector struct {
	mu  sync.Mutex
	lat []float64
}

func (c *collector) add(ms float64) {
	c.mu.Lock()
	c.lat = append(c.lat, ms)
	c.mu.Unlock()
}

// take returns the interval's latencies, sorted, and starts the next.
func (c *collector) take() []float64 {
	c.mu.Lock()
	lat := c.lat
	c.lat = nil
	c.mu.Unlock()
	slices.Sort(lat)
	return lat
}

// probe reads the engine's figures.
type probe struct {
	o      soakOptions
	client *http.Client
	pg     *pgx.Conn
	last   time.Duration
}

func newProbe(ctx context.Context, o soakOptions) (*probe, error) {
	p := &probe{o: o, client: &http.Client{Timeout: 10 * time.Second, Transport: bearer{token: o.run.Token, next: &http.Transport{}}}}
	if o.pgURL != "" {
		c, err := pgx.Connect(ctx, o.pgURL)
		if err != nil {
			return nil, fmt.Errorf("connect to -pg-url: %w", err)
		}
		p.pg = c
	}
	return p, nil
}

func (p *probe) close() {
	if p.pg != nil {
		_ = p.pg.Close(context.Background())
	}
	p.client.CloseIdleConnections()
}

// sample takes the figures of the interval that ends now, at elapsed.
func (p *probe) sample(ctx context.Context, elapsed time.Duration, col *collector, runs []*runState) SoakSample {
	lat := col.take()
	sm := SoakSample{ElapsedSeconds: round(elapsed.Seconds()), CompletedInterval: int64(len(lat)), P99Millis: pct(lat, 99)}
	if d := elapsed - p.last; d > 0 {
		sm.RatePerSec = round(float64(len(lat)) / d.Seconds())
	}
	p.last = elapsed
	for _, s := range runs {
		sm.Completed += s.completed.Load()
		s.mu.Lock()
		for k, n := range s.errors {
			if strings.HasSuffix(k, ": 429") {
				sm.Refused429 += n
			} else {
				sm.Errors += n
			}
		}
		s.mu.Unlock()
	}
	miss := func(what string, err error) { sm.Unavailable = append(sm.Unavailable, what+": "+err.Error()) }
	if p.o.run.PID > 0 {
		if kb, err := procStatusKB(p.o.run.PID, "VmRSS"); err != nil {
			miss("rss", err)
		} else {
			sm.RSSMB = round(float64(kb) / 1024)
		}
	}
	if m, err := p.metrics(ctx); err != nil {
		miss("metrics", err)
	} else {
		sm.Goroutines, sm.HeapInuseMB = m["go_goroutines"], round(m["go_memstats_heap_inuse_bytes"]/(1<<20))
	}
	if b, err := p.dbBytes(ctx); err != nil {
		miss("db", err)
	} else {
		sm.DBMB = round(float64(b) / (1 << 20))
	}
	sm.elapsedSince = elapsed
	return sm
}

// metrics reads go_goroutines and go_memstats_heap_inuse_bytes from the
// engine's /metrics.
func (p *probe) metrics(ctx context.Context) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.o.metricsURL, nil)
	if err != nil {
		return nil, err
	}
	res, err := p.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = res.Body.Close() }()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d (is http.metrics on?)", p.o.metricsURL, res.StatusCode)
	}
	return parseMetrics(res.Body, "go_goroutines", "go_memstats_heap_inuse_bytes")
}

// parseMetrics reads the values of unlabelled metrics from Prometheus'
// text format.
func parseMetrics(r io.Reader, names ...string) (map[string]float64, error) {
	m := map[string]float64{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok || !slices.Contains(names, name) {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			return nil, fmt.Errorf("metric %s: %q is not a number", name, value)
		}
		m[name] = v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read metrics: %w", err)
	}
	for _, n := range names {
		if _, ok := m[n]; !ok {
			return nil, fmt.Errorf("no %s in the metrics", n)
		}
	}
	return m, nil
}

// dbBytes returns the database's size.
func (p *probe) dbBytes(ctx context.Context) (int64, error) {
	switch {
	case p.pg != nil:
		var n int64
		err := p.pg.QueryRow(ctx, "SELECT pg_database_size(current_database())").Scan(&n)
		return n, err
	case p.o.sqlitePath != "":
		return sqliteBytes(p.o.sqlitePath)
	}
	return 0, errors.New("no -pg-url or -sqlite-path")
}

// sqliteBytes adds up a SQLite file and its write-ahead log, or every file
// of a data folder.
func sqliteBytes(path string) (int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	if !fi.IsDir() {
		n := fi.Size()
		if wal, err := os.Stat(path + "-wal"); err == nil {
			n += wal.Size()
		}
		return n, nil
	}
	var n int64
	err = filepath.WalkDir(path, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			n += info.Size()
		}
		return nil
	})
	return n, err
}

// summarize compares the start and the end of the window: the last 45
// minutes, or the last 75 % of a run shorter than an hour.
func summarize(o soakOptions, samples []SoakSample, total time.Duration) *SoakSummary {
	from := total - 45*time.Minute
	if total < time.Hour {
		from = total / 4
	}
	sum := &SoakSummary{Summary: true, DurationSeconds: round(total.Seconds()), TargetRate: o.run.Rate, W6Share: o.w6Share,
		WindowFromSeconds: round(from.Seconds())}
	var win []SoakSample
	for _, s := range samples {
		if s.elapsedSince >= from {
			win = append(win, s)
		}
	}
	if len(win) == 0 {
		return sum
	}
	first, last := win[0], win[len(win)-1]
	sum.RSS = growthOf(first.RSSMB, last.RSSMB)
	sum.HeapInuse = growthOf(first.HeapInuseMB, last.HeapInuseMB)
	sum.Goroutines = growthOf(first.Goroutines, last.Goroutines)
	sum.DB = growthOf(first.DBMB, last.DBMB)
	var p99s []float64
	for _, s := range win {
		if s.CompletedInterval > 0 {
			p99s = append(p99s, s.P99Millis)
			sum.P99MaxMillis = max(sum.P99MaxMillis, s.P99Millis)
		}
	}
	if n := len(p99s) / 3; n > 0 {
		sum.P99FirstMillis, sum.P99LastMillis = median(p99s[:n]), median(p99s[len(p99s)-n:])
	} else if len(p99s) > 0 {
		sum.P99FirstMillis, sum.P99LastMillis = p99s[0], p99s[len(p99s)-1]
	}
	sum.P99Steady = len(p99s) > 0 && sum.P99LastMillis <= max(sum.P99FirstMillis*1.25, sum.P99FirstMillis+5)
	sum.Flat = first.RSSMB > 0 && first.DBMB > 0 && sum.RSS.GrowthPct < 10 && sum.DB.GrowthPct < 10
	return sum
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}
