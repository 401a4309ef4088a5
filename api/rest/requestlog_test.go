package rest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/example/wf-engine/api/rest"
	"github.com/example/wf-engine/api/telemetry"
	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/memstore"
	"github.com/example/wf-engine/elements/standard"
)

// logLines receives the server's log, one JSON line per Write (slog's
// handlers write each line at once).
type logLines chan []byte

func (l logLines) Write(p []byte) (int, error) {
	l <- bytes.Clone(p)
	return len(p), nil
}

// next waits for the next log line whose msg is msg and returns it, with
// every line read on the way.
func (l logLines) next(t *testing.T, msg string) (line map[string]any, all []string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case b := <-l:
			all = append(all, string(b))
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatalf("log line is not JSON: %q", b)
			}
			if m["msg"] == msg {
				return m, all
			}
		case <-deadline:
			t.Fatalf("no %q log line; read %q", msg, all)
		}
	}
}

// Every request gets one log line with its route template, status, trace
// id (the caller's traceparent continued) and
// request id (the caller's when usable, else a new one, echoed in the
// answer); PUT /v2/x/log-level changes what the server logs.
func TestRequestLogAndLogLevel(t *testing.T) {
	sink := make(logLines, 1000)
	h := telemetry.NewLogHandler(sink, slog.LevelInfo)
	log := slog.New(h)
	metrics := telemetry.New()
	st := memstore.New(memstore.Options{})
	eng, err := engine.Start(context.Background(), engine.Config{Partition: 1, Clock: clock.System{}, Store: st, OnCommit: []func(*store.Batch, time.Duration, error){metrics.ObserveCommit}, Registry: standard.Registry()})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := rest.New(rest.Config{LogLevel: h.Level(), MetricsOpen: true, IdempotencyTTL: time.Hour,
		Tracing: rest.Tracing{Provider: sdktrace.NewTracerProvider()}}, eng, st, metrics, log)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { srv.Drain(); hs.Close(); _ = eng.Close() })

	// do sends a request and returns its status and headers.
	do := func(method, path, body string, header ...string) (status int, h http.Header) {
		t.Helper()
		req, _ := http.NewRequest(method, hs.URL+path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close()
		return res.StatusCode, res.Header
	}
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	_, header := do(http.MethodGet, "/v2/process-definitions/12345", "", "X-Request-Id", "caller-id-1",
		"traceparent", "00-"+traceID+"-00f067aa0ba902b7-01")
	if header.Get("X-Request-Id") != "caller-id-1" {
		t.Errorf("the caller's request id is not echoed: %q", header.Get("X-Request-Id"))
	}
	_, header = do(http.MethodGet, "/v2/topology", "", "X-Request-Id", "bad id\" with quotes")
	made := header.Get("X-Request-Id")
	if len(made) != 32 || strings.Contains(made, " ") {
		t.Errorf("an unusable request id was not replaced: %q", made)
	}
	first, _ := sink.next(t, "request")
	if first["route"] != "/v2/process-definitions/:processDefinitionKey" || first["method"] != "GET" || first["status"] != float64(404) ||
		first["request_id"] != "caller-id-1" || first["duration_ms"] == nil || first["trace_id"] != traceID || first["span_id"] == nil {
		t.Errorf("request line: %v", first)
	}
	if second, _ := sink.next(t, "request"); second["request_id"] != made || second["route"] != "/v2/topology" {
		t.Errorf("the made-up request id is not the logged one: %v", second)
	}
	do(http.MethodGet, "/healthz", "") // debug level: not logged at info
	do(http.MethodGet, "/v2/topology", "")
	if l, all := sink.next(t, "request"); l["route"] != "/v2/topology" || strings.Contains(strings.Join(all, ""), "12345") {
		t.Errorf("a probe was logged at info level, or a key from a path was logged: %q", all)
	}

	if status, _ := do(http.MethodPut, "/v2/x/log-level", `{"level":"verbose"}`); status != http.StatusBadRequest {
		t.Errorf("an unknown level: %d", status)
	}
	if status, _ := do(http.MethodPut, "/v2/x/log-level", `{"level":"debug"}`); status != http.StatusOK {
		t.Fatalf("set debug: %d", status)
	}
	if h.Level().Level() != slog.LevelDebug {
		t.Fatalf("level after PUT debug: %v", h.Level().Level())
	}
	if l, _ := sink.next(t, "log level changed"); l["to"] != "DEBUG" || l["from"] != "INFO" {
		t.Errorf("level change line: %v", l)
	}
	do(http.MethodGet, "/healthz", "")
	for { // the PUT's own line comes first
		if l, _ := sink.next(t, "request"); l["route"] == "/healthz" {
			if l["level"] != "DEBUG" {
				t.Errorf("after PUT debug, the probe's line: %v", l)
			}
			break
		}
	}
	for range 2 {
		if status, _ := do(http.MethodPost, "/v2/messages/publication", `{"name":"paid","correlationKey":"k"}`, "Idempotency-Key", "once"); status != http.StatusOK {
			t.Fatalf("publish: %d", status)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, hs.URL+"/metrics", nil)
	mres, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = mres.Body.Close() }()
	var body bytes.Buffer
	_, _ = body.ReadFrom(mres.Body)
	for _, line := range []string{`wf_http_idempotency_requests_total{outcome="first"} 1`, `wf_http_idempotency_requests_total{outcome="replayed"} 1`,
		`wf_messages_published_total 1`} {
		if !strings.Contains(body.String(), line+"\n") {
			t.Errorf("metrics lack %s:\n%s", line, body.String())
		}
	}
}
