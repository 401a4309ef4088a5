package worker

import (
	"time"
)

// Backoff returns how long a failed job waits before its next attempt.
// job.Retries counts the retries the job had before this failure.
type Backoff func(job Job) time.Duration

// ConstantBackoff waits the same time after every failure.
func ConstantBackoff(d time.Duration) Backoff {
	return func(Job) time.Duration { return d }
}

// ExponentialBackoff doubles the wait with each failure, from initial up to
// maxWait. It counts failures from the retries left, assuming the task starts
// with `retries` (zeebe:taskDefinition retries, 3 when unset): the first
// failure waits initial, the second twice that, and so on.
func ExponentialBackoff(initial, maxWait time.Duration, retries int32) Backoff {
	return func(job Job) time.Duration {
		failures := retries - job.Retries // 0 for the first failure
		d := initial
		for i := int32(0); i < failures && d < maxWait; i++ {
			d *= 2
		}
		return min(d, maxWait)
	}
}

// pollBackoff is the wait after the n-th failed activation in a row.
func pollBackoff(n int) time.Duration {
	d := 100 * time.Millisecond
	for i := 1; i < n && d < 5*time.Second; i++ {
		d *= 2
	}
	return min(d, 5*time.Second)
}
