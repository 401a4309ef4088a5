package memstore_test

import (
	"testing"

	"github.com/example/wf-engine/conformance/storesuite"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/memstore"
)

func TestPartitions(t *testing.T) {
	storesuite.RunPartitions(t, storesuite.PartitionStore{
		Open:     func(*testing.T) store.Store { return memstore.New(memstore.Options{}) },
		Property: true,
	})
}
