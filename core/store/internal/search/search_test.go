package search

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/example/wf-engine/core/store"
)

func TestLikeMatchesCamundaWildcards(t *testing.T) {
	cases := []struct {
		name, pattern, s string
		want             bool
	}{
		{"star matches a run", "ord*", "order", true},
		{"star matches nothing", "order*", "order", true},
		{"question mark matches one character", "?rder", "order", true},
		{"question mark needs a character", "?order", "order", false},
		{"question mark matches a multibyte character", "?x", "üx", true},
		{"case matters", "ORD*", "order", false},
		{"stars on both sides", "*a&b*", `"<a&b> \"q\""`, true},
		{"escaped star is literal", `a\*b`, "a*b", true},
		{"escaped star does not match a run", `a\*b`, "axxb", false},
		{"escaped question mark", `a\?b`, "axb", false},
		{"trailing backslash is literal", `a\`, `a\`, true},
		{"percent is literal", "a%c", "abc", false},
		{"underscore is literal", "a_c", "abc", false},
		{"empty pattern matches empty", "", "", true},
		{"empty pattern needs empty", "", "x", false},
		{"many stars backtrack", "*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", true},
		{"many stars fail fast", "*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
	}
	for _, tc := range cases {
		if got := matchLike(tc.s, parseLike(tc.pattern)); got != tc.want {
			t.Errorf("%s: %q like %q = %v, want %v", tc.name, tc.s, tc.pattern, got, tc.want)
		}
	}
}

func TestPatternTranslations(t *testing.T) {
	cases := []struct{ camunda, like, glob string }{
		{"ord*", "ord%", "ord*"},
		{"?x", "_x", "?x"},
		{`a\*b`, `a*b`, "a[*]b"},
		{`a\?b`, `a?b`, "a[?]b"},
		{"50%_off", `50\%\_off`, "50%_off"},
		{`back\\slash`, `back\\slash`, `back\slash`},
		{"[x]", "[x]", "[[]x]"},
	}
	for _, tc := range cases {
		if got := LikePattern(tc.camunda); got != tc.like {
			t.Errorf("LikePattern(%q) = %q, want %q", tc.camunda, got, tc.like)
		}
		if got := GlobPattern(tc.camunda); got != tc.glob {
			t.Errorf("GlobPattern(%q) = %q, want %q", tc.camunda, got, tc.glob)
		}
	}
}

func TestValuesNormalizeEveryGoForm(t *testing.T) {
	ints := []any{int(7), int8(7), int16(7), int32(7), int64(7), uint(7), uint8(7), uint16(7), uint32(7), uint64(7), 7.0, json.Number("7"), "7"}
	for _, v := range ints {
		got, err := normalize(KindKey, nil, v)
		if err != nil || got != int64(7) {
			t.Errorf("key %T(%v): %v, %v", v, v, got, err)
		}
	}
	for _, v := range []any{uint64(math.MaxUint64), uint(math.MaxUint64), 1.5, 1e19, json.Number("x"), "x", true, nil} {
		if _, err := normalize(KindInt, nil, v); err == nil {
			t.Errorf("integer %T(%v) accepted", v, v)
		}
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC)
	for _, v := range []any{at, at.Format(time.RFC3339Nano), at.UnixMilli()} {
		got, err := normalize(KindDate, nil, v)
		if err != nil || got != at.UnixMilli() {
			t.Errorf("date %T(%v): %v, %v", v, v, got, err)
		}
	}
	if got, err := normalize(KindDate, nil, time.Time{}); err != nil || got != int64(0) {
		t.Errorf("zero time: %v, %v", got, err)
	}
	for _, v := range []any{"2026-13-01", true} {
		if _, err := normalize(KindDate, nil, v); err == nil {
			t.Errorf("date %v accepted", v)
		}
	}
	for _, v := range []any{true, "true"} {
		if got, err := normalize(KindBool, nil, v); err != nil || got != true {
			t.Errorf("bool %v: %v %v", v, got, err)
		}
	}
	if got, err := normalize(KindBool, nil, "false"); err != nil || got != false {
		t.Errorf("bool false: %v %v", got, err)
	}
	if _, err := normalize(KindBool, nil, 1); err == nil {
		t.Error("1 accepted as a boolean")
	}
	if _, err := normalize(KindState, []string{"A"}, 3); err == nil {
		t.Error("number accepted as a state")
	}
	if _, err := normalize(Kind(99), nil, 3); err == nil {
		t.Error("unknown kind accepted")
	}
	if Kind(99).String() != "unknown" || KindKey.String() != "key" || KindDate.String() != "date-time" || KindState.String() != "state" {
		t.Error("kind names changed")
	}
}

func TestCompareOrdersEachKind(t *testing.T) {
	if compare(int64(1), int64(2)) != -1 || compare(int64(2), int64(1)) != 1 || compare(int64(2), int64(2)) != 0 {
		t.Error("ints")
	}
	if compare("a", "b") != -1 || compare("b", "a") != 1 || compare("a", "a") != 0 {
		t.Error("strings")
	}
	if compare(false, true) != -1 || compare(true, false) != 1 || compare(true, true) != 0 {
		t.Error("bools")
	}
	if compare(nil, nil) != 0 || !present(true) || present(int64(0)) || present("") {
		t.Error("odd values")
	}
}

func TestQueryErrorNamesTheField(t *testing.T) {
	if got := (&store.QueryError{Msg: "bad"}).Error(); got != "invalid query: bad" {
		t.Errorf("got %q", got)
	}
	if got := (&store.QueryError{Field: "x", Msg: "bad"}).Error(); got != "invalid query: x: bad" {
		t.Errorf("got %q", got)
	}
}

func TestCursorsRejectMalformedContent(t *testing.T) {
	p, err := Compile(Jobs, store.Query{Sort: []store.SortField{{Field: "type"}, {Field: "retries"}, {Field: "deadline"}}})
	if err != nil {
		t.Fatal(err)
	}
	good := p.cursorOf(&store.Job{JobKey: 5, Type: "t", Retries: 2})
	if _, err := p.decodeCursor(good); err != nil {
		t.Fatalf("own cursor: %v", err)
	}
	sig := p.signature()
	for _, raw := range []string{
		`[]`, `["` + sig + `", 1, 2, 3, 4]`, `["` + sig + `", "t", "2", 0, 5]`, `["` + sig + `", 1, 2, 0, 5]`,
		`["` + sig + `", "t", 2.5, 0, 5]`, `not json`,
	} {
		if _, err := p.decodeCursor(encode(raw)); err == nil {
			t.Errorf("cursor %s accepted", raw)
		}
	}
	b, err := Compile(ProcessInstances, store.Query{Sort: []store.SortField{{Field: "hasIncident"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.decodeCursor(encode(`["` + b.signature() + `", "yes", 5]`)); err == nil {
		t.Error("a string accepted for a boolean")
	}
}
