package main

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/example/wf-engine/api/telemetry"
	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/retention"
	"github.com/example/wf-engine/core/store"
)

// RetentionConfig configures the removal of finished instances after their
// history time to live and the compaction of the command log
// (core/retention).
type RetentionConfig struct {
	// HistoryTTL is how long a completed or terminated process instance
	// stays after its end; 0 keeps everything.
	HistoryTTL time.Duration `koanf:"history_ttl"`
	// PerProcess overrides HistoryTTL by BPMN process id (a duration such
	// as "48h", or 0 to keep); YAML only.
	PerProcess map[string]any `koanf:"per_process"`
	// LogTTL is how long command log segments stay; 0 keeps them.
	LogTTL time.Duration `koanf:"log_ttl"`
	// ArchiveDir receives compacted log segments as compressed files;
	// empty: they are deleted.
	ArchiveDir string `koanf:"archive_dir"`
	// Interval is the time between two retention runs.
	Interval time.Duration `koanf:"interval"`
	// BatchSize is the most instances one removal batch (one transaction)
	// removes; SQLite's batches shrink below it to hold the writer at most
	// about retentionSQLiteTarget.
	BatchSize int `koanf:"batch_size"`
}

// retentionSQLiteTarget is how long one removal batch may hold SQLite's
// only writer connection (commits wait meanwhile).
const retentionSQLiteTarget = 5 * time.Millisecond

func defaultRetentionConfig() RetentionConfig {
	d := retention.DefaultConfig()
	return RetentionConfig{HistoryTTL: d.HistoryTTL, LogTTL: d.LogTTL, Interval: d.Interval, BatchSize: d.BatchSize, PerProcess: map[string]any{}}
}

func retentionFlags(fs *pflag.FlagSet, d RetentionConfig) {
	fs.Duration("retention.history_ttl", d.HistoryTTL, "how long a completed or terminated process instance stays after it ended (0: keep everything); retention.per_process overrides it by process id (YAML)")
	fs.Duration("retention.log_ttl", d.LogTTL, "how long command log segments stay before compaction deletes or archives them (0: keep)")
	fs.String("retention.archive_dir", d.ArchiveDir, "directory that receives compacted log segments as compressed files (empty: delete them)")
	fs.Duration("retention.interval", d.Interval, "time between two retention runs")
	fs.Int("retention.batch_size", d.BatchSize, "most instances one removal batch (one transaction) removes")
}

// openRetentionKey reports keys below retention that hold process ids.
func openRetentionKey(key string) bool { return strings.HasPrefix(key, "retention.per_process.") }

// runnerConfig converts the configuration; its error names the key.
func (c RetentionConfig) runnerConfig() (retention.Config, error) {
	rc := retention.Config{HistoryTTL: c.HistoryTTL, LogTTL: c.LogTTL, ArchiveDir: c.ArchiveDir, Interval: c.Interval, BatchSize: c.BatchSize}
	ids := make([]string, 0, len(c.PerProcess))
	for id := range c.PerProcess {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		d, err := parseTTL(c.PerProcess[id])
		if err != nil {
			return retention.Config{}, fmt.Errorf("retention.per_process.%s: %w", id, err)
		}
		if rc.PerProcess == nil {
			rc.PerProcess = map[string]time.Duration{}
		}
		rc.PerProcess[id] = d
	}
	if err := rc.Validate(); err != nil {
		return retention.Config{}, err
	}
	return rc, nil
}

// parseTTL reads a per-process TTL: a duration text or the number 0.
func parseTTL(v any) (time.Duration, error) {
	switch t := v.(type) {
	case string:
		if n, err := strconv.ParseInt(t, 10, 64); err == nil && n == 0 {
			return 0, nil
		}
		d, err := time.ParseDuration(t)
		if err != nil {
			return 0, fmt.Errorf("expected a duration such as 720h or 0, got %q", t)
		}
		return d, nil
	case int:
		if t == 0 {
			return 0, nil
		}
	case int64:
		if t == 0 {
			return 0, nil
		}
	case float64:
		if t == 0 {
			return 0, nil
		}
	case time.Duration:
		return t, nil
	}
	return 0, fmt.Errorf("expected a duration such as 720h or 0, got %v", v)
}

// validate adds what is wrong with the retention configuration.
func (c RetentionConfig) validate(add func(format string, args ...any)) {
	if _, err := c.runnerConfig(); err != nil {
		add("%v", err)
	}
	if c.Interval <= 0 {
		add("retention.interval: must be positive, got %s", c.Interval)
	}
	if c.BatchSize < 1 || c.BatchSize > 10000 {
		add("retention.batch_size: must be between 1 and 10000, got %d", c.BatchSize)
	}
}

// usageRollupBatch is the most process instances one batch of the usage
// rollup counts: counting reads the rows and upserts a few minutes' counts,
// far cheaper per instance than removing one. Usage reads the instances
// committed since the last rollup from their rows, so each run catches up.
const usageRollupBatch = 20000

// startRetention runs the retention runner on its own goroutine until the
// returned stop is called (before the engine stops and the store closes).
// idempotencyTTL is http.idempotency_ttl: older Idempotency-Key answers
// are removed too. logs are the partitions' stores (the store itself with
// one partition): each partition's log is compacted on its own. runs,
// when set, tells whether partition p runs on this node (several nodes on
// one database): a partition's log is compacted only where it runs, and
// the shared tables only where partition 1 runs.
func startRetention(ctx context.Context, c RetentionConfig, idempotencyTTL time.Duration, kind storeKind, s store.Store, logs []store.Store, clk clock.Clock,
	metrics *telemetry.Metrics, log *slog.Logger, runs func(p int32) bool) (stop func(), err error) {
	rc, err := c.runnerConfig()
	if err != nil {
		return nil, err
	}
	r, ok := s.(store.Retainer)
	if !ok {
		log.Warn("the store cannot remove finished instances; retention is off", "store", string(kind))
		return func() {}, nil
	}
	var target time.Duration
	if kind == storeSQLite {
		target = retentionSQLiteTarget
	}
	var obs retention.Observer
	if metrics != nil {
		obs = metrics
	}
	// Finished instances are removed once for every partition (the state
	// tables are shared); each partition's log is compacted on its own.
	steps := []retention.Step{retention.InstanceStep(r, rc, 0, target)}
	gated := map[int]bool{}
	for i, l := range logs {
		if steps, err = withLogStep(l, rc, metrics, target, log, steps...); err != nil {
			return nil, err
		}
		if last := len(steps) - 1; runs != nil && last > 0 && !gated[last] {
			steps[last], gated[last] = onlyWhere(runs, int32(i+1), steps[last]), true // #nosec G115 -- at most 4,095 partitions
		}
	}
	// The shared tables: where partition 1 runs.
	gate := func(step retention.Step) retention.Step {
		if runs == nil {
			return step
		}
		return onlyWhere(runs, 1, step)
	}
	for i := range steps {
		if !gated[i] {
			steps[i] = gate(steps[i])
		}
	}
	if u, ok := s.(store.UsageRoller); ok {
		// Before retention, so that it removes counted instances.
		steps = append([]retention.Step{gate(retention.UsageRollupStep(u, usageRollupBatch, target))}, steps...)
	}
	if sr, ok := s.(store.SearchRoller); ok {
		// Before retention too: it subtracts the counted instances it removes.
		steps = append([]retention.Step{gate(retention.SearchRollupStep(sr, usageRollupBatch, target))}, steps...)
	}
	if k, ok := s.(store.IdempotencyKeys); ok && idempotencyTTL > 0 {
		steps = append(steps, gate(retention.IdempotencyStep(k, idempotencyTTL, 0, target)))
	}
	runner, err := retention.NewRunner(rc, clk, obs, log, steps...)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = runner.Run(ctx)
	}()
	log.Info("retention started", "history_ttl", rc.HistoryTTL.String(), "per_process", len(rc.PerProcess), "interval", rc.Interval.String())
	return func() { cancel(); <-done }, nil
}

// onlyWhere runs step only while partition p runs on this node.
func onlyWhere(runs func(p int32) bool, p int32, step retention.Step) retention.Step {
	batch, backlog := step.Batch, step.Backlog
	step.Batch = func(ctx context.Context, now time.Time, limit int) (retention.BatchResult, error) {
		if !runs(p) {
			return retention.BatchResult{}, nil
		}
		return batch(ctx, now, limit)
	}
	if backlog != nil {
		step.Backlog = func(ctx context.Context, now time.Time) (time.Duration, error) {
			if !runs(p) {
				return 0, nil
			}
			return backlog(ctx, now)
		}
	}
	return step
}
