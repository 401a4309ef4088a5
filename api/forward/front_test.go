package forward

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/example/wf-engine/core/store"
)

// frontNode is one node of a two-node test cluster: its front over an API
// that records what it served.
type frontNode struct {
	name   string
	srv    *httptest.Server
	front  *Front
	mu     sync.Mutex
	served []string // "METHOD path pinned=P"
	// jobs answers an activation: the jobs this node's partitions have
	// for one without a long poll, and for a long poll.
	jobs, polled int
}

type pinKey struct{}

func (n *frontNode) api(w http.ResponseWriter, r *http.Request) {
	pinned, _ := r.Context().Value(pinKey{}).(int32)
	n.mu.Lock()
	n.served = append(n.served, r.Method+" "+r.URL.Path+" pinned="+strconv.Itoa(int(pinned)))
	jobs, polled := n.jobs, n.polled
	n.mu.Unlock()
	if r.URL.Path == "/v2/jobs/activation" {
		var req struct {
			MaxJobs        int   `json:"maxJobsToActivate"`
			RequestTimeout int64 `json:"requestTimeout"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		give := jobs
		if req.RequestTimeout > 0 {
			give = polled
			if give == 0 {
				select { // waits like a long poll with nothing to hand out
				case <-r.Context().Done():
				case <-time.After(time.Duration(req.RequestTimeout) * time.Millisecond):
				}
			}
		}
		var out []map[string]string
		for i := range min(give, req.MaxJobs) {
			out = append(out, map[string]string{"jobKey": n.name + "-" + strconv.Itoa(i)})
		}
		if out == nil {
			out = []map[string]string{}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"jobs": out})
		return
	}
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, n.name)
}

func (n *frontNode) seen() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.served...)
}

// twoNodes starts a and b: a runs partitions 1 and 2, b 3 and 4; owners
// says who holds each lease (nil: the two of them).
func twoNodes(t *testing.T) (a, b *frontNode, owners map[int32]string) {
	t.Helper()
	a, b = &frontNode{name: "a"}, &frontNode{name: "b"}
	owners = map[int32]string{1: "a", 2: "a", 3: "b", 4: "b"}
	var mu sync.Mutex
	nodes := map[string]*frontNode{"a": a, "b": b}
	for _, n := range []*frontNode{a, b} {
		n.srv = httptest.NewUnstartedServer(nil)
		self := n.name
		n.front = NewFront(FrontConfig{
			Config:     Config{Secret: secret, Self: self},
			Partitions: 4,
			Owner: func(p int32) (store.Lease, bool) {
				mu.Lock()
				defer mu.Unlock()
				id, ok := owners[p]
				if !ok {
					return store.Lease{}, false
				}
				return store.Lease{Partition: p, NodeID: id, Epoch: 1, Address: nodes[id].srv.URL, Remaining: time.Minute}, true
			},
			Local: func(p int32) bool {
				mu.Lock()
				defer mu.Unlock()
				return owners[p] == self
			},
			Pin:             func(ctx context.Context, p int32) context.Context { return context.WithValue(ctx, pinKey{}, p) },
			LongPollTimeout: 2 * time.Second,
			Next:            http.HandlerFunc(n.api),
			Internal:        http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "internal "+self) }),
		})
		n.srv.Config.Handler = n.front
		n.srv.Start()
		t.Cleanup(n.srv.Close)
		t.Cleanup(n.front.Close)
	}
	return a, b, owners
}

func call(t *testing.T, n *frontNode, method, path, body string, headers ...string) reply {
	t.Helper()
	req, err := http.NewRequest(method, n.srv.URL+path, strings.NewReader(body))
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
	b, _ := io.ReadAll(res.Body)
	return reply{StatusCode: res.StatusCode, Header: res.Header, body: string(b)}
}

func keyOf(p int64) string { return strconv.FormatInt(p<<51|7, 10) }

// A request is served where the partition it names runs: by its key, by
// partition 1 for deployments and tenants, by the Idempotency-Key's
// partition (pinned) for a create; anything else here.
func TestFrontServesEachRequestWhereItsPartitionRuns(t *testing.T) {
	a, b, _ := twoNodes(t)
	for _, tc := range []struct {
		on           *frontNode
		method, path string
		headers      []string
		want         *frontNode
		served       string
	}{
		{a, "POST", "/v2/jobs/" + keyOf(3) + "/completion", nil, b, "POST /v2/jobs/" + keyOf(3) + "/completion pinned=0"},
		{b, "POST", "/v2/jobs/" + keyOf(3) + "/completion", nil, b, "POST /v2/jobs/" + keyOf(3) + "/completion pinned=0"},
		{b, "POST", "/v2/process-instances/" + keyOf(2) + "/cancellation", nil, a, "POST /v2/process-instances/" + keyOf(2) + "/cancellation pinned=0"},
		{b, "POST", "/v2/deployments", nil, a, "POST /v2/deployments pinned=0"},
		{b, "PATCH", "/v2/tenants/t1", nil, a, "PATCH /v2/tenants/t1 pinned=0"},
		{b, "POST", "/v2/process-instances/search", nil, b, "POST /v2/process-instances/search pinned=0"},
		{a, "POST", "/v2/process-instances", nil, a, "POST /v2/process-instances pinned=0"},
	} {
		before := len(tc.want.seen())
		r := call(t, tc.on, tc.method, tc.path, "{}", tc.headers...)
		if r.StatusCode != http.StatusOK || r.body != tc.want.name {
			t.Fatalf("%s %s on %s: %d %q, want served by %s", tc.method, tc.path, tc.on.name, r.StatusCode, r.body, tc.want.name)
		}
		if got := tc.want.seen(); len(got) != before+1 || got[before] != tc.served {
			t.Fatalf("%s served %v, want %q", tc.want.name, got, tc.served)
		}
	}
	// A create with an Idempotency-Key goes to the key's partition on
	// every node, pinned there.
	for _, key := range []string{"k-1", "k-2", "k-3", "k-4", "k-5"} {
		p := CreatePartition(key, 4)
		want := a
		if p > 2 {
			want = b
		}
		for _, on := range []*frontNode{a, b} {
			r := call(t, on, "POST", "/v2/process-instances", "{}", "Idempotency-Key", key)
			got := want.seen()
			if r.body != want.name || got[len(got)-1] != "POST /v2/process-instances pinned="+strconv.Itoa(int(p)) {
				t.Fatalf("create with key %s (partition %d) on %s: served by %q as %q", key, p, on.name, r.body, got[len(got)-1])
			}
		}
	}
}

// A forwarded request is never forwarded again: a partition that does not
// run here is answered 503 with Retry-After; a wrong secret is refused;
// the nodes' own routes take forwarded requests only; a partition that
// runs nowhere is answered 503 with Retry-After.
func TestFrontNeverForwardsTwice(t *testing.T) {
	a, b, owners := twoNodes(t)
	r := call(t, a, "POST", "/v2/jobs/"+keyOf(3)+"/completion", "{}", HopHeader, secret)
	if r.StatusCode != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" || len(b.seen()) != 0 {
		t.Fatalf("forwarded to the wrong node: %d %q (b served %v)", r.StatusCode, r.body, b.seen())
	}
	if r := call(t, a, "POST", "/v2/jobs/"+keyOf(1)+"/completion", "{}", HopHeader, "wrong-secret-0123456"); r.StatusCode != http.StatusForbidden {
		t.Fatalf("wrong secret: %d %q", r.StatusCode, r.body)
	}
	if r := call(t, a, "GET", InternalPrefix+"x", ""); r.StatusCode != http.StatusNotFound {
		t.Fatalf("internal route without the hop: %d %q", r.StatusCode, r.body)
	}
	if r := call(t, a, "GET", InternalPrefix+"x", "", HopHeader, secret); r.body != "internal a" {
		t.Fatalf("internal route over the hop: %d %q", r.StatusCode, r.body)
	}
	delete(owners, 4)
	r = call(t, a, "POST", "/v2/jobs/"+keyOf(4)+"/completion", "{}")
	if r.StatusCode != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
		t.Fatalf("partition without an owner: %d %q", r.StatusCode, r.body)
	}
}

// Job activation gathers jobs from every node, asking each for what is
// still missing; a long poll waits on every node at once and ends when
// one has jobs.
func TestFrontGathersJobsFromEveryNode(t *testing.T) {
	a, b, _ := twoNodes(t)
	a.jobs, b.jobs = 1, 5
	r := call(t, a, "POST", "/v2/jobs/activation", `{"type":"t","maxJobsToActivate":4,"requestTimeout":-1}`)
	var got struct {
		Jobs []struct {
			JobKey string `json:"jobKey"`
		} `json:"jobs"`
	}
	if err := json.Unmarshal([]byte(r.body), &got); err != nil || r.StatusCode != http.StatusOK {
		t.Fatalf("activation: %d %q (%v)", r.StatusCode, r.body, err)
	}
	if len(got.Jobs) != 4 || got.Jobs[0].JobKey != "a-0" || got.Jobs[1].JobKey != "b-0" {
		t.Fatalf("activation gathered %+v, want a's one job and three of b's", got.Jobs)
	}
	// Nothing anywhere at first; b has one for the long poll.
	a.mu.Lock()
	a.jobs, a.polled = 0, 0
	a.mu.Unlock()
	b.mu.Lock()
	b.jobs, b.polled = 0, 1
	b.mu.Unlock()
	start := time.Now()
	r = call(t, a, "POST", "/v2/jobs/activation", `{"type":"t","maxJobsToActivate":4,"requestTimeout":1500}`)
	if err := json.Unmarshal([]byte(r.body), &got); err != nil || len(got.Jobs) != 1 || got.Jobs[0].JobKey != "b-0" {
		t.Fatalf("long poll: %d %q (%v), want b's job", r.StatusCode, r.body, err)
	}
	if took := time.Since(start); took > time.Second {
		t.Fatalf("the long poll took %v although b had a job at once: it waited for a's poll", took)
	}
	// A forwarded activation asks this node's partitions only.
	before := len(b.seen())
	r = call(t, a, "POST", "/v2/jobs/activation", `{"type":"t","maxJobsToActivate":4,"requestTimeout":-1}`, HopHeader, secret)
	if r.StatusCode != http.StatusOK || len(b.seen()) != before {
		t.Fatalf("forwarded activation reached b: %d %q", r.StatusCode, r.body)
	}
}

// A node that runs every partition hands an activation to its API as it
// came, long poll included, instead of asking it once without waiting and
// then again: one request, the caller's own.
func TestFrontPassesActivationsThroughWhenEveryPartitionRunsHere(t *testing.T) {
	a, b, owners := twoNodes(t)
	owners[3], owners[4] = "a", "a"
	a.mu.Lock()
	a.jobs, a.polled = 0, 2
	a.mu.Unlock()
	body := `{"type":"t","maxJobsToActivate":4,"requestTimeout":1500}`
	r := call(t, a, "POST", "/v2/jobs/activation", body)
	var got struct {
		Jobs []struct {
			JobKey string `json:"jobKey"`
		} `json:"jobs"`
	}
	if err := json.Unmarshal([]byte(r.body), &got); err != nil || r.StatusCode != http.StatusOK || len(got.Jobs) != 2 {
		t.Fatalf("activation: %d %q (%v), want a's two polled jobs", r.StatusCode, r.body, err)
	}
	if served := a.seen(); len(served) != 1 || served[0] != "POST /v2/jobs/activation pinned=0" {
		t.Fatalf("a's API served %v, want the one activation", served)
	}
	if len(b.seen()) != 0 {
		t.Fatalf("b, which runs no partition, was asked: %v", b.seen())
	}
}

// A signal is broadcast on every node once.
func TestFrontBroadcastsToEveryNode(t *testing.T) {
	a, b, _ := twoNodes(t)
	r := call(t, b, "POST", "/v2/signals/broadcast", `{"signalName":"s"}`)
	if r.StatusCode != http.StatusOK || len(a.seen()) != 1 || len(b.seen()) != 1 {
		t.Fatalf("broadcast: %d %q; a served %v, b %v", r.StatusCode, r.body, a.seen(), b.seen())
	}
}
