package runtime

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseISODuration(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want time.Duration
		err  string
	}{
		{"seconds", "PT10S", 10 * time.Second, ""},
		{"minutes and seconds", "PT1M30S", 90 * time.Second, ""},
		{"hours", "PT2H", 2 * time.Hour, ""},
		{"days and time", "P1DT1H", 25 * time.Hour, ""},
		{"fractional seconds", "PT0.5S", 500 * time.Millisecond, ""},
		{"zero", "PT0S", 0, ""},
		{"lower case", "pt5s", 5 * time.Second, ""},
		{"no P", "T10S", 0, "does not start with P"},
		{"empty after P", "P", 0, "it has no parts"},
		{"empty after T", "P1DT", 0, "nothing follows T"},
		{"years", "P1Y", 0, "expected a number followed by one of D"},
		{"weeks", "P2W", 0, "expected a number followed by one of D"},
		{"units out of order", "PT1S2M", 0, "out of order"},
		{"repeated unit", "PT1S1S", 0, "out of order"},
		{"negative", "PT-1S", 0, "invalid number"},
		{"fractional minutes", "PT1.5M", 0, "only seconds may have a fraction"},
		{"exponent", "PT1e3S", 0, "invalid number"},
		{"unit without number", "PTS", 0, "expected a number"},
		{"too long", "P999999999D", 0, "too long"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseISODuration(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("parseISODuration(%q) = %v, %v; want an error containing %q", tc.in, got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("parseISODuration(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestSecretsFromEnv(t *testing.T) {
	got := SecretsFromEnv([]string{"WF_SECRET_TOKEN=abc=def", "WF_SECRET_=x", "WF_SECRETX=y", "PATH=/bin", "WF_SECRET_EMPTY="}, "WF_SECRET_")
	want := SecretMap{"TOKEN": "abc=def", "EMPTY": ""}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestRedactor(t *testing.T) {
	d := newRedactor(map[string]string{"A": "abc", "B": "abcdef", "C": ""})
	if got := d.String("x abcdef y abc z"); got != "x *** y *** z" {
		t.Fatalf("String: %q", got)
	}
	in := map[string]any{"k abc": []any{"abcdef", 1.0, map[string]any{"n": "abc"}}}
	got := d.Map(in)
	want := map[string]any{"k ***": []any{"***", 1.0, map[string]any{"n": "***"}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Map: %v", got)
	}
	if _, ok := in["k abc"]; !ok {
		t.Fatal("Map changed its input")
	}
	none := newRedactor(nil)
	if none.String("abc") != "abc" {
		t.Fatal("an empty redactor changed a string")
	}
}

func TestClipBoundsMessagesOnARuneBoundary(t *testing.T) {
	s := strings.Repeat("é", maxMessageLength) // two bytes each
	got := clip(s)
	if !strings.HasPrefix(got, strings.Repeat("é", maxMessageLength/2)) || !strings.Contains(got, "more bytes)") {
		t.Fatalf("clip gave %d bytes ending %q", len(got), got[len(got)-30:])
	}
	if clip("short") != "short" {
		t.Fatal("clip changed a short message")
	}
}
