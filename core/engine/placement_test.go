package engine

import (
	"context"
	"errors"
	"testing"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/elements/standard"
)

// Two nodes share four partitions: a runs 1 and 2, b runs 3 and 4. Each
// creates instances on its own partitions only, a command for a partition
// that runs elsewhere is ErrUnavailable naming its owner, a deployment on a
// reaches b's partitions through ExportClusterState / ApplyClusterState, a
// pinned create lands on its partition, and a partition moves from b to a
// with Detach and Attach.
func TestRouterRunsOnlyThePartitionsItHolds(t *testing.T) {
	ctx := context.Background()
	stores := partitionStores(4)
	start := func(p int32) *Engine {
		e, err := Start(ctx, Config{Partition: p, Clock: clock.System{}, Store: stores[p-1], Registry: standard.Registry()})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	engines := []*Engine{start(1), start(2), start(3), start(4)}
	a, err := NewClusterRouter(ctx, 4, engines[:2], nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	b, err := NewClusterRouter(ctx, 4, engines[2:], nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	owners := func(p int32) (Owner, bool) {
		if p <= 2 {
			return Owner{NodeID: "a", Address: "http://a:1"}, true
		}
		return Owner{NodeID: "b", Address: "http://b:1"}, true
	}
	a.SetOwners(owners)
	b.SetOwners(owners)
	a.SetDistributed(func(ctx context.Context) {
		state, err := a.ExportClusterState(ctx)
		if err == nil {
			err = b.ApplyClusterState(ctx, state)
		}
		if err != nil {
			t.Errorf("distribute to b: %v", err)
		}
	})
	if _, err := b.Deploy(ctx, DeployRequest{Resources: []record.Resource{{Name: "p4.bpmn", Content: []byte(partXML)}}}); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("deploy on b (partition 1 runs on a): %v, want ErrUnavailable", err)
	}
	deployPart(t, a)
	for name, r := range map[string]*Router{"a": a, "b": b} {
		seen := map[int32]bool{}
		for range 4 {
			ci, err := r.CreateInstance(ctx, CreateInstanceRequest{BPMNProcessID: "p4"})
			if err != nil {
				t.Fatalf("create on %s: %v", name, err)
			}
			seen[record.Partition(ci.ProcessInstanceKey)] = true
		}
		for p := range seen {
			if pl := r.Where(p); pl.Local == nil {
				t.Fatalf("%s created an instance on partition %d, which runs on %+v", name, p, pl.Remote)
			}
		}
		if len(seen) != 2 {
			t.Fatalf("%s created on partitions %v, want both of its own", name, seen)
		}
	}
	ci, err := b.CreateInstance(WithPartition(ctx, 4), CreateInstanceRequest{BPMNProcessID: "p4"})
	if err != nil || record.Partition(ci.ProcessInstanceKey) != 4 {
		t.Fatalf("create pinned to 4: %v, %v", ci, err)
	}
	if _, err := a.CreateInstance(WithPartition(ctx, 4), CreateInstanceRequest{BPMNProcessID: "p4"}); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("create pinned to 4 on a: %v, want ErrUnavailable", err)
	}
	if err := a.CancelInstance(ctx, ci.ProcessInstanceKey); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("cancel an instance of partition 4 on a: %v, want ErrUnavailable", err)
	}
	if o, ok := a.Where(4).Owner(); !ok || o.NodeID != "b" {
		t.Fatalf("a says partition 4 runs on %+v, %v; want b", o, ok)
	}
	// Partition 4 moves to a: b detaches and closes it, a starts and
	// attaches it; the instance is there.
	moved := b.Detach(4)
	if moved == nil {
		t.Fatal("b did not run partition 4")
	}
	if err := moved.Close(); err != nil {
		t.Fatal(err)
	}
	again := start(4)
	if err := a.Attach(ctx, again); err != nil {
		t.Fatal(err)
	}
	if err := a.CancelInstance(ctx, ci.ProcessInstanceKey); err != nil {
		t.Fatalf("cancel on a after partition 4 moved there: %v", err)
	}
	if err := a.Attach(ctx, again); err == nil {
		t.Fatal("attached partition 4 twice")
	}
	if got := len(a.Partitions()); got != 3 {
		t.Fatalf("a runs %d partitions, want 3", got)
	}
	if pl := b.Where(4); pl.Local != nil {
		t.Fatal("b still runs partition 4")
	}
}
