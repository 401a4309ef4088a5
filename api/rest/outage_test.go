package rest_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/example/wf-engine/api/rest"
	"github.com/example/wf-engine/api/telemetry"
	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/memstore"
	"github.com/example/wf-engine/core/store/pgstore"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
	"github.com/example/wf-engine/elements/standard"
)

// flakyQuerier is a store's search side that fails every read with err
// while it is down, as a database in an outage does; commits go on.
type flakyQuerier struct {
	rest.Querier
	err     error
	down    atomic.Bool
	refused atomic.Int64
}

func (f *flakyQuerier) fail() error {
	if f.down.Load() {
		f.refused.Add(1)
		return f.err
	}
	return nil
}

func (f *flakyQuerier) SearchProcessDefinitions(ctx context.Context, q store.Query) (store.Page[store.ProcessDefinition], error) {
	if err := f.fail(); err != nil {
		return store.Page[store.ProcessDefinition]{}, err
	}
	return f.Querier.SearchProcessDefinitions(ctx, q)
}

func (f *flakyQuerier) SearchProcessInstances(ctx context.Context, q store.Query) (store.Page[store.ProcessInstance], error) {
	if err := f.fail(); err != nil {
		return store.Page[store.ProcessInstance]{}, err
	}
	return f.Querier.SearchProcessInstances(ctx, q)
}

func (f *flakyQuerier) SearchElementInstances(ctx context.Context, q store.Query) (store.Page[store.ElementInstance], error) {
	if err := f.fail(); err != nil {
		return store.Page[store.ElementInstance]{}, err
	}
	return f.Querier.SearchElementInstances(ctx, q)
}

func (f *flakyQuerier) SearchVariables(ctx context.Context, q store.Query) (store.Page[store.Variable], error) {
	if err := f.fail(); err != nil {
		return store.Page[store.Variable]{}, err
	}
	return f.Querier.SearchVariables(ctx, q)
}

func (f *flakyQuerier) SearchJobs(ctx context.Context, q store.Query) (store.Page[store.Job], error) {
	if err := f.fail(); err != nil {
		return store.Page[store.Job]{}, err
	}
	return f.Querier.SearchJobs(ctx, q)
}

func (f *flakyQuerier) SearchIncidents(ctx context.Context, q store.Query) (store.Page[store.Incident], error) {
	if err := f.fail(); err != nil {
		return store.Page[store.Incident]{}, err
	}
	return f.Querier.SearchIncidents(ctx, q)
}

func (f *flakyQuerier) SearchUserTasks(ctx context.Context, q store.Query) (store.Page[store.UserTask], error) {
	if err := f.fail(); err != nil {
		return store.Page[store.UserTask]{}, err
	}
	return f.Querier.SearchUserTasks(ctx, q)
}

// Store errors of an outage, wrapped as the stores wrap them.
var (
	errConnRefused = fmt.Errorf("search process instances at 127.0.0.1:5432: %w",
		&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)})
	errAdminShutdown = fmt.Errorf("search variables at 127.0.0.1:5432: %w",
		&pgconn.PgError{Severity: "FATAL", Code: "57P01", Message: "terminating connection due to administrator command"})
	errSQLiteBusy = fmt.Errorf("search variables: %w", sqliteError(5|2<<8)) // SQLITE_BUSY_SNAPSHOT
)

// sqliteError has the Code method of the SQLite driver's errors.
type sqliteError int

func (e sqliteError) Error() string { return fmt.Sprintf("database is locked (%d)", int(e)) }
func (e sqliteError) Code() int     { return int(e) }

// startFlaky is start with the store's searches behind a flakyQuerier that
// fails with err while down.
func startFlaky(t *testing.T, s store.Store, cfg rest.Config, err error) (*client, *flakyQuerier) {
	t.Helper()
	metrics := telemetry.New()
	eng, startErr := engine.Start(context.Background(), engine.Config{Partition: 1, Clock: clock.System{}, Store: s, OnCommit: []func(*store.Batch, time.Duration, error){metrics.ObserveCommit}, Registry: standard.Registry()})
	if startErr != nil {
		t.Fatal(startErr)
	}
	q, ok := s.(rest.Querier)
	if !ok {
		t.Fatalf("store %T cannot search", s)
	}
	fq := &flakyQuerier{Querier: q, err: err}
	srv, newErr := rest.New(cfg, eng, fq, metrics, nil)
	if newErr != nil {
		t.Fatal(newErr)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		srv.Drain()
		hs.Close()
		_ = eng.Close()
		_ = s.Close()
	})
	return &client{t: t, base: hs.URL, http: &http.Client{Timeout: 20 * time.Second}, srv: srv}, fq
}

// wantAccepted checks an error answer to a command that committed: it says
// so, names the created instance and does not invite a retry.
func wantAccepted(t *testing.T, r *response, status int) string {
	t.Helper()
	p := want(t, r, status).obj(t)
	key, _ := p["processInstanceKey"].(string)
	if p["commandAccepted"] != true || key == "" || key == "0" {
		t.Fatalf("answer does not say the command was accepted, with its key: %s", r.body)
	}
	if detail, _ := p["detail"].(string); !strings.Contains(detail, "accepted") || !strings.Contains(detail, key) {
		t.Fatalf("detail does not say the command was accepted and name %s: %s", key, r.body)
	}
	if ra := r.header.Get("Retry-After"); ra != "" {
		t.Fatalf("an accepted command's answer invites a retry (Retry-After %s)", ra)
	}
	return key
}

func TestAwaitCompletionWhileStoreReadsFail(t *testing.T) {
	for _, sc := range stores {
		t.Run(sc.name, func(t *testing.T) {
			c, fq := startFlaky(t, sc.open(t), rest.Config{IdempotencyTTL: time.Hour, RetryAfter: 2 * time.Second}, errConnRefused)
			setup(t, c)
			want(t, c.deploy("noop.bpmn"), http.StatusOK)
			fq.down.Store(true)

			// Ends within its creation: answered from the engine.
			instant := want(t, c.post("/v2/process-instances", map[string]any{"processDefinitionId": "noop", "variables": map[string]any{"n": 1},
				"awaitCompletion": true, "requestTimeout": 10000}), http.StatusOK).obj(t)
			if fmt.Sprint(instant["variables"]) != "map[n:1]" {
				t.Fatalf("await an instance that ended at once: %v", instant)
			}

			// Ends later: answered from the engine's account of the end.
			done := make(chan *response, 1)
			go func() {
				done <- c.post("/v2/process-instances", map[string]any{"processDefinitionId": "order", "variables": map[string]any{"amount": 3, "note": "x"},
					"awaitCompletion": true, "fetchVariables": []string{"amount", "paid"}, "requestTimeout": 10000}, "Idempotency-Key", "await-1")
			}()
			var jobs []map[string]any
			eventually(t, "a job to activate", func() bool { jobs = activate(t, c, 1); return len(jobs) == 1 })
			want(t, c.post("/v2/jobs/"+str(jobs[0], "jobKey")+"/completion", map[string]any{"variables": map[string]any{"paid": true}}), http.StatusNoContent)
			r := want(t, <-done, http.StatusOK).obj(t)
			if vars := r["variables"].(map[string]any); len(vars) != 2 || vars["amount"] != float64(3) || vars["paid"] != true {
				t.Fatalf("await completion variables: %v", r)
			}

			// Does not end in time: 504, accepted, with the key; a retry
			// with the same Idempotency-Key gets the same answer and creates
			// nothing.
			body := map[string]any{"processDefinitionId": "order", "awaitCompletion": true, "requestTimeout": 50}
			timedOut := c.post("/v2/process-instances", body, "Idempotency-Key", "await-2")
			key := wantAccepted(t, timedOut, http.StatusGatewayTimeout)
			again := c.post("/v2/process-instances", body, "Idempotency-Key", "await-2")
			if again.status != timedOut.status || string(again.body) != string(timedOut.body) || again.header.Get("Idempotent-Replayed") != "true" {
				t.Fatalf("retry with the same Idempotency-Key: %d %s, want the replayed %d %s", again.status, again.body, timedOut.status, timedOut.body)
			}

			// Plain reads during the outage: 503 with Retry-After.
			search := c.post("/v2/process-instances/search", nil)
			want(t, search, http.StatusServiceUnavailable)
			if search.header.Get("Retry-After") != "2" || title(t, search) != "UNAVAILABLE" {
				t.Fatalf("search during the outage: Retry-After %q, %s", search.header.Get("Retry-After"), search.body)
			}
			if fq.refused.Load() == 0 {
				t.Fatal("the outage refused no read: the test tests nothing")
			}

			fq.down.Store(false)
			all := want(t, c.post("/v2/process-instances/search", nil), http.StatusOK).obj(t)
			if n := all["page"].(map[string]any)["totalItems"]; n != float64(3) {
				t.Fatalf("%v instances after three creates and a retry, want 3", n)
			}
			want(t, c.get("/v2/process-instances/"+key), http.StatusOK)
		})
	}
}

// createdEngine commits every create (instance 42) and reports it ended
// before the wait for it began, so its result must come from the store.
type createdEngine struct {
	stubEngine
	readErr error
	creates atomic.Int32
}

func (e *createdEngine) CreateInstance(context.Context, engine.CreateInstanceRequest) (*engine.CreatedInstance, error) {
	e.creates.Add(1)
	return &engine.CreatedInstance{ProcessInstanceKey: 42, ProcessDefinitionKey: 7, BPMNProcessID: "p", Version: 1, TenantID: "<default>"}, nil
}

func (e *createdEngine) Read(_ context.Context, _ func(*state.State)) error { return e.readErr }

func TestResultUnreadableAfterCommitAnswers503WithTheKey(t *testing.T) {
	for _, tc := range []struct {
		name     string
		readErr  error // the engine's read of the live state
		storeErr error // the store's search
	}{
		{"store refuses connections", nil, errConnRefused},
		{"postgres shuts down", nil, errAdminShutdown},
		{"sqlite busy", nil, errSQLiteBusy},
		{"engine unavailable", fmt.Errorf("%w: commit: connection reset", engine.ErrUnavailable), nil},
		{"unexpected store error", nil, fmt.Errorf("scan variable: %w", fmt.Errorf("bad column"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eng := &createdEngine{readErr: tc.readErr}
			fq := &flakyQuerier{Querier: memstore.New(memstore.Options{}), err: tc.storeErr}
			fq.down.Store(tc.storeErr != nil)
			srv, err := rest.New(rest.Config{IdempotencyTTL: time.Hour, RetryAfter: 2 * time.Second}, eng, fq, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			hs := httptest.NewServer(srv.Handler())
			defer hs.Close()
			c := &client{t: t, base: hs.URL, http: hs.Client(), srv: srv}
			body := map[string]any{"processDefinitionId": "p", "awaitCompletion": true, "requestTimeout": 10000}
			first := c.post("/v2/process-instances", body, "Idempotency-Key", "k")
			if key := wantAccepted(t, first, http.StatusServiceUnavailable); key != "42" {
				t.Fatalf("answer names instance %s, want 42", key)
			}
			again := c.post("/v2/process-instances", body, "Idempotency-Key", "k")
			if again.status != first.status || string(again.body) != string(first.body) || again.header.Get("Idempotent-Replayed") != "true" {
				t.Fatalf("retry with the same Idempotency-Key: %d %s, want the replayed answer", again.status, again.body)
			}
			if n := eng.creates.Load(); n != 1 {
				t.Fatalf("the engine created %d instances for one create and its retry", n)
			}
		})
	}
}

func TestSearchesDuringAStoreOutageAnswer503(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"connection refused", errConnRefused},
		{"postgres shuts down", errAdminShutdown},
		{"sqlite busy", errSQLiteBusy},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, fq := startFlaky(t, memstore.New(memstore.Options{}), rest.Config{RetryAfter: 3 * time.Second}, tc.err)
			setup(t, c)
			fq.down.Store(true)
			for _, r := range []*response{
				c.post("/v2/process-definitions/search", nil),
				c.post("/v2/process-instances/search", nil),
				c.get("/v2/process-instances/2251799813685249"),
				c.post("/v2/element-instances/search", nil),
				c.post("/v2/variables/search", nil),
				c.post("/v2/jobs/search", nil),
				c.post("/v2/incidents/search", nil),
				c.post("/v2/user-tasks/search", nil),
			} {
				want(t, r, http.StatusServiceUnavailable)
				if r.header.Get("Retry-After") != "3" || title(t, r) != "UNAVAILABLE" {
					t.Fatalf("Retry-After %q, body %s", r.header.Get("Retry-After"), r.body)
				}
			}
		})
	}
}

// tcpProxy forwards connections to a PostgreSQL server until it is cut:
// then it drops every open connection and refuses new ones, as a database
// host that goes away does.
type tcpProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	cut    bool
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln, target: target}
	go p.serve()
	t.Cleanup(p.cutOff)
	return p
}

func (p *tcpProxy) serve() {
	for {
		in, err := p.ln.Accept()
		if err != nil {
			return
		}
		out, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = in.Close()
			continue
		}
		p.mu.Lock()
		if p.cut {
			p.mu.Unlock()
			_ = in.Close()
			_ = out.Close()
			return
		}
		p.conns = append(p.conns, in, out)
		p.mu.Unlock()
		go func() { _, _ = io.Copy(out, in); _ = out.Close() }()
		go func() { _, _ = io.Copy(in, out); _ = in.Close() }()
	}
}

func (p *tcpProxy) cutOff() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	_ = p.ln.Close()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}

// TestPostgresOutageAnswers503 cuts the engine off its PostgreSQL server:
// searches answer 503 from pgx's own errors, and a create that cannot commit
// answers 503 without claiming it was accepted. A create with an
// Idempotency-Key cannot even look its key up, so it is refused with
// Retry-After. A create without one reaches the commit; the connection is
// cut under it, so the engine may not know whether the server got the batch
// (ADR 28): it answers either 503 with Retry-After (known not written) or
// 503 with commandOutcomeUnknown and no Retry-After, never a retryable
// answer for a batch that may have been written.
func TestPostgresOutageAnswers503(t *testing.T) {
	u, err := url.Parse(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := newTCPProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	s, err := pgstore.Open(context.Background(), u.String(), pgstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := start(t, s, rest.Config{RetryAfter: 2 * time.Second, IdempotencyTTL: time.Minute})
	setup(t, c)
	want(t, c.post("/v2/process-instances/search", nil), http.StatusOK)
	proxy.cutOff()
	create := map[string]any{"processDefinitionId": "order", "awaitCompletion": true, "requestTimeout": 1000}
	for _, r := range []*response{
		c.post("/v2/process-instances/search", nil),
		c.post("/v2/variables/search", nil),
		c.post("/v2/process-instances", create, "Idempotency-Key", "outage-1"),
	} {
		want(t, r, http.StatusServiceUnavailable)
		if r.header.Get("Retry-After") != "2" || r.obj(t)["commandAccepted"] != nil {
			t.Fatalf("Retry-After %q: %s", r.header.Get("Retry-After"), r.body)
		}
	}
	r := want(t, c.post("/v2/process-instances", create), http.StatusServiceUnavailable)
	p := r.obj(t)
	retryable := r.header.Get("Retry-After") == "2" && p["commandOutcomeUnknown"] == nil
	unknown := r.header.Get("Retry-After") == "" && p["commandOutcomeUnknown"] == true
	if p["commandAccepted"] != nil || retryable == unknown {
		t.Fatalf("create without a key, cut off: Retry-After %q: %s", r.header.Get("Retry-After"), r.body)
	}
}

// TestUnknownCommitOutcomeIsNeverAnsweredAsRetryable: a command whose commit
// may have been written gets 503 without Retry-After, saying so, and a
// retry with the same Idempotency-Key gets the same answer instead of
// running the command again.
func TestUnknownCommitOutcomeIsNeverAnsweredAsRetryable(t *testing.T) {
	eng := &stubEngine{err: fmt.Errorf("%w: commit: connection reset", engine.ErrOutcomeUnknown)}
	c := startStub(t, rest.Config{IdempotencyTTL: time.Minute}, eng)
	body := map[string]any{"processDefinitionId": "order"}
	r := want(t, c.post("/v2/process-instances", body, "Idempotency-Key", "k1"), http.StatusServiceUnavailable)
	if r.header.Get("Retry-After") != "" {
		t.Fatalf("an answer whose command may have been written advises a retry: Retry-After %q", r.header.Get("Retry-After"))
	}
	p := r.obj(t)
	if p["commandOutcomeUnknown"] != true || !strings.Contains(p["detail"].(string), "Do not send the command again") {
		t.Fatalf("problem %s does not say the outcome is unknown", r.body)
	}
	eng.err = nil // were the command run again, it would now succeed
	again := want(t, c.post("/v2/process-instances", body, "Idempotency-Key", "k1"), http.StatusServiceUnavailable)
	if again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("the retry with the same key ran the command again: %s", again.body)
	}
}

// TestUnknownOutcomeOfAKeyedCommandIsRetryable: when the engine says the
// command's Idempotency-Key was recorded in the batch of unknown outcome, the
// answer is 503 with Retry-After, saying a retry with the key is safe, and
// the retry reaches the engine instead of getting a cached answer.
func TestUnknownOutcomeOfAKeyedCommandIsRetryable(t *testing.T) {
	eng := &stubEngine{err: fmt.Errorf("%w: %w: commit: connection reset", engine.ErrRetryWithIdempotencyKey, engine.ErrOutcomeUnknown)}
	c := startStub(t, rest.Config{IdempotencyTTL: time.Minute, RetryAfter: 2 * time.Second}, eng)
	body := map[string]any{"processDefinitionId": "order"}
	r := want(t, c.post("/v2/process-instances", body, "Idempotency-Key", "k1"), http.StatusServiceUnavailable)
	if r.header.Get("Retry-After") != "2" {
		t.Fatalf("Retry-After %q, want 2", r.header.Get("Retry-After"))
	}
	if p := r.obj(t); p["commandOutcomeUnknown"] != nil || !strings.Contains(p["detail"].(string), "same Idempotency-Key") {
		t.Fatalf("problem %s does not advise a retry with the key", r.body)
	}
	eng.err = engine.ErrOverloaded // what the engine answers the retry
	again := want(t, c.post("/v2/process-instances", body, "Idempotency-Key", "k1"), http.StatusTooManyRequests)
	if again.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("the retry got a cached answer instead of reaching the engine: %s", again.body)
	}
}
