package expr

import (
	"strings"
	"testing"
)

func TestSize(t *testing.T) {
	s := strings.Repeat("a", 10)
	tests := []struct {
		name  string
		v     any
		limit int
		want  int
		ok    bool
	}{
		{"null", nil, 100, 4, true},
		{"string counts its quotes", s, 100, 12, true},
		{"list counts each shared element again", []any{s, s, s}, 100, 2 + 3*13, true},
		{"context counts keys", map[string]any{"k": s}, 100, 2 + 1 + 4 + 12, true},
		{"typed slice", []string{s, s}, 100, 2 + 2*13, true},
		{"over the limit", []any{s, s, s}, 20, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, ok := Size(tc.v, tc.limit)
			if ok != tc.ok || (ok && n != tc.want) {
				t.Fatalf("Size = %d, %v; want %d, %v", n, ok, tc.want, tc.ok)
			}
		})
	}
}

// Size stops walking once past its limit, so a huge list of shared values
// costs little.
func TestSizeStopsAtTheLimit(t *testing.T) {
	big := make([]any, 1_000_000)
	for i := range big {
		big[i] = strings.Repeat("x", 1000)
	}
	if n, ok := Size(big, 1<<20); ok || n > 1<<20+2000 {
		t.Fatalf("Size = %d, %v; want to stop just past 1 MiB", n, ok)
	}
}

// A list or context built of strings within the string limit is refused
// once the whole result passes it (the string limit applied to every
// result).
func TestEvalResultIsBounded(t *testing.T) {
	s := strings.Repeat("x", 4<<20)
	env := Env{Lookup: func(name string) (any, bool) { return s, name == "s" }}
	for _, src := range []string{"=[s, s, s]", "={a: s, b: s, c: s}", "=for i in 1..3 return s"} {
		e, err := Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Eval(env); err == nil || !strings.Contains(err.Error(), "result is larger than 10485760 bytes") {
			t.Errorf("%s: error %v, want the result bound", src, err)
		}
	}
	e, err := Parse("=[s, s]")
	if err != nil {
		t.Fatal(err)
	}
	if v, err := e.Eval(env); err != nil || len(v.([]any)) != 2 {
		t.Fatalf("two strings of 4 MiB: %v, %v", v, err)
	}
}
