package engine

import (
	"reflect"
	"testing"

	"pgregory.net/rapid"
)

// jsonValue draws a variable value: the JSON types, nested, with nil and
// empty lists and objects among them.
func jsonValue(depth int) *rapid.Generator[any] {
	return rapid.Custom(func(t *rapid.T) any {
		kinds := 6
		if depth <= 0 {
			kinds = 4
		}
		switch rapid.IntRange(0, kinds-1).Draw(t, "kind") {
		case 0:
			return nil
		case 1:
			return rapid.Bool().Draw(t, "bool")
		case 2:
			return float64(rapid.IntRange(-2, 2).Draw(t, "number"))
		case 3:
			return rapid.SampledFrom([]string{"", "a", "b"}).Draw(t, "string")
		case 4:
			if rapid.IntRange(0, 5).Draw(t, "nil-list") == 0 {
				return []any(nil)
			}
			return rapid.SliceOfN(jsonValue(depth-1), 0, 3).Draw(t, "list")
		default:
			if rapid.IntRange(0, 5).Draw(t, "nil-object") == 0 {
				return map[string]any(nil)
			}
			return rapid.MapOfN(rapid.SampledFrom([]string{"x", "y", "z"}), jsonValue(depth-1), 0, 3).Draw(t, "object")
		}
	})
}

// sameValue agrees with reflect.DeepEqual on every pair of variable
// values, equal ones (a value and its copy) included.
func TestSameValueIsDeepEqual(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := jsonValue(3).Draw(t, "a")
		b := jsonValue(3).Draw(t, "b")
		if got, want := sameValue(a, b), reflect.DeepEqual(a, b); got != want {
			t.Fatalf("sameValue(%#v, %#v) = %v, reflect.DeepEqual says %v", a, b, got, want)
		}
		c := clone(a)
		if !sameValue(a, c) || !reflect.DeepEqual(a, c) {
			t.Fatalf("a value differs from its copy: %#v", a)
		}
		if sameValue(a, int64(1)) {
			t.Fatalf("sameValue(%#v, int64(1)) is true", a)
		}
	})
}

func clone(v any) any {
	switch x := v.(type) {
	case []any:
		if x == nil {
			return []any(nil)
		}
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = clone(e)
		}
		return out
	case map[string]any:
		if x == nil {
			return map[string]any(nil)
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = clone(e)
		}
		return out
	}
	return v
}

// The cases DeepEqual tells apart that a careless comparison would not.
func TestSameValueCases(t *testing.T) {
	for _, c := range []struct {
		name string
		a, b any
		want bool
	}{
		{"nil list and empty list", []any(nil), []any{}, false},
		{"nil object and empty object", map[string]any(nil), map[string]any{}, false},
		{"number and integer", float64(1), int64(1), false},
		{"nested lists", []any{[]any{1.0, "a"}}, []any{[]any{1.0, "a"}}, true},
		{"object with a null field and without it", map[string]any{"x": nil}, map[string]any{"y": nil}, false},
		{"list and object", []any{}, map[string]any{}, false},
		{"null and false", nil, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := sameValue(c.a, c.b); got != c.want || got != reflect.DeepEqual(c.a, c.b) {
				t.Fatalf("sameValue = %v, want %v (reflect.DeepEqual %v)", got, c.want, reflect.DeepEqual(c.a, c.b))
			}
		})
	}
}
