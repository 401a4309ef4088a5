package pgstore

import "testing"

// TestPartitionOneKeepsTheMetaStatement checks that a partition's meta
// update is the store's own for partition 1, so that views of partition
// 1 and the store write meta's row the same way.
func TestPartitionOneKeepsTheMetaStatement(t *testing.T) {
	if got, want := metaStatement(1), statements["wf_meta"]; got != want {
		t.Fatalf("partition 1's meta statement is %q, want the store's %q", got, want)
	}
}
