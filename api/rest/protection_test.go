package rest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/example/wf-engine/api/rest"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store/memstore"
)

func TestRoutesMatchOpenAPI(t *testing.T) {
	c := start(t, memstore.New(memstore.Options{}), rest.Config{})
	served, described := c.srv.Routes(), c.srv.SpecOperations()
	sort.Strings(served)
	sort.Strings(described)
	for _, r := range served {
		if !slices.Contains(described, r) {
			t.Errorf("route %s is served but not in api/openapi.yaml", r)
		}
	}
	for _, d := range described {
		if !slices.Contains(served, d) {
			t.Errorf("operation %s is in api/openapi.yaml but not served", d)
		}
	}
}

func TestBadRequests(t *testing.T) {
	c := start(t, memstore.New(memstore.Options{}), rest.Config{MaxBodyBytes: 2048, MaxVariablesBytes: 256})
	setup(t, c)
	want(t, c.get("/v2/nothing"), http.StatusNotFound)
	want(t, c.send(http.MethodDelete, "/v2/topology", nil), http.StatusMethodNotAllowed)
	want(t, c.do(http.MethodPost, "/v2/process-instances", "text/plain", []byte("{}")), http.StatusUnsupportedMediaType)
	big := `{"processDefinitionId":"order","variables":{"x":"` + strings.Repeat("a", 4096) + `"}}`
	want(t, c.post("/v2/process-instances", big), http.StatusRequestEntityTooLarge)
	vars := `{"processDefinitionId":"order","variables":{"x":"` + strings.Repeat("a", 400) + `"}}`
	r := want(t, c.post("/v2/process-instances", vars), http.StatusBadRequest)
	if !strings.Contains(string(r.body), "limit of 256 bytes") {
		t.Fatalf("variables limit: %s", r.body)
	}
	r = want(t, c.post("/v2/jobs/activation", map[string]any{"type": "x", "timeout": 1000, "maxJobsToActivate": "three"}), http.StatusBadRequest)
	if !strings.Contains(string(r.body), "maxJobsToActivate") {
		t.Fatalf("a wrong type must name the field: %s", r.body)
	}
	r = want(t, c.post("/v2/process-instances/search", map[string]any{"sort": []any{map[string]any{"field": "state", "order": "SIDEWAYS"}}}), http.StatusBadRequest)
	if !strings.Contains(string(r.body), "order") {
		t.Fatalf("an unknown enum value must name the field: %s", r.body)
	}
}

func TestIdempotencyKey(t *testing.T) {
	c := start(t, memstore.New(memstore.Options{}), rest.Config{IdempotencyTTL: time.Hour})
	setup(t, c)
	body := map[string]any{"processDefinitionId": "order", "variables": map[string]any{"n": 1}}
	first := want(t, c.post("/v2/process-instances", body, "Idempotency-Key", "k1"), http.StatusOK)
	again := want(t, c.post("/v2/process-instances", body, "Idempotency-Key", "k1"), http.StatusOK)
	if string(first.body) != string(again.body) || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay differs: %s vs %s", first.body, again.body)
	}
	other := want(t, c.post("/v2/process-instances", map[string]any{"processDefinitionId": "order"}, "Idempotency-Key", "k1"), http.StatusConflict)
	if title(t, other) != "IDEMPOTENCY_KEY_REUSED" {
		t.Fatalf("other body: %s", other.body)
	}
	all := want(t, c.post("/v2/process-instances/search", nil), http.StatusOK).obj(t)
	if n := all["page"].(map[string]any)["totalItems"]; n != float64(1) {
		t.Fatalf("the repeated create ran twice: %v instances", n)
	}
	// A 204 replays as a 204 without a body.
	job := activate(t, c, 1)[0]
	want(t, c.post("/v2/jobs/"+str(job, "jobKey")+"/completion", nil, "Idempotency-Key", "k2"), http.StatusNoContent)
	want(t, c.post("/v2/jobs/"+str(job, "jobKey")+"/completion", nil, "Idempotency-Key", "k2"), http.StatusNoContent)
}

// stubEngine answers every command with err.
type stubEngine struct {
	engine.Client
	engine.TenantClient
	err   error
	ready bool
	// saturated is what Saturated answers.
	saturated error
}

// startStub serves the API over eng, a stub engine, on a memory store.
func startStub(t *testing.T, cfg rest.Config, eng rest.Engine) *client {
	t.Helper()
	srv, err := rest.New(cfg, eng, memstore.New(memstore.Options{}), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &client{t: t, base: hs.URL, http: hs.Client(), srv: srv}
}

func (s *stubEngine) Ready() bool      { return s.ready }
func (s *stubEngine) Saturated() error { return s.saturated }
func (s *stubEngine) Read(context.Context, func(*state.State)) error {
	return s.err
}
func (s *stubEngine) CreateInstance(context.Context, engine.CreateInstanceRequest) (*engine.CreatedInstance, error) {
	return nil, s.err
}
func (s *stubEngine) CompleteJob(context.Context, engine.CompleteJobRequest) error { return s.err }
func (s *stubEngine) AwaitInstance(int64) (<-chan engine.InstanceEnd, func()) {
	return make(chan engine.InstanceEnd), func() {}
}

func TestEngineTroubleStatus(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		status int
		title  string
	}{
		{"queue full", engine.ErrOverloaded, http.StatusTooManyRequests, "RESOURCE_EXHAUSTED"},
		{"store down", engine.ErrUnavailable, http.StatusServiceUnavailable, "UNAVAILABLE"},
		{"stopped", engine.ErrStopped, http.StatusServiceUnavailable, "UNAVAILABLE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := startStub(t, rest.Config{RetryAfter: 2 * time.Second}, &stubEngine{err: tc.err})
			r := want(t, c.post("/v2/process-instances", map[string]any{"processDefinitionId": "order"}), tc.status)
			if title(t, r) != tc.title || r.header.Get("Retry-After") != "2" {
				t.Fatalf("answer %s, Retry-After %q", r.body, r.header.Get("Retry-After"))
			}
			want(t, c.post("/v2/jobs/1/completion", nil), tc.status)
			want(t, c.get("/v2/status"), http.StatusServiceUnavailable)
			want(t, c.get("/readyz"), http.StatusServiceUnavailable)
			want(t, c.get("/healthz"), http.StatusOK)
		})
	}
}

// TestNoServerErrorsOnBadInput sends malformed and odd bodies to every
// route: each must get an answer below 500.
func TestNoServerErrorsOnBadInput(t *testing.T) {
	c := start(t, memstore.New(memstore.Options{}), rest.Config{})
	setup(t, c)
	bodies := []string{``, `{`, `null`, `[]`, `"x"`, `42`, `{"variables": 1}`, `{"filter": []}`, `{"filter": {"state": {"$in": "x"}}}`,
		`{"page": {"limit": -1}}`, `{"sort": {}}`, `{"changeset": null}`, `{"type": "", "timeout": 1, "maxJobsToActivate": 1}`,
		`{"processDefinitionKey": "99999999999999999999999"}`, `{"variables": {"a": ` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + `}}`,
		"\xff\xfe", `{"errorCode": "X", "variables": "y"}`, `{"retries": 2147483648}`}
	for _, route := range c.srv.Routes() {
		method, path, _ := strings.Cut(route, " ")
		if path == "/v2/x/user-tasks/events" {
			continue // a stream without a body to check; TestUserTaskEvents covers it
		}
		for _, param := range []string{"{processInstanceKey}", "{processDefinitionKey}", "{elementInstanceKey}", "{variableKey}", "{jobKey}", "{incidentKey}", "{userTaskKey}"} {
			path = strings.ReplaceAll(path, param, "2251799813685249")
		}
		for _, b := range bodies {
			r := c.do(method, path, "application/json", []byte(b))
			if r.status >= 500 && path != "/v2/status" && path != "/readyz" {
				t.Errorf("%s %s with %q: %d %s", method, path, b, r.status, r.body)
			}
		}
	}
}
