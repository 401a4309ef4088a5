package memstore_test

import (
	"testing"

	"github.com/example/wf-engine/conformance/storesuite"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/memstore"
)

func TestLogCompaction(t *testing.T) {
	storesuite.RunCompaction(t, storesuite.CompactionStore{
		Open: func(_ *testing.T, archive store.LogArchive) store.Store {
			return memstore.New(memstore.Options{LogArchive: archive})
		},
	})
}
