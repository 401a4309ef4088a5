package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/example/wf-engine/core/record"
)

// TestFourPartitionsOnTheMemoryStore starts the server with
// cluster.partitions=4 on the in-memory store: the topology reports four
// healthy partitions, instances created over the API spread over all of
// them, each one's job is activated across partitions and completes, and
// the metrics count the jobs of every partition.
func TestFourPartitionsOnTheMemoryStore(t *testing.T) {
	base := serveFor(t, "WF_DATABASE_URL=memory", "WF_CLUSTER_PARTITIONS=4")

	status, body := send(t, http.MethodGet, base+"/v2/topology", "", nil)
	if status != http.StatusOK {
		t.Fatalf("topology: %d %s", status, body)
	}
	var topo struct {
		PartitionsCount int `json:"partitionsCount"`
		Brokers         []struct {
			Partitions []struct {
				PartitionID int    `json:"partitionId"`
				Role        string `json:"role"`
				Health      string `json:"health"`
			} `json:"partitions"`
		} `json:"brokers"`
	}
	if err := json.Unmarshal([]byte(body), &topo); err != nil {
		t.Fatal(err)
	}
	if topo.PartitionsCount != 4 || len(topo.Brokers) != 1 || len(topo.Brokers[0].Partitions) != 4 {
		t.Fatalf("topology: want 4 partitions on one broker, got %s", body)
	}
	for i, p := range topo.Brokers[0].Partitions {
		if p.PartitionID != i+1 || p.Role != "leader" || p.Health != "healthy" {
			t.Errorf("partition %d: %+v, want id %d, leader, healthy", i, p, i+1)
		}
	}

	bpmn, err := os.ReadFile(filepath.Join("..", "..", "docs", "examples", "order.bpmn"))
	if err != nil {
		t.Fatal(err)
	}
	deploy(t, base, "order.bpmn", bpmn)
	seen := map[int32]int{}
	for range 8 {
		status, body := send(t, http.MethodPost, base+"/v2/process-instances", "application/json", strings.NewReader(`{"processDefinitionId": "order"}`))
		if status != http.StatusOK {
			t.Fatalf("create: %d %s", status, body)
		}
		var created struct {
			Key string `json:"processInstanceKey"`
		}
		if err := json.Unmarshal([]byte(body), &created); err != nil {
			t.Fatal(err)
		}
		key, err := strconv.ParseInt(created.Key, 10, 64)
		if err != nil {
			t.Fatalf("instance key %q: %v", created.Key, err)
		}
		seen[record.Partition(key)]++
	}
	for p := int32(1); p <= 4; p++ {
		if seen[p] != 2 {
			t.Errorf("partition %d got %d of 8 instances, want 2 (round robin): %v", p, seen[p], seen)
		}
	}

	if _, metrics := send(t, http.MethodGet, base+"/metrics", "", nil); !strings.Contains(metrics, `wf_jobs_activatable{type="charge-card"} 8`) {
		t.Errorf("metrics lack the eight activatable charge-card jobs of the four partitions:\n%s", metrics)
	}

	status, body = send(t, http.MethodPost, base+"/v2/jobs/activation", "application/json",
		strings.NewReader(`{"type": "charge-card", "maxJobsToActivate": 20, "timeout": 60000, "worker": "w"}`))
	if status != http.StatusOK {
		t.Fatalf("activate: %d %s", status, body)
	}
	var activated struct {
		Jobs []struct {
			Key string `json:"jobKey"`
		} `json:"jobs"`
	}
	if err := json.Unmarshal([]byte(body), &activated); err != nil {
		t.Fatal(err)
	}
	if len(activated.Jobs) != 8 {
		t.Fatalf("activated %d jobs over 4 partitions, want 8: %s", len(activated.Jobs), body)
	}
	for _, j := range activated.Jobs {
		if status, body := send(t, http.MethodPost, base+"/v2/jobs/"+j.Key+"/completion", "application/json", strings.NewReader(`{}`)); status != http.StatusNoContent {
			t.Fatalf("complete job %s: %d %s", j.Key, status, body)
		}
	}
}
