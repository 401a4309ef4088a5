package sqlitestore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/example/wf-engine/conformance/storesuite"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/sqlitestore"
)

func TestLogCompaction(t *testing.T) {
	var paths sync.Map // store → its file
	storesuite.RunCompaction(t, storesuite.CompactionStore{
		Open: func(t *testing.T, archive store.LogArchive) store.Store {
			path := filepath.Join(t.TempDir(), "wf.db")
			s, err := sqlitestore.Open(context.Background(), path, sqlitestore.Options{LogArchive: archive})
			if err != nil {
				t.Fatal(err)
			}
			paths.Store(s, path)
			return s
		},
		Tamper: func(t *testing.T, s store.Store, what storesuite.Tampering) {
			path, _ := paths.Load(s)
			tamper(t, path.(string), what)
		},
	})
}

// tamper changes the store's file behind its back, on a connection of its
// own.
func tamper(t *testing.T, path string, what storesuite.Tampering) {
	t.Helper()
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	q := map[storesuite.Tampering]string{
		storesuite.TamperFirstSegment: "UPDATE log_segments SET data = data || X'00' WHERE first_position = (SELECT min(first_position) FROM log_segments)",
		storesuite.TamperAnchor:       "UPDATE log_anchor SET hash = X'" + strings.Repeat("ab", 32) + "'",
	}[what]
	if _, err := db.Exec(q); err != nil {
		t.Fatal(err)
	}
}
