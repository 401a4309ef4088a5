package client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/example/wf-engine/sdk/client"
)

// seen is what a fake server saw of one request.
type seen struct {
	method, path, idemKey, auth string
	body                        string
}

// fake is an httptest server that answers with the scripted handlers in
// turn (the last one repeats) and records every request.
type fake struct {
	mu   sync.Mutex
	reqs []seen
	srv  *httptest.Server
}

func newFake(t *testing.T, answers ...http.HandlerFunc) *fake {
	t.Helper()
	f := &fake{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		n := len(f.reqs)
		f.reqs = append(f.reqs, seen{r.Method, r.URL.Path, r.Header.Get(client.IdempotencyHeader), r.Header.Get("Authorization"), string(b)})
		f.mu.Unlock()
		answers[min(n, len(answers)-1)](w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) requests() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.reqs...)
}

func problem(status int, retryAfter string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(status)
		_, _ = fmt.Fprintf(w, `{"type":"about:blank","title":"UNAVAILABLE","status":%d,"detail":"try later","instance":"/x"}`, status)
	}
}

func ok(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		if body == "" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}
}

const topologyJSON = `{"brokers":[],"clusterSize":1,"partitionsCount":1,"replicationFactor":1,"gatewayVersion":"8.8.0","lastCompletedChangeId":"-1"}`

func fastRetry() client.Option {
	return client.WithRetry(client.RetryPolicy{MaxAttempts: 3, InitialBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond})
}

func TestRetryHonoursRetryAfter(t *testing.T) {
	f := newFake(t, problem(http.StatusServiceUnavailable, "1"), ok(topologyJSON))
	c, err := client.New(f.srv.URL, fastRetry())
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	topo, err := c.Topology(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(began); waited < time.Second {
		t.Fatalf("retried after %v, before the 1s the server asked for", waited)
	}
	if topo.GatewayVersion != "8.8.0" || len(f.requests()) != 2 {
		t.Fatalf("topology %+v after %d requests", topo, len(f.requests()))
	}
}

func TestRetryGivesUpAfterMaxAttempts(t *testing.T) {
	f := newFake(t, problem(http.StatusTooManyRequests, ""))
	c, _ := client.New(f.srv.URL, fastRetry())
	_, err := c.SearchJobs(ctx(t), client.JobQuery{})
	var p *client.Problem
	if !errors.As(err, &p) || p.Status != http.StatusTooManyRequests || p.Detail != "try later" {
		t.Fatalf("got %v, want the last 429 problem", err)
	}
	if n := len(f.requests()); n != 3 {
		t.Fatalf("made %d attempts, want 3", n)
	}
}

func TestRetryStopsWhenRetryAfterIsTooLong(t *testing.T) {
	f := newFake(t, problem(http.StatusServiceUnavailable, "3600"))
	c, _ := client.New(f.srv.URL, fastRetry())
	_, err := c.Topology(ctx(t))
	var p *client.Problem
	if !errors.As(err, &p) || p.RetryAfter != time.Hour {
		t.Fatalf("got %v, want a 503 problem with RetryAfter 1h", err)
	}
	if n := len(f.requests()); n != 1 {
		t.Fatalf("made %d attempts, want 1", n)
	}
}

func TestRetryOnlyWhatIsSafeToRepeat(t *testing.T) {
	f := newFake(t, problem(http.StatusServiceUnavailable, "0"), ok(""))
	c, _ := client.New(f.srv.URL, fastRetry())
	// A mutating POST gets one Idempotency-Key, the same on each attempt.
	if err := c.CompleteJob(ctx(t), 7, client.CompleteJobRequest{Variables: map[string]any{"a": 1}}); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	if len(reqs) != 2 || reqs[0].idemKey == "" || reqs[0].idemKey != reqs[1].idemKey || reqs[0].body != reqs[1].body {
		t.Fatalf("attempts: %+v", reqs)
	}
	if reqs[0].path != "/v2/jobs/7/completion" || reqs[0].body != `{"variables":{"a":1}}` {
		t.Fatalf("request: %+v", reqs[0])
	}
	// The next command gets a fresh key.
	if err := c.CompleteJob(ctx(t), 7, client.CompleteJobRequest{}); err != nil {
		t.Fatal(err)
	}
	if k := f.requests()[2].idemKey; k == "" || k == reqs[0].idemKey {
		t.Fatalf("second command's key %q (first %q)", k, reqs[0].idemKey)
	}

	// Without automatic keys a POST command is sent once.
	g := newFake(t, problem(http.StatusServiceUnavailable, "0"), ok(""))
	c, _ = client.New(g.srv.URL, fastRetry(), client.WithIdempotencyKeys(false))
	if err := c.CompleteJob(ctx(t), 7, client.CompleteJobRequest{}); !client.IsStatus(err, http.StatusServiceUnavailable) {
		t.Fatalf("got %v, want the 503", err)
	}
	if reqs := g.requests(); len(reqs) != 1 || reqs[0].idemKey != "" {
		t.Fatalf("attempts without keys: %+v", reqs)
	}
	// Searches are retried without a key.
	g2 := newFake(t, problem(http.StatusServiceUnavailable, "0"), ok(`{"items":[],"page":{"totalItems":0}}`))
	c, _ = client.New(g2.srv.URL, fastRetry(), client.WithIdempotencyKeys(false))
	if _, err := c.SearchIncidents(ctx(t), client.IncidentQuery{}); err != nil {
		t.Fatal(err)
	}
	if reqs := g2.requests(); len(reqs) != 2 || reqs[1].idemKey != "" {
		t.Fatalf("search attempts: %+v", reqs)
	}

	// Job activation is never repeated: its jobs would be locked twice.
	h := newFake(t, problem(http.StatusTooManyRequests, "0"), ok(`{"jobs":[]}`))
	c, _ = client.New(h.srv.URL, fastRetry())
	_, err := c.ActivateJobs(ctx(t), client.ActivateJobsRequest{Type: "x", Timeout: time.Second, MaxJobs: 1})
	if !client.IsStatus(err, http.StatusTooManyRequests) || len(h.requests()) != 1 {
		t.Fatalf("activation: %v after %d requests", err, len(h.requests()))
	}
}

func TestRetryEndsWithTheContext(t *testing.T) {
	f := newFake(t, problem(http.StatusServiceUnavailable, "30"))
	c, _ := client.New(f.srv.URL)
	cx, cancel := context.WithTimeout(ctx(t), 100*time.Millisecond)
	defer cancel()
	began := time.Now()
	_, err := c.Topology(cx)
	if err == nil || time.Since(began) > 10*time.Second {
		t.Fatalf("got %v after %v", err, time.Since(began))
	}
}

func TestAuthModes(t *testing.T) {
	var tokenCalls atomic.Int32
	tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tokenCalls.Add(1)
		id, secret, _ := r.BasicAuth()
		if err := r.ParseForm(); err != nil || r.Form.Get("grant_type") != "client_credentials" || id != "worker" || secret != "s3cret" ||
			r.Form.Get("audience") != "wf-engine" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"invalid_client"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"tok-1","token_type":"Bearer","expires_in":3600}`))
	}))
	t.Cleanup(tokens.Close)

	cases := []struct {
		name string
		auth client.Auth
		want string
	}{
		{"bearer", client.BearerToken("static-token"), "Bearer static-token"},
		{"basic", client.BasicAuth("ann", "pw"), "Basic YW5uOnB3"},
		{"oauth2 client credentials", client.OAuth2ClientCredentials(clientcredentials.Config{
			ClientID: "worker", ClientSecret: "s3cret", TokenURL: tokens.URL,
			EndpointParams: map[string][]string{"audience": {"wf-engine"}},
		}), "Bearer tok-1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, ok(topologyJSON))
			c, _ := client.New(f.srv.URL, client.WithAuth(tc.auth))
			for range 2 {
				if _, err := c.Topology(ctx(t)); err != nil {
					t.Fatal(err)
				}
			}
			for _, r := range f.requests() {
				if r.auth != tc.want {
					t.Fatalf("Authorization %q, want %q", r.auth, tc.want)
				}
			}
		})
	}
	if n := tokenCalls.Load(); n != 1 {
		t.Fatalf("the token endpoint was called %d times, want once (the token is cached)", n)
	}

	bad := client.OAuth2ClientCredentials(clientcredentials.Config{ClientID: "worker", ClientSecret: "wrong", TokenURL: tokens.URL})
	f := newFake(t, ok(topologyJSON))
	c, _ := client.New(f.srv.URL, client.WithAuth(bad))
	if _, err := c.Topology(ctx(t)); err == nil || !strings.Contains(err.Error(), "OAuth2 access token") {
		t.Fatalf("bad credentials: %v", err)
	}
	if n := len(f.requests()); n != 0 {
		t.Fatalf("sent %d requests without a token", n)
	}
}

func TestProblemOfAnAnswerThatIsNoProblem(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html>upstream down</html>"))
	})
	c, _ := client.New(f.srv.URL)
	_, err := c.GetIncident(ctx(t), 5)
	var p *client.Problem
	if !errors.As(err, &p) || p.Status != http.StatusBadGateway || p.Title != "Bad Gateway" || p.Detail != "<html>upstream down</html>" || p.Instance != "/v2/incidents/5" {
		t.Fatalf("got %#v", err)
	}
	if got := err.Error(); got != "GET /v2/incidents/5: 502 Bad Gateway: <html>upstream down</html>" {
		t.Fatalf("error text %q", got)
	}
}

func TestKeysAreStringsOnTheWire(t *testing.T) {
	// 2^53+1 does not survive a float64; the client must keep it exact.
	f := newFake(t, ok(`{"processDefinitionId":"p","processDefinitionVersion":1,"tenantId":"<default>","variables":{},`+
		`"processDefinitionKey":"9007199254740993","processInstanceKey":"9007199254740995"}`))
	c, _ := client.New(f.srv.URL)
	pi, err := c.CreateProcessInstance(ctx(t), client.CreateProcessInstanceRequest{ProcessDefinitionKey: 9007199254740993})
	if err != nil {
		t.Fatal(err)
	}
	if pi.ProcessDefinitionKey != 9007199254740993 || pi.ProcessInstanceKey != 9007199254740995 {
		t.Fatalf("keys: %+v", pi)
	}
	if body := f.requests()[0].body; body != `{"processDefinitionKey":"9007199254740993"}` {
		t.Fatalf("request body %s", body)
	}
	// Filters send keys as strings too.
	g := newFake(t, ok(`{"items":[],"page":{"totalItems":0}}`))
	c, _ = client.New(g.srv.URL)
	_, err = c.SearchJobs(ctx(t), client.JobQuery{
		Filter: client.JobFilter{ProcessInstanceKey: 9007199254740995, Type: "a"},
		Extra:  client.RawFilter{"retries": client.Cond{Gte: 1}},
		Sort:   []client.Sort{{Field: "jobKey", Order: client.Descending}},
		Page:   &client.Page{Limit: 5, After: "YWJj"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"filter":{"processInstanceKey":"9007199254740995","retries":{"$gte":1},"type":"a"},"sort":[{"field":"jobKey","order":"DESC"}],"page":{"limit":5,"after":"YWJj"}}`
	if body := g.requests()[0].body; body != want {
		t.Fatalf("search body\n got %s\nwant %s", body, want)
	}
}

func TestDoIsTheRawEscapeHatch(t *testing.T) {
	f := newFake(t, ok(`{"status":"UP"}`))
	c, _ := client.New(f.srv.URL + "/")
	var out struct{ Status string }
	if err := c.Do(ctx(t), http.MethodGet, "/healthz", nil, &out); err != nil || out.Status != "UP" {
		t.Fatalf("Do: %+v %v", out, err)
	}
	if err := c.Do(ctx(t), http.MethodGet, "healthz", nil, &out); err == nil {
		t.Fatal("a path without a leading slash: no error")
	}
	if r := f.requests()[0]; r.path != "/healthz" {
		t.Fatalf("path %s", r.path)
	}
}

func TestNewRejectsBadBaseURLs(t *testing.T) {
	for _, u := range []string{"", "localhost:8080", "ftp://x", "http://", "http://x/?a=b", "http://x\x7f"} {
		if _, err := client.New(u); err == nil {
			t.Errorf("New(%q): no error", u)
		}
	}
	c, err := client.New("https://engine.example:8443/base/")
	if err != nil || c.BaseURL() != "https://engine.example:8443/base" {
		t.Fatalf("New: %v %v", c, err)
	}
}

func TestAnAcceptedCommandIsNeverRetried(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, `{"type":"about:blank","title":"UNAVAILABLE","status":503,"detail":"The command was accepted: process instance 42 was created","instance":"/v2/process-instances","commandAccepted":true,"processInstanceKey":"42"}`)
	}, ok(`{"processInstanceKey":"43"}`))
	c, _ := client.New(f.srv.URL, fastRetry())
	_, err := c.CreateProcessInstance(ctx(t), client.CreateProcessInstanceRequest{ProcessDefinitionID: "p", AwaitCompletion: true})
	var p *client.Problem
	if !errors.As(err, &p) || !p.CommandAccepted || p.ProcessInstanceKey != 42 {
		t.Fatalf("got %v, want the accepted problem naming instance 42", err)
	}
	if n := len(f.requests()); n != 1 {
		t.Fatalf("made %d attempts for an accepted command, want 1", n)
	}
}
