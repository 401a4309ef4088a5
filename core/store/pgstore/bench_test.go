package pgstore_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/conformance/storesuite"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
)

// BenchmarkEngineW1 runs W1 on an engine over PostgreSQL (synchronous_commit
// as the server has it, on by default):
//
//	WF_TEST_POSTGRES_URL=... go test -run '^$' -bench EngineW1 -benchtime 20000x ./core/store/pgstore/
func BenchmarkEngineW1(b *testing.B) {
	for _, clients := range []int{64, 256} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			s := open(b, pgtest.URL(b))
			defer func() { _ = s.Close() }()
			storesuite.BenchW1(b, s, clients)
		})
	}
}

// BenchmarkTasklistPage measures the Tasklist's first page for a user over
// 10,000 open user tasks (and 10,000 completed ones):
//
//	WF_TEST_POSTGRES_URL=... go test -run '^$' -bench TasklistPage ./core/store/pgstore/
func BenchmarkTasklistPage(b *testing.B) {
	url := pgtest.URL(b)
	s := open(b, url)
	defer func() { _ = s.Close() }()
	storesuite.BenchTasklist(b, s, 10000, func() {
		// Autovacuum would analyze the table soon after such a load.
		conn, err := pgx.Connect(context.Background(), url)
		if err != nil {
			b.Fatal(err)
		}
		defer func() { _ = conn.Close(context.Background()) }()
		if _, err := conn.Exec(context.Background(), "ANALYZE user_tasks"); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkEngineW1Seeded runs W1 (256 clients) on the database at
// WF_BENCH_SEEDED_URL, one that `wf-bench seed` filled with millions of
// finished instances, to compare with BenchmarkEngineW1 on an empty one in
// the same minutes (docs/stores.md, "Growth"):
//
//	WF_TEST_POSTGRES_URL=... WF_BENCH_SEEDED_URL=postgres://.../wf_growth \
//	  go test -run '^$' -bench 'EngineW1(Seeded)?/clients=256' -benchtime 20000x ./core/store/pgstore/
func BenchmarkEngineW1Seeded(b *testing.B) {
	url := os.Getenv("WF_BENCH_SEEDED_URL")
	if url == "" {
		b.Skip("WF_BENCH_SEEDED_URL is not set: no seeded database to run W1 on")
	}
	b.Run("clients=256", func(b *testing.B) {
		s := open(b, url)
		defer func() { _ = s.Close() }()
		storesuite.BenchW1(b, s, 256)
	})
}

// BenchmarkPartitionsW1 runs W1 on one and on four partitions of one
// process (storesuite.BenchPartitions: one database per partition on the
// test server) with 64 and with 256 clients in all, for the
// capacity figures of docs/scaling.md.
func BenchmarkPartitionsW1(b *testing.B) {
	pgtest.BaseURL(b)
	for _, c := range []struct{ partitions, clients int }{{1, 64}, {4, 64}, {1, 256}, {4, 256}} {
		b.Run(fmt.Sprintf("partitions=%d/clients=%d", c.partitions, c.clients), func(b *testing.B) {
			storesuite.BenchPartitions(b, func(b *testing.B) store.Store {
				s := open(b, pgtest.URL(b))
				b.Cleanup(func() { _ = s.Close() })
				return s
			}, c.partitions, c.clients)
		})
	}
}
