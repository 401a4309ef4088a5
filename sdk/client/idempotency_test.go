package client_test

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/example/wf-engine/api/rest"
	"github.com/example/wf-engine/api/resttest"
	"github.com/example/wf-engine/sdk/client"
)

// TestRetriedCommandRunsOnce loses the answer to a create on the way back
// (a proxy runs it on the engine, then answers 503): the client retries
// with the same Idempotency-Key, and the engine answers with the first
// result instead of starting a second instance.
func TestRetriedCommandRunsOnce(t *testing.T) {
	e := start(t, resttest.Options{Config: rest.Config{IdempotencyTTL: time.Hour}})
	e.deploy(t, "noop.bpmn")
	target, _ := url.Parse(e.srv.URL)
	forward := httputil.NewSingleHostReverseProxy(target)
	var creates atomic.Int32
	var keys [2]atomic.Value
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v2/process-instances" {
			forward.ServeHTTP(w, r)
			return
		}
		n := creates.Add(1)
		if n <= 2 {
			keys[n-1].Store(r.Header.Get(client.IdempotencyHeader))
		}
		if n == 1 {
			forward.ServeHTTP(httptest.NewRecorder(), r) // the engine runs it; the answer is lost
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)

	c, err := client.New(proxy.URL)
	if err != nil {
		t.Fatal(err)
	}
	pi, err := c.CreateProcessInstance(ctx(t), client.CreateProcessInstanceRequest{ProcessDefinitionID: "sdk-noop"})
	if err != nil {
		t.Fatal(err)
	}
	if creates.Load() != 2 || keys[0].Load() == "" || keys[0].Load() != keys[1].Load() {
		t.Fatalf("%d attempts with keys %v and %v", creates.Load(), keys[0].Load(), keys[1].Load())
	}
	all, err := e.c.SearchProcessInstances(ctx(t), client.ProcessInstanceQuery{Filter: client.ProcessInstanceFilter{ProcessDefinitionID: "sdk-noop"}})
	if err != nil {
		t.Fatal(err)
	}
	if all.Page.TotalItems != 1 || all.Items[0].ProcessInstanceKey != pi.ProcessInstanceKey {
		t.Fatalf("instances %+v, want only %d", all.Items, pi.ProcessInstanceKey)
	}
}
