package retention

import (
	"context"
	"time"

	"github.com/example/wf-engine/core/store"
)

// StepInstances is the name of the step that removes finished instances.
const StepInstances = "instances"

// Policy returns the retention policy of cfg at now: an instance is due
// when it ended more than its process's TTL before now; a TTL of 0 keeps.
func (c Config) Policy(now time.Time) store.RetentionPolicy {
	p := store.RetentionPolicy{}
	if c.HistoryTTL > 0 {
		p.Cutoff = now.Add(-c.HistoryTTL)
	}
	if len(c.PerProcess) > 0 {
		p.PerProcess = make(map[string]time.Time, len(c.PerProcess))
		for id, ttl := range c.PerProcess {
			var cut time.Time
			if ttl > 0 {
				cut = now.Add(-ttl)
			}
			p.PerProcess[id] = cut
		}
	}
	return p
}

// keepsAll reports whether no instance can ever be due under c.
func (c Config) keepsAll() bool {
	if c.HistoryTTL > 0 {
		return false
	}
	for _, ttl := range c.PerProcess {
		if ttl > 0 {
			return false
		}
	}
	return true
}

// InstanceStep returns the step that removes the finished process
// instances due under cfg from r, limit instances per batch (0:
// cfg.BatchSize), adapting the batch size to target when it is positive
// (see Step.Target) by the time each batch held the store
// (store.RemovalResult.Held: SQLite's writer). With nothing to remove
// (every TTL 0) its batches do nothing.
func InstanceStep(r store.Retainer, cfg Config, limit int, target time.Duration) Step {
	return Step{
		Name:   StepInstances,
		Limit:  limit,
		Target: target,
		Batch: func(ctx context.Context, now time.Time, limit int) (BatchResult, error) {
			if cfg.keepsAll() {
				return BatchResult{}, nil
			}
			res, err := r.RemoveFinished(ctx, cfg.Policy(now), limit)
			return BatchResult{Removed: res.Instances, More: res.More, Held: res.Held}, err
		},
		Backlog: func(ctx context.Context, now time.Time) (time.Duration, error) {
			if cfg.keepsAll() {
				return 0, nil
			}
			return r.Overdue(ctx, cfg.Policy(now))
		},
	}
}
