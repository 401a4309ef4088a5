package pgstore_test

import (
	"fmt"
	"testing"

	"github.com/example/wf-engine/conformance/storesuite"
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
