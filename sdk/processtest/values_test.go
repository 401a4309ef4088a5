package processtest

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestSameValue(t *testing.T) {
	type pair struct {
		A string `json:"a"`
	}
	cases := []struct {
		name      string
		want, got any
		same      bool
	}{
		{"int equals the float64 JSON decodes to", 3, 3.0, true},
		{"int64 equals json.Number", int64(7), json.Number("7"), true},
		{"exponent form equals the integer", json.Number("1e3"), 1000, true},
		{"large int64 keeps every digit", int64(1)<<62 + 1, json.Number("4611686018427387905"), true},
		{"large int64 differs by one", int64(1)<<62 + 1, json.Number("4611686018427387904"), false},
		{"fractions compare exactly", 0.1, json.Number("0.1"), true},
		{"string is not a number", "3", 3, false},
		{"struct equals the object it encodes to", pair{A: "x"}, map[string]any{"a": "x"}, true},
		{"nested numbers are normalised", map[string]any{"n": []int{1, 2}}, map[string]any{"n": []any{1.0, json.Number("2")}}, true},
		{"order matters in lists", []int{1, 2}, []int{2, 1}, false},
		{"nil equals nil", nil, nil, true},
		{"nil is not an empty string", nil, "", false},
		{"empty list is not nil", []int{}, nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := normalize(c.got)
			if err != nil {
				t.Fatal(err)
			}
			same, err := sameValue(c.want, got)
			if err != nil {
				t.Fatal(err)
			}
			if same != c.same {
				t.Errorf("sameValue(%#v, %#v) = %t, want %t", c.want, c.got, same, c.same)
			}
		})
	}
}

func TestDisplayShortensLongValues(t *testing.T) {
	long := strings.Repeat("x", 500)
	got := display(long)
	if len(got) != maxShown+len("…") || !strings.HasPrefix(got, `"xxx`) || !strings.HasSuffix(got, "…") {
		t.Errorf("display of a 500-character string = %q", got)
	}
	if got := display(map[string]any{"a": 1}); got != `{"a":1}` {
		t.Errorf("display of a small map = %q", got)
	}
	if got := display(make(chan int)); !strings.HasPrefix(got, "<chan int: ") {
		t.Errorf("display of a channel = %q", got)
	}
}
