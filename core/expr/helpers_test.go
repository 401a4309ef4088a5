package expr

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"
)

var testNow = time.Date(2025, 1, 31, 10, 30, 0, 0, time.UTC)

func testVars() map[string]any {
	return map[string]any{
		"amount":     150.0,
		"x":          "a",
		"n":          nil,
		"items":      []any{1.0, 2.0, 5.0, 7.0},
		"empty":      []any{},
		"price":      100.0,
		"i":          2.0,
		"flag":       true,
		"s":          "hello world",
		"first name": "Ann",
		"orderId":    "A-17",
		"ints":       []int{3, 1, 2},
		"num":        json.Number("12.5"),
		"count64":    int64(4),
		"int32":      int32(-3),
		"maps":       []map[string]any{{"a": 1}, {"a": 2}},
		"strs":       []string{"b", "a"},
		"mixed":      []any{1.0, "a"},
		"orders": []any{
			map[string]any{"price": 5.0, "name": "pen", "tags": []any{"office"}},
			map[string]any{"price": 15.0, "name": "book", "tags": []any{}},
			map[string]any{"price": 25.0, "name": "lamp"},
		},
		"order": map[string]any{
			"customer": map[string]any{"name": "Ann", "vip": true},
			"total":    42.5,
			"lines":    []any{map[string]any{"qty": 2.0}, map[string]any{"qty": 3.0}},
		},
	}
}

func testEnv() Env {
	vars := testVars()
	return Env{
		Lookup: func(name string) (any, bool) {
			v, ok := vars[name]
			return v, ok
		},
		Now:  testNow,
		Seed: 42,
	}
}

// sameValue compares FEEL values: same FEEL type and same JSON form.
func sameValue(got, want any) bool {
	got, want = norm(got), norm(want)
	if typeName(got) != typeName(want) {
		return false
	}
	return reflect.DeepEqual(ToJSON(deepNorm(got)), ToJSON(deepNorm(want)))
}

func deepNorm(v any) any {
	switch x := norm(v).(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepNorm(e)
		}
		return out
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = deepNorm(e)
		}
		return out
	default:
		return x
	}
}

type evalCase struct {
	name string
	src  string
	want any
}

func runEvalCases(t *testing.T, cases []evalCase) {
	t.Helper()
	env := testEnv()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, err := CompileFEEL(tc.src)
			if err != nil {
				t.Fatalf("CompileFEEL(%q): %v", tc.src, err)
			}
			got, err := e.Eval(env)
			if err != nil {
				t.Fatalf("Eval(%q): %v", tc.src, err)
			}
			if !sameValue(got, tc.want) {
				t.Errorf("Eval(%q) = %#v (%s), want %#v (%s)", tc.src, ToJSON(got), typeName(norm(got)), ToJSON(tc.want), typeName(norm(tc.want)))
			}
		})
	}
}

// L builds a list; C a context.
func L(v ...any) []any { return v }

func C(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

func mathInf() float64 { return math.Inf(1) }
