package client

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryPolicy says how often and how long the client retries a request
// that is safe to repeat when the server answers 429 (overloaded) or 503
// (unavailable).
type RetryPolicy struct {
	// MaxAttempts bounds the attempts of one request, the first included.
	// 1 turns retries off; 0 means the default (4).
	MaxAttempts int
	// InitialBackoff is the wait before the second attempt when the server
	// names none with Retry-After (default 100ms).
	InitialBackoff time.Duration
	// MaxBackoff caps the exponential back-off (default 5s).
	MaxBackoff time.Duration
	// Multiplier grows the back-off after each attempt (default 2).
	Multiplier float64
	// MaxRetryAfter is the longest Retry-After the client waits for; a
	// longer one ends the retries and returns the answer (default 1m).
	MaxRetryAfter time.Duration
}

// DefaultRetryPolicy is the policy of a client made without WithRetry.
var DefaultRetryPolicy = RetryPolicy{
	MaxAttempts:    4,
	InitialBackoff: 100 * time.Millisecond,
	MaxBackoff:     5 * time.Second,
	Multiplier:     2,
	MaxRetryAfter:  time.Minute,
}

// withDefaults fills the unset fields from DefaultRetryPolicy.
func (p RetryPolicy) withDefaults() RetryPolicy {
	d := DefaultRetryPolicy
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = d.MaxAttempts
	}
	if p.InitialBackoff <= 0 {
		p.InitialBackoff = d.InitialBackoff
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = d.MaxBackoff
	}
	if p.MaxBackoff < p.InitialBackoff {
		p.MaxBackoff = p.InitialBackoff
	}
	if p.Multiplier < 1 {
		p.Multiplier = d.Multiplier
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = d.MaxRetryAfter
	}
	return p
}

// backoff is the wait after the given failed attempt (1 for the first):
// exponential, capped, with the upper half jittered so that many clients
// do not retry in step.
func (p RetryPolicy) backoff(attempt int) time.Duration {
	d := float64(p.InitialBackoff)
	for i := 1; i < attempt && d < float64(p.MaxBackoff); i++ {
		d *= p.Multiplier
	}
	wait := time.Duration(min(d, float64(p.MaxBackoff)))
	half := wait / 2
	if half <= 0 {
		return wait
	}
	return half + rand.N(half+1) // #nosec G404 -- jitter needs no cryptographic randomness
}

// retryStatus says whether an answer's status asks for a later retry.
func retryStatus(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable
}

// parseRetryAfter reads a Retry-After header: delay seconds or an HTTP
// date. It returns false when the header is absent or unreadable.
func parseRetryAfter(h string, now time.Time) (time.Duration, bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(h, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, int64(365*24*time.Hour/time.Second))) * time.Second, true
	}
	t, err := http.ParseTime(h)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}
