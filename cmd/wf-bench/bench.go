package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

//go:embed w1.bpmn
var w1 []byte

const jobType = "bench-w1"

// Result is what a run prints.
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
}

// Latency holds create→completed percentiles in milliseconds.
type Latency struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// runState is shared by the goroutines of a run.
type runState struct {
	o      options
	client *http.Client

	created   atomic.Int64
	completed atomic.Int64
	activates atomic.Int64

	mu        sync.Mutex
	started   map[string]time.Time // process instance key -> create time
	early     map[string]time.Time // completions seen before their create answer
	latencies []float64            // ms, completions inside the measured window
	creates   []float64            // ms, accepted create answers inside the measured window
	sent      int64                // create requests inside the measured window
	refused   int64                // of them answered 429
	errors    map[string]int
	measureAt time.Time
	stopAt    time.Time
}

func (s *runState) fail(kind string) {
	s.mu.Lock()
	s.errors[kind]++
	s.mu.Unlock()
}

func bench(ctx context.Context, o options) (*Result, error) {
	conns := o.Creators + o.Workers + o.Completers + 4
	s := &runState{o: o, errors: map[string]int{}, started: map[string]time.Time{}, early: map[string]time.Time{}, client: &http.Client{
		Timeout:   30 * time.Second,
		Transport: bearer{token: o.Token, next: &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, IdleConnTimeout: time.Minute}},
	}}
	if err := s.deploy(ctx); err != nil {
		return nil, err
	}
	start := time.Now()
	s.measureAt, s.stopAt = start.Add(o.Warmup), start.Add(o.Duration)

	workCtx, stopWork := context.WithCancel(ctx)
	defer stopWork()
	jobs := make(chan job, o.Workers*o.MaxJobs)
	var workers, completers, creators sync.WaitGroup
	for range o.Workers {
		workers.Go(func() { s.activate(workCtx, jobs) })
	}
	for range o.Completers {
		completers.Go(func() { s.complete(workCtx, jobs) })
	}
	createCtx, stopCreating := context.WithDeadline(ctx, s.stopAt)
	defer stopCreating()
	var ticket atomic.Int64
	for range o.Creators {
		creators.Go(func() { s.create(createCtx, start, &ticket) })
	}
	creators.Wait()
	// Let started instances finish, then stop the workers.
	deadline := time.Now().Add(o.Drain)
	for s.completed.Load() < s.created.Load() && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(10 * time.Millisecond)
	}
	stopWork()
	workers.Wait()
	close(jobs)
	completers.Wait()

	s.mu.Lock()
	defer s.mu.Unlock()
	lat := s.latencies
	slices.Sort(lat)
	window := o.Duration - o.Warmup
	res := &Result{
		Workload: "W1", Address: o.Address, DurationSeconds: o.Duration.Seconds(), WarmupSeconds: o.Warmup.Seconds(),
		TargetRate: o.Rate, Created: s.created.Load(), Completed: s.completed.Load(), Measured: int64(len(lat)),
		InstancesPerSec: round(float64(len(lat)) / window.Seconds()),
		LatencyMillis:   Latency{P50: pct(lat, 50), P95: pct(lat, 95), P99: pct(lat, 99), Max: pct(lat, 100)},
		Incomplete:      s.created.Load() - s.completed.Load(), Errors: s.errors,
		CreatorsWorkers: [3]int{o.Creators, o.Workers, o.Completers},
	}
	if c := s.completed.Load(); c > 0 {
		res.ActivationsPerJob = round(float64(s.activates.Load()) / float64(c))
	}
	slices.Sort(s.creates)
	res.Creates, res.Refused429 = s.sent, s.refused
	if s.sent > 0 {
		res.RefusedShare = round(float64(s.refused) / float64(s.sent))
	}
	res.CreateLatencyMillis = Latency{P50: pct(s.creates, 50), P95: pct(s.creates, 95), P99: pct(s.creates, 99), Max: pct(s.creates, 100)}
	return res, nil
}

// create sends create requests until ctx ends; with a target rate, request
// n is sent no earlier than start + n/rate.
func (s *runState) create(ctx context.Context, start time.Time, ticket *atomic.Int64) {
	body := []byte(`{"processDefinitionId":"bench-w1","variables":{"orderId":"o-1","amount":42}}`)
	for ctx.Err() == nil {
		if s.o.Rate > 0 {
			n := ticket.Add(1) - 1
			at := start.Add(time.Duration(float64(n) / s.o.Rate * float64(time.Second)))
			if wait := time.Until(at); wait > 0 {
				select {
				case <-ctx.Done():
					return
				case <-time.After(wait):
				}
			}
		}
		t0 := time.Now()
		var res struct {
			Key string `json:"processInstanceKey"`
		}
		status, retryAfter, err := s.post(ctx, "/v2/process-instances", body, &res)
		s.answered(t0, status, err)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			s.fail("create: " + err.Error())
			continue
		case status == http.StatusTooManyRequests:
			s.fail("create: 429")
			s.backOff(ctx, retryAfter)
			continue
		case status != http.StatusOK:
			s.fail("create: " + strconv.Itoa(status))
			continue
		}
		s.created.Add(1)
		s.begun(res.Key, t0)
	}
}

type job struct {
	Key      string `json:"jobKey"`
	Instance string `json:"processInstanceKey"`
}

// activate long-polls for jobs and hands them to the completers.
func (s *runState) activate(ctx context.Context, jobs chan<- job) {
	body, _ := json.Marshal(map[string]any{"type": jobType, "worker": "wf-bench", "timeout": 30000,
		"maxJobsToActivate": s.o.MaxJobs, "requestTimeout": 1000, "fetchVariable": []string{"orderId"}})
	for ctx.Err() == nil {
		var res struct {
			Jobs []job `json:"jobs"`
		}
		status, _, err := s.post(ctx, "/v2/jobs/activation", body, &res)
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
		for _, j := range res.Jobs {
			select {
			case jobs <- j:
			case <-ctx.Done():
				return
			}
		}
	}
}

// complete completes jobs and records each instance's latency.
func (s *runState) complete(ctx context.Context, jobs <-chan job) {
	body := []byte(`{"variables":{"done":true}}`)
	for j := range jobs {
		for {
			status, retryAfter, err := s.post(ctx, "/v2/jobs/"+j.Key+"/completion", body, nil)
			if ctx.Err() != nil {
				break
			}
			if err == nil && status == http.StatusTooManyRequests {
				s.fail("complete: 429")
				s.backOff(ctx, retryAfter)
				continue
			}
			if err != nil || status != http.StatusNoContent {
				s.fail(fmt.Sprintf("complete: %v %d", err, status))
				break
			}
			s.done(j.Instance, time.Now())
			break
		}
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

// begun records an instance's create time; its job may have been
// completed already, before the create answer arrived.
func (s *runState) begun(instance string, t0 time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if at, ok := s.early[instance]; ok {
		delete(s.early, instance)
		s.record(t0, at)
		return
	}
	s.started[instance] = t0
}

// done records an instance's completion.
func (s *runState) done(instance string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t0, ok := s.started[instance]
	if !ok {
		s.early[instance] = at // or an instance of an earlier run
		return
	}
	delete(s.started, instance)
	s.record(t0, at)
}

// record counts a completed instance; the caller holds s.mu.
func (s *runState) record(t0, at time.Time) {
	s.completed.Add(1)
	if t0.Before(s.measureAt) || t0.After(s.stopAt) {
		return
	}
	s.latencies = append(s.latencies, float64(at.Sub(t0).Microseconds())/1000)
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

// deploy deploys the W1 model (deploying it again changes nothing).
func (s *runState) deploy(ctx context.Context) error {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	part, err := w.CreateFormFile("resources", "bench-w1.bpmn")
	if err != nil {
		return err
	}
	_, _ = part.Write(w1)
	_ = w.Close()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.o.Address+"/v2/deployments", &buf)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	res, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("deploy W1: %w", err)
	}
	defer func() { _ = res.Body.Close() }()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(res.Body)
		return fmt.Errorf("deploy W1: status %d: %s", res.StatusCode, b)
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
