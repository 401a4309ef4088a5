package worker_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/example/wf-engine/api/resttest"
	"github.com/example/wf-engine/sdk/client"
	"github.com/example/wf-engine/sdk/worker"
)

// env is a real engine behind its REST API and a client for it.
type env struct {
	srv *resttest.Server
	c   *client.Client
}

func start(t *testing.T) *env {
	t.Helper()
	srv := resttest.Start(t, resttest.Options{})
	c, err := client.New(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return &env{srv: srv, c: c}
}

func ctx(t *testing.T) context.Context {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// deploy deploys the SDK's test models (sdk/client/testdata).
func (e *env) deploy(t *testing.T, files ...string) {
	t.Helper()
	var res []client.Resource
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join("..", "client", "testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		res = append(res, client.Resource{Name: f, Content: b})
	}
	if _, err := e.c.Deploy(ctx(t), client.DeployRequest{Resources: res}); err != nil {
		t.Fatal(err)
	}
}

func (e *env) create(t *testing.T, id string, vars any) int64 {
	t.Helper()
	pi, err := e.c.CreateProcessInstance(ctx(t), client.CreateProcessInstanceRequest{ProcessDefinitionID: id, Variables: vars})
	if err != nil {
		t.Fatal(err)
	}
	return pi.ProcessInstanceKey
}

func (e *env) state(t *testing.T, key int64) string {
	t.Helper()
	pi, err := e.c.GetProcessInstance(ctx(t), key)
	if err != nil {
		t.Fatal(err)
	}
	return pi.State
}

// job returns the job of an instance.
func (e *env) job(t *testing.T, instance int64) client.Job {
	t.Helper()
	res, err := e.c.SearchJobs(ctx(t), client.JobQuery{Filter: client.JobFilter{ProcessInstanceKey: instance}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 1 {
		t.Fatalf("instance %d has %d jobs, want 1", instance, len(res.Items))
	}
	return res.Items[0]
}

// run runs w until the test ends; at the end it closes w and checks that
// Run returned nil.
func run(t *testing.T, w *worker.Worker) {
	t.Helper()
	runWith(t, w, context.Background())
}

// runWith is run with a given context for Run.
func runWith(t *testing.T, w *worker.Worker, runCtx context.Context) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- w.Run(runCtx) }()
	t.Cleanup(func() {
		cx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := w.Close(cx); err != nil {
			t.Errorf("Close: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}

// eventually polls cond until it holds or 15 s pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// quiet is a logger that drops everything.
func quiet() worker.Option { return worker.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))) }

// fast is a short long poll so that tests that stop workers stop quickly.
func fast() worker.Option { return worker.WithPollTimeout(time.Second) }

// counts records metrics calls.
type counts struct {
	mu                                             sync.Mutex
	activated, completed, failed, thrown, requeued int
}

func (c *counts) metrics() worker.Metrics {
	add := func(n *int) {
		c.mu.Lock()
		*n++
		c.mu.Unlock()
	}
	return worker.MetricsFuncs{
		Activated:   func(string) { add(&c.activated) },
		Completed:   func(string, time.Duration) { add(&c.completed) },
		Failed:      func(string, time.Duration) { add(&c.failed) },
		ErrorThrown: func(string, time.Duration) { add(&c.thrown) },
		Requeued:    func(string) { add(&c.requeued) },
	}
}

func (c *counts) get() (activated, completed, failed, thrown, requeued int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.activated, c.completed, c.failed, c.thrown, c.requeued
}
