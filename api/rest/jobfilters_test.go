package rest

import "testing"

func TestLikePattern(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"BPMN_*", "BPMN_ELEMENT", true},
		{"*ELEMENT", "BPMN_ELEMENT", true},
		{"BPMN?ELEMENT", "BPMN_ELEMENT", true},
		{"BPMN", "BPMN_ELEMENT", false},
		{`BPMN\*`, "BPMN*", true},
		{`BPMN\*`, "BPMN_", false},
		{"a.c", "abc", false},
		{"ü?", "üß", true},
		{"\xff*", "x", false},
		{`trailing\`, "trailing", true},
	} {
		if got := likePattern(tc.pattern).MatchString(tc.s); got != tc.want {
			t.Errorf("likePattern(%q).MatchString(%q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}
