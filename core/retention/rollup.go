package retention

import (
	"context"
	"time"

	"github.com/example/wf-engine/core/store"
)

// StepUsageRollup is the name of the step that counts started process
// instances for the usage metrics (store.UsageRoller).
const StepUsageRollup = "usage_rollup"

// UsageRollupStep returns the step that counts r's process instances for
// the usage metrics, limit per batch (0: Config.BatchSize), adapting the
// batch size to target when it is positive (see Step.Target). It removes
// nothing; BatchResult.Removed counts the instances counted. It runs
// whatever the history time to live: the counts only make usage cheap.
func UsageRollupStep(r store.UsageRoller, limit int, target time.Duration) Step {
	return Step{
		Name:   StepUsageRollup,
		Limit:  limit,
		Target: target,
		Batch: func(ctx context.Context, _ time.Time, limit int) (BatchResult, error) {
			n, more, err := r.RollUpUsage(ctx, limit)
			return BatchResult{Removed: n, More: more}, err
		},
	}
}

// StepSearchRollup is the name of the step that rolls up the start-date
// key ranges (store.SearchRoller).
const StepSearchRollup = "search_rollup"

// SearchRollupStep returns the step that rolls up r's searches, limit per
// batch (0: Config.BatchSize), adapting the batch size to target when it
// is positive (see Step.Target). It removes nothing; BatchResult.Removed
// counts the rows rolled up. Like the usage rollup it runs whatever the
// history time to live, and before retention.
func SearchRollupStep(r store.SearchRoller, limit int, target time.Duration) Step {
	return Step{
		Name:   StepSearchRollup,
		Limit:  limit,
		Target: target,
		Batch: func(ctx context.Context, _ time.Time, limit int) (BatchResult, error) {
			n, more, err := r.RollUpSearches(ctx, limit)
			return BatchResult{Removed: n, More: more}, err
		},
	}
}
