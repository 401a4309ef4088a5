package main

import (
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/example/wf-engine/core/store"
)

func leasesOf(n int32, holders map[int32]string) []store.Lease {
	ls := make([]store.Lease, n)
	for p := int32(1); p <= n; p++ {
		ls[p-1] = store.Lease{Partition: p}
		if id, ok := holders[p]; ok {
			ls[p-1] = store.Lease{Partition: p, NodeID: id, Epoch: 1, Remaining: time.Second}
		}
	}
	return ls
}

func nodesOf(ids ...string) []store.Node {
	out := make([]store.Node, len(ids))
	for i, id := range ids {
		out[i] = store.Node{NodeID: id}
	}
	return out
}

// A node takes free leases up to ceil(partitions / live nodes), hands the
// highest partition over when it holds more, and when another live node
// holds less than partitions / live nodes, the node that holds the most
// (the lowest id among equals) hands one over.
func TestSpreadDecides(t *testing.T) {
	for _, tc := range []struct {
		name    string
		self    string
		live    []string
		holders map[int32]string
		want    plan
	}{
		{"alone takes all", "a", []string{"a"}, nil, plan{take: 4}},
		{"second node joins: the first hands its highest over", "a", []string{"a", "b"}, map[int32]string{1: "a", 2: "a", 3: "a", 4: "a"}, plan{handOver: 4}},
		{"the joiner takes up to its share", "b", []string{"a", "b"}, map[int32]string{1: "a", 2: "a", 3: "a"}, plan{take: 2}},
		{"at its share, nothing", "a", []string{"a", "b"}, map[int32]string{1: "a", 2: "a", 3: "b", 4: "b"}, plan{}},
		{"2,2,0: the lowest id of the most hands over", "a", []string{"a", "b", "c"}, map[int32]string{1: "a", 2: "a", 3: "b", 4: "b"}, plan{handOver: 2}},
		{"2,2,0: the other waits", "b", []string{"a", "b", "c"}, map[int32]string{1: "a", 2: "a", 3: "b", 4: "b"}, plan{}},
		{"a node died: the survivors take its partitions", "a", []string{"a", "c"}, map[int32]string{1: "a", 3: "c"}, plan{take: 1}},
		{"one partition, three nodes: the others only look for a free lease", "b", []string{"a", "b", "c"}, map[int32]string{1: "a"}, plan{take: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := int32(4)
			if tc.name == "one partition, three nodes: the others only look for a free lease" {
				n = 1
			}
			got := spread(n, tc.self, nodesOf(tc.live...), leasesOf(n, tc.holders))
			if got != tc.want {
				t.Fatalf("spread = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// Property: nodes that look at the leases in any order, each taking free
// leases or handing one over as spread says (a partition handed over is
// not taken back by the same node at once), end with every partition held
// and each node holding floor or ceil of partitions / nodes.
func TestSpreadConverges(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.Int32Range(1, 12).Draw(t, "partitions")
		ids := []string{"a", "b", "c", "d", "e"}[:rapid.IntRange(1, 5).Draw(t, "nodes")]
		holders := map[int32]string{}
		// Some start holding leases (an earlier spread).
		for p := int32(1); p <= n; p++ {
			if rapid.Bool().Draw(t, "held") {
				holders[p] = rapid.SampledFrom(ids).Draw(t, "holder")
			}
		}
		cooling := map[string]int32{}
		// stable: the nodes that looked since the last change and did
		// nothing; done once every node did.
		stable := map[string]bool{}
		for step := 0; step < 2000 && len(stable) < len(ids); step++ {
			self := rapid.SampledFrom(ids).Draw(t, "looks")
			pl := spread(n, self, nodesOf(ids...), leasesOf(n, holders))
			switch {
			case pl.handOver > 0:
				if holders[pl.handOver] != self {
					t.Fatalf("%s hands over partition %d, held by %q", self, pl.handOver, holders[pl.handOver])
				}
				delete(holders, pl.handOver)
				cooling[self] = pl.handOver
				clear(stable)
			case pl.take > 0:
				took := 0
				for p := int32(1); p <= n && took < pl.take; p++ {
					if _, ok := holders[p]; !ok && cooling[self] != p {
						holders[p] = self
						took++
					}
				}
				if took > 0 {
					clear(stable)
					delete(cooling, self)
				} else {
					stable[self] = true
				}
			default:
				stable[self] = true
			}
		}
		count := map[string]int{}
		for p := int32(1); p <= n; p++ {
			id, ok := holders[p]
			if !ok {
				t.Fatalf("partition %d is held by nobody: %v", p, holders)
			}
			count[id]++
		}
		floor, ceil := int(n)/len(ids), (int(n)+len(ids)-1)/len(ids)
		for _, id := range ids {
			if c := count[id]; c < floor || c > ceil {
				t.Fatalf("%s holds %d of %d partitions over %d nodes: %v", id, c, n, len(ids), holders)
			}
		}
	})
}
