package hatest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/api/rest"
	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/store/pgstore"
	"github.com/example/wf-engine/core/syncbuf"
	"github.com/example/wf-engine/elements/standard"
)

// haBPMN is a process of one service task: creating an instance and
// completing its job are the two acknowledged commands the test counts.
const haBPMN = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="ha" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:serviceTask id="work"><bpmn:extensionElements><zeebe:taskDefinition type="ha-work" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`

// answer is an HTTP answer with when its request was sent and answered.
type answer struct {
	status     int
	retryAfter string
	body       []byte
	sent, got  time.Time
	earlier    []string // answers before this one that said to retry
	replayed   bool     // the answer of an earlier request with the same Idempotency-Key
}

// client calls the engine's REST API.
type client struct {
	base string
	http *http.Client
}

// requestTimeout is far longer than any answer may take: an answer that
// takes it means a request hung.
const requestTimeout = 20 * time.Second

func (c *client) do(method, path, contentType string, body []byte, headers ...string) (answer, error) {
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	a := answer{sent: time.Now()}
	res, err := c.http.Do(req)
	if err != nil {
		return a, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer func() { _ = res.Body.Close() }()
	a.body, err = io.ReadAll(res.Body)
	a.got, a.status, a.retryAfter = time.Now(), res.StatusCode, res.Header.Get("Retry-After")
	a.replayed = res.Header.Get("Idempotent-Replayed") == "true"
	return a, err
}

func (c *client) post(path string, body any, headers ...string) (answer, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return answer{}, err
	}
	return c.do(http.MethodPost, path, "application/json", b, headers...)
}

func (c *client) deploy(name, bpmn string) error {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	part, err := w.CreateFormFile("resources", name)
	if err != nil {
		return err
	}
	_, _ = part.Write([]byte(bpmn))
	_ = w.Close()
	a, err := c.do(http.MethodPost, "/v2/deployments", w.FormDataContentType(), buf.Bytes())
	if err != nil {
		return err
	}
	if a.status != http.StatusOK {
		return fmt.Errorf("deploy: %d %s", a.status, a.body)
	}
	return nil
}

// ready asks /readyz.
func (c *client) ready() (bool, error) {
	a, err := c.do(http.MethodGet, "/readyz", "", nil)
	return a.status == http.StatusOK, err
}

// ack is an acknowledged command: a created instance (n is its variable)
// or a completed job (n is -1).
type ack struct {
	n         int
	instance  int64
	sent, got time.Time
	replayed  bool // the answer of an earlier attempt that was applied
}

// ledger is what the workers were told.
type ledger struct {
	mu        sync.Mutex
	created   []ack
	completed []ack
	unknown   int // answers that the outcome is unknown (not acknowledged)
	retried   int // 503 answers with Retry-After
	// appliedAfterRetry are job completions whose retry found the job
	// completed: an answer to retry was given for a command that was
	// applied.
	appliedAfterRetry []string
	slowest           time.Duration
	errs              []error
}

// mayHaveBeenWritten reports whether an answer said that its keyed command
// may have been written and is to be sent again with the same
// Idempotency-Key (engine.ErrRetryWithIdempotencyKey, ADR 28).
func mayHaveBeenWritten(answer string) bool {
	return strings.Contains(answer, "Send it again with the same Idempotency-Key")
}

func (l *ledger) fail(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, err)
}

func (l *ledger) completions(after time.Time) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, a := range l.completed {
		if a.sent.After(after) {
			n++
		}
	}
	return n
}

// worker creates instances and completes their jobs through the API until
// stop is closed. Answers 503 with Retry-After and 429 are retried with the
// same Idempotency-Key, after a short pause rather than the advised one,
// so that the failover is measured finely; an answer that the outcome is
// unknown is final (the API says not to send the command again).
type worker struct {
	id   int
	c    *client
	l    *ledger
	stop <-chan struct{}
}

func (w *worker) stopped() bool {
	select {
	case <-w.stop:
		return true
	default:
		return false
	}
}

// call sends until the answer is not "retry later"; ok is false when the
// worker was stopped first or the request failed.
func (w *worker) call(path string, body any, headers ...string) (answer, bool) {
	var earlier []string // the answers retried, for a failure's message
	for !w.stopped() {
		a, err := w.c.post(path, body, headers...)
		if err != nil {
			w.l.fail(err)
			return a, false
		}
		a.earlier = earlier
		earlier = append(earlier, fmt.Sprintf("%s: %d %s", a.sent.Format("15:04:05.000"), a.status, a.body))
		w.l.mu.Lock()
		w.l.slowest = max(w.l.slowest, a.got.Sub(a.sent))
		retry := (a.status == http.StatusServiceUnavailable && a.retryAfter != "") || a.status == http.StatusTooManyRequests
		if retry {
			w.l.retried++
		}
		w.l.mu.Unlock()
		if !retry {
			return a, true
		}
		time.Sleep(25 * time.Millisecond) // a client's back-off, not a wait for the test's state
	}
	return answer{}, false
}

func (w *worker) run() {
	for j := 0; !w.stopped(); j++ {
		n := w.id*1_000_000 + j
		a, ok := w.call("/v2/process-instances", map[string]any{"processDefinitionId": "ha", "variables": map[string]any{"n": n}},
			"Idempotency-Key", fmt.Sprintf("ha-create-%d", n))
		if !ok {
			return
		}
		if !w.judge(a, n, "create") {
			continue
		}
		a, ok = w.call("/v2/jobs/activation", map[string]any{"type": "ha-work", "worker": fmt.Sprintf("w%d", w.id), "timeout": 120000,
			"maxJobsToActivate": 4, "requestTimeout": -1})
		if !ok {
			return
		}
		if a.status != http.StatusOK {
			w.judge(a, -1, "activate")
			continue
		}
		var jobs struct {
			Jobs []struct {
				JobKey             string `json:"jobKey"`
				ProcessInstanceKey string `json:"processInstanceKey"`
			} `json:"jobs"`
		}
		if err := json.Unmarshal(a.body, &jobs); err != nil {
			w.l.fail(fmt.Errorf("activation answer %s: %w", a.body, err))
			return
		}
		for _, job := range jobs.Jobs {
			a, ok := w.call("/v2/jobs/"+job.JobKey+"/completion", map[string]any{})
			if !ok {
				return
			}
			if w.judge(a, -1, "complete") {
				key, _ := strconv.ParseInt(job.ProcessInstanceKey, 10, 64)
				w.l.mu.Lock()
				w.l.completed = append(w.l.completed, ack{n: -1, instance: key, sent: a.sent, got: a.got})
				w.l.mu.Unlock()
			}
		}
	}
}

// judge records an answer; it reports whether the command was
// acknowledged. For a create, the instance is recorded with its n.
func (w *worker) judge(a answer, n int, what string) bool {
	switch {
	case a.status == http.StatusOK && what == "create":
		var res struct {
			ProcessInstanceKey string `json:"processInstanceKey"`
		}
		key, err := int64(0), json.Unmarshal(a.body, &res)
		if err == nil {
			key, err = strconv.ParseInt(res.ProcessInstanceKey, 10, 64)
		}
		if err != nil {
			w.l.fail(fmt.Errorf("create answer %s: %w", a.body, err))
			return false
		}
		w.l.mu.Lock()
		w.l.created = append(w.l.created, ack{n: n, instance: key, sent: a.sent, got: a.got, replayed: a.replayed})
		if a.replayed && len(a.earlier) > 0 && !slices.ContainsFunc(a.earlier, mayHaveBeenWritten) {
			// An attempt answered "retry" had created the instance: the
			// Idempotency-Key kept the retry from creating a second one.
			// An attempt whose commit lost its connection is answered
			// "send it again with the same key" on purpose (ADR 28): it
			// may have been written, and the key makes the retry safe.
			w.l.appliedAfterRetry = append(w.l.appliedAfterRetry, fmt.Sprintf("create n=%d replayed after %q", n, a.earlier))
		}
		w.l.mu.Unlock()
		return true
	case a.status/100 == 2:
		return true
	case a.status == http.StatusNotFound && what == "complete" && len(a.earlier) > 0:
		// The job is gone after answers to retry: an earlier attempt was
		// applied although its answer said it was not. Completed once all
		// the same; counted and reported, not a loss or a duplicate.
		w.l.mu.Lock()
		w.l.appliedAfterRetry = append(w.l.appliedAfterRetry, fmt.Sprintf("%s after %q", a.body, a.earlier))
		w.l.mu.Unlock()
		return false
	case a.status == http.StatusServiceUnavailable: // no Retry-After: the outcome is unknown
		w.l.mu.Lock()
		w.l.unknown++
		w.l.mu.Unlock()
		return false
	}
	w.l.fail(fmt.Errorf("%s: unexpected answer %d %s at %s, after %q", what, a.status, a.body, a.sent.Format("15:04:05.000"), a.earlier))
	return false
}

// TestEngineResumesOnThePromotedStandby is issue 21 item 6: an engine on a
// multi-host URL under load loses its primary (stopped in immediate mode,
// as a crash), answers 503 with Retry-After and reports not ready until the
// synchronous standby is promoted, then resumes on it; every instance
// creation and job completion it acknowledged is on the new primary, and
// no instance was created twice.
func TestEngineResumesOnThePromotedStandby(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two PostgreSQL clusters")
	}
	h := newHost(t)
	p := newPair(t, h)
	var logs syncbuf.Buffer
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("engine log:\n%s\nprimary log:\n%s\nstandby log:\n%s", logs.String(), p.primary.log(), p.standby.log())
		}
	})
	log := slog.New(slog.NewTextHandler(&logs, nil))

	// The engine's URL names both servers; only the writable one is used.
	url := fmt.Sprintf("postgres://wf@127.0.0.1:%d,127.0.0.1:%d/wf?sslmode=disable&target_session_attrs=read-write&connect_timeout=2&application_name=wf-engine",
		p.primary.port, p.standby.port)
	ctx := context.Background()
	st, err := pgstore.Open(ctx, url, pgstore.Options{MaxConns: 4, CommitTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	eng, err := engine.Start(ctx, engine.Config{Partition: 1, Clock: clock.System{}, Store: st, Registry: standard.Registry(), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = eng.Close() })
	gin.SetMode(gin.ReleaseMode)
	api, err := rest.New(rest.Config{IdempotencyTTL: time.Hour, RetryAfter: time.Second}, eng, st, nil, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(srv.Close)
	tr := &http.Transport{MaxIdleConnsPerHost: 16}
	t.Cleanup(tr.CloseIdleConnections)
	c := &client{base: srv.URL, http: &http.Client{Transport: tr}}
	if err := c.deploy("ha.bpmn", haBPMN); err != nil {
		t.Fatal(err)
	}
	if err := checkSynchronous(ctx, p.primary); err != nil {
		t.Fatal(err)
	}

	l := &ledger{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 4 {
		w := &worker{id: i + 1, c: c, l: l, stop: stop}
		wg.Go(w.run)
	}
	stopWorkers := sync.OnceFunc(func() { close(stop); wg.Wait() })
	t.Cleanup(stopWorkers)
	start := time.Now()
	const warm = 40 // completions before the kill, and again after the promotion
	if err := pollUntil(60*time.Second, func() error {
		if n := l.completions(start); n < warm {
			return fmt.Errorf("%d completions: %w", n, errNotYet)
		}
		return nil
	}); err != nil {
		t.Fatalf("no load before the failover: %v (errors %v)", err, l.errs)
	}

	// The primary dies.
	killed := time.Now()
	p.primary.stop()
	stopped := time.Now()
	if err := pollUntil(20*time.Second, func() error {
		if ok, err := c.ready(); ok || err != nil {
			return fmt.Errorf("ready %v (%w): %w", ok, err, errNotYet)
		}
		return nil
	}); err != nil {
		t.Fatalf("/readyz does not report the lost primary: %v", err)
	}
	notReady := time.Now()
	// Meanwhile a command gets 503 with Retry-After, at once.
	var probe answer
	if err := pollUntil(20*time.Second, func() error {
		a, err := c.post("/v2/process-instances", map[string]any{"processDefinitionId": "ha"},
			"Idempotency-Key", fmt.Sprintf("ha-probe-%d", time.Now().UnixNano()))
		if err != nil {
			return err
		}
		probe = a
		if a.status != http.StatusServiceUnavailable || a.retryAfter == "" {
			return fmt.Errorf("probe answered %d (Retry-After %q): %w", a.status, a.retryAfter, errNotYet)
		}
		return nil
	}); err != nil {
		t.Fatalf("no 503 with Retry-After while the primary is gone: %v", err)
	}
	if took := probe.got.Sub(probe.sent); took > 5*time.Second {
		t.Errorf("a command took %v to be refused while the primary was gone; want an answer at once", took)
	}

	// The standby takes over.
	promoting := time.Now()
	if err := p.promote(); err != nil {
		t.Fatal(err)
	}
	promoted := time.Now()
	if err := pollUntil(60*time.Second, func() error {
		if ok, err := c.ready(); !ok || err != nil {
			return fmt.Errorf("ready %v (%w): %w", ok, err, errNotYet)
		}
		return nil
	}); err != nil {
		t.Fatalf("the engine did not become ready on the promoted standby: %v", err)
	}
	readyAgain := time.Now()
	if err := pollUntil(60*time.Second, func() error {
		if n := l.completions(promoted); n < warm {
			return fmt.Errorf("%d completions after the promotion: %w", n, errNotYet)
		}
		return nil
	}); err != nil {
		t.Fatalf("the load did not resume on the promoted standby: %v (errors %v)", err, l.errs)
	}
	stopWorkers()
	if len(l.errs) > 0 {
		t.Fatalf("the workers failed: %v", l.errs)
	}

	// The first command acknowledged that was sent after the kill.
	var first time.Time
	var lastBefore int64
	for _, a := range slices.Concat(l.created, l.completed) {
		if a.sent.After(stopped) && (first.IsZero() || a.got.Before(first)) {
			first = a.got
		}
	}
	for _, a := range l.created {
		if a.got.Before(stopped) {
			lastBefore = max(lastBefore, a.instance)
		}
	}
	if first.IsZero() {
		t.Fatal("no command sent after the primary stopped was acknowledged")
	}
	t.Logf("failover: primary stopped (immediate) in %v; /readyz not ready %v after the kill; promotion requested %v after the kill and took %v; "+
		"first command accepted %v after the kill (%v after the promotion was requested); /readyz ready %v after the promotion was requested",
		stopped.Sub(killed).Round(time.Millisecond), notReady.Sub(killed).Round(time.Millisecond), promoting.Sub(killed).Round(time.Millisecond),
		promoted.Sub(promoting).Round(time.Millisecond), first.Sub(killed).Round(time.Millisecond), first.Sub(promoting).Round(time.Millisecond),
		readyAgain.Sub(promoting).Round(time.Millisecond))
	t.Logf("load: %d instances created and %d jobs completed (acknowledged), %d answers 503 with Retry-After retried, %d answers of unknown outcome, slowest answer %v",
		len(l.created), len(l.completed), l.retried, l.unknown, l.slowest.Round(time.Millisecond))

	if len(l.appliedAfterRetry) > 0 {
		t.Errorf("%d commands were answered 503 with Retry-After although they were applied (a retried completion found its job completed, a retried create got its first answer replayed): %q",
			len(l.appliedAfterRetry), l.appliedAfterRetry)
	}
	checkNothingLost(ctx, t, p.standby, l, stopped, lastBefore)
	if !eng.Ready() {
		t.Fatal("the engine is not ready at the end")
	}
}

// checkSynchronous checks that the engine's database commits wait for the
// standby to apply them.
func checkSynchronous(ctx context.Context, s *server) error {
	conn, err := pgx.Connect(ctx, s.url("wf", "wf"))
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close(ctx) }()
	var mode, names string
	if err := conn.QueryRow(ctx, "SELECT current_setting('synchronous_commit'), current_setting('synchronous_standby_names')").Scan(&mode, &names); err != nil {
		return err
	}
	if mode != "remote_apply" || names != "standby1" {
		return fmt.Errorf("synchronous_commit %q, synchronous_standby_names %q: want remote_apply and standby1", mode, names)
	}
	return nil
}

// checkNothingLost reads the new primary: every acknowledged instance is
// there with its n, no n has two instances, every instance whose job
// completion was acknowledged is completed, the keys handed out after the
// failover are past the range skipped for it, and the engine's
// connections are on it.
func checkNothingLost(ctx context.Context, t *testing.T, s *server, l *ledger, stopped time.Time, lastBefore int64) {
	t.Helper()
	conn, err := pgx.Connect(ctx, s.url("wf", "wf"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(ctx) }()
	rows, err := conn.Query(ctx, `SELECT e.key, e.state, coalesce(v.value, '') FROM element_instances e
		LEFT JOIN variables v ON v.scope_key = e.key AND v.name = 'n'
		WHERE e.flow_scope_key = -1 AND e.bpmn_process_id = 'ha'`)
	if err != nil {
		t.Fatal(err)
	}
	type instance struct {
		state string
		n     string
	}
	stored := map[int64]instance{}
	byN := map[string][]int64{}
	for rows.Next() {
		var key int64
		var in instance
		if err := rows.Scan(&key, &in.state, &in.n); err != nil {
			t.Fatal(err)
		}
		stored[key] = in
		if in.n != "" {
			byN[in.n] = append(byN[in.n], key)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	for n, keys := range byN {
		if len(keys) > 1 {
			t.Errorf("n=%s was created %d times: instances %v", n, len(keys), keys)
		}
	}
	var afterFailover []int64
	for _, a := range l.created {
		in, ok := stored[a.instance]
		switch {
		case !ok:
			t.Errorf("acknowledged instance %d (n=%d, acknowledged %v after the primary stopped) is not on the new primary", a.instance, a.n, a.got.Sub(stopped))
		case in.n != strconv.Itoa(a.n):
			t.Errorf("instance %d has n=%q, want %d", a.instance, in.n, a.n)
		}
		if a.sent.After(stopped) && !a.replayed {
			afterFailover = append(afterFailover, a.instance)
		}
	}
	for _, a := range l.completed {
		if in := stored[a.instance]; in.state != "COMPLETED" {
			t.Errorf("instance %d whose job completion was acknowledged is %q on the new primary, want COMPLETED", a.instance, in.state)
		}
	}
	// The promoted standby is on a new timeline: the engine reloaded and
	// skipped keys, as after any failover (with asynchronous replication
	// the new primary might lack keys that clients hold).
	for _, key := range afterFailover {
		if key < lastBefore+engine.KeySkip {
			t.Errorf("instance %d created after the failover: key not past the range skipped after %d", key, lastBefore)
			break
		}
	}
	var sessions int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'wf-engine'").Scan(&sessions); err != nil {
		t.Fatal(err)
	}
	if sessions == 0 {
		t.Error("the engine has no connection to the new primary")
	}
}
