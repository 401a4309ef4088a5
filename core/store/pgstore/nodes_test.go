package pgstore

import (
	"context"
	"testing"
	"time"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
)

// Nodes heartbeat and are live until their time runs out or they leave;
// every partition's lease is read in one query, by partition.
func TestNodesHeartbeatAndLeases(t *testing.T) {
	ctx := context.Background()
	l := openLeases(t, openTest(t, pgtest.URL(t)))
	if nodes, err := l.LiveNodes(ctx); err != nil || len(nodes) != 0 {
		t.Fatalf("live nodes of a new store: %v, %v", nodes, err)
	}
	for _, id := range []string{"b", "a"} {
		if err := l.Heartbeat(ctx, store.Node{NodeID: id, Address: "http://" + id + ":8080"}, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	// A heartbeat without time to live has expired by the next statement.
	if err := l.Heartbeat(ctx, store.Node{NodeID: "gone", Address: "http://gone:8080"}, 0); err != nil {
		t.Fatal(err)
	}
	nodes, err := l.LiveNodes(ctx)
	if err != nil || len(nodes) != 2 || nodes[0] != (store.Node{NodeID: "a", Address: "http://a:8080"}) || nodes[1].NodeID != "b" {
		t.Fatalf("live nodes: %+v, %v; want a and b, by id", nodes, err)
	}
	if err := l.Leave(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if nodes, err := l.LiveNodes(ctx); err != nil || len(nodes) != 1 || nodes[0].NodeID != "a" {
		t.Fatalf("live nodes after b left: %+v, %v", nodes, err)
	}
	acquire(t, l, leaseClaim(3, "a", time.Minute))
	acquire(t, l, leaseClaim(1, "b", time.Minute))
	ls, err := l.ReadLeases(ctx)
	if err != nil || len(ls) != 2 || ls[0].Partition != 1 || ls[0].NodeID != "b" || ls[1].Partition != 3 || ls[1].NodeID != "a" ||
		!ls[0].Live() || ls[1].Address != "http://a:8080" || ls[1].Epoch != 1 {
		t.Fatalf("leases: %+v, %v", ls, err)
	}
}
