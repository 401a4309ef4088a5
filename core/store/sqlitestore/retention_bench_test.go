package sqlitestore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/example/wf-engine/conformance/storesuite"
	"github.com/example/wf-engine/core/store/sqlitestore"
)

// BenchmarkRetention removes b.N finished W1 instances in batches beside a
// W1 load:
//
//	go test -run '^$' -bench Retention -benchtime 5000x ./core/store/sqlitestore/
func BenchmarkRetention(b *testing.B) {
	for _, limit := range []int{1, 4, 16, 64, 200} {
		b.Run(fmt.Sprintf("limit=%d", limit), func(b *testing.B) {
			s, err := sqlitestore.Open(context.Background(), filepath.Join(b.TempDir(), "wf.db"), sqlitestore.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer func() { _ = s.Close() }()
			storesuite.BenchRetention(b, s, limit)
		})
	}
}
