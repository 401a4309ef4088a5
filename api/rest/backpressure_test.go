package rest_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/example/wf-engine/api/rest"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/store/memstore"
)

// wantShed checks a 429 answered before the engine: RFC 9457 problem,
// Retry-After, and a detail that names the bound's configuration key.
func wantShed(t *testing.T, r *response, key string) {
	t.Helper()
	want(t, r, http.StatusTooManyRequests)
	if r.header.Get("Retry-After") != "1" || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("429 headers: %v", r.header)
	}
	p := r.obj(t)
	if p["title"] != "RESOURCE_EXHAUSTED" || p["status"] != float64(429) || !strings.Contains(p["detail"].(string), key) {
		t.Fatalf("429 problem %s does not name %s", r.body, key)
	}
}

func TestHeldRequestsAreBounded(t *testing.T) {
	c := start(t, memstore.New(memstore.Options{}), rest.Config{MaxHeldRequests: 2})
	want(t, c.deploy("order.bpmn"), http.StatusOK)
	poll := map[string]any{"type": "nobody-makes-these", "timeout": 1000, "maxJobsToActivate": 1, "requestTimeout": 60000}
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() { want(t, c.post("/v2/jobs/activation", poll), http.StatusOK) })
	}
	deadline := time.Now().Add(10 * time.Second)
	for c.srv.Held() != 2 {
		if time.Now().After(deadline) {
			t.Fatalf("long polls held: %d, want 2", c.srv.Held())
		}
		time.Sleep(time.Millisecond)
	}
	wantShed(t, c.post("/v2/jobs/activation", poll), "http.max_held_requests")
	// An awaited create is refused before the instance exists.
	wantShed(t, c.post("/v2/process-instances", map[string]any{"processDefinitionId": "order", "awaitCompletion": true}), "http.max_held_requests")
	if n := len(want(t, c.post("/v2/process-instances/search", map[string]any{}), http.StatusOK).obj(t)["items"].([]any)); n != 0 {
		t.Fatalf("a refused awaited create left %d instances", n)
	}
	// A poll that does not wait, and a create that does not await, pass.
	want(t, c.post("/v2/jobs/activation", map[string]any{"type": "x", "timeout": 1000, "maxJobsToActivate": 1, "requestTimeout": -1}), http.StatusOK)
	want(t, c.post("/v2/process-instances", map[string]any{"processDefinitionId": "order"}), http.StatusOK)
	if shed := c.srv.Shed()["held"]; shed != 2 {
		t.Fatalf("shed for held: %d, want 2", shed)
	}
	c.srv.Drain() // the held polls answer with no jobs
	wg.Wait()
	if c.srv.Held() != 0 {
		t.Fatalf("held after the polls ended: %d", c.srv.Held())
	}
}

func TestBufferedBodyBytesAreBounded(t *testing.T) {
	c := start(t, memstore.New(memstore.Options{}), rest.Config{MaxBodyBytes: 4096, MaxBufferedBytes: 4096})
	// A client announces 3,000 bytes and sends them slowly: they stay
	// reserved while the server reads.
	pr, pw := io.Pipe()
	req, err := http.NewRequest(http.MethodPost, c.base+"/v2/process-instances", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = 3000
	req.Header.Set("Content-Type", "application/json")
	slow := make(chan int, 1)
	go func() {
		res, err := c.http.Do(req)
		if err != nil {
			slow <- 0
			return
		}
		_ = res.Body.Close()
		slow <- res.StatusCode
	}()
	if _, err := pw.Write([]byte(`{"processDefinitionId":"order","variables":{"pad":"`)); err != nil {
		t.Fatal(err)
	}
	// Until the slow body is reserved, a 2,000-byte body still fits; poll
	// until one is refused.
	body := `{"processDefinitionId":"order","variables":{"pad":"` + strings.Repeat("x", 1940) + `"}}`
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := c.do(http.MethodPost, "/v2/process-instances", "application/json", []byte(body))
		if r.status == http.StatusTooManyRequests {
			wantShed(t, r, "http.max_buffered_bytes")
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no 429 while 3,000 of 4,096 buffered bytes are reserved; last answer %d %s", r.status, r.body)
		}
		time.Sleep(time.Millisecond)
	}
	rest := 3000 - len(`{"processDefinitionId":"order","variables":{"pad":"`) - len(`"}}`)
	if _, err := pw.Write([]byte(strings.Repeat("y", rest) + `"}}`)); err != nil {
		t.Fatal(err)
	}
	_ = pw.Close()
	if status := <-slow; status != http.StatusNotFound { // nothing deployed: the body was read whole and handled
		t.Fatalf("slow request answered %d, want 404 (process not found)", status)
	}
	// The reservation is returned: a large body fits again.
	want(t, c.do(http.MethodPost, "/v2/process-instances", "application/json", []byte(body)), http.StatusNotFound)
	if c.srv.Shed()["bytes"] < 1 {
		t.Fatal("no shed request counted for bytes")
	}
}

func TestSaturatedEngineShedsNewWorkBeforeReadingIt(t *testing.T) {
	busy := fmt.Errorf("%w: 64 commands in flight reached the adaptive limit of 64 (engine.backpressure)", engine.ErrOverloaded)
	c := startStub(t, rest.Config{}, &stubEngine{saturated: busy})
	// Not even valid: the answer is 429, not 400, since nothing was read.
	wantShed(t, c.post("/v2/process-instances", `{"no":`), "engine.backpressure")
	wantShed(t, c.post("/v2/messages/publication", map[string]any{"name": "m"}), "engine.backpressure")
	// Work that drains the engine is not shed.
	want(t, c.post("/v2/jobs/1/completion", map[string]any{}), http.StatusNoContent)
	if n := c.srv.Shed()["engine"]; n != 2 {
		t.Fatalf("shed for the engine: %d, want 2", n)
	}
}

// TestShedAnswersWait: a request shed while the engine is saturated is
// held for http.shed_delay before its 429 (here until the server drains).
func TestShedAnswersWait(t *testing.T) {
	busy := fmt.Errorf("%w: the live heap of 300 MiB is above engine.backpressure.max_heap_bytes (256 MiB)", engine.ErrOverloaded)
	c := startStub(t, rest.Config{ShedDelay: time.Hour}, &stubEngine{saturated: busy})
	answered := make(chan *response, 1)
	go func() { answered <- c.post("/v2/process-instances", map[string]any{"processDefinitionId": "order"}) }()
	deadline := time.Now().Add(10 * time.Second)
	for c.srv.Shed()["engine"] != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the request was not shed")
		}
		time.Sleep(time.Millisecond)
	}
	for c.srv.Held() != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the shed request is not held")
		}
		time.Sleep(time.Millisecond)
	}
	c.srv.Drain()
	wantShed(t, <-answered, "engine.backpressure.max_heap_bytes")
	if c.srv.Held() != 0 {
		t.Fatalf("held after the answer: %d", c.srv.Held())
	}
}
