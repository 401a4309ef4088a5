package storesuite

import (
	"context"
	"testing"

	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

// searchTotalCap checks that a search counts at most store.TotalCap rows
// and says when more match, on every page and with every kind of paging,
// while a search matching exactly TotalCap rows is not capped.
func (s *suite) searchTotalCap(t *testing.T) {
	st := s.store(t)
	q, ok := st.(store.Querier)
	if !ok {
		t.Skip("store has no searches")
	}
	const n = store.TotalCap + 5
	// Variables are the smallest rows: n of one scope, the first TotalCap
	// of them named a, the rest b; and one of another scope.
	vars := make([]state.VariableRow, 0, n+1)
	for i := range n {
		name := "a"
		if i >= store.TotalCap {
			name = "b"
		}
		vars = append(vars, state.VariableRow{Key: int64(1000 + i), ScopeKey: 100, ProcessInstanceKey: 100, Name: name, Value: 1.0})
	}
	vars = append(vars, state.VariableRow{Key: int64(1000 + n), ScopeKey: 200, ProcessInstanceKey: 200, Name: "c", Value: 2.0})
	elems := []state.ElementRow{element(100, 100, -1, "p", "PROCESS", state.ElementActivated), element(200, 200, -1, "p", "PROCESS", state.ElementActivated)}
	commit(t, st, &store.Batch{Changes: state.Changes{Elements: elems, Variables: vars, LastKey: int64(1000 + n), LastPosition: 1}})
	ctx := context.Background()
	search := func(name string, qu store.Query, wantTotal int64, wantCapped bool, wantItems int) store.Page[store.Variable] {
		t.Helper()
		p, err := q.SearchVariables(ctx, qu)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if p.Total != wantTotal || p.TotalCapped != wantCapped || len(p.Items) != wantItems {
			t.Fatalf("%s: total %d capped %v, %d items; want total %d capped %v, %d items", name, p.Total, p.TotalCapped, len(p.Items), wantTotal, wantCapped, wantItems)
		}
		return p
	}
	first := search("all variables", store.Query{Limit: 10}, store.TotalCap, true, 10)
	next := search("the page after", store.Query{Limit: 10, After: first.EndCursor}, store.TotalCap, true, 10)
	if next.Items[0].VariableKey != first.Items[9].VariableKey+1 {
		t.Fatalf("cursor page starts at %d, want %d", next.Items[0].VariableKey, first.Items[9].VariableKey+1)
	}
	// A page far beyond the cap still reads its rows.
	last := search("an offset past the cap", store.Query{From: n - 3, Limit: 10}, store.TotalCap, true, 4)
	if last.Items[3].VariableKey != int64(1000+n) {
		t.Fatalf("last row of the offset page: %d, want %d", last.Items[3].VariableKey, 1000+n)
	}
	search("one scope", store.Query{Conditions: []store.Condition{{Field: "scopeKey", Value: 100}}, Limit: 1}, store.TotalCap, true, 1)
	search("the other scope", store.Query{Conditions: []store.Condition{{Field: "scopeKey", Value: 200}}}, 1, false, 1)
	// Exactly TotalCap matching rows: counted, not capped.
	search("exactly the cap", store.Query{Conditions: []store.Condition{{Field: "name", Value: "a"}}, Limit: 1}, store.TotalCap, false, 1)
	search("one more than the cap", store.Query{Conditions: []store.Condition{{Field: "name", Op: store.OpIn, Value: []string{"a", "c"}}}, Limit: 1},
		store.TotalCap, true, 1)
	search("a few", store.Query{Conditions: []store.Condition{{Field: "name", Value: "b"}}}, 5, false, 5)
}
