package runtime_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	nethttp "net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/example/wf-engine/api/resttest"
	httpconn "github.com/example/wf-engine/connectors/http"
	"github.com/example/wf-engine/connectors/runtime"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
)

// e2e is a real engine with its REST API, the connector runtime and the
// HTTP connector, and a log sink.
type e2e struct {
	srv *resttest.Server
	log *lockedBuffer
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func startE2E(t *testing.T, httpCfg httpconn.Config, secrets runtime.SecretSource, models ...string) *e2e {
	t.Helper()
	srv := resttest.Start(t, resttest.Options{})
	log := &lockedBuffer{}
	rt, err := runtime.New(runtime.Config{
		Jobs: runtime.EngineJobs(srv.Engine), Secrets: secrets, PollTimeout: 500 * time.Millisecond,
		Logger: slog.New(slog.NewJSONHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := httpconn.New(httpCfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.Register(conn, runtime.AllSecrets()); err != nil {
		t.Fatal(err)
	}
	if err := rt.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Registered after resttest's cleanup, so it runs first: the runtime
	// stops before the engine closes.
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := rt.Stop(ctx); err != nil {
			t.Errorf("stop runtime: %v", err)
		}
	})
	var resources []record.Resource
	for _, m := range models {
		b, err := os.ReadFile(filepath.Join("testdata", m))
		if err != nil {
			t.Fatal(err)
		}
		resources = append(resources, record.Resource{Name: m, Content: b})
	}
	if _, err := srv.Engine.Deploy(context.Background(), engine.DeployRequest{Resources: resources}); err != nil {
		t.Fatal(err)
	}
	return &e2e{srv: srv, log: log}
}

func (e *e2e) create(t *testing.T, process string, vars map[string]any) string {
	t.Helper()
	in, err := e.srv.Engine.CreateInstance(context.Background(), engine.CreateInstanceRequest{BPMNProcessID: process, Variables: vars})
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(in.ProcessInstanceKey, 10)
}

// call sends a request to the REST API and decodes the JSON answer.
func (e *e2e) call(t *testing.T, method, path string, body any) map[string]any {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := nethttp.NewRequest(method, e.srv.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := nethttp.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != nethttp.StatusOK {
		t.Fatalf("%s %s: %d %v %v", method, path, res.StatusCode, out, err)
	}
	return out
}

func items(m map[string]any) []map[string]any {
	raw, _ := m["items"].([]any)
	out := make([]map[string]any, len(raw))
	for i, it := range raw {
		out[i], _ = it.(map[string]any)
	}
	return out
}

// waitState polls the instance until it is in state.
func (e *e2e) waitState(t *testing.T, key, state string) {
	t.Helper()
	var got any
	if !waitFor(func() bool {
		got = e.call(t, "GET", "/v2/process-instances/"+key, nil)["state"]
		return got == state
	}) {
		t.Fatalf("instance %s is %v, not %s, after 20s; incidents: %v", key, got, state, e.incidents(t, key))
	}
}

func (e *e2e) variables(t *testing.T, key string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, it := range items(e.call(t, "POST", "/v2/variables/search", map[string]any{"filter": map[string]any{"processInstanceKey": key}})) {
		out[it["name"].(string)] = it["value"].(string)
	}
	return out
}

func (e *e2e) incidents(t *testing.T, key string) []map[string]any {
	t.Helper()
	return items(e.call(t, "POST", "/v2/incidents/search", map[string]any{"filter": map[string]any{"processInstanceKey": key}}))
}

func (e *e2e) waitIncident(t *testing.T, key string) map[string]any {
	t.Helper()
	var inc []map[string]any
	if !waitFor(func() bool {
		inc = e.incidents(t, key)
		return len(inc) > 0
	}) {
		t.Fatalf("no incident on instance %s after 20s", key)
	}
	return inc[0]
}

// waitFor polls cond every 10ms for up to 20s and reports whether it held.
func waitFor(cond func() bool) bool {
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		<-tick.C
	}
	return true
}

func (e *e2e) completedElements(t *testing.T, key string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, it := range items(e.call(t, "POST", "/v2/element-instances/search", map[string]any{"filter": map[string]any{"processInstanceKey": key}})) {
		if it["state"] == "COMPLETED" {
			out[it["elementId"].(string)] = true
		}
	}
	return out
}

// api is a test server that records the requests it gets.
type api struct {
	mu       sync.Mutex
	requests []*nethttp.Request
	bodies   []string
}

func (a *api) handler(fn func(w nethttp.ResponseWriter, r *nethttp.Request)) nethttp.Handler {
	return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		b, _ := io.ReadAll(r.Body)
		a.mu.Lock()
		a.requests = append(a.requests, r.Clone(context.Background()))
		a.bodies = append(a.bodies, string(b))
		a.mu.Unlock()
		fn(w, r)
	})
}

func (a *api) seen() ([]*nethttp.Request, []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]*nethttp.Request(nil), a.requests...), append([]string(nil), a.bodies...)
}

func jsonResponse(w nethttp.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func TestE2EResultExpressionMapsTheResponse(t *testing.T) {
	rec := &api{}
	ts := httptest.NewServer(rec.handler(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		jsonResponse(w, 200, `{"id":"A-`+strings.TrimPrefix(r.URL.Path, "/orders/")+`","total":99.5,"items":[1,2]}`)
	}))
	defer ts.Close()
	e := startE2E(t, httpconn.Config{AllowPrivateAddresses: true}, nil, "rest-success.bpmn")
	key := e.create(t, "rest-success", map[string]any{"baseUrl": ts.URL, "orderId": "42"})
	e.waitState(t, key, "COMPLETED")
	vars := e.variables(t, key)
	for name, want := range map[string]string{"orderNumber": `"A-42"`, "orderTotal": `99.5`, "httpStatus": `200`} {
		if vars[name] != want {
			t.Errorf("variable %s = %s, want %s (all: %v)", name, vars[name], want, vars)
		}
	}
	reqs, _ := rec.seen()
	if len(reqs) != 1 || reqs[0].Method != "GET" || reqs[0].URL.RawQuery != "expand=items" || reqs[0].Header.Get("X-Request") != "e2e" {
		t.Fatalf("the API saw %d requests: %+v", len(reqs), reqs)
	}
}

func TestE2EErrorExpressionThrowsToTheBoundaryEvent(t *testing.T) {
	ts := httptest.NewServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		if r.URL.Path == "/orders/1" {
			jsonResponse(w, 200, `{"id":1}`)
			return
		}
		jsonResponse(w, 404, `{"message":"no order `+strings.TrimPrefix(r.URL.Path, "/orders/")+`"}`)
	}))
	defer ts.Close()
	e := startE2E(t, httpconn.Config{AllowPrivateAddresses: true}, nil, "rest-not-found.bpmn")

	missing := e.create(t, "rest-not-found", map[string]any{"baseUrl": ts.URL, "orderId": "9"})
	e.waitState(t, missing, "COMPLETED")
	done := e.completedElements(t, missing)
	if !done["order-missing"] || !done["not-found"] || done["found"] {
		t.Fatalf("the instance did not take the boundary path: completed %v", done)
	}
	if inc := e.incidents(t, missing); len(inc) != 0 {
		t.Fatalf("incidents %v", inc)
	}

	found := e.create(t, "rest-not-found", map[string]any{"baseUrl": ts.URL, "orderId": "1"})
	e.waitState(t, found, "COMPLETED")
	done = e.completedElements(t, found)
	if !done["found"] || done["not-found"] {
		t.Fatalf("the instance did not take the normal path: completed %v", done)
	}
	if v := e.variables(t, found)["order"]; !strings.Contains(v, `"status":200`) || !strings.Contains(v, `"body":{"id":1}`) {
		t.Fatalf("resultVariable order = %s", v)
	}
}

func TestE2ESecretsReachTheServerOnly(t *testing.T) {
	const secret = "tok-7f3a9c-e2e-secret"
	rec := &api{}
	ts := httptest.NewServer(rec.handler(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		if r.URL.Path == "/fail" {
			jsonResponse(w, 500, `{"error":"backend down"}`)
			return
		}
		jsonResponse(w, 200, `{"accepted":true}`)
	}))
	defer ts.Close()
	e := startE2E(t, httpconn.Config{AllowPrivateAddresses: true}, runtime.SecretMap{"TOKEN": secret}, "rest-secret.bpmn")

	ok := e.create(t, "rest-secret", map[string]any{"baseUrl": ts.URL, "path": "/ok", "item": "book"})
	e.waitState(t, ok, "COMPLETED")
	failing := e.create(t, "rest-secret", map[string]any{"baseUrl": ts.URL, "path": "/fail", "item": "pen"})
	inc := e.waitIncident(t, failing)

	reqs, bodies := rec.seen()
	if len(reqs) != 2 {
		t.Fatalf("the API saw %d requests, want 2", len(reqs))
	}
	for i, r := range reqs {
		if r.Header.Get("Authorization") != "Bearer "+secret || r.URL.Query().Get("key") != secret {
			t.Fatalf("request %d did not carry the resolved secret: %v %v", i, r.Header, r.URL)
		}
	}
	if bodies[0] != `{"item":"book"}` {
		t.Fatalf("body %s", bodies[0])
	}
	msg, _ := inc["errorMessage"].(string)
	if !strings.Contains(msg, "answered 500") || !strings.Contains(msg, "key=***") || strings.Contains(msg, secret) {
		t.Fatalf("incident message %q: want the failure with the secret masked", msg)
	}
	for _, key := range []string{ok, failing} {
		for name, v := range e.variables(t, key) {
			if strings.Contains(v, secret) {
				t.Fatalf("variable %s of instance %s holds the secret: %s", name, key, v)
			}
		}
	}
	if v := e.variables(t, ok)["apiResponse"]; !strings.Contains(v, `"accepted":true`) {
		t.Fatalf("apiResponse = %s", v)
	}
	if strings.Contains(e.log.String(), secret) {
		t.Fatalf("the log holds the secret:\n%s", e.log.String())
	}
	if !strings.Contains(e.log.String(), "key=***") {
		t.Fatalf("the log does not show the masked failure:\n%s", e.log.String())
	}
}

func TestE2ELoopbackIsRefusedUnlessAllowed(t *testing.T) {
	rec := &api{}
	ts := httptest.NewServer(rec.handler(func(w nethttp.ResponseWriter, r *nethttp.Request) { jsonResponse(w, 200, `{}`) }))
	defer ts.Close()
	e := startE2E(t, httpconn.Config{}, nil, "rest-refused.bpmn")
	key := e.create(t, "rest-refused", map[string]any{"baseUrl": ts.URL})
	inc := e.waitIncident(t, key)
	msg, _ := inc["errorMessage"].(string)
	if !strings.Contains(msg, "address 127.0.0.1 is refused: it is a loopback address") {
		t.Fatalf("incident message %q: want it to say the loopback address is refused", msg)
	}
	jobs := items(e.call(t, "POST", "/v2/jobs/search", map[string]any{"filter": map[string]any{"processInstanceKey": key}}))
	if len(jobs) != 1 || jobs[0]["retries"] != 0.0 {
		t.Fatalf("jobs %v: want one job with no retries left", jobs)
	}
	if reqs, _ := rec.seen(); len(reqs) != 0 {
		t.Fatalf("the refused address was reached %d times", len(reqs))
	}
	if n := strings.Count(e.log.String(), `"msg":"connector job failed"`); n != 2 {
		t.Fatalf("%d failed attempts logged, want 2 (retries=2):\n%s", n, e.log.String())
	}
}

// A secret restricted to 127.0.0.1 reaches a server there; sent to another
// host (localhost, the same server by another name), the call is refused
// before it is made, as an incident that names the secret and the host and
// holds no secret value.
func TestE2ESecretGoesOnlyToItsAllowedHosts(t *testing.T) {
	const secret = "tok-allowed-hosts-5d1e"
	rec := &api{}
	ts := httptest.NewServer(rec.handler(func(w nethttp.ResponseWriter, r *nethttp.Request) { jsonResponse(w, 200, `{"accepted":true}`) }))
	defer ts.Close()
	secrets := runtime.Secrets{"TOKEN": {Value: secret, AllowedHosts: []string{"127.0.0.1"}}}
	e := startE2E(t, httpconn.Config{AllowPrivateAddresses: true}, secrets, "rest-secret.bpmn")

	ok := e.create(t, "rest-secret", map[string]any{"baseUrl": ts.URL, "path": "/ok", "item": "book"})
	e.waitState(t, ok, "COMPLETED")
	port := ts.URL[strings.LastIndex(ts.URL, ":")+1:]
	refused := e.create(t, "rest-secret", map[string]any{"baseUrl": "http://localhost:" + port, "path": "/steal", "item": "pen"})
	inc := e.waitIncident(t, refused)
	msg, _ := inc["errorMessage"].(string)
	if !strings.Contains(msg, "secret TOKEN may not be sent to host localhost") || strings.Contains(msg, secret) {
		t.Fatalf("incident message %q: want the secret and host named, the value absent", msg)
	}
	reqs, _ := rec.seen()
	if len(reqs) != 1 || reqs[0].URL.Path != "/ok" {
		t.Fatalf("the API saw %d requests, want only the allowed one", len(reqs))
	}
	// The secret in the host name itself (a DNS lookup would carry it):
	// refused before any lookup, the value masked in the incident.
	inName := e.create(t, "rest-secret", map[string]any{"baseUrl": "http://{{secrets.TOKEN}}.localhost:" + port, "path": "/", "item": "x"})
	msg, _ = e.waitIncident(t, inName)["errorMessage"].(string)
	if !strings.Contains(msg, "secret TOKEN may not be sent to host ***.localhost") || strings.Contains(msg, secret) {
		t.Fatalf("incident message %q: want the host masked", msg)
	}
	if strings.Contains(e.log.String(), secret) {
		t.Fatalf("the log holds the secret:\n%s", e.log.String())
	}
}
