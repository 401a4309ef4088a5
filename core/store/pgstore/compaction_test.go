package pgstore_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/conformance/storesuite"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/pgstore"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
)

func TestLogCompaction(t *testing.T) {
	pgtest.BaseURL(t)
	var urls sync.Map // store → its database
	storesuite.RunCompaction(t, storesuite.CompactionStore{
		Open: func(t *testing.T, archive store.LogArchive) store.Store {
			url := pgtest.URL(t)
			s, err := pgstore.Open(context.Background(), url, pgstore.Options{LogArchive: archive})
			if err != nil {
				t.Fatal(err)
			}
			urls.Store(s, url)
			return s
		},
		Tamper: func(t *testing.T, s store.Store, what storesuite.Tampering) {
			url, _ := urls.Load(s)
			tamper(t, url.(string), what)
		},
	})
}

// tamper changes the store's tables behind its back.
func tamper(t *testing.T, url string, what storesuite.Tampering) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(ctx) }()
	q := map[storesuite.Tampering]string{
		storesuite.TamperFirstSegment: `UPDATE log_segments SET data = data || '\x00'::bytea WHERE first_position = (SELECT min(first_position) FROM log_segments)`,
		storesuite.TamperAnchor:       `UPDATE log_anchor SET hash = '\x` + strings.Repeat("ab", 32) + `'::bytea`,
	}[what]
	if _, err := conn.Exec(ctx, q); err != nil {
		t.Fatal(err)
	}
}
