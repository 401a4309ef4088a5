package retention

import (
	"context"
	"time"

	"github.com/example/wf-engine/core/store"
)

// StepIdempotencyKeys is the name of the step that removes expired
// Idempotency-Key answers.
const StepIdempotencyKeys = "idempotency_keys"

// IdempotencyStep returns the step that removes from k the Idempotency-Key
// answers recorded more than ttl (http.idempotency_ttl) before now, oldest
// first, limit per batch (0: Config.BatchSize), adapting the batch size to
// target when it is positive (see Step.Target). The engine already
// ignores expired answers; the step only reclaims their rows. A ttl of 0
// keeps every answer.
func IdempotencyStep(k store.IdempotencyKeys, ttl time.Duration, limit int, target time.Duration) Step {
	return Step{
		Name:   StepIdempotencyKeys,
		Limit:  limit,
		Target: target,
		Batch: func(ctx context.Context, now time.Time, limit int) (BatchResult, error) {
			if ttl <= 0 {
				return BatchResult{}, nil
			}
			n, err := k.ExpireIdempotencyKeys(ctx, now.Add(-ttl), limit)
			return BatchResult{Removed: n, More: n >= limit}, err
		},
	}
}
