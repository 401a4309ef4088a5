package rest_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"

	"github.com/example/wf-engine/api/resttest"
)

// BenchmarkW1OverHandler drives workload W1 (start → one service task →
// end, cmd/wf-bench's model and bodies) through the API's handler in
// process, without a network, on the in-memory store: what one instance
// costs the REST path (middleware, validation, decoding, the engine
// client, the answer) plus the kernel. "fire-and-forget" is one create,
// one activation of one job and its completion per op; "await" is one
// create with awaitCompletion per op while background workers activate
// and complete the jobs.
func BenchmarkW1OverHandler(b *testing.B) {
	bpmn, err := os.ReadFile("../../cmd/wf-bench/w1.bpmn")
	if err != nil {
		b.Fatal(err)
	}
	create := []byte(`{"processDefinitionId":"bench-w1","variables":{"orderId":"o-1","amount":42}}`)
	awaitCreate := []byte(`{"processDefinitionId":"bench-w1","variables":{"orderId":"o-1","amount":42},"awaitCompletion":true,"requestTimeout":30000}`)
	activate := []byte(`{"type":"bench-w1","worker":"wf-bench","timeout":30000,"maxJobsToActivate":1,"requestTimeout":-1,"fetchVariable":["orderId"]}`)
	complete := []byte(`{"variables":{"done":true}}`)

	b.Run("fire-and-forget", func(b *testing.B) {
		h := w1Handler(b, bpmn)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				serve(b, h, "/v2/process-instances", create, http.StatusOK)
				var res struct {
					Jobs []struct {
						Key string `json:"jobKey"`
					} `json:"jobs"`
				}
				body := serve(b, h, "/v2/jobs/activation", activate, http.StatusOK)
				if err := json.Unmarshal(body, &res); err != nil {
					b.Error(err)
					return
				}
				for _, j := range res.Jobs {
					serve(b, h, "/v2/jobs/"+j.Key+"/completion", complete, http.StatusNoContent)
				}
			}
		})
	})
	b.Run("await", func(b *testing.B) {
		h := w1Handler(b, bpmn)
		longPoll := []byte(`{"type":"bench-w1","worker":"wf-bench","timeout":30000,"maxJobsToActivate":32,"requestTimeout":200}`)
		stop := make(chan struct{})
		var workers sync.WaitGroup
		for range 4 {
			workers.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					var res struct {
						Jobs []struct {
							Key string `json:"jobKey"`
						} `json:"jobs"`
					}
					if err := json.Unmarshal(serve(b, h, "/v2/jobs/activation", longPoll, http.StatusOK), &res); err != nil {
						b.Error(err)
						return
					}
					for _, j := range res.Jobs {
						serve(b, h, "/v2/jobs/"+j.Key+"/completion", complete, http.StatusNoContent)
					}
				}
			})
		}
		b.ReportAllocs()
		b.SetParallelism(8) // creators wait for their instance's end
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				serve(b, h, "/v2/process-instances", awaitCreate, http.StatusOK)
			}
		})
		b.StopTimer()
		close(stop)
		workers.Wait()
	})
}

// w1Handler starts an engine with its API on the in-memory store and
// deploys W1.
func w1Handler(b *testing.B, bpmn []byte) http.Handler {
	b.Helper()
	srv := resttest.Start(b, resttest.Options{})
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	part, err := w.CreateFormFile("resources", "bench-w1.bpmn")
	if err != nil {
		b.Fatal(err)
	}
	_, _ = part.Write(bpmn)
	_ = w.Close()
	res, err := http.Post(srv.URL+"/v2/deployments", w.FormDataContentType(), &buf)
	if err != nil {
		b.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b.Fatalf("deploy W1: status %d", res.StatusCode)
	}
	return srv.API.Handler()
}

// serve sends one JSON POST through h and returns the answer's body.
func serve(b *testing.B, h http.Handler, path string, body []byte, want int) []byte {
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	req.RemoteAddr, req.Host = "127.0.0.1:40000", "127.0.0.1:8080"
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != want {
		b.Errorf("POST %s: status %d, want %d: %s", path, rec.Code, want, rec.Body.Bytes())
		return []byte("{}")
	}
	return rec.Body.Bytes()
}
