package memstore_test

import (
	"testing"

	"github.com/example/wf-engine/conformance/storesuite"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/memstore"
)

func TestIdempotencyKeys(t *testing.T) {
	storesuite.RunIdempotency(t, storesuite.IdempotencyStore{
		Open: func(*testing.T) store.Store { return memstore.New(memstore.Options{}) },
	})
}
