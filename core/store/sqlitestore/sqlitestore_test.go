package sqlitestore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"testing"

	"github.com/example/wf-engine/conformance/storesuite"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/sqlitestore"
)

func open(t *testing.T, path string) *sqlitestore.Store {
	t.Helper()
	s, err := sqlitestore.Open(context.Background(), path, sqlitestore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStoreSuite(t *testing.T) {
	var mu sync.Mutex
	paths := map[store.Store]string{}
	storesuite.Run(t, func(t *testing.T) store.Store {
		path := filepath.Join(t.TempDir(), "data", "wf.db")
		s := open(t, path)
		mu.Lock()
		paths[s] = path
		mu.Unlock()
		return s
	}, storesuite.Reopen(func(t *testing.T, s store.Store) store.Store {
		mu.Lock()
		path := paths[s]
		mu.Unlock()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		return open(t, path)
	}), storesuite.TableRows(func(t *testing.T, s store.Store, table string) int64 {
		mu.Lock()
		path := paths[s]
		mu.Unlock()
		db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = db.Close() }()
		var n int64
		if err := db.QueryRowContext(context.Background(), `SELECT count(*) FROM "`+table+`"`).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		return n
	}))
}
