package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/trace"
	"golang.org/x/oauth2"

	"github.com/example/wf-engine/sdk/client"
)

// Worker activates jobs of one type and hands them to a handler. Create it
// with New, start it with Run, stop it with Close or by ending Run's
// context.
type Worker struct {
	c       *client.Client
	jobType string
	h       Handler
	cfg     config
	err     error
	tracer  trace.Tracer
	// refused is set by the poll loop when the engine or the token
	// endpoint refused the worker's credentials or roles.
	refused error

	started  atomic.Bool
	stop     chan struct{} // closed by Close
	stopOnce sync.Once
	polled   chan struct{} // closed when the poll loop has ended
	slots    chan struct{} // one token per job being handled

	mu       sync.Mutex
	inflight map[int64]*running

	handlers sync.WaitGroup // handler goroutines
	reports  sync.WaitGroup // outcome reports under way

	draining atomic.Bool
	drained  chan struct{} // closed when the shutdown is over
	drainErr error
}

// running is a job being handled.
type running struct {
	job    Job
	cancel context.CancelFunc
	state  jobState
}

// jobState is where a running job is.
type jobState uint8

const (
	stateHandling  jobState = iota + 1 // the handler runs
	stateReporting                     // its outcome is being sent
	stateAbandoned                     // a shutdown handed it back
)

// New returns a worker for jobs of jobType. It does nothing until Run. A
// mistake in the arguments or options is returned by Run.
func New(c *client.Client, jobType string, handler Handler, opts ...Option) *Worker {
	cfg := defaults()
	for _, o := range opts {
		o(&cfg)
	}
	if c == nil {
		cfg.problem("expected a client, got nil")
	}
	if strings.TrimSpace(jobType) == "" {
		cfg.problem("expected a job type, got an empty one")
	}
	if handler == nil {
		cfg.problem("expected a handler, got nil")
	}
	if cfg.log == nil {
		cfg.log = slog.Default()
	}
	if len(cfg.fetch) > 0 {
		for _, n := range []string{traceparent, tracestate} {
			if !slices.Contains(cfg.fetch, n) {
				cfg.fetch = append(cfg.fetch, n)
			}
		}
	}
	w := &Worker{
		c: c, jobType: jobType, h: handler, cfg: cfg,
		stop: make(chan struct{}), polled: make(chan struct{}), drained: make(chan struct{}),
		slots: make(chan struct{}, cfg.maxJobs), inflight: map[int64]*running{},
	}
	if len(cfg.problems) > 0 {
		w.err = fmt.Errorf("worker for %q: %s", jobType, strings.Join(cfg.problems, "; "))
	}
	w.cfg.log = cfg.log.With("job_type", jobType, "worker", cfg.name)
	return w
}

// Run activates and handles jobs until ctx ends or Close is called. When
// ctx ends, Run stops activating, waits for the jobs in flight (at most the
// shutdown timeout, WithShutdownTimeout), hands back those still running
// with their retries unchanged, and returns. It returns nil after a
// graceful stop, and an error when the worker is misconfigured, already
// ran, or had to hand jobs back.
//
// When the engine refuses the worker's credentials (401) or its roles
// (403), or the OAuth2 token endpoint refuses the client, retrying cannot
// help: Run stops activating, waits for the jobs in flight as on a
// shutdown, and returns an error that holds the *client.Problem (or the
// *client.CredentialsError), rather than retrying for ever. A 401 the
// client can cure by fetching a new token (see client.Renewer) never gets
// here.
func (w *Worker) Run(ctx context.Context) error {
	if w.err != nil {
		return w.err
	}
	if !w.started.CompareAndSwap(false, true) {
		return fmt.Errorf("worker for %q: Run was already called", w.jobType)
	}
	w.tracer = w.cfg.tracerProvider().Tracer(tracerName)
	w.poll(ctx)
	close(w.polled)
	if w.refused != nil {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.cfg.shutdownTimeout)
		defer cancel()
		w.stopOnce.Do(func() { close(w.stop) })
		return errors.Join(w.refused, w.drain(sctx))
	}
	select {
	case <-w.stop:
		// Close drains; Run returns when it is done.
		<-w.drained
		return nil
	default:
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.cfg.shutdownTimeout)
	defer cancel()
	w.stopOnce.Do(func() { close(w.stop) })
	return w.drain(sctx)
}

// Close stops the worker: it stops activating jobs and waits for the jobs
// in flight to finish. If ctx ends first, it cancels their handlers' contexts
// and fails each with its retries unchanged, so that the engine hands it
// out again at once; then it returns an error saying how many. It returns
// nil after a graceful stop. Close may be called before, during or after
// Run, and more than once.
func (w *Worker) Close(ctx context.Context) error {
	w.stopOnce.Do(func() { close(w.stop) })
	return w.drain(ctx)
}

// drain waits for the poll loop and the jobs in flight. The first caller
// does the work, bounded by its ctx (and the time to hand jobs back);
// later callers wait for its result or their own ctx.
func (w *Worker) drain(ctx context.Context) error {
	if w.draining.CompareAndSwap(false, true) {
		w.drainErr = w.shutdown(ctx)
		close(w.drained)
		return w.drainErr
	}
	select {
	case <-w.drained:
		return w.drainErr
	case <-ctx.Done():
		return fmt.Errorf("worker for %q: waiting for the shutdown: %w", w.jobType, ctx.Err())
	}
}

// shutdown is the body of drain.
func (w *Worker) shutdown(ctx context.Context) error {
	if w.started.Load() {
		select {
		case <-w.polled:
		case <-ctx.Done():
			// The poll loop ends promptly once stop is closed; wait for it
			// so that no job is dispatched behind our back.
			<-w.polled
		}
	}
	idle := make(chan struct{})
	go func() {
		w.handlers.Wait()
		close(idle)
	}()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
	}
	return w.requeue(context.WithoutCancel(ctx))
}

// requeue hands back the jobs whose handlers still run: it cancels their
// contexts and fails them with their retries unchanged and no back-off.
func (w *Worker) requeue(ctx context.Context) error {
	w.mu.Lock()
	var jobs []Job
	for _, r := range w.inflight {
		if r.state == stateHandling {
			r.state = stateAbandoned
			r.cancel()
			jobs = append(jobs, r.job)
		}
	}
	w.mu.Unlock()
	errs := w.handBack(ctx, jobs)
	// Outcomes already under way finish within their own time limit.
	w.reports.Wait()
	err := fmt.Errorf("worker for %q: shutdown deadline passed with %d jobs running; handed them back", w.jobType, len(jobs))
	return errors.Join(append([]error{err}, errs...)...)
}

// handBack fails jobs with their retries unchanged and no back-off, so
// that the engine hands them out again at once.
func (w *Worker) handBack(ctx context.Context, jobs []Job) []error {
	var errs []error
	for _, j := range jobs {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.cfg.reportTimeout)
		err := w.c.FailJob(rctx, j.JobKey, client.FailJobRequest{
			Retries:      j.Retries,
			ErrorMessage: fmt.Sprintf("worker %s handed the job back unfinished (shutdown); retries unchanged", w.cfg.name),
		})
		cancel()
		if err != nil {
			w.cfg.log.Error("hand back job", "job_key", j.JobKey, "error", err)
			errs = append(errs, fmt.Errorf("hand back job %d: %w", j.JobKey, err))
			continue
		}
		w.cfg.metrics.JobRequeued(w.jobType)
	}
	return errs
}

// activationMargin is how much longer than the long poll an activation
// request may take.
const activationMargin = 10 * time.Second

// poll activates jobs while there is room for them, until ctx ends or
// stop is closed.
func (w *Worker) poll(ctx context.Context) {
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-w.stop:
			cancel()
		case <-pctx.Done():
		}
	}()
	failures := 0
	for {
		select {
		case <-w.stop:
			return
		default:
		}
		free := w.acquire(pctx)
		if free == 0 {
			return
		}
		began := time.Now()
		// The server answers within the long poll; the margin covers a
		// slow network, and the bound a server that never answers.
		actx, cancel := context.WithTimeout(pctx, w.cfg.pollTimeout+activationMargin)
		jobs, err := w.c.ActivateJobs(actx, client.ActivateJobsRequest{
			Type: w.jobType, Worker: w.cfg.name, Timeout: w.cfg.jobTimeout, MaxJobs: int32(free),
			FetchVariables: w.cfg.fetch, RequestTimeout: w.cfg.pollTimeout,
		})
		cancel()
		if len(jobs) > free {
			// More than asked for: hand the rest back rather than overrun.
			w.handBack(ctx, jobs[free:])
			jobs = jobs[:free]
		}
		w.release(free - len(jobs))
		if err != nil {
			if pctx.Err() != nil {
				return
			}
			if refused(err) {
				w.cfg.log.Error("activate jobs: the credentials or roles were refused; the worker stops", "error", err)
				w.refused = fmt.Errorf("worker for %q: activate jobs: %w", w.jobType, err)
				return
			}
			failures++
			wait := pollBackoff(failures)
			var p *client.Problem
			if errors.As(err, &p) && p.RetryAfter > 0 {
				wait = p.RetryAfter
			}
			w.cfg.log.Warn("activate jobs", "error", err, "retry_in", wait)
			if !sleep(pctx, wait) {
				return
			}
			continue
		}
		failures = 0
		// The lock ends jobTimeout after the engine activated the jobs,
		// which is after began: a deadline from began errs on the safe side.
		deadline := began.Add(w.cfg.jobTimeout)
		for i := range jobs {
			w.dispatch(ctx, jobs[i], deadline)
		}
	}
}

// refused reports whether err says that the worker's credentials or roles
// are refused for good: a 401 or 403 answer of the engine (the client has
// already tried a new token), or a token endpoint that refused the client
// (400, 401 or 403, as RFC 6749 §5.2 answers invalid_client and
// unauthorized_client).
func refused(err error) bool {
	if client.IsStatus(err, http.StatusUnauthorized) || client.IsStatus(err, http.StatusForbidden) {
		return true
	}
	var ce *client.CredentialsError
	var re *oauth2.RetrieveError
	if !errors.As(err, &ce) || !errors.As(err, &re) || re.Response == nil {
		return false
	}
	switch re.Response.StatusCode {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden:
		return true
	}
	return false
}

// acquire waits for room for one job, then takes all the room there is;
// it returns how many jobs fit, 0 when ctx ended.
func (w *Worker) acquire(ctx context.Context) int {
	select {
	case w.slots <- struct{}{}:
	case <-ctx.Done():
		return 0
	}
	n := 1
	for n < w.cfg.maxJobs {
		select {
		case w.slots <- struct{}{}:
			n++
		default:
			return n
		}
	}
	return n
}

// release frees room for n jobs.
func (w *Worker) release(n int) {
	for range n {
		<-w.slots
	}
}

// dispatch starts handling one job.
func (w *Worker) dispatch(ctx context.Context, job Job, deadline time.Time) {
	w.cfg.metrics.JobActivated(w.jobType)
	jctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
	r := &running{job: job, cancel: cancel, state: stateHandling}
	w.mu.Lock()
	w.inflight[job.JobKey] = r
	w.mu.Unlock()
	w.handlers.Add(1)
	go func() {
		defer w.handlers.Done()
		defer w.release(1)
		defer cancel()
		w.handle(jctx, r)
		w.mu.Lock()
		delete(w.inflight, job.JobKey)
		w.mu.Unlock()
	}()
}

// sleep waits d; false when ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
