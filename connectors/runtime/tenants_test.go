package runtime_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/example/wf-engine/api/resttest"
	"github.com/example/wf-engine/connectors/runtime"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
)

// TestEngineJobsForTenantsServesEveryTenant: with multi-tenancy on, the
// runtime's activations ask for the jobs of every tenant it is given; the
// plain adapter serves the default tenant only.
func TestEngineJobsForTenantsServesEveryTenant(t *testing.T) {
	srv := resttest.Start(t, resttest.Options{})
	ctx := context.Background()
	model, err := os.ReadFile(filepath.Join("testdata", "rest-success.bpmn"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Engine.Deploy(ctx, engine.DeployRequest{Resources: []record.Resource{{Name: "m.bpmn", Content: model}}, TenantID: "acme"}); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Engine.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "rest-success", TenantID: "acme"}); err != nil {
		t.Fatal(err)
	}
	req := runtime.ActivateRequest{Type: "io.camunda:http-json:1", Worker: "w", MaxJobs: 5, Timeout: time.Minute, RequestTimeout: -1}
	if jobs, err := runtime.EngineJobs(srv.Engine).Activate(ctx, req); err != nil || len(jobs) != 0 {
		t.Fatalf("the default-tenant adapter activated %d jobs (err %v) of tenant acme", len(jobs), err)
	}
	asked := 0
	tenants := func(context.Context) ([]string, error) { asked++; return []string{record.DefaultTenant, "acme"}, nil }
	jobs, err := runtime.EngineJobsForTenants(srv.Engine, tenants).Activate(ctx, req)
	if err != nil || len(jobs) != 1 || asked != 1 {
		t.Fatalf("activated %d jobs (err %v, tenants asked %d times), want acme's one", len(jobs), err, asked)
	}
}
