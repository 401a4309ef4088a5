package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/example/wf-engine/sdk/connector"
)

// Config configures a Runtime. Jobs is required; zero values elsewhere take
// the defaults named on each field.
type Config struct {
	// Jobs is the way to the engine.
	Jobs Jobs
	// Secrets resolves {{secrets.NAME}}; nil: no secrets are configured.
	Secrets SecretSource
	// Logger receives the runtime's logs; nil discards them.
	Logger *slog.Logger
	// Registerer receives the runtime's metrics; nil: a private registry.
	Registerer prometheus.Registerer
	// TracerProvider makes the span around each execution; nil: no spans.
	TracerProvider trace.TracerProvider
	// Now reads the clock for durations and FEEL's now(); nil: time.Now.
	Now func() time.Time
	// Worker is the worker name the jobs are activated with; default
	// "wf-engine-connectors".
	Worker string
	// MaxConcurrent bounds the executions in flight per job type; default 16.
	MaxConcurrent int
	// Timeout bounds one execution; default 60s.
	Timeout time.Duration
	// JobTimeout is how long an activated job stays locked to the runtime;
	// default Timeout plus 30s, so that a job ends by a command of the
	// runtime rather than by the engine's timeout.
	JobTimeout time.Duration
	// PollTimeout is the long-poll wait of one activation request; default 10s.
	PollTimeout time.Duration
	// ErrorBackoff is the wait after a failed activation request; default 1s.
	ErrorBackoff time.Duration
	// ReportTimeout bounds a complete, fail or throw-error command; default 10s.
	ReportTimeout time.Duration
}

func (c *Config) defaults() {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Registerer == nil {
		c.Registerer = prometheus.NewRegistry()
	}
	if c.TracerProvider == nil {
		c.TracerProvider = noop.NewTracerProvider()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Secrets == nil {
		c.Secrets = SecretMap{}
	}
	if c.Worker == "" {
		c.Worker = "wf-engine-connectors"
	}
	if c.MaxConcurrent == 0 {
		c.MaxConcurrent = 16
	}
	if c.Timeout == 0 {
		c.Timeout = 60 * time.Second
	}
	if c.JobTimeout == 0 {
		c.JobTimeout = c.Timeout + 30*time.Second
	}
	if c.PollTimeout == 0 {
		c.PollTimeout = 10 * time.Second
	}
	if c.ErrorBackoff == 0 {
		c.ErrorBackoff = time.Second
	}
	if c.ReportTimeout == 0 {
		c.ReportTimeout = 10 * time.Second
	}
}

func (c *Config) validate() error {
	var problems []string
	if c.Jobs == nil {
		problems = append(problems, "Jobs is nil")
	}
	if c.MaxConcurrent < 1 || c.MaxConcurrent > 10000 {
		problems = append(problems, fmt.Sprintf("MaxConcurrent must be between 1 and 10000, got %d", c.MaxConcurrent))
	}
	for name, d := range map[string]time.Duration{"Timeout": c.Timeout, "JobTimeout": c.JobTimeout, "PollTimeout": c.PollTimeout,
		"ErrorBackoff": c.ErrorBackoff, "ReportTimeout": c.ReportTimeout} {
		if d < 0 {
			problems = append(problems, fmt.Sprintf("%s must not be negative, got %s", name, d))
		}
	}
	if c.JobTimeout > 0 && c.JobTimeout < c.Timeout {
		problems = append(problems, fmt.Sprintf("JobTimeout (%s) must be at least Timeout (%s)", c.JobTimeout, c.Timeout))
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Errorf("connector runtime: %s", strings.Join(problems, "; "))
	}
	return nil
}

// Runtime runs registered connectors as job workers. Register them, then
// Start; Stop ends it.
type Runtime struct {
	cfg     Config
	log     *slog.Logger
	metrics *metrics
	tracer  trace.Tracer
	exprs   exprCache

	mu      sync.Mutex
	byType  map[string]*registration
	started bool
	stopped bool

	loops      sync.WaitGroup
	execs      sync.WaitGroup
	stopPoll   context.CancelFunc
	stopExec   context.CancelFunc
	stoppingCh chan struct{}
}

// registration is one connector and the job types it serves.
type registration struct {
	conn       connector.Connector
	desc       connector.Descriptor
	allSecrets bool
	declared   map[string]bool
}

// Option changes how a connector is registered.
type Option func(*registration)

// AllSecrets lets the connector resolve any configured secret, not only
// those its descriptor declares. It is for generic built-in connectors such
// as the HTTP connector, whose users name their own secrets.
func AllSecrets() Option { return func(r *registration) { r.allSecrets = true } }

// New makes a runtime.
func New(cfg Config) (*Runtime, error) {
	cfg.defaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	m, err := newMetrics(cfg.Registerer)
	if err != nil {
		return nil, fmt.Errorf("connector runtime: register metrics: %w", err)
	}
	return &Runtime{
		cfg: cfg, log: cfg.Logger, metrics: m,
		tracer: cfg.TracerProvider.Tracer("github.com/example/wf-engine/connectors/runtime"),
		byType: map[string]*registration{}, stoppingCh: make(chan struct{}),
	}, nil
}

// Register adds a connector for the job types its descriptor names. It
// refuses an invalid descriptor, a job type another connector already
// serves, and registration after Start.
func (r *Runtime) Register(c connector.Connector, opts ...Option) error {
	if c == nil {
		return errors.New("register connector: it is nil")
	}
	d := c.Describe()
	if err := d.Validate(); err != nil {
		return fmt.Errorf("register connector: %w", err)
	}
	reg := &registration{conn: c, desc: d, declared: map[string]bool{}}
	for _, s := range d.Secrets {
		reg.declared[s] = true
	}
	for _, o := range opts {
		o(reg)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started {
		return fmt.Errorf("register connector %s: the runtime has started", d.ID)
	}
	for _, t := range d.JobTypes {
		if other, ok := r.byType[t]; ok {
			return fmt.Errorf("register connector %s: job type %q is already served by connector %s", d.ID, t, other.desc.ID)
		}
	}
	for _, t := range d.JobTypes {
		r.byType[t] = reg
	}
	return nil
}

// JobTypes lists the registered job types, sorted.
func (r *Runtime) JobTypes() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.byType))
	for t := range r.byType {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// Start starts one activation loop per registered job type. The loops run
// until Stop; ctx carries values only (its cancellation also stops them).
func (r *Runtime) Start(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started {
		return errors.New("connector runtime: already started")
	}
	r.started = true
	pollCtx, stopPoll := context.WithCancel(ctx)
	execCtx, stopExec := context.WithCancel(context.WithoutCancel(ctx))
	r.stopPoll, r.stopExec = stopPoll, stopExec
	types := make([]string, 0, len(r.byType))
	for t := range r.byType {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		l := &loop{r: r, jobType: t, reg: r.byType[t], slots: make(chan struct{}, r.cfg.MaxConcurrent)}
		r.loops.Add(1)
		go func() {
			defer r.loops.Done()
			l.run(pollCtx, execCtx)
		}()
	}
	r.log.Info("connector runtime started", "job_types", types, "max_concurrent", r.cfg.MaxConcurrent, "timeout", r.cfg.Timeout.String())
	return nil
}

// Stop stops activating jobs and waits for the executions in flight until
// ctx ends; then it cancels those still running, which report their jobs
// as failed without using up a retry. It returns an error when some
// execution did not return after its cancellation within ReportTimeout.
func (r *Runtime) Stop(ctx context.Context) error {
	r.mu.Lock()
	if !r.started || r.stopped {
		r.stopped = true
		r.mu.Unlock()
		return nil
	}
	r.stopped = true
	close(r.stoppingCh)
	r.mu.Unlock()
	r.stopPoll()
	r.loops.Wait()
	done := make(chan struct{})
	go func() {
		r.execs.Wait()
		close(done)
	}()
	select {
	case <-done:
		r.stopExec()
		r.log.Info("connector runtime stopped")
		return nil
	case <-ctx.Done():
	}
	r.stopExec()
	t := time.NewTimer(r.cfg.ReportTimeout)
	defer t.Stop()
	select {
	case <-done:
		r.log.Info("connector runtime stopped; executions in flight were cancelled")
		return nil
	case <-t.C:
		return errors.New("connector runtime: executions still running after they were cancelled")
	}
}

func (r *Runtime) stopping() bool {
	select {
	case <-r.stoppingCh:
		return true
	default:
		return false
	}
}

// loop activates and executes the jobs of one type.
type loop struct {
	r       *Runtime
	jobType string
	reg     *registration
	slots   chan struct{} // one token per execution in flight
}

func (l *loop) run(pollCtx, execCtx context.Context) {
	r := l.r
	for {
		// Wait for one free slot, then take every other free one.
		select {
		case l.slots <- struct{}{}:
		case <-pollCtx.Done():
			return
		}
		n := 1
	more:
		for n < cap(l.slots) {
			select {
			case l.slots <- struct{}{}:
				n++
			default:
				break more
			}
		}
		jobs, err := r.cfg.Jobs.Activate(pollCtx, ActivateRequest{
			Type: l.jobType, Worker: r.cfg.Worker, MaxJobs: int32(n), Timeout: r.cfg.JobTimeout, RequestTimeout: r.cfg.PollTimeout,
		})
		if len(jobs) > n {
			// Never more than asked for; refuse to overrun the bound.
			r.log.Error("job activation returned more jobs than asked for", "job_type", l.jobType, "asked", n, "got", len(jobs))
			jobs = jobs[:n]
		}
		for i := len(jobs); i < n; i++ {
			<-l.slots
		}
		for _, j := range jobs {
			r.execs.Add(1)
			go func() {
				defer func() {
					<-l.slots
					r.execs.Done()
				}()
				r.execute(execCtx, l.reg, j)
			}()
		}
		if err != nil {
			if pollCtx.Err() != nil {
				return
			}
			r.metrics.activationErrors.WithLabelValues(l.jobType).Inc()
			r.log.Warn("activate jobs", "job_type", l.jobType, "error", err.Error())
			t := time.NewTimer(r.cfg.ErrorBackoff)
			select {
			case <-t.C:
			case <-pollCtx.Done():
				t.Stop()
				return
			}
		}
	}
}
