package host

import "time"

// Option adjusts a Host.
type Option func(*options)

type options struct {
	healthInterval time.Duration
	pingTimeout    time.Duration
	startTimeout   time.Duration
	backoffMin     time.Duration
	backoffMax     time.Duration
	stableAfter    time.Duration
	stopGrace      time.Duration
	// skipDescriptorCheck lets Check start a plugin with an invalid
	// descriptor so that it can report it as a failed check.
	skipDescriptorCheck bool
}

func defaultOptions() options {
	return options{
		healthInterval: 5 * time.Second,
		pingTimeout:    5 * time.Second,
		startTimeout:   30 * time.Second,
		backoffMin:     200 * time.Millisecond,
		backoffMax:     30 * time.Second,
		stableAfter:    time.Minute,
		stopGrace:      5 * time.Second,
	}
}

// WithHealthInterval sets how often each plugin is pinged (default 5s).
func WithHealthInterval(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.healthInterval = d
		}
	}
}

// WithStartTimeout sets how long a plugin may take to start and describe
// itself (default 30s).
func WithStartTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.startTimeout = d
		}
	}
}

// WithRestartBackoff sets the wait before the first restart attempt after a
// crash and its ceiling (defaults 200ms and 30s). The wait doubles with every
// failed attempt and with every crash of a plugin that ran less than a
// minute; it starts over after a plugin ran longer.
func WithRestartBackoff(initial, ceiling time.Duration) Option {
	return func(o *options) {
		if initial > 0 {
			o.backoffMin = initial
		}
		if ceiling >= o.backoffMin {
			o.backoffMax = ceiling
		}
	}
}

// nextBackoff doubles d up to ceiling.
func nextBackoff(d, ceiling time.Duration) time.Duration {
	if d >= ceiling/2 {
		return ceiling
	}
	return 2 * d
}
