package forward

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/example/wf-engine/core/store"
)

const secret = "0123456789abcdef-cluster"

// owner is a lease holder's server behind Guard that echoes what reached
// its handler.
func owner(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(Guard(secret, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Seen-Hop", r.Header.Get(HopHeader))
		w.Header().Set("X-Seen-Auth", r.Header.Get("Authorization"))
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, r.Method+" "+r.URL.RequestURI()+" "+string(body))
	})))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func holder(l store.Lease) func() (store.Lease, bool) {
	return func() (store.Lease, bool) { return l, true }
}

// reply is an answer, read and closed.
type reply struct {
	StatusCode int
	Header     http.Header
	body       string
}

func do(t *testing.T, h http.Handler, method, target, body string, headers ...string) reply {
	t.Helper()
	if f, ok := h.(*Handler); ok {
		t.Cleanup(f.Close)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, err := http.NewRequest(method, srv.URL+target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{StatusCode: res.StatusCode, Header: res.Header, body: string(b)}
}

func read(_ *testing.T, r reply) string { return r.body }

// A standby forwards a request as it came (method, path, query, body, the
// caller's credentials) and answers with the holder's answer; the holder's
// handler never sees the hop header.
func TestStandbyForwardsToTheHolder(t *testing.T) {
	o, hits := owner(t)
	h := New(Config{Secret: secret, Self: "b", Holder: holder(store.Lease{NodeID: "a", Epoch: 3, Address: o.URL, Remaining: time.Second})})
	res := do(t, h, http.MethodPost, "/v2/process-instances?x=1", `{"a":1}`, "Authorization", "Basic dTpw")
	if got := read(t, res); res.StatusCode != http.StatusCreated || got != `POST /v2/process-instances?x=1 {"a":1}` {
		t.Fatalf("forwarded answer: %d %q", res.StatusCode, got)
	}
	if res.Header.Get("X-Seen-Auth") != "Basic dTpw" || res.Header.Get("X-Seen-Hop") != "" {
		t.Fatalf("the holder saw Authorization %q and hop %q; want the caller's credentials and no hop header",
			res.Header.Get("X-Seen-Auth"), res.Header.Get("X-Seen-Hop"))
	}
	if hits.Load() != 1 {
		t.Fatalf("holder hit %d times", hits.Load())
	}
}

// Without a holder it can reach, a standby answers 503 with Retry-After,
// and it never forwards a forwarded request again.
func TestStandbyAnswers503WhenItCannotForward(t *testing.T) {
	o, hits := owner(t)
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	live := store.Lease{NodeID: "a", Epoch: 1, Address: o.URL, Remaining: time.Second}
	for _, tc := range []struct {
		name    string
		cfg     Config
		headers []string
		want    string
	}{
		{"no lease", Config{Secret: secret, Self: "b", Holder: func() (store.Lease, bool) { return store.Lease{}, false }}, nil, "no node holds"},
		{"expired lease", Config{Secret: secret, Self: "b", Holder: holder(store.Lease{NodeID: "a", Address: o.URL})}, nil, "no node holds"},
		{"taking over", Config{Secret: secret, Self: "a", Holder: holder(live)}, nil, "taking the partition over"},
		{"no secret", Config{Self: "b", Holder: holder(live)}, nil, "cluster.secret is not set"},
		{"forwarded already", Config{Secret: secret, Self: "b", Holder: holder(live)}, []string{HopHeader, secret}, "does not hold"},
		{"holder down", Config{Secret: secret, Self: "b", Holder: holder(store.Lease{NodeID: "a", Address: gone.URL, Remaining: time.Second})}, nil, "did not answer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := do(t, New(tc.cfg), http.MethodGet, "/v2/topology", "", tc.headers...)
			body := read(t, res)
			if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") != "1" || !strings.Contains(body, tc.want) {
				t.Fatalf("got %d (Retry-After %q) %s; want 503 with Retry-After and %q", res.StatusCode, res.Header.Get("Retry-After"), body, tc.want)
			}
		})
	}
	if hits.Load() != 0 {
		t.Fatalf("the holder was reached %d times", hits.Load())
	}
}

// The holder refuses a hop header with a wrong secret.
func TestGuardRefusesAWrongSecret(t *testing.T) {
	o, hits := owner(t)
	for _, hop := range []string{"wrong", secret + "x"} {
		req, _ := http.NewRequest(http.MethodGet, o.URL+"/v2/topology", nil)
		req.Header.Set(HopHeader, hop)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		_ = res.Body.Close()
		body := string(b)
		if res.StatusCode != http.StatusForbidden || strings.Contains(body, secret) {
			t.Fatalf("hop %q: %d %s; want 403 without the secret", hop, res.StatusCode, body)
		}
	}
	res := do(t, Guard("", http.NotFoundHandler()), http.MethodGet, "/", "", HopHeader, secret)
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("a hop to a node without a secret: %d, want 403", res.StatusCode)
	}
	if hits.Load() != 0 {
		t.Fatalf("refused hops reached the handler %d times", hits.Load())
	}
}

// A standby answers liveness itself, and readiness by whether it can
// forward to a holder.
func TestStandbyHealthAndReadiness(t *testing.T) {
	live := store.Lease{NodeID: "a", Address: "http://127.0.0.1:1", Remaining: time.Second}
	for _, tc := range []struct {
		name   string
		cfg    Config
		status int
	}{
		{"holder known", Config{Secret: secret, Self: "b", Holder: holder(live)}, http.StatusOK},
		{"no holder", Config{Secret: secret, Self: "b", Holder: func() (store.Lease, bool) { return store.Lease{}, false }}, http.StatusServiceUnavailable},
		{"no secret", Config{Self: "b", Holder: holder(live)}, http.StatusServiceUnavailable},
		{"taking over", Config{Secret: secret, Self: "a", Holder: holder(live)}, http.StatusServiceUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if res := do(t, New(tc.cfg), http.MethodGet, "/readyz", ""); res.StatusCode != tc.status {
				t.Fatalf("/readyz: %d, want %d", res.StatusCode, tc.status)
			}
			if res := do(t, New(tc.cfg), http.MethodGet, "/healthz", ""); res.StatusCode != http.StatusOK {
				t.Fatalf("/healthz: %d, want 200", res.StatusCode)
			}
		})
	}
}

// A command whose hop broke after it reached the holder may have been
// written: without an Idempotency-Key it is answered as of unknown outcome
// (no Retry-After); with one, or for a search, retrying is safe.
func TestBrokenHopAfterSendingIsOfUnknownOutcome(t *testing.T) {
	var hits atomic.Int64
	dying := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = io.ReadAll(r.Body)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close() // the holder died before it answered
		}
	}))
	t.Cleanup(dying.Close)
	live := store.Lease{NodeID: "a", Address: dying.URL, Remaining: time.Second}
	for _, tc := range []struct {
		name    string
		path    string
		headers []string
		retry   bool
	}{
		{"command", "/v2/process-instances", nil, false},
		{"keyed command", "/v2/process-instances", []string{"Idempotency-Key", "k1"}, true},
		{"search", "/v2/process-instances/search", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := do(t, New(Config{Secret: secret, Self: "b", Holder: holder(live)}), http.MethodPost, tc.path, `{}`, tc.headers...)
			body := read(t, res)
			unknown := strings.Contains(body, `"commandOutcomeUnknown":true`)
			if res.StatusCode != http.StatusServiceUnavailable || (res.Header.Get("Retry-After") != "") != tc.retry || unknown == tc.retry {
				t.Fatalf("got %d (Retry-After %q) %s; want 503, retryable %v", res.StatusCode, res.Header.Get("Retry-After"), body, tc.retry)
			}
		})
	}
	if hits.Load() != 3 {
		t.Fatalf("the holder was reached %d times, want 3", hits.Load())
	}
}
