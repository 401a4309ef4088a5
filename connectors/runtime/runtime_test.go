package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/example/wf-engine/core/syncbuf"
	"github.com/example/wf-engine/sdk/connector"
)

const testType = "test:echo:1"

type harness struct {
	jobs *fakeJobs
	rt   *Runtime
	reg  *prometheus.Registry
	log  *syncbuf.Buffer
	rec  *tracetest.SpanRecorder
}

// start runs a runtime with one connector for testType; it stops when the
// test ends.
func start(t *testing.T, fn func(context.Context, connector.Request) (connector.Result, error), cfg Config, opts ...Option) *harness {
	t.Helper()
	h := &harness{jobs: newFakeJobs(), reg: prometheus.NewRegistry(), log: &syncbuf.Buffer{}, rec: tracetest.NewSpanRecorder()}
	cfg.Jobs = h.jobs
	cfg.Registerer = h.reg
	cfg.Logger = slog.New(slog.NewJSONHandler(h.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg.TracerProvider = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(h.rec))
	if cfg.PollTimeout == 0 {
		cfg.PollTimeout = 200 * time.Millisecond
	}
	rt, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := connector.Func{Descriptor: connector.Descriptor{ID: "test:echo", Version: "1.0.0", JobTypes: []string{testType}, Secrets: []string{"TOKEN"}}, Fn: fn}
	if err := rt.Register(c, opts...); err != nil {
		t.Fatal(err)
	}
	if err := rt.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := rt.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	h.rt = rt
	return h
}

func job(key int64, retries int32, headers map[string]string, vars map[string]any) Job {
	return Job{Key: key, Type: testType, ProcessInstanceKey: 7, BPMNProcessID: "p", ElementID: "task", Retries: retries, Headers: headers, Variables: vars}
}

func respond(v any) func(context.Context, connector.Request) (connector.Result, error) {
	return func(context.Context, connector.Request) (connector.Result, error) {
		return connector.Result{Response: v}, nil
	}
}

func fail(err error) func(context.Context, connector.Request) (connector.Result, error) {
	return func(context.Context, connector.Request) (connector.Result, error) { return connector.Result{}, err }
}

// asJSON makes values comparable whatever their number types.
func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(out)
	return string(b)
}

func TestSuccessCompletesWithMappedVariables(t *testing.T) {
	response := map[string]any{"status": 200, "headers": map[string]any{}, "body": map[string]any{"id": "o-1", "total": 12.5}}
	cases := []struct {
		name    string
		headers map[string]string
		want    string
	}{
		{"no mapping headers complete without variables", nil, `{}`},
		{"resultVariable takes the whole response", map[string]string{"resultVariable": "resp"},
			`{"resp":{"body":{"id":"o-1","total":12.5},"headers":{},"status":200}}`},
		{"resultExpression sees response fields at the top level", map[string]string{"resultExpression": "={orderId: body.id, status: status}"},
			`{"orderId":"o-1","status":200}`},
		{"resultExpression sees the response as response", map[string]string{"resultExpression": "{total: response.body.total * 2}"},
			`{"total":25}`},
		{"both headers", map[string]string{"resultVariable": "r", "resultExpression": "={id: body.id}"},
			`{"id":"o-1","r":{"body":{"id":"o-1","total":12.5},"headers":{},"status":200}}`},
		{"null resultExpression maps nothing", map[string]string{"resultExpression": "=null"}, `{}`},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := start(t, respond(response), Config{})
			h.jobs.add(job(int64(i+1), 3, tc.headers, map[string]any{}))
			c := h.jobs.next(t)
			if c.kind != "complete" || c.key != int64(i+1) {
				t.Fatalf("got %+v, want complete of job %d", c, i+1)
			}
			if got := asJSON(t, c.variables); got != tc.want {
				t.Fatalf("variables %s, want %s", got, tc.want)
			}
		})
	}
}

func TestOutcomes(t *testing.T) {
	// notFound is a coded error as the HTTP connector returns for a 404.
	notFound := &connector.Error{Code: "404", Message: "coded failure 404",
		Variables: map[string]any{"response": map[string]any{"status": 404, "body": map[string]any{"msg": "no order 9"}}}}
	cases := []struct {
		name    string
		fn      func(context.Context, connector.Request) (connector.Result, error)
		headers map[string]string
		want    command
	}{
		{"a connector's BPMN error is thrown",
			fail(&connector.BPMNError{Code: "REJECTED", Message: "credit refused", Variables: map[string]any{"reason": "limit"}}), nil,
			command{kind: "throw", code: "REJECTED", message: "credit refused", variables: map[string]any{"reason": "limit"}}},
		{"an error fails with one retry less and the task's back-off",
			fail(errors.New("connection reset")), map[string]string{"retryBackoff": "PT10S"},
			command{kind: "fail", retries: 2, backoff: 10 * time.Second, message: "connection reset"}},
		{"a retryable error chooses its own back-off",
			fail(&connector.RetryableError{Err: errors.New("busy"), Backoff: 3 * time.Second}), map[string]string{"retryBackoff": "PT10S"},
			command{kind: "fail", retries: 2, backoff: 3 * time.Second, message: "retryable: busy"}},
		{"an input error leaves no retries",
			fail(&connector.InputError{Field: "url", Reason: "is required"}), nil,
			command{kind: "fail", retries: 0, message: "input url: is required"}},
		{"errorExpression turns an error code into a BPMN error",
			fail(notFound), map[string]string{"errorExpression": `=if error.code = "404" then bpmnError("NOT_FOUND", error.response.body.msg, {status: response.status}) else null`},
			command{kind: "throw", code: "NOT_FOUND", message: "no order 9", variables: map[string]any{"status": 404.0}}},
		{"errorExpression reads error.variables",
			fail(notFound), map[string]string{"errorExpression": `=bpmnError("E" + error.code, error.variables.response.body.msg)`},
			command{kind: "throw", code: "E404", message: "no order 9"}},
		{"errorExpression that gives null leaves the failure",
			fail(notFound), map[string]string{"errorExpression": `=if error.code = "500" then bpmnError("X", "y") else null`},
			command{kind: "fail", retries: 2, message: "coded failure 404"}},
		{"a coded error without an errorExpression fails with one retry less",
			fail(notFound), map[string]string{"retryBackoff": "PT2S"},
			command{kind: "fail", retries: 2, backoff: 2 * time.Second, message: "coded failure 404"}},
		{"a wrapped coded error still gives its code, message and response",
			fail(fmt.Errorf("call orders: %w", notFound)), map[string]string{"errorExpression": `=bpmnError("E" + error.code, error.message + ": " + response.body.msg)`},
			command{kind: "throw", code: "E404", message: "coded failure 404: no order 9"}},
		{"a coded error inside a retryable error gives its code and keeps the retryable back-off",
			fail(&connector.RetryableError{Err: &connector.Error{Code: "503", Message: "busy"}, Backoff: 7 * time.Second}),
			map[string]string{"errorExpression": `=if error.code = "503" and error.message = "busy" and error.type = "retryable" then null else bpmnError("WRONG", string(error))`},
			command{kind: "fail", retries: 2, backoff: 7 * time.Second, message: "retryable: busy"}},
		{"an error without a code gives a null code and its text as the message",
			fail(fmt.Errorf("dial: %w", errors.New("refused"))), map[string]string{"errorExpression": `=if error.code = null then bpmnError("NO_CODE", error.message) else null`},
			command{kind: "throw", code: "NO_CODE", message: "dial: refused"}},
		{"errorExpression on success throws from the response",
			respond(map[string]any{"body": map[string]any{"ok": false}}), map[string]string{"errorExpression": `=if body.ok = false then bpmnError("NOT_OK", "body says no") else null`},
			command{kind: "throw", code: "NOT_OK", message: "body says no"}},
		{"errorExpression's jobError fails with its retries, back-off and variables",
			respond(map[string]any{"body": map[string]any{"ok": false}}), map[string]string{"errorExpression": `=if body.ok then null else jobError("not ok yet", {attempt: job.retries}, job.retries - 2, @"PT5S")`},
			command{kind: "fail", retries: 1, backoff: 5 * time.Second, message: "not ok yet", variables: map[string]any{"attempt": 3.0}}},
		{"jobError without retries uses one retry less and the header's back-off",
			fail(notFound), map[string]string{"errorExpression": `=jobError("later")`, "retryBackoff": "PT1M"},
			command{kind: "fail", retries: 2, backoff: time.Minute, message: "later"}},
		{"a bad retryBackoff header leaves no retries",
			respond(nil), map[string]string{"retryBackoff": "10 seconds"},
			command{kind: "fail", retries: 0, message: `task header retryBackoff: expected an ISO 8601 duration such as PT10S, got "10 seconds": it does not start with P`}},
		{"a resultExpression that does not compile leaves no retries",
			respond(nil), map[string]string{"resultExpression": "={a: }"},
			command{kind: "fail", retries: 0, message: "task header resultExpression: "}},
		{"a resultExpression that gives no context leaves no retries",
			respond(map[string]any{"body": 1}), map[string]string{"resultExpression": "=body"},
			command{kind: "fail", retries: 0, message: "task header resultExpression: expected a context whose entries become variables, but the expression gave a number"}},
		{"an errorExpression with an unknown errorType leaves no retries",
			respond(nil), map[string]string{"errorExpression": `={errorType: "other"}`},
			command{kind: "fail", retries: 0, message: `task header errorExpression: expected bpmnError(...), jobError(...) or null, but the expression gave a context with errorType "other"`}},
		{"a panic is a failure",
			func(context.Context, connector.Request) (connector.Result, error) { panic("boom") }, nil,
			command{kind: "fail", retries: 2, message: "connector panicked: boom"}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := start(t, tc.fn, Config{})
			key := int64(100 + i)
			h.jobs.add(job(key, 3, tc.headers, map[string]any{"x": 1}))
			c := h.jobs.next(t)
			if c.kind != tc.want.kind || c.key != key || c.retries != tc.want.retries || c.backoff != tc.want.backoff || c.code != tc.want.code {
				t.Fatalf("got %+v\nwant %+v", c, tc.want)
			}
			if !strings.HasPrefix(c.message, tc.want.message) {
				t.Fatalf("message %q, want it to start with %q", c.message, tc.want.message)
			}
			if tc.want.variables != nil && asJSON(t, c.variables) != asJSON(t, tc.want.variables) {
				t.Fatalf("variables %s, want %s", asJSON(t, c.variables), asJSON(t, tc.want.variables))
			}
		})
	}
}

func TestRetriesNeverGoBelowZero(t *testing.T) {
	h := start(t, fail(errors.New("down")), Config{})
	h.jobs.add(job(1, 1, nil, nil))
	if c := h.jobs.next(t); c.kind != "fail" || c.retries != 0 {
		t.Fatalf("got %+v, want a failure with 0 retries", c)
	}
	if got := metricValue(t, h.rt.metrics.executions.WithLabelValues("test:echo", testType, OutcomeIncident)); got != 1 {
		t.Fatalf("%s{outcome=%s} = %v, want 1", NameExecutions, OutcomeIncident, got)
	}
}

func TestTimeoutFailsTheAttempt(t *testing.T) {
	h := start(t, func(ctx context.Context, _ connector.Request) (connector.Result, error) {
		<-ctx.Done()
		return connector.Result{}, ctx.Err()
	}, Config{Timeout: 50 * time.Millisecond})
	h.jobs.add(job(1, 3, nil, nil))
	c := h.jobs.next(t)
	if c.kind != "fail" || c.retries != 2 || !strings.Contains(c.message, "connector test:echo timed out after 50ms") {
		t.Fatalf("got %+v, want a timeout failure with 2 retries", c)
	}
}

func TestSecretsAreResolvedOnACopyAndRedacted(t *testing.T) {
	const secret = "s3cr3t-token-value"
	vars := map[string]any{
		"url":     "https://api.example.com/items?key={{secrets.TOKEN}}",
		"headers": map[string]any{"Authorization": "Bearer {{ secrets.TOKEN }}"},
		"list":    []any{"a", "{{secrets.TOKEN}}", 3.0},
	}
	original := asJSON(t, vars)
	var seen atomic.Value
	fn := func(_ context.Context, req connector.Request) (connector.Result, error) {
		seen.Store(asJSON(t, req.Input))
		req.Input["url"] = "changed by the connector"
		return connector.Result{}, &connector.BPMNError{Code: "LEAK", Message: "server said " + secret,
			Variables: map[string]any{"echo": "Bearer " + secret, secret: 1.0}}
	}
	h := start(t, fn, Config{Secrets: SecretMap{"TOKEN": secret, "OTHER": "unused-value"}})
	h.jobs.add(job(1, 3, nil, vars))
	c := h.jobs.next(t)
	want := `{"headers":{"Authorization":"Bearer s3cr3t-token-value"},"list":["a","s3cr3t-token-value",3],"url":"https://api.example.com/items?key=s3cr3t-token-value"}`
	if got := seen.Load(); got != want {
		t.Fatalf("connector input %v\nwant %s", got, want)
	}
	if asJSON(t, vars) != original {
		t.Fatalf("the job's variables changed: %s", asJSON(t, vars))
	}
	if c.kind != "throw" || c.message != "server said ***" || asJSON(t, c.variables) != `{"***":1,"echo":"Bearer ***"}` {
		t.Fatalf("got %+v, want the BPMN error with the secret masked", c)
	}
	if strings.Contains(h.log.String(), secret) {
		t.Fatalf("the log holds the secret:\n%s", h.log.String())
	}
}

func TestSecretsAreRedactedFromFailuresLogsAndSpans(t *testing.T) {
	const secret = "pa55word-xyz"
	fn := func(_ context.Context, req connector.Request) (connector.Result, error) {
		return connector.Result{}, fmt.Errorf("GET %s: refused", req.Input["url"])
	}
	h := start(t, fn, Config{Secrets: SecretMap{"TOKEN": secret}})
	h.jobs.add(job(1, 3, map[string]string{"errorExpression": `=if error.message = null then null else null`}, map[string]any{"url": "https://h/{{secrets.TOKEN}}"}))
	c := h.jobs.next(t)
	if c.kind != "fail" || c.message != "GET https://h/***: refused" {
		t.Fatalf("got %+v, want the failure with the secret masked", c)
	}
	if strings.Contains(h.log.String(), secret) || !strings.Contains(h.log.String(), "https://h/***") {
		t.Fatalf("the log should hold the masked message only:\n%s", h.log.String())
	}
	spans := waitSpans(t, h.rec, 1)
	s := spans[0]
	if s.Name() != SpanExecute || s.Status().Code != codes.Error || s.Status().Description != "GET https://h/***: refused" {
		t.Fatalf("span %s status %+v", s.Name(), s.Status())
	}
	for _, a := range s.Attributes() {
		if strings.Contains(a.Value.String(), secret) {
			t.Fatalf("span attribute %s holds the secret", a.Key)
		}
	}
}

func waitSpans(t *testing.T, rec *tracetest.SpanRecorder, n int) []sdktrace.ReadOnlySpan {
	t.Helper()
	eventually(t, fmt.Sprintf("%d spans ended", n), func() bool { return len(rec.Ended()) >= n })
	return rec.Ended()
}

func TestSecretsTheConnectorMayNotUse(t *testing.T) {
	cases := []struct {
		name string
		opts []Option
		vars map[string]any
		want command
	}{
		{"an undeclared secret is refused", nil, map[string]any{"a": map[string]any{"b": "{{secrets.OTHER}}"}},
			command{kind: "fail", retries: 0, message: "input a.b: secret OTHER is not declared by connector test:echo"}},
		{"an unconfigured secret is refused", nil, map[string]any{"h": []any{"{{secrets.TOKEN}}"}},
			command{kind: "fail", retries: 0, message: "input h[0]: secret TOKEN is not configured"}},
		{"AllSecrets lets it use any configured secret", []Option{AllSecrets()}, map[string]any{"a": "{{secrets.OTHER}}"},
			command{kind: "complete"}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := start(t, respond(nil), Config{Secrets: SecretMap{"OTHER": "o"}}, tc.opts...)
			h.jobs.add(job(int64(i+1), 3, nil, tc.vars))
			c := h.jobs.next(t)
			if c.kind != tc.want.kind || c.retries != tc.want.retries || c.message != tc.want.message {
				t.Fatalf("got %+v\nwant %+v", c, tc.want)
			}
		})
	}
}

func TestMetricsCountExecutions(t *testing.T) {
	h := start(t, respond(map[string]any{"ok": true}), Config{})
	h.jobs.add(job(1, 3, nil, nil), job(2, 3, nil, nil))
	h.jobs.next(t)
	h.jobs.next(t)
	eventually(t, "the executions counter reaches 2", func() bool {
		return metricValue(t, h.rt.metrics.executions.WithLabelValues("test:echo", testType, OutcomeCompleted)) == 2
	})
	families, err := h.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, f := range families {
		seen[f.GetName()] = len(f.GetMetric())
		if f.GetName() == NameExecutions {
			for _, m := range f.GetMetric() {
				labels := map[string]string{}
				for _, l := range m.GetLabel() {
					labels[l.GetName()] = l.GetValue()
				}
				if want := map[string]string{"connector": "test:echo", "type": testType, "outcome": OutcomeCompleted}; !reflect.DeepEqual(labels, want) || m.GetCounter().GetValue() != 2 {
					t.Fatalf("%s series %v = %v, want %v = 2", NameExecutions, labels, m.GetCounter().GetValue(), want)
				}
			}
		}
	}
	if seen[NameExecutions] != 1 || seen[NameExecutionDuration] != 1 || seen[NameInFlight] != 1 {
		t.Fatalf("series per metric %v; want one each of %s, %s and %s", seen, NameExecutions, NameExecutionDuration, NameInFlight)
	}
}

// metricValue reads a counter or gauge.
func metricValue(t *testing.T, m prometheus.Metric) float64 {
	t.Helper()
	var out dto.Metric
	if err := m.Write(&out); err != nil {
		t.Fatal(err)
	}
	if c := out.GetCounter(); c != nil {
		return c.GetValue()
	}
	return out.GetGauge().GetValue()
}

func TestConcurrencyIsBounded(t *testing.T) {
	var running, peak atomic.Int32
	release := make(chan struct{})
	fn := func(ctx context.Context, _ connector.Request) (connector.Result, error) {
		n := running.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		select {
		case <-release:
		case <-ctx.Done():
		}
		running.Add(-1)
		return connector.Result{}, nil
	}
	h := start(t, fn, Config{MaxConcurrent: 2})
	for i := 1; i <= 5; i++ {
		h.jobs.add(job(int64(i), 3, nil, nil))
	}
	eventually(t, "two executions start", func() bool { return running.Load() == 2 })
	close(release)
	for i := 0; i < 5; i++ {
		if c := h.jobs.next(t); c.kind != "complete" {
			t.Fatalf("got %+v", c)
		}
	}
	if p := peak.Load(); p != 2 {
		t.Fatalf("peak executions in flight %d, want 2", p)
	}
	h.jobs.mu.Lock()
	defer h.jobs.mu.Unlock()
	for _, n := range h.jobs.asked {
		if n < 1 || n > 2 {
			t.Fatalf("an activation asked for %d jobs; want 1 or 2 (the free slots)", n)
		}
	}
}

func TestStopAbandonsRunningJobsWithoutUsingARetry(t *testing.T) {
	started := make(chan struct{})
	fn := func(ctx context.Context, _ connector.Request) (connector.Result, error) {
		close(started)
		<-ctx.Done()
		return connector.Result{}, ctx.Err()
	}
	h := start(t, fn, Config{})
	h.jobs.add(job(1, 3, nil, nil))
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the execution did not start")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // no time to drain: cancel the execution at once
	if err := h.rt.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	c := h.jobs.next(t)
	if c.kind != "fail" || c.retries != 3 || c.backoff != 0 || !strings.Contains(c.message, "stopped") {
		t.Fatalf("got %+v, want a failure that keeps the 3 retries", c)
	}
}

func TestStopWaitsForExecutionsInFlight(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	fn := func(context.Context, connector.Request) (connector.Result, error) {
		close(started)
		<-release
		return connector.Result{Response: "done"}, nil
	}
	h := start(t, fn, Config{})
	h.jobs.add(job(1, 3, map[string]string{"resultVariable": "r"}, nil))
	<-started
	stopped := make(chan error, 1)
	go func() { stopped <- h.rt.Stop(context.Background()) }()
	select {
	case err := <-stopped:
		t.Fatalf("Stop returned (%v) while an execution was in flight", err)
	case <-h.jobs.cmds:
		t.Fatal("a command was sent before the execution ended")
	default:
	}
	close(release)
	if c := h.jobs.next(t); c.kind != "complete" || asJSON(t, c.variables) != `{"r":"done"}` {
		t.Fatalf("got %+v", c)
	}
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
}

func TestActivationErrorsAreCountedAndRetried(t *testing.T) {
	h := start(t, respond(nil), Config{ErrorBackoff: time.Millisecond})
	h.jobs.mu.Lock()
	h.jobs.failErr = errors.New("engine unavailable")
	h.jobs.mu.Unlock()
	eventually(t, "activation errors are counted", func() bool {
		return metricValue(t, h.rt.metrics.activationErrors.WithLabelValues(testType)) >= 2
	})
	h.jobs.mu.Lock()
	h.jobs.failErr = nil
	h.jobs.mu.Unlock()
	h.jobs.add(job(1, 3, nil, nil))
	if c := h.jobs.next(t); c.kind != "complete" {
		t.Fatalf("got %+v", c)
	}
}

func TestRegister(t *testing.T) {
	rt, err := New(Config{Jobs: newFakeJobs()})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(id string, types ...string) connector.Connector {
		return connector.Func{Descriptor: connector.Descriptor{ID: id, Version: "1.0.0", JobTypes: types}, Fn: respond(nil)}
	}
	if err := rt.Register(mk("a", "t1", "t2")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		c    connector.Connector
		want string
	}{
		{"a job type served twice", mk("b", "t3", "t2"), `register connector b: job type "t2" is already served by connector a`},
		{"an invalid descriptor", mk("", "t4"), `register connector: connector "": id is empty`},
		{"nil", nil, "register connector: it is nil"},
	} {
		if err := rt.Register(tc.c); err == nil || err.Error() != tc.want {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
	if got := rt.JobTypes(); !reflect.DeepEqual(got, []string{"t1", "t2"}) {
		t.Fatalf("job types %v", got)
	}
	if err := rt.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := rt.Register(mk("c", "t5")); err == nil || !strings.Contains(err.Error(), "has started") {
		t.Fatalf("register after start: %v", err)
	}
	if err := rt.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	_, err := New(Config{MaxConcurrent: -1, Timeout: time.Minute, JobTimeout: time.Second})
	want := "connector runtime: JobTimeout (1s) must be at least Timeout (1m0s); Jobs is nil; MaxConcurrent must be between 1 and 10000, got -1"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
}
