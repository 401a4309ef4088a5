package pgstore_test

import (
	"context"
	"sync"
	"testing"

	"github.com/example/wf-engine/conformance/storesuite"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/pgstore"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
)

func TestIdempotencyKeys(t *testing.T) {
	pgtest.BaseURL(t)
	var urls sync.Map // store → its database
	open := func(t *testing.T, url string) store.Store {
		s, err := pgstore.Open(context.Background(), url, pgstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		urls.Store(s, url)
		return s
	}
	storesuite.RunIdempotency(t, storesuite.IdempotencyStore{
		Open: func(t *testing.T) store.Store { return open(t, pgtest.URL(t)) },
		Reopen: func(t *testing.T, s store.Store) store.Store {
			url, _ := urls.Load(s)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			r := open(t, url.(string))
			t.Cleanup(func() { _ = r.Close() })
			return r
		},
	})
}
