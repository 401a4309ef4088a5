package client_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/example/wf-engine/api/resttest"
	"github.com/example/wf-engine/sdk/client"
)

// env is a real engine behind its REST API and a client for it.
type env struct {
	srv *resttest.Server
	c   *client.Client
}

// start runs an engine for t (on SQLite when sqlite is set).
func start(t *testing.T, opts resttest.Options) *env {
	t.Helper()
	srv := resttest.Start(t, opts)
	c, err := client.New(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return &env{srv: srv, c: c}
}

// ctx is a test context bounded well below the test timeout.
func ctx(t *testing.T) context.Context {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// deploy deploys testdata files and returns their processes by id.
func (e *env) deploy(t *testing.T, files ...string) map[string]client.DeployedProcess {
	t.Helper()
	var res []client.Resource
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		res = append(res, client.Resource{Name: f, Content: b})
	}
	d, err := e.c.Deploy(ctx(t), client.DeployRequest{Resources: res})
	if err != nil {
		t.Fatalf("deploy %v: %v", files, err)
	}
	out := map[string]client.DeployedProcess{}
	for _, p := range d.Processes() {
		out[p.ProcessDefinitionID] = p
	}
	if len(out) != len(files) {
		t.Fatalf("deploy %v: got processes %v", files, out)
	}
	return out
}

// create starts an instance of a process id.
func (e *env) create(t *testing.T, id string, vars any) int64 {
	t.Helper()
	pi, err := e.c.CreateProcessInstance(ctx(t), client.CreateProcessInstanceRequest{ProcessDefinitionID: id, Variables: vars})
	if err != nil {
		t.Fatalf("create %s: %v", id, err)
	}
	return pi.ProcessInstanceKey
}

// activate activates exactly one job of a type, long-polling for it.
func (e *env) activate(t *testing.T, jobType string) client.ActivatedJob {
	t.Helper()
	jobs, err := e.c.ActivateJobs(ctx(t), client.ActivateJobsRequest{
		Type: jobType, Worker: "test", Timeout: time.Minute, MaxJobs: 1, RequestTimeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatalf("activate %s: %v", jobType, err)
	}
	if len(jobs) != 1 {
		t.Fatalf("activate %s: got %d jobs, want 1", jobType, len(jobs))
	}
	return jobs[0]
}

// instanceState reads a process instance's state.
func (e *env) instanceState(t *testing.T, key int64) string {
	t.Helper()
	pi, err := e.c.GetProcessInstance(ctx(t), key)
	if err != nil {
		t.Fatalf("get instance %d: %v", key, err)
	}
	return pi.State
}
