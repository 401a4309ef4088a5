package pgstore_test

import (
	"context"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/conformance/storesuite"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/pgstore"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
)

func open(t testing.TB, url string) *pgstore.Store {
	t.Helper()
	s, err := pgstore.Open(context.Background(), url, pgstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStoreSuite(t *testing.T) {
	pgtest.BaseURL(t)
	var mu sync.Mutex
	urls := map[store.Store]string{}
	storesuite.Run(t, func(t *testing.T) store.Store {
		url := pgtest.URL(t)
		s := open(t, url)
		mu.Lock()
		urls[s] = url
		mu.Unlock()
		return s
	}, storesuite.Reopen(func(t *testing.T, s store.Store) store.Store {
		mu.Lock()
		url := urls[s]
		mu.Unlock()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		return open(t, url)
	}), storesuite.TableRows(func(t *testing.T, s store.Store, table string) int64 {
		mu.Lock()
		url := urls[s]
		mu.Unlock()
		var n int64
		if err := connect(t, url).QueryRow(context.Background(), "SELECT count(*) FROM "+pgx.Identifier{table}.Sanitize()).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		return n
	}))
}
