package rest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// BenchmarkDecodeCreate compares reading a create request's body as bind
// did before issue 14 (one json.Decoder with UseNumber: "loose") with
// decodeJSON ("strict"), on a small body and on one with 1,000 variables.
func BenchmarkDecodeCreate(b *testing.B) {
	for _, n := range []int{5, 1000} {
		vars := map[string]any{}
		for i := range n {
			vars[fmt.Sprintf("var%d", i)] = map[string]any{"name": "item " + strings.Repeat("x", i%20), "qty": i, "ok": i%2 == 0, "tags": []string{"a", "b"}}
		}
		body, err := json.Marshal(map[string]any{"processDefinitionId": "order", "variables": vars, "tenantId": "<default>", "tags": []string{"t1"}})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("loose/vars=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				var req CreateProcessInstanceRequest
				if err := numberDecoder(body).Decode(&req); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("strict/vars=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				var req CreateProcessInstanceRequest
				if err := decodeJSON(body, &req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
