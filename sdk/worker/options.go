package worker

import (
	"fmt"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// config is what the options set.
type config struct {
	maxJobs         int
	pollTimeout     time.Duration
	jobTimeout      time.Duration
	name            string
	fetch           []string
	autoComplete    bool
	backoff         Backoff
	shutdownTimeout time.Duration
	reportTimeout   time.Duration
	tracer          trace.TracerProvider
	propagator      propagation.TextMapPropagator
	metrics         Metrics
	log             *slog.Logger
	problems        []string
}

func defaults() config {
	return config{
		maxJobs:         32,
		pollTimeout:     30 * time.Second,
		jobTimeout:      5 * time.Minute,
		name:            "wf-go-worker",
		autoComplete:    true,
		backoff:         ExponentialBackoff(time.Second, time.Minute, 3),
		shutdownTimeout: 30 * time.Second,
		reportTimeout:   30 * time.Second,
		propagator:      propagation.TraceContext{},
		metrics:         MetricsFuncs{},
	}
}

// Option configures a Worker.
type Option func(*config)

func (c *config) problem(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

// WithMaxJobsActive bounds the jobs the worker handles at once (default
// 32). The worker activates only as many jobs as it has room for.
func WithMaxJobsActive(n int) Option {
	return func(c *config) {
		if n < 1 {
			c.problem("WithMaxJobsActive: expected at least 1, got %d", n)
			return
		}
		c.maxJobs = n
	}
}

// WithPollTimeout sets how long one activation request waits on the
// server for jobs when none is ready (the long poll; default 30s).
func WithPollTimeout(d time.Duration) Option {
	return func(c *config) {
		if d < time.Millisecond {
			c.problem("WithPollTimeout: expected at least 1ms, got %v", d)
			return
		}
		c.pollTimeout = d
	}
}

// WithJobTimeout sets how long an activated job stays locked to this
// worker (default 5m). After it the engine hands the job to another
// worker, so the handler's context ends then too.
func WithJobTimeout(d time.Duration) Option {
	return func(c *config) {
		if d < time.Millisecond {
			c.problem("WithJobTimeout: expected at least 1ms, got %v", d)
			return
		}
		c.jobTimeout = d
	}
}

// WithName names the worker in activations (default "wf-go-worker"); it
// shows in job searches.
func WithName(name string) Option {
	return func(c *config) {
		if name == "" {
			c.problem("WithName: expected a name, got an empty one")
			return
		}
		c.name = name
	}
}

// WithFetchVariables limits the variables fetched with each job (default:
// all). The variable traceparent is fetched as well, for tracing.
func WithFetchVariables(names ...string) Option {
	return func(c *config) { c.fetch = append(c.fetch, names...) }
}

// WithAutoComplete says whether a handler's nil error completes the job
// (default true). Off, the handler completes jobs itself with the client.
func WithAutoComplete(on bool) Option {
	return func(c *config) { c.autoComplete = on }
}

// WithBackoff sets the back-off of failed jobs (default
// ExponentialBackoff(1s, 1m, 3)).
func WithBackoff(b Backoff) Option {
	return func(c *config) {
		if b == nil {
			c.problem("WithBackoff: expected a back-off, got nil")
			return
		}
		c.backoff = b
	}
}

// WithShutdownTimeout bounds how long Run waits for in-flight jobs after
// its context ends (default 30s); jobs still running then are handed back.
// Close takes its bound from its own context instead.
func WithShutdownTimeout(d time.Duration) Option {
	return func(c *config) {
		if d < 0 {
			c.problem("WithShutdownTimeout: expected a duration of at least 0, got %v", d)
			return
		}
		c.shutdownTimeout = d
	}
}

// WithTracerProvider sets where job spans go (default: the global
// provider, otel.GetTracerProvider(), looked up when the worker runs).
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *config) { c.tracer = tp }
}

// WithPropagator sets how a job's trace context is read from its custom
// headers or variables (default: W3C trace context, traceparent).
func WithPropagator(p propagation.TextMapPropagator) Option {
	return func(c *config) {
		if p != nil {
			c.propagator = p
		}
	}
}

// WithMetrics sets the metrics hooks (default: none).
func WithMetrics(m Metrics) Option {
	return func(c *config) {
		if m != nil {
			c.metrics = m
		}
	}
}

// WithLogger sets the logger (default slog.Default()). The worker logs
// job keys and types, never variables.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.log = l }
}

// tracerProvider returns the configured or the global provider.
func (c *config) tracerProvider() trace.TracerProvider {
	if c.tracer != nil {
		return c.tracer
	}
	return otel.GetTracerProvider()
}
