package pgstore_test

import (
	"fmt"
	"testing"

	"github.com/example/wf-engine/conformance/storesuite"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
)

// BenchmarkRetention removes b.N finished W1 instances in batches beside a
// W1 load:
//
//	WF_TEST_POSTGRES_URL=... go test -run '^$' -bench Retention -benchtime 5000x ./core/store/pgstore/
func BenchmarkRetention(b *testing.B) {
	for _, limit := range []int{100, 200, 500} {
		b.Run(fmt.Sprintf("limit=%d", limit), func(b *testing.B) {
			s := open(b, pgtest.URL(b))
			defer func() { _ = s.Close() }()
			storesuite.BenchRetention(b, s, limit)
		})
	}
}
