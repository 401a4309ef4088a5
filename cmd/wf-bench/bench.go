package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Result is what a run prints. W1's fields are those of the first
// wf-bench; the other workloads add theirs (omitted for W1).
type Result struct {
	Workload          string         `json:"workload"`
	Address           string         `json:"address"`
	DurationSeconds   float64        `json:"duration_s"`
	WarmupSeconds     float64        `json:"warmup_s"`
	TargetRate        float64        `json:"target_rate"`
	Created           int64          `json:"created"`
	Completed         int64          `json:"completed"`
	Measured          int64          `json:"completed_measured"`
	InstancesPerSec   float64        `json:"instances_per_s"`
	LatencyMillis     Latency        `json:"latency_ms"`
	Incomplete        int64          `json:"incomplete"`
	Errors            map[string]int `json:"errors"`
	CreatorsWorkers   [3]int         `json:"creators_workers_completers"`
	ActivationsPerJob float64        `json:"activations_per_job"`
	// Creates counts the create requests sent in the measured window;
	// Refused429 those answered 429, RefusedShare their share.
	Creates      int64   `json:"create_requests_measured"`
	Refused429   int64   `json:"create_429_measured"`
	RefusedShare float64 `json:"create_429_share"`
	// CreateLatencyMillis holds the answer times of the accepted creates
	// (200) sent in the measured window.
	CreateLatencyMillis Latency `json:"create_accepted_latency_ms"`
	// Engine memory, with -pid: the peak resident set (VmHWM) and the
	// resident set after the run and -settle.
	PeakRSSMB  float64 `json:"engine_peak_rss_mb,omitempty"`
	AfterRSSMB float64 `json:"engine_rss_after_settle_mb,omitempty"`

	// LatencyFrom and LatencyTo say what latency_ms measures, for the
	// workloads other than W1 (W1: create sent → the 204 of its job's
	// completion, which ends the instance).
	LatencyFrom string `json:"latency_from,omitempty"`
	LatencyTo   string `json:"latency_to,omitempty"`
	// Unit and UnitPerSec give the workload's own throughput where it
	// differs from instances (W2 and W3: jobs; W4: messages correlated;
	// W5: timers fired; W6: user tasks completed).
	Unit       string  `json:"unit,omitempty"`
	UnitPerSec float64 `json:"unit_per_s,omitempty"`
	// Lag is a second latency: W4's publish → activation of the job after
	// the message catch, W5's timer firing lag; LagMeans says which.
	Lag      *Latency `json:"lag_ms,omitempty"`
	LagMeans string   `json:"lag_means,omitempty"`
	LagCount int64    `json:"lag_measured,omitempty"`
	// Timers describes a W5 run.
	Timers *TimerRun `json:"timers,omitempty"`
	// MaxInflight is the bound on instances started and not ended, when
	// the run had one (-max-inflight).
	MaxInflight int `json:"max_inflight,omitempty"`
	// Waiting is W4's number of instances kept waiting at the message
	// catch event while messages are published.
	Waiting int `json:"waiting_instances,omitempty"`
	// CPU is the processor time spent in the measured window, with -cpu.
	CPU *CPU `json:"cpu,omitempty"`
}

// Latency holds percentiles in milliseconds.
type Latency struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

func latencyOf(sorted []float64) Latency {
	return Latency{P50: pct(sorted, 50), P90: pct(sorted, 90), P95: pct(sorted, 95), P99: pct(sorted, 99), Max: pct(sorted, 100)}
}

// pending is an instance whose end is awaited: since t0, left more job or
// task completions end it. Before its create (or publish) was recorded,
// it counts the n completions seen, the last at at.
type pending struct {
	t0   time.Time
	left int
	n    int
	at   time.Time
}

// runState is shared by the goroutines of a run.
type runState struct {
	o         options
	w         *workload
	client    *http.Client
	transport *http.Transport

	created   atomic.Int64
	completed atomic.Int64
	activates atomic.Int64
	ticket    atomic.Int64

	mu        sync.Mutex
	started   map[string]*pending // instance key -> its start, awaiting its end
	early     map[string]*pending // completions seen before their start was recorded
	latencies []float64           // ms, instances started inside the measured window
	lags      []float64           // ms, the workload's second latency
	creates   []float64           // ms, accepted create answers inside the measured window
	sent      int64               // create requests inside the measured window
	refused   int64               // of them answered 429
	errors    map[string]int
	start     time.Time
	measureAt time.Time
	stopAt    time.Time
	// sink, when set, receives each counted instance's latency as it
	// completes (the soak's intervals).
	sink func(ms float64)

	// workCtx ends when the run's workers stop.
	workCtx context.Context

	// inflight holds a token per started instance that has not ended
	// (-max-inflight); nil: no bound.
	inflight chan struct{}

	lagSeen map[string]struct{} // instances whose lag is recorded

	waiting chan waitingInstance // W4
	timers  *TimerRun            // W5

	meter *cpuMeter // with -cpu

	// raw sends the requests of http:// runs (rawhttp.go) unless -client
	// nethttp; nil: net/http's client sends them.
	raw *rawClient
}

func (s *runState) fail(kind string) {
	s.mu.Lock()
	s.errors[kind]++
	s.mu.Unlock()
}

func newRunState(o options, w *workload) *runState {
	conns := o.Creators + o.Workers + o.Completers + 8
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, IdleConnTimeout: time.Minute}
	s := &runState{o: o, w: w, errors: map[string]int{}, started: map[string]*pending{}, early: map[string]*pending{},
		transport: tr, client: &http.Client{Timeout: 30 * time.Second, Transport: bearer{token: o.Token, next: tr}},
		meter: newCPUMeter(o)}
	if u, err := url.Parse(o.Address); err == nil && u.Scheme == "http" && o.Client != "nethttp" {
		host := u.Host
		if u.Port() == "" {
			host = net.JoinHostPort(u.Hostname(), "80")
		}
		s.raw = newRawClient(host, o.Token, 30*time.Second)
	}
	return s
}

// bench runs workload w once and returns its figures.
func bench(ctx context.Context, o options, w *workload) (*Result, error) {
	return newRunState(o, w).run(ctx)
}

func (s *runState) run(ctx context.Context) (*Result, error) {
	o, w := s.o, s.w
	defer s.transport.CloseIdleConnections()
	if s.raw != nil {
		defer s.raw.close()
	}
	if s.meter != nil {
		if err := s.meter.check(); err != nil {
			return nil, err
		}
	}
	if err := s.deploy(ctx); err != nil {
		return nil, err
	}
	s.start = time.Now()
	s.measureAt, s.stopAt = s.start.Add(o.Warmup), s.start.Add(o.Duration)
	var metering sync.WaitGroup
	if s.meter != nil && !w.timers {
		metering.Go(func() { s.meter.run(ctx, s.measureAt, s.stopAt, 250*time.Millisecond) })
	}
	createFor := o.Duration
	if w.timers { // every timer is created, late ones too (counted)
		if err := s.planTimers(); err != nil {
			return nil, err
		}
		createFor = s.timers.dueTo.Sub(s.start) + o.Drain
	}
	if w.message {
		s.waiting = make(chan waitingInstance, o.Waiting)
	}
	if n := o.inflightBound(w); n > 0 {
		s.inflight = make(chan struct{}, n)
	}

	workCtx, stopWork := context.WithCancel(ctx)
	defer stopWork()
	s.workCtx = workCtx
	s.lagSeen = map[string]struct{}{}
	var workers, completers, creators sync.WaitGroup
	if w.jobType != "" {
		jobs := make(chan job, o.Workers*o.MaxJobs)
		for range o.Workers {
			workers.Go(func() { s.activate(workCtx, jobs) })
		}
		for range o.Completers {
			completers.Go(func() { s.complete(workCtx, jobs) })
		}
		defer func() { workers.Wait(); close(jobs); completers.Wait() }()
	}
	if w.userTasks {
		tasks := make(chan userTask, o.Completers)
		workers.Go(func() { s.searchTasks(workCtx, tasks) })
		for range o.Completers {
			completers.Go(func() { s.handleTasks(workCtx, tasks) })
		}
		defer func() { workers.Wait(); close(tasks); completers.Wait() }()
	}
	createCtx, stopCreating := context.WithDeadline(ctx, s.start.Add(createFor))
	defer stopCreating()
	for range o.Creators {
		creators.Go(func() { s.create(createCtx) })
	}
	creators.Wait()
	if w.message {
		s.publishWaiting(workCtx)
	}
	// Let started instances finish, then stop the workers.
	deadline := time.Now().Add(o.Drain)
	if w.timers {
		deadline = s.timers.dueTo.Add(o.Drain)
	}
	for s.completed.Load() < s.created.Load() && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(10 * time.Millisecond)
	}
	stopWork()
	workers.Wait()
	metering.Wait()
	if w.timers {
		s.engineFireLag(ctx)
	}
	return s.result(), nil
}

// result summarizes the run once its goroutines have stopped.
func (s *runState) result() *Result {
	o, w := s.o, s.w
	s.mu.Lock()
	defer s.mu.Unlock()
	lat := s.latencies
	slices.Sort(lat)
	window := o.Duration - o.Warmup
	if w.timers {
		window = s.timers.dueTo.Sub(s.timers.dueFrom)
	}
	res := &Result{
		Workload: w.name, Address: o.Address, DurationSeconds: o.Duration.Seconds(), WarmupSeconds: o.Warmup.Seconds(),
		TargetRate: o.Rate, Created: s.created.Load(), Completed: s.completed.Load(), Measured: int64(len(lat)),
		InstancesPerSec: round(float64(len(lat)) / window.Seconds()),
		LatencyMillis:   latencyOf(lat),
		Incomplete:      s.created.Load() - s.completed.Load(), Errors: s.errors,
		CreatorsWorkers: [3]int{o.Creators, o.Workers, o.Completers},
		LatencyFrom:     w.latencyFrom, LatencyTo: w.latencyTo, Unit: w.unit,
		UnitPerSec: round(float64(len(lat)*w.ends) / window.Seconds()),
	}
	if w.unit == "" {
		res.UnitPerSec = 0
	}
	if c := s.completed.Load(); c > 0 && w.jobType != "" {
		res.ActivationsPerJob = round(float64(s.activates.Load()) / float64(c*int64(w.ends)))
	}
	slices.Sort(s.creates)
	res.Creates, res.Refused429 = s.sent, s.refused
	if s.sent > 0 {
		res.RefusedShare = round(float64(s.refused) / float64(s.sent))
	}
	res.CreateLatencyMillis = latencyOf(s.creates)
	if w.lagMeans != "" {
		slices.Sort(s.lags)
		l := latencyOf(s.lags)
		res.Lag, res.LagMeans, res.LagCount = &l, w.lagMeans, int64(len(s.lags))
	}
	if w.timers {
		res.DurationSeconds, res.WarmupSeconds = 0, 0
		res.Timers = s.timers
		res.UnitPerSec = round(float64(len(s.lags)) / window.Seconds())
	}
	if w.message {
		res.Waiting = o.Waiting
	}
	res.MaxInflight = cap(s.inflight)
	if s.meter != nil && !w.timers {
		res.CPU = s.meter.result(window, res.Measured)
	}
	return res
}

// create sends create requests until ctx ends; with a target rate, request
// n is sent no earlier than start + n/rate.
func (s *runState) create(ctx context.Context) {
	for ctx.Err() == nil {
		n := s.ticket.Add(1) - 1
		if s.w.timers && n >= int64(s.timers.Count) {
			return
		}
		if s.o.Rate > 0 {
			at := s.start.Add(time.Duration(float64(n) / s.o.Rate * float64(time.Second)))
			if wait := time.Until(at); wait > 0 {
				select {
				case <-ctx.Done():
					return
				case <-time.After(wait):
				}
			}
		}
		if s.inflight != nil {
			select {
			case s.inflight <- struct{}{}:
			case <-ctx.Done():
				return
			}
		}
		body, t0 := s.w.createBody(s, n)
		if s.o.Await {
			body = awaitBody(body)
		}
		for ctx.Err() == nil {
			sent := time.Now()
			if !s.w.timers {
				t0 = sent
			}
			var res struct {
				Key string `json:"processInstanceKey"`
			}
			status, retryAfter, err := s.post(ctx, "/v2/process-instances", body, &res)
			s.answered(sent, status, err)
			switch {
			case ctx.Err() != nil:
				s.ended()
				return
			case err != nil:
				s.fail("create: " + err.Error())
				if s.w.timers { // the timer's due date is fixed: send it again
					continue
				}
				s.ended()
			case status == http.StatusTooManyRequests:
				s.fail("create: 429")
				s.backOff(ctx, retryAfter)
				if s.w.timers {
					continue
				}
				s.ended()
			case status != http.StatusOK:
				s.fail("create: " + strconv.Itoa(status))
				s.ended()
			default:
				s.created.Add(1)
				switch {
				case s.o.Await:
					s.answeredEnd(t0)
				case s.w.message:
					s.wait(waitingInstance{key: res.Key, correlation: correlationKey(s.start, n)})
				case s.w.timers:
					s.timerCreated(res.Key, t0)
					s.begun(res.Key, t0)
				default:
					s.begun(res.Key, t0)
				}
			}
			break
		}
	}
}

type job struct {
	Key       string                     `json:"jobKey"`
	Instance  string                     `json:"processInstanceKey"`
	Variables map[string]json.RawMessage `json:"variables"`
}

// activate long-polls for jobs and hands them to the completers.
func (s *runState) activate(ctx context.Context, jobs chan<- job) {
	fetch := []string{"orderId"}
	if s.w.lagVar != "" {
		fetch = []string{s.w.lagVar}
	}
	timeout := 30000 // ms
	if s.w.timers {  // W5's backlog of jobs may take minutes to work off
		timeout = 600000
	}
	body, _ := json.Marshal(map[string]any{"type": s.w.jobType, "worker": "wf-bench", "timeout": timeout,
		"maxJobsToActivate": s.o.MaxJobs, "requestTimeout": 1000, "fetchVariable": fetch})
	for ctx.Err() == nil {
		var res struct {
			Jobs []job `json:"jobs"`
		}
		status, _, err := s.post(ctx, "/v2/jobs/activation", body, &res)
		at := time.Now()
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			s.fail("activate: " + err.Error())
			continue
		case status != http.StatusOK:
			s.fail("activate: " + strconv.Itoa(status))
			time.Sleep(5 * time.Millisecond)
			continue
		}
		s.activates.Add(1)
		if s.w.lagVar != "" {
			s.lagged(res.Jobs, at)
		}
		for _, j := range res.Jobs {
			select {
			case jobs <- j:
			case <-ctx.Done():
				return
			}
		}
	}
}

// lagged records, for each activated job, the time from the instant its
// lag variable names (W4: the message's publication, W5: the timer's due
// date) to at, when the worker received it.
func (s *runState) lagged(jobs []job, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, j := range jobs {
		if _, ok := s.lagSeen[j.Instance]; ok { // activated again after its job timed out
			continue
		}
		s.lagSeen[j.Instance] = struct{}{}
		var text string
		if err := json.Unmarshal(j.Variables[s.w.lagVar], &text); err != nil {
			s.errors["activate: job without "+s.w.lagVar]++
			continue
		}
		from, err := time.Parse(time.RFC3339Nano, text)
		if err != nil {
			s.errors["activate: "+s.w.lagVar+" is not a date"]++
			continue
		}
		if s.timers != nil {
			s.timers.observed(from, at)
		} else if from.Before(s.measureAt) || from.After(s.stopAt) {
			continue
		}
		s.lags = append(s.lags, float64(at.Sub(from).Microseconds())/1000)
		if s.sink != nil && s.timers != nil {
			s.sink(float64(at.Sub(from).Microseconds()) / 1000)
		}
	}
}

// complete completes jobs and counts them towards their instance's end.
func (s *runState) complete(ctx context.Context, jobs <-chan job) {
	body := []byte(`{"variables":{"done":true}}`)
	for j := range jobs {
		if s.call(ctx, "complete", "/v2/jobs/"+j.Key+"/completion", body, nil, http.StatusNoContent) && !s.o.Await {
			s.done(j.Instance, time.Now())
		}
	}
}

// call sends a request until it is answered other than 429 and reports
// whether the answer had status want; other answers count as errors.
func (s *runState) call(ctx context.Context, what, path string, body []byte, out any, want int) bool {
	for {
		status, retryAfter, err := s.post(ctx, path, body, out)
		switch {
		case ctx.Err() != nil:
			return false
		case err == nil && status == http.StatusTooManyRequests:
			s.fail(what + ": 429")
			s.backOff(ctx, retryAfter)
			continue
		case err != nil || status != want:
			s.fail(fmt.Sprintf("%s: %v %d", what, err, status))
			return false
		}
		return true
	}
}

// answered records a create answer sent in the measured window.
func (s *runState) answered(t0 time.Time, status int, err error) {
	if err != nil || t0.Before(s.measureAt) || t0.After(s.stopAt) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent++
	switch status {
	case http.StatusTooManyRequests:
		s.refused++
	case http.StatusOK:
		s.creates = append(s.creates, float64(time.Since(t0).Microseconds())/1000)
	}
}

// begun records when an instance's measured latency starts; some of its
// completions may have been seen already.
func (s *runState) begun(instance string, t0 time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &pending{t0: t0, left: s.w.ends}
	if e, ok := s.early[instance]; ok {
		delete(s.early, instance)
		p.left -= e.n
		if p.left <= 0 {
			s.record(t0, e.at)
			return
		}
	}
	s.started[instance] = p
}

// done counts one completion towards an instance's end.
func (s *runState) done(instance string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.started[instance]
	if !ok { // its start is not recorded yet, or an instance of an earlier run
		e := s.early[instance]
		if e == nil {
			e = &pending{}
			s.early[instance] = e
		}
		e.n++
		e.at = at
		return
	}
	if p.left--; p.left > 0 {
		return
	}
	delete(s.started, instance)
	s.record(p.t0, at)
}

// ended frees the -max-inflight place of an instance that ended or was
// not created.
func (s *runState) ended() {
	if s.inflight != nil {
		select {
		case <-s.inflight:
		default:
		}
	}
}

// record counts a completed instance; the caller holds s.mu.
func (s *runState) record(t0, at time.Time) {
	s.completed.Add(1)
	s.ended()
	if !s.w.timers && (t0.Before(s.measureAt) || t0.After(s.stopAt)) {
		return
	}
	ms := float64(at.Sub(t0).Microseconds()) / 1000
	s.latencies = append(s.latencies, ms)
	if s.sink != nil && !s.w.timers {
		s.sink(ms)
	}
}

// backOff waits after a 429: -retry-wait, or with -retry-after the
// server's Retry-After spread by ±50 % (as clients with jitter do).
func (s *runState) backOff(ctx context.Context, retryAfter time.Duration) {
	wait := s.o.RetryWait
	if s.o.RetryAfter && retryAfter > 0 {
		wait = retryAfter/2 + rand.N(retryAfter) // #nosec G404 -- jitter, not a secret
	}
	select {
	case <-ctx.Done():
	case <-time.After(wait):
	}
}

// post sends a JSON body and decodes a JSON answer into out, if given; it
// returns the status and the answer's Retry-After.
func (s *runState) post(ctx context.Context, path string, body []byte, out any) (int, time.Duration, error) {
	if s.raw != nil {
		return s.raw.post(ctx, path, body, out)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.o.Address+path, bytes.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := s.client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer func() { _ = res.Body.Close() }()
	var retryAfter time.Duration
	if secs, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil && secs > 0 {
		retryAfter = time.Duration(secs) * time.Second
	}
	if out != nil && res.StatusCode == http.StatusOK {
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			return res.StatusCode, retryAfter, fmt.Errorf("decode answer: %w", err)
		}
		return res.StatusCode, retryAfter, nil
	}
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode, retryAfter, nil
}

// deploy deploys the workload's model (deploying it again changes nothing).
func (s *runState) deploy(ctx context.Context) error {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	part, err := w.CreateFormFile("resources", s.w.file)
	if err != nil {
		return err
	}
	_, _ = part.Write(s.w.bpmn)
	_ = w.Close()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.o.Address+"/v2/deployments", &buf)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	res, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("deploy %s: %w", s.w.name, err)
	}
	defer func() { _ = res.Body.Close() }()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(res.Body)
		return fmt.Errorf("deploy %s: status %d: %s", s.w.name, res.StatusCode, b)
	}
	return nil
}

// pct returns the p-th percentile of sorted values (nearest rank).
func pct(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.5) - 1
	return round(sorted[max(0, min(i, len(sorted)-1))])
}

func round(v float64) float64 { return float64(int64(v*100+0.5)) / 100 }

// bearer adds a bearer token to every request when it has one.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(req *http.Request) (*http.Response, error) {
	if b.token == "" {
		return b.next.RoundTrip(req)
	}
	req = req.Clone(req.Context())
	req.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(req)
}
