package sqlitestore_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/example/wf-engine/conformance/storesuite"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/sqlitestore"
)

func TestIdempotencyKeys(t *testing.T) {
	var paths sync.Map // store → its file
	open := func(t *testing.T, path string) store.Store {
		s, err := sqlitestore.Open(context.Background(), path, sqlitestore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		paths.Store(s, path)
		return s
	}
	storesuite.RunIdempotency(t, storesuite.IdempotencyStore{
		Open: func(t *testing.T) store.Store { return open(t, filepath.Join(t.TempDir(), "wf.db")) },
		Reopen: func(t *testing.T, s store.Store) store.Store {
			path, _ := paths.Load(s)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			r := open(t, path.(string))
			t.Cleanup(func() { _ = r.Close() })
			return r
		},
	})
}
