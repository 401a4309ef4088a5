package sqlitestore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/example/wf-engine/conformance/storesuite"
	"github.com/example/wf-engine/core/store/sqlitestore"
)

// BenchmarkEngineW1 runs W1 on an engine over a SQLite file:
//
//	go test -run '^$' -bench EngineW1 -benchtime 20000x ./core/store/sqlitestore/
func BenchmarkEngineW1(b *testing.B) {
	for _, sync := range []string{"FULL", "NORMAL"} {
		for _, clients := range []int{64, 256} {
			b.Run(fmt.Sprintf("synchronous=%s/clients=%d", sync, clients), func(b *testing.B) {
				s, err := sqlitestore.Open(context.Background(), filepath.Join(b.TempDir(), "wf.db"), sqlitestore.Options{Synchronous: sync})
				if err != nil {
					b.Fatal(err)
				}
				defer func() { _ = s.Close() }()
				storesuite.BenchW1(b, s, clients)
			})
		}
	}
}

// BenchmarkTasklistPage measures the Tasklist's first page for a user over
// 10,000 open user tasks (and 10,000 completed ones):
//
//	go test -run '^$' -bench TasklistPage ./core/store/sqlitestore/
func BenchmarkTasklistPage(b *testing.B) {
	s, err := sqlitestore.Open(context.Background(), filepath.Join(b.TempDir(), "wf.db"), sqlitestore.Options{Synchronous: "NORMAL"})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	storesuite.BenchTasklist(b, s, 10000, nil)
}
