package retention

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/example/wf-engine/core/clock"
)

// Step is one kind of work of the runner, done in batches: removing
// finished instances, compacting the log. A step owns what is "due"; the
// runner owns when it runs, how large its batches are and what is
// reported.
type Step struct {
	// Name labels the step in metrics and logs ("instances", "log").
	Name string
	// Batch removes, in one transaction, up to limit units that are due at
	// now, and reports what it did.
	Batch func(ctx context.Context, now time.Time, limit int) (BatchResult, error)
	// Backlog, when set, returns how far the step is behind after a run:
	// how long ago the oldest unit still due became due (0: none is).
	Backlog func(ctx context.Context, now time.Time) (time.Duration, error)
	// Limit is the most units one batch removes; 0: Config.BatchSize.
	Limit int
	// Target, when positive, adapts the batch size to a duration: after a
	// batch that took (or held, see BatchResult.Held) longer than Target
	// the next limit is halved (down to 1), after one that took less than
	// half of it the limit doubles (up to Limit). SQLite's step uses it to
	// hold the writer only briefly.
	Target time.Duration
}

// BatchResult is what one batch of a step did.
type BatchResult struct {
	// Removed counts the units removed.
	Removed int
	// More is true when more units may be due (the limit stopped the
	// batch).
	More bool
	// Held is how long the batch held what it shares with the commits
	// (SQLite's writer connection), without waiting for it; 0: the
	// runner adapts to the batch's whole duration.
	Held time.Duration
}

// Observer is told what the runner did, for metrics. Its methods must not
// block.
type Observer interface {
	// ObserveRetentionBatch reports one batch of a step: units removed,
	// the batch's duration and its error.
	ObserveRetentionBatch(step string, removed int, took time.Duration, err error)
	// ObserveRetentionRun reports the end of a step's run at a time on the
	// runner's clock, with its backlog (see Step.Backlog; 0 when unknown).
	ObserveRetentionRun(step string, at time.Time, backlog time.Duration)
}

// Runner runs steps every Config.Interval until its context ends. It is
// not for the engine's processing goroutine: run it on its own.
type Runner struct {
	cfg   Config
	clock clock.Clock
	obs   Observer
	log   *slog.Logger
	steps []*stepState
	// stopwatch starts a measurement of a batch; tests replace it.
	stopwatch func() func() time.Duration
}

type stepState struct {
	Step
	limit int // the adapted limit of the next batch
}

// NewRunner returns a runner of steps. clk tells the time steps compare
// against and paces the runs; obs and log may be nil.
func NewRunner(cfg Config, clk clock.Clock, obs Observer, log *slog.Logger, steps ...Step) (*Runner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Runner{cfg: cfg, clock: clk, obs: obs, log: log, stopwatch: wallStopwatch}
	for _, s := range steps {
		if s.Name == "" || s.Batch == nil {
			return nil, fmt.Errorf("retention step %q: a step needs a name and a batch function", s.Name)
		}
		if s.Limit <= 0 {
			s.Limit = cfg.batchSize()
		}
		r.steps = append(r.steps, &stepState{Step: s, limit: s.Limit})
	}
	return r, nil
}

func wallStopwatch() func() time.Duration {
	start := time.Now()
	return func() time.Duration { return time.Since(start) }
}

// Run runs the steps at once and then every interval, until ctx ends; it
// returns ctx's error. Failing batches are logged and retried at the next
// run.
func (r *Runner) Run(ctx context.Context) error {
	for {
		start := r.clock.Now()
		r.RunOnce(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// Waiting for a deadline (not a fresh interval) lets a clock that
		// moved on during the run wake the runner at once.
		wait := start.Add(r.cfg.interval()).Sub(r.clock.Now())
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-r.clock.After(wait):
		}
	}
}

// RunOnce runs every step until nothing is due, a batch fails or ctx
// ends, and returns the units each step removed, by name.
func (r *Runner) RunOnce(ctx context.Context) map[string]int {
	removed := make(map[string]int, len(r.steps))
	for _, s := range r.steps {
		removed[s.Name] = r.runStep(ctx, s)
	}
	return removed
}

func (r *Runner) runStep(ctx context.Context, s *stepState) int {
	now := r.clock.Now()
	total := 0
	for ctx.Err() == nil {
		stop := r.stopwatch()
		res, err := s.Batch(ctx, now, s.limit)
		took := stop()
		n := res.Removed
		total += n
		if r.obs != nil {
			r.obs.ObserveRetentionBatch(s.Name, n, took, err)
		}
		if err != nil {
			if ctx.Err() == nil {
				r.log.Warn("retention batch failed", "step", s.Name, "limit", s.limit, "err", err)
			}
			break
		}
		held := took
		if res.Held > 0 {
			held = res.Held
		}
		s.limit = adapt(s.limit, s.Limit, held, s.Target)
		if !res.More || n == 0 {
			break
		}
	}
	if ctx.Err() != nil {
		return total
	}
	var backlog time.Duration
	if s.Backlog != nil {
		b, err := s.Backlog(ctx, r.clock.Now())
		if err != nil {
			r.log.Warn("retention backlog failed", "step", s.Name, "err", err)
		}
		backlog = b
	}
	if r.obs != nil {
		r.obs.ObserveRetentionRun(s.Name, r.clock.Now(), backlog)
	}
	if total > 0 {
		r.log.Info("retention removed", "step", s.Name, "removed", total)
	}
	return total
}

// adapt returns the size of the next batch after one of size that took
// took, for a target duration (0: no adapting) and a largest size.
func adapt(size, largest int, took, target time.Duration) int {
	switch {
	case target <= 0:
	case took > target && size > 1:
		return size / 2
	case took < target/2 && size < largest:
		return min(size*2, largest)
	}
	return size
}
