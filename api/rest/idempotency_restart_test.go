package rest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/example/wf-engine/api/rest"
	"github.com/example/wf-engine/api/telemetry"
	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/pgstore"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
	"github.com/example/wf-engine/core/store/sqlitestore"
	"github.com/example/wf-engine/elements/standard"
)

// durableStores open the same durable store again on each call, as a
// restarted process does.
var durableStores = []struct {
	name string
	// reopener returns the function that opens the test's store.
	reopener func(t *testing.T) func(t *testing.T) store.Store
}{
	{"sqlite", func(t *testing.T) func(t *testing.T) store.Store {
		path := filepath.Join(t.TempDir(), "wf.db")
		return func(t *testing.T) store.Store {
			s, err := sqlitestore.Open(context.Background(), path, sqlitestore.Options{Synchronous: "NORMAL"})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
	}},
	{"postgres", func(t *testing.T) func(t *testing.T) store.Store {
		url := pgtest.URL(t)
		return func(t *testing.T) store.Store {
			s, err := pgstore.Open(context.Background(), url, pgstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
	}},
}

// serveRestartable runs an engine on s and the API over a real listener until stop,
// which closes the store too (a restart); the test's end stops it too.
func serveRestartable(t *testing.T, s store.Store, cfg rest.Config) (c *client, stop func()) {
	t.Helper()
	eng, err := engine.Start(context.Background(), engine.Config{Partition: 1, Clock: clock.System{}, Store: s, Registry: standard.Registry()})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := rest.New(cfg, eng, s.(rest.Querier), telemetry.New(), nil)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	var once sync.Once
	stop = func() {
		once.Do(func() {
			srv.Drain()
			hs.Close()
			_ = eng.Close()
			_ = s.Close()
		})
	}
	t.Cleanup(stop)
	return &client{t: t, base: hs.URL, http: &http.Client{Timeout: 20 * time.Second}, srv: srv}, stop
}

// A retry with the same Idempotency-Key after a restart gets the first
// answer (same status, same body) and runs nothing again: a create, a job
// completion, a message publication and a rejection; a different body
// with the key is still refused; another principal's key is its own.
func TestIdempotencyKeySurvivesRestart(t *testing.T) {
	for _, sc := range durableStores {
		t.Run(sc.name, func(t *testing.T) {
			open := sc.reopener(t)
			cfg := rest.Config{IdempotencyTTL: time.Hour, Authenticator: fakeAuth{}, AuthMode: "oidc"}
			ann := []string{"Authorization", "Bearer role:admin;user:ann"}
			bob := []string{"Authorization", "Bearer role:admin;user:bob"}
			key := func(k string, who []string) []string { return append([]string{"Idempotency-Key", k}, who...) }
			create := map[string]any{"processDefinitionId": "order", "variables": map[string]any{"n": 1}}
			publish := map[string]any{"name": "paid", "correlationKey": "o-1", "timeToLive": 60000}

			c, stop := serveRestartable(t, open(t), cfg)
			deployAs(t, c, ann)
			created := want(t, c.post("/v2/process-instances", create, key("k-create", ann)...), http.StatusOK)
			jobs := want(t, c.post("/v2/jobs/activation", map[string]any{"type": "charge-card", "worker": "test", "timeout": 60000,
				"maxJobsToActivate": 1, "requestTimeout": -1}, ann...), http.StatusOK).obj(t)["jobs"].([]any)
			if len(jobs) != 1 {
				t.Fatalf("activated %d jobs", len(jobs))
			}
			completion := "/v2/jobs/" + str(jobs[0].(map[string]any), "jobKey") + "/completion"
			want(t, c.post(completion, nil, key("k-complete", ann)...), http.StatusNoContent)
			published := want(t, c.post("/v2/messages/publication", publish, key("k-publish", ann)...), http.StatusOK)
			rejected := want(t, c.post("/v2/jobs/2251799813685240/completion", nil, key("k-reject", ann)...), http.StatusNotFound)
			stop()

			c, _ = serveRestartable(t, open(t), cfg)
			again := want(t, c.post("/v2/process-instances", create, key("k-create", ann)...), http.StatusOK)
			if string(again.body) != string(created.body) || again.header.Get("Idempotent-Replayed") != "true" {
				t.Fatalf("create after the restart answered\n%s (Idempotent-Replayed %q)\nnot\n%s", again.body,
					again.header.Get("Idempotent-Replayed"), created.body)
			}
			if created.header.Get("Idempotent-Replayed") != "" {
				t.Fatal("the first answer is marked replayed")
			}
			// Without the key, completing the job again is a 404: the 204
			// is the recorded answer, not a second completion.
			if r := want(t, c.post(completion, nil, key("k-complete", ann)...), http.StatusNoContent); r.header.Get("Idempotent-Replayed") != "true" {
				t.Fatal("the replayed 204 is not marked replayed")
			}
			want(t, c.post(completion, nil, ann...), http.StatusNotFound)
			if r := want(t, c.post("/v2/messages/publication", publish, key("k-publish", ann)...), http.StatusOK); string(r.body) != string(published.body) {
				t.Fatalf("publication after the restart answered %s, not %s", r.body, published.body)
			}
			if r := want(t, c.post("/v2/jobs/2251799813685240/completion", nil, key("k-reject", ann)...), http.StatusNotFound); string(r.body) != string(rejected.body) {
				t.Fatalf("rejection after the restart answered %s, not %s", r.body, rejected.body)
			}
			// Another body with the key: refused, and the key still
			// answers its own request afterwards.
			other := want(t, c.post("/v2/process-instances", map[string]any{"processDefinitionId": "order"}, key("k-create", ann)...), http.StatusConflict)
			if title(t, other) != "IDEMPOTENCY_KEY_REUSED" {
				t.Fatalf("another body: %s", other.body)
			}
			if r := want(t, c.post("/v2/process-instances", create, key("k-create", ann)...), http.StatusOK); string(r.body) != string(created.body) {
				t.Fatalf("the key's own request after a refused one: %s", r.body)
			}
			if n := instances(t, c, ann); n != 1 {
				t.Fatalf("%v instances after the retries, want 1", n)
			}
			// Bob's k-create is Bob's: it creates his own instance.
			bobs := want(t, c.post("/v2/process-instances", create, key("k-create", bob)...), http.StatusOK)
			if string(bobs.body) == string(created.body) {
				t.Fatalf("another principal got the first answer: %s", bobs.body)
			}
			if n := instances(t, c, ann); n != 2 {
				t.Fatalf("%v instances, want 2", n)
			}
		})
	}
}

// deployAs deploys the order process as the principal of auth.
func deployAs(t *testing.T, c *client, auth []string) {
	t.Helper()
	saved := c.http.Transport
	c.http.Transport = headerTransport{base: http.DefaultTransport, name: auth[0], value: auth[1]}
	defer func() { c.http.Transport = saved }()
	setup(t, c)
}

// headerTransport adds one header to every request.
type headerTransport struct {
	base        http.RoundTripper
	name, value string
}

func (h headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(h.name, h.value)
	return h.base.RoundTrip(r)
}

// instances counts the process instances.
func instances(t *testing.T, c *client, auth []string) float64 {
	t.Helper()
	all := want(t, c.post("/v2/process-instances/search", nil, auth...), http.StatusOK).obj(t)
	n, _ := all["page"].(map[string]any)["totalItems"].(float64)
	return n
}
