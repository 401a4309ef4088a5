package expr

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCompileCEL(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want any
	}{
		{"comparison", `amount > 100.0`, true},
		{"mixed numeric comparison", `amount > 100`, true},
		{"string equality", `x == "a"`, true},
		{"missing variable is null", `nope == null`, true},
		{"map access", `order.customer.name`, "Ann"},
		{"has macro", `has(order.total)`, true},
		{"list macro with bound variable", `items.map(i, i * 2.0)`, L(2.0, 4.0, 10.0, 14.0)},
		{"exists macro", `items.exists(i, i > 6.0)`, true},
		{"nested comprehensions", `items.all(i, items.exists(j, j >= i))`, true},
		{"int result becomes float", `size(items)`, 4.0},
		{"map result", `{"a": 1, "b": [true]}`, C("a", 1.0, "b", L(true))},
		{"string concatenation", `"order-" + orderId`, "order-A-17"},
		{"json number input", `num > 12.0`, true},
		{"ternary", `amount > 100.0 ? "big" : "small"`, "big"},
		{"timestamp result", `timestamp("2025-01-31T10:00:00Z")`, DateTime{Time: time.Date(2025, 1, 31, 10, 0, 0, 0, time.UTC)}},
		{"duration result", `duration("90m")`, Duration(90 * time.Minute)},
		{"uint result", `uint(3)`, 3.0},
		{"bytes result", `b"abc"`, "abc"},
		{"type identifier is not a variable", `type(1) == int`, true},
	}
	env := testEnv()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := CompileCEL(tc.src)
			if err != nil {
				t.Fatal(err)
			}
			if e.IsStatic() || e.Source() != tc.src {
				t.Errorf("IsStatic() = %v, Source() = %q", e.IsStatic(), e.Source())
			}
			got, err := e.Eval(env)
			if err != nil {
				t.Fatal(err)
			}
			if !sameValue(got, tc.want) {
				t.Errorf("Eval() = %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestCompileCELErrors(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		wantCol int
		wantMsg string
	}{
		{"syntax error", `amount >`, 9, "Syntax error"},
		{"unknown function", `foo(1)`, 4, "undeclared reference to 'foo'"},
		{"error on second line", "1 +\n  ) ", 3, "Syntax error"},
		{"too long", strings.Repeat(" ", maxSourceLen+1), 1, "longer than"},
		{"too deep", strings.Repeat("(", 300) + "1" + strings.Repeat(")", 300), 0, "recursion"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CompileCEL(tc.src)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("CompileCEL(%q) error = %v, want *SyntaxError", tc.src, err)
			}
			if (tc.wantCol != 0 && se.Column != tc.wantCol) || !strings.Contains(se.Msg, tc.wantMsg) {
				t.Errorf("error %q, want column %d and message containing %q", se, tc.wantCol, tc.wantMsg)
			}
		})
	}
}

func TestCELRuntime(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		wantErr string
	}{
		{"cost limit", `[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, [1,2,3,4,5,6,7,8,9,10].all(c, [1,2,3,4,5,6,7,8,9,10].all(d, [1,2,3,4,5,6,7,8,9,10].all(e, [1,2,3,4,5,6,7,8,9,10].all(f, a > 0))))))`, "cost limit"},
		{"type error", `x + 1`, "no such overload"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := CompileCEL(tc.src)
			if err != nil {
				t.Fatal(err)
			}
			_, err = e.Eval(testEnv())
			var ee *EvalError
			if !errors.As(err, &ee) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Eval error = %v, want *EvalError containing %q", err, tc.wantErr)
			}
		})
	}
}
