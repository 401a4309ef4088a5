package rest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"go.uber.org/goleak"

	"github.com/example/wf-engine/api/rest"
	"github.com/example/wf-engine/api/telemetry"
	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/memstore"
	"github.com/example/wf-engine/core/store/pgstore"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
	"github.com/example/wf-engine/core/store/sqlitestore"
	"github.com/example/wf-engine/elements/standard"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	goleak.VerifyTestMain(m)
}

// storeCase opens one kind of store for a test.
type storeCase struct {
	name string
	open func(t *testing.T) store.Store
}

// stores are the stores every endpoint test runs on. PostgreSQL runs when
// WF_TEST_POSTGRES_URL is set, in a schema of its own per test.
var stores = []storeCase{
	{"memory", func(*testing.T) store.Store { return memstore.New(memstore.Options{}) }},
	{"sqlite", func(t *testing.T) store.Store {
		s, err := sqlitestore.Open(context.Background(), filepath.Join(t.TempDir(), "wf.db"), sqlitestore.Options{Synchronous: "NORMAL"})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}},
	{"postgres", func(t *testing.T) store.Store {
		s, err := pgstore.Open(context.Background(), pgtest.URL(t), pgstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}},
}

// forEachStore runs fn once per store, each with a fresh server.
func forEachStore(t *testing.T, cfg rest.Config, fn func(t *testing.T, c *client)) {
	t.Helper()
	for _, sc := range stores {
		t.Run(sc.name, func(t *testing.T) {
			fn(t, start(t, sc.open(t), cfg))
		})
	}
}

// start runs an engine on s and the API over a real HTTP listener.
func start(t *testing.T, s store.Store, cfg rest.Config) *client {
	t.Helper()
	return startWithClock(t, s, cfg, clock.System{})
}

// startWithClock is start with the engine on another clock.
func startWithClock(t *testing.T, s store.Store, cfg rest.Config, clk clock.Clock) *client {
	t.Helper()
	metrics := telemetry.New()
	onCommit := []func(*store.Batch, time.Duration, error){metrics.ObserveCommit}
	if cfg.TaskEvents != nil { // the hub learns of commits
		onCommit = append(onCommit, cfg.TaskEvents.ObserveCommit)
	}
	eng, err := engine.Start(context.Background(), engine.Config{Partition: 1, Clock: clk, Store: s, OnCommit: onCommit, Registry: standard.Registry()})
	if err != nil {
		t.Fatal(err)
	}
	q, ok := s.(rest.Querier)
	if !ok {
		t.Fatalf("store %T cannot search", s)
	}
	srv, err := rest.New(cfg, eng, q, metrics, nil)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		srv.Drain()
		hs.Close()
		_ = eng.Close()
		_ = s.Close()
	})
	return &client{t: t, base: hs.URL, http: &http.Client{Timeout: 20 * time.Second}, srv: srv}
}

// client sends requests to the server under test.
type client struct {
	t    *testing.T
	base string
	http *http.Client
	srv  *rest.Server
}

// response is an answer, read whole.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r *response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("answer is not JSON (%v): %s", err, r.body)
	}
}

// obj decodes the answer as a JSON object.
func (r *response) obj(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	r.json(t, &m)
	return m
}

func (c *client) do(method, path, contentType string, body []byte, headers ...string) *response {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer func() { _ = res.Body.Close() }()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return &response{status: res.StatusCode, header: res.Header, body: b}
}

// send sends a JSON body (a string is sent verbatim).
func (c *client) send(method, path string, body any, headers ...string) *response {
	c.t.Helper()
	var b []byte
	switch v := body.(type) {
	case nil:
	case string:
		b = []byte(v)
	default:
		var err error
		if b, err = json.Marshal(v); err != nil {
			c.t.Fatal(err)
		}
	}
	ct := ""
	if b != nil {
		ct = "application/json"
	}
	return c.do(method, path, ct, b, headers...)
}

func (c *client) get(path string) *response { c.t.Helper(); return c.send(http.MethodGet, path, nil) }

func (c *client) post(path string, body any, headers ...string) *response {
	c.t.Helper()
	return c.send(http.MethodPost, path, body, headers...)
}

// deploy uploads files from testdata as one deployment.
func (c *client) deploy(files ...string) *response {
	c.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			c.t.Fatal(err)
		}
		part, err := w.CreateFormFile("resources", f)
		if err != nil {
			c.t.Fatal(err)
		}
		_, _ = part.Write(b)
	}
	_ = w.WriteField("tenantId", "<default>")
	_ = w.Close()
	return c.do(http.MethodPost, "/v2/deployments", w.FormDataContentType(), buf.Bytes())
}

// want fails the test unless the answer has the status; problem answers
// must be problem details and JSON answers must say so.
func want(t *testing.T, r *response, status int) *response {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	ct := r.header.Get("Content-Type")
	switch {
	case status == http.StatusNoContent:
		if len(r.body) != 0 {
			t.Fatalf("204 with a body: %s", r.body)
		}
	case status >= 400 && status != http.StatusServiceUnavailable || status == http.StatusServiceUnavailable && len(r.body) > 0 && ct == "application/problem+json":
		if ct != "application/problem+json" {
			t.Fatalf("problem answer with Content-Type %q: %s", ct, r.body)
		}
		p := r.obj(t)
		if p["status"] != float64(status) || p["title"] == "" || p["detail"] == "" || p["instance"] == "" {
			t.Fatalf("incomplete problem detail: %s", r.body)
		}
	case len(r.body) > 0 && r.body[0] == '{':
		if ct != "application/json; charset=utf-8" && ct != "application/json" {
			t.Fatalf("JSON answer with Content-Type %q", ct)
		}
	}
	return r
}

// title returns a problem answer's title.
func title(t *testing.T, r *response) string {
	t.Helper()
	s, _ := r.obj(t)["title"].(string)
	return s
}

// eventually polls fn until it returns true or the deadline passes.
func eventually(t *testing.T, what string, fn func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !fn() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
