package expr

import (
	"errors"
	"strings"
	"testing"
)

var fuzzSeeds = []string{
	`amount > 100`, `x = "a"`, `order.customer.name`, `items[1]`, `items[-1]`, `items[item > 3]`,
	`orders[price > 10].name`, `{a: 1, b: a + 1}`, `for x in items return x * 2`,
	`for x in 1..3, y in [1, 2] return x + y`, `some x in items satisfies x > 3`,
	`every x in items satisfies x > 0`, `if amount > 100 then "big" else "small"`,
	`sort(items, function(a, b) a > b)`, `@"2025-01-01" + @"P1D"`, `now()`, `today()`, `uuid()`,
	`date and time("2025-01-31T10:00:00Z") + duration("PT1H")`, `x in (1..10]`, `x in ]1..10[`,
	`5 between 1 and 10`, `x instance of string`, `substring(string: "abc", start position: 2)`,
	`string join(["a"], ",")`, `replace("abc", "(b)", "$1$1")`, `is defined(nope)`,
	`get or else(nope, 1)`, `round half up(2.675, 2)`, `modulo(-12, 5)`, `"\u0041\n"`,
	`count(for x in 1..1000 return x)`, `[1..10)`, `-(-(1))`, `1 / 0`, `0.1 + 0.2`,
	// invalid
	`(a then`, `if a then`, `foo(1)`, `"unterminated`, `@"2025-13-01"`, `1 +`, `{a: }`, `[1..`,
	`x in (`, `for x in`, `)`, `]1..`, "`", `a.b.`, `sort([1], 1)`, `function(a) a`,
	strings.Repeat("(", 300), strings.Repeat("[", 300) + "1", `"\uD800"`, "\xff",
}

// FuzzCompileFEEL checks that compiling and evaluating any input never panics.
func FuzzCompileFEEL(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	env := testEnv()
	f.Fuzz(func(t *testing.T, src string) {
		e, err := CompileFEEL(src)
		if err != nil {
			if se := (*SyntaxError)(nil); !errors.As(err, &se) {
				t.Fatalf("CompileFEEL(%q) returned %T, want *SyntaxError", src, err)
			}
			return
		}
		v, err := e.Eval(env)
		if err != nil {
			if ee := (*EvalError)(nil); !errors.As(err, &ee) {
				t.Fatalf("Eval(%q) returned %T (%v), want *EvalError", src, err, err)
			}
			return
		}
		_ = ToJSON(v)
		_, _ = e.EvalBool(env)
		_, _ = e.EvalString(env)
		_, _ = e.EvalInt(env)
	})
}

// FuzzCompileCEL does the same for plain CEL.
func FuzzCompileCEL(f *testing.F) {
	for _, s := range []string{`amount > 1.0`, `items.map(i, i * 2.0)`, `order.customer.name`, `x +`, `[1][5]`} {
		f.Add(s)
	}
	env := testEnv()
	f.Fuzz(func(t *testing.T, src string) {
		e, err := CompileCEL(src)
		if err != nil {
			return
		}
		v, _ := e.Eval(env)
		_ = ToJSON(v)
	})
}
