package expr_test

import (
	"testing"

	"github.com/example/wf-engine/core/expr"
)

func TestIsConstant(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want bool
	}{
		{"PT5M", true},
		{"=5", true},
		{`="yes"`, true},
		{`=duration("PT5Q")`, true},
		{"=1 + 2 > 2", true},
		{"=x", false},
		{"=x > 5", false},
		{"=is defined(x)", false},
		{"=now()", false},
		{"=today() > date(\"2020-01-01\")", false},
		{"=uuid()", false},
		{"=for i in [1, 2] return i * 2", true},
		{"=some i in [1, 2] satisfies i > x", false},
	} {
		e, err := expr.Parse(tc.src)
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		if got := e.IsConstant(); got != tc.want {
			t.Errorf("%s: IsConstant() = %v, want %v", tc.src, got, tc.want)
		}
	}
}
