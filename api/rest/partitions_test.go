package rest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/example/wf-engine/api/rest"
	"github.com/example/wf-engine/api/telemetry"
	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/memstore"
	"github.com/example/wf-engine/elements/standard"
)

// startPartitions serves the API with cfg over a router of n partitions on
// the clock clk, each on a memory store of its own (searches read partition
// 1's), and returns the router too.
func startPartitions(t *testing.T, n int, clk clock.Clock, cfg rest.Config) (*client, *engine.Router) {
	t.Helper()
	ctx := context.Background()
	metrics := telemetry.New()
	var engines []*engine.Engine
	first := memstore.New(memstore.Options{})
	for p := 1; p <= n; p++ {
		s := first
		if p > 1 {
			s = memstore.New(memstore.Options{})
		}
		e, err := engine.Start(ctx, engine.Config{Partition: int32(p), Clock: clk, Store: s, Registry: standard.Registry(), // #nosec G115 -- a few partitions
			OnCommit: []func(*store.Batch, time.Duration, error){metrics.ObserveCommit}})
		if err != nil {
			t.Fatal(err)
		}
		engines = append(engines, e)
	}
	r, err := engine.NewRouter(ctx, engines, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := rest.New(cfg, r, first, metrics, nil)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		srv.Drain()
		hs.Close()
		_ = r.Close()
	})
	return &client{t: t, base: hs.URL, http: &http.Client{Timeout: 20 * time.Second}, srv: srv}, r
}

// With four partitions the topology names four leaders, instances created
// over the API spread over them, and a job activation gathers the jobs of
// all of them, each completed through its own partition.
func TestFourPartitionsOverREST(t *testing.T) {
	c, _ := startPartitions(t, 4, clock.System{}, rest.Config{})
	var topo rest.TopologyResponse
	want(t, c.get("/v2/topology"), http.StatusOK).json(t, &topo)
	if topo.PartitionsCount != 4 || len(topo.Brokers) != 1 || len(topo.Brokers[0].Partitions) != 4 {
		t.Fatalf("topology: %+v, want 4 partitions on one broker", topo)
	}
	for i, p := range topo.Brokers[0].Partitions {
		if p.PartitionID != int32(i+1) || p.Role != "leader" || p.Health != "healthy" { // #nosec G115 -- four partitions
			t.Errorf("partition %d: %+v, want leader and healthy", i+1, p)
		}
	}

	want(t, c.deploy("order.bpmn"), http.StatusOK)
	spread := map[int32]bool{}
	for range 4 {
		var created struct {
			Key string `json:"processInstanceKey"`
		}
		want(t, c.post("/v2/process-instances", map[string]any{"processDefinitionId": "order"}), http.StatusOK).json(t, &created)
		k, err := strconv.ParseInt(created.Key, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		spread[record.Partition(k)] = true
	}
	if len(spread) != 4 {
		t.Fatalf("4 instances landed on partitions %v, want one on each", spread)
	}
	var activated struct {
		Jobs []struct {
			Key string `json:"jobKey"`
		} `json:"jobs"`
	}
	want(t, c.post("/v2/jobs/activation", map[string]any{"type": "charge-card", "maxJobsToActivate": 10, "timeout": 60000, "worker": "w"}),
		http.StatusOK).json(t, &activated)
	if len(activated.Jobs) != 4 {
		t.Fatalf("activated %d jobs, want the 4 of the 4 partitions", len(activated.Jobs))
	}
	for _, j := range activated.Jobs {
		want(t, c.post("/v2/jobs/"+j.Key+"/completion", map[string]any{}), http.StatusNoContent)
	}
}
