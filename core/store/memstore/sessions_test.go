package memstore_test

import (
	"testing"

	"github.com/example/wf-engine/conformance/storesuite"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/memstore"
)

func TestSessions(t *testing.T) {
	storesuite.RunSessions(t, storesuite.SessionStore{
		Open: func(*testing.T) store.Store { return memstore.New(memstore.Options{}) },
	})
}
