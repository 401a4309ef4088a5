package pgstore_test

import (
	"context"
	"testing"

	"github.com/example/wf-engine/conformance/storesuite"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/pgstore"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
)

func TestSessions(t *testing.T) {
	url := pgtest.URL(t)
	open := func(t *testing.T) store.Store {
		s, err := pgstore.Open(context.Background(), url, pgstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	storesuite.RunSessions(t, storesuite.SessionStore{
		Open: open,
		Reopen: func(t *testing.T, s store.Store) store.Store {
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			r := open(t)
			t.Cleanup(func() { _ = r.Close() })
			return r
		},
	})
}
