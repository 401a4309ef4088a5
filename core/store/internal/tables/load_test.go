package tables

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/example/wf-engine/core/state"
)

// rowsOf is a QueryFunc whose every query returns the rows 0..n-1, one int
// column each.
func rowsOf(n int) QueryFunc {
	return func(_ string, each func(Scan) error) error {
		for i := range n {
			err := each(func(dest ...any) error {
				*dest[0].(*int) = i
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	}
}

func scanInt(s Scan) (int, error) {
	var v int
	err := s(&v)
	return v, err
}

func TestCollectReturnsEveryRowInOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 3*collectChunk+7).Draw(t, "rows")
		got, err := collect(rowsOf(n), "q", scanInt)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			if got != nil {
				t.Fatalf("no rows: got %v, want nil", got)
			}
			return
		}
		if len(got) != n {
			t.Fatalf("%d rows: got %d", n, len(got))
		}
		for i, v := range got {
			if v != i {
				t.Fatalf("row %d is %d", i, v)
			}
		}
	})
}

func TestCollectStopsAtAnError(t *testing.T) {
	boom := errors.New("boom")
	q := func(_ string, each func(Scan) error) error {
		for i := range 10 {
			if err := each(func(dest ...any) error {
				if i == 5 {
					return boom
				}
				*dest[0].(*int) = i
				return nil
			}); err != nil {
				return err
			}
		}
		return nil
	}
	if got, err := collect(q, "q", scanInt); !errors.Is(err, boom) || got != nil {
		t.Fatalf("got %v, %v; want nil and the scan's error", got, err)
	}
}

// TestLiveVariablesKeepsExactlyTheLiveScopesInOrder: liveVariables is the
// filter "scope is a live element", order kept.
func TestLiveVariablesKeepsExactlyTheLiveScopesInOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		scopes := rapid.SliceOfDistinct(rapid.Int64Range(1, 200), func(k int64) int64 { return k }).Draw(t, "live scopes")
		var elements []state.ElementRow
		for _, k := range scopes {
			elements = append(elements, state.ElementRow{Key: k})
		}
		vars := rapid.SliceOf(rapid.Custom(func(t *rapid.T) state.VariableRow {
			return state.VariableRow{Key: rapid.Int64Range(1, 1000).Draw(t, "key"), ScopeKey: rapid.Int64Range(1, 200).Draw(t, "scope")}
		})).Draw(t, "variables")
		var want []state.VariableRow
		for _, v := range vars {
			if slices.Contains(scopes, v.ScopeKey) {
				want = append(want, v)
			}
		}
		got := liveVariables(slices.Clone(vars), elements)
		if fmt.Sprint(got) != fmt.Sprint(want) || (len(want) == 0) != (got == nil) {
			t.Fatalf("got %v, want %v", got, want)
		}
	})
}

// TestLoadSpreadsTheBigTables: with three query functions, the variables,
// element instances and jobs are read through their own, the rest through
// the last; with one, everything through it. Every statement runs once.
func TestLoadSpreadsTheBigTables(t *testing.T) {
	for _, n := range []int{1, 2, 3} {
		seen := make([][]string, n)
		var qs []QueryFunc
		for i := range n {
			qs = append(qs, func(query string, each func(Scan) error) error {
				seen[i] = append(seen[i], query)
				if query == LoadMeta {
					return each(func(dest ...any) error { return nil })
				}
				return nil
			})
		}
		if _, err := (Load{Queries: qs, Variables: LoadVariablesLateral}).Snapshot(); err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, s := range seen {
			total += len(s)
		}
		if total != 18 {
			t.Fatalf("%d query functions: %d statements ran, want 18", n, total)
		}
		if n == 3 && (seen[0][0] != LoadVariablesLateral || len(seen[0]) != 1 || seen[1][0] != LoadElements || len(seen[1]) != 1 ||
			seen[2][0] != LoadJobs || !strings.HasPrefix(seen[2][1], "SELECT last_key")) {
			t.Fatalf("three query functions read: %q", seen)
		}
	}
}
