package expr

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name       string
		value      string
		wantStatic bool
		want       any
	}{
		{"literal string is static", "hello", true, "hello"},
		{"empty string is static", "", true, ""},
		{"leading space keeps it static", " =1", true, " =1"},
		{"equals sign makes FEEL", "=1 + 1", false, 2.0},
		{"FEEL string", `="a" + "b"`, false, "ab"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Parse(tc.value)
			if err != nil {
				t.Fatal(err)
			}
			if e.IsStatic() != tc.wantStatic {
				t.Errorf("IsStatic() = %v, want %v", e.IsStatic(), tc.wantStatic)
			}
			if e.Source() != tc.value {
				t.Errorf("Source() = %q, want %q", e.Source(), tc.value)
			}
			got, err := e.Eval(Env{})
			if err != nil {
				t.Fatal(err)
			}
			if !sameValue(got, tc.want) {
				t.Errorf("Eval() = %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestStaticEvalDoesNotAllocate(t *testing.T) {
	e, err := Parse("some literal")
	if err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := e.Eval(Env{}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.EvalString(Env{}); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("static Eval allocates %v times, want 0", allocs)
	}
}

func TestEvalBool(t *testing.T) {
	tests := []struct {
		name    string
		value   string
		want    bool
		wantErr string
	}{
		{"true condition", "=amount > 100", true, ""},
		{"false condition", "=amount > 1000", false, ""},
		{"null is false", "=nope > 1", false, ""},
		{"missing variable is false", "=nope", false, ""},
		{"number is an error naming the type", "=amount", false, "expected a boolean but found number 150"},
		{"string is an error", "=x", false, "expected a boolean but found string a"},
		{"static literal is an error", "true", false, "expected a boolean but found string true"},
	}
	env := testEnv()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Parse(tc.value)
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.EvalBool(env)
			checkErr(t, err, tc.wantErr)
			if got != tc.want {
				t.Errorf("EvalBool() = %v, want %v", got, tc.want)
			}
		})
	}
}

func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case want != "" && err == nil:
		t.Fatalf("no error, want %q", want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Fatalf("error %q does not contain %q", err, want)
	case want != "":
		var ee *EvalError
		if !errors.As(err, &ee) {
			t.Errorf("error %v (%T) is not an *EvalError", err, err)
		}
	}
}

func TestEvalString(t *testing.T) {
	tests := []struct {
		name    string
		value   string
		want    string
		wantErr string
	}{
		{"static literal as is", "plain text", "plain text", ""},
		{"feel string", `="order-" + orderId`, "order-A-17", ""},
		{"number is an error", "=1 + 2", "", "expected a string but found number 3"},
		{"null is an error", "=nope", "", "expected a string but found null"},
		{"list is an error", "=[1, 2]", "", "expected a string but found list [1, 2]"},
	}
	env := testEnv()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Parse(tc.value)
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.EvalString(env)
			checkErr(t, err, tc.wantErr)
			if got != tc.want {
				t.Errorf("EvalString() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestEvalInt(t *testing.T) {
	tests := []struct {
		name    string
		value   string
		want    int64
		wantErr string
	}{
		{"static integer", "3", 3, ""},
		{"static integer with spaces", " 12 ", 12, ""},
		{"static non-integer", "three", 0, `expected an integer but found "three"`},
		{"feel whole number", "=count(items)", 4, ""},
		{"feel negative", "=-2", -2, ""},
		{"feel fraction is an error", "=1.5", 0, "expected a whole number but found number 1.5"},
		{"feel string is an error", `="3"`, 0, "expected a whole number but found string 3"},
	}
	env := testEnv()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Parse(tc.value)
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.EvalInt(env)
			checkErr(t, err, tc.wantErr)
			if got != tc.want {
				t.Errorf("EvalInt() = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestSyntaxErrors(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		wantLine int
		wantCol  int
		wantMsg  string
	}{
		{"missing closing paren", `(a then`, 1, 4, `expected ")" but found "then"`},
		{"if without then", `if a else b`, 1, 6, `expected "then" but found "else"`},
		{"trailing garbage", `1 2`, 1, 3, `expected end of expression but found 2`},
		{"unknown function names it", `foo(1)`, 1, 1, `unknown function "foo"`},
		{"unknown multi-word function", `string lengthx("a")`, 1, 1, `unknown function "string lengthx"`},
		{"unknown function after keyword", `x and foo(1)`, 1, 7, `unknown function "foo"`},
		{"error on second line", "1 +\n  * 2", 2, 3, `expected an expression but found "*"`},
		{"unterminated string", `"abc`, 1, 1, "unterminated string"},
		{"unterminated backtick", "`abc", 1, 1, "unterminated `name`"},
		{"unterminated comment", "1 /* x", 1, 3, "unterminated comment"},
		{"invalid character", `1 # 2`, 1, 3, `unexpected character '#'`},
		{"lone bang", `1 ! 2`, 1, 3, `unexpected character "!"`},
		{"empty expression", ``, 1, 1, "expected an expression but found end of expression"},
		{"blank expression", `   `, 1, 4, "expected an expression but found end of expression"},
		{"bad temporal literal", `@"2025-13-01"`, 1, 2, `invalid temporal literal "2025-13-01"`},
		{"at without string", `@1`, 1, 2, `expected a string after "@"`},
		{"wrong argument count", `substring("a")`, 1, 1, `function "substring" takes 2 to 3 arguments but was given 1`},
		{"unknown named parameter", `substring(text: "a")`, 1, 1, `function "substring" has no parameter "text"`},
		{"named parameters of different signatures", `date(from: "x", year: 1)`, 1, 1, `cannot take parameters`},
		{"mixed named and positional", `substring("a", start position: 1)`, 1, 16, "positional and named arguments cannot be mixed"},
		{"function literal outside sort", `function(a) a`, 1, 1, "a function literal can only be the precedes argument of sort"},
		{"sort with non-function", `sort([1], 1)`, 1, 11, "must be a function literal with two parameters"},
		{"calling a variable", `f(1)`, 1, 1, `unknown function "f"`},
		{"calling a path", `a.b(1)`, 1, 4, "only built-in functions can be called"},
		{"duplicate context key", `{a: 1, a: 2}`, 1, 8, `duplicate context key "a"`},
		{"bad context key", `{1: 2}`, 1, 2, "expected a context key but found 1"},
		{"missing range end", `x in [1..]`, 1, 10, `expected an expression but found "]"`},
		{"bad range close", `[1..2 3`, 1, 7, `expected "]" or ")" but found 3`},
		{"open range without dots", `]1, 2[`, 1, 3, `expected ".." but found ","`},
		{"unary test outside in", `(< 3)`, 1, 2, `expected an expression but found "<"`},
		{"unary test range", `x in (< 3..5)`, 1, 10, `expected ")" but found ".."`},
		{"instance of unknown type", `x instance of thing`, 1, 15, `expected a type name but found "thing"`},
		{"reserved word as operand", `then`, 1, 1, `expected an expression but found "then"`},
		{"for without return", `for x in y x`, 1, 12, `expected "return" but found "x"`},
		{"for without name", `for 1 in y return 1`, 1, 5, `expected a variable name but found 1`},
		{"between without and", `x between 1 or 2`, 1, 13, `expected "and" but found "or"`},
		{"path without name", `a.1`, 1, 3, `expected a name after "."`},
		{"invalid unicode escape", `"\u12"`, 1, 2, "invalid unicode escape"},
		{"number out of range", `1e999`, 1, 1, "number 1e999 is out of range"},
		{"unclosed generic type", `x instance of list<number`, 1, 26, `expected ">" but found end of expression`},
		{"function parameter not a name", `sort([1], function(1) 1)`, 1, 20, "expected a parameter name"},
		{"iteration variable not a name", `some x in [1], 2 in [1] satisfies true`, 1, 16, "expected a variable name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CompileFEEL(tc.src)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("CompileFEEL(%q) error = %v (%T), want *SyntaxError", tc.src, err, err)
			}
			if se.Line != tc.wantLine || se.Column != tc.wantCol || !strings.Contains(se.Msg, tc.wantMsg) {
				t.Errorf("CompileFEEL(%q) = %q, want line %d, column %d, message containing %q", tc.src, se.Error(), tc.wantLine, tc.wantCol, tc.wantMsg)
			}
		})
	}
}

func TestSyntaxErrorFormat(t *testing.T) {
	_, err := CompileFEEL(`if (a then 1 else 2`)
	if got, want := err.Error(), `line 1, column 7: expected ")" but found "then"`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	_, err = Parse(`=if (a then 1 else 2`)
	if got, want := err.Error(), `line 1, column 8: expected ")" but found "then"`; got != want {
		t.Errorf("Parse error = %q, want %q (the column counts the '=')", got, want)
	}
}

func TestDeepNesting(t *testing.T) {
	tests := []struct {
		name string
		src  string
	}{
		{"ten thousand parentheses", strings.Repeat("(", 10000) + "1" + strings.Repeat(")", 10000)},
		{"ten thousand unclosed parentheses", strings.Repeat("(", 10000)},
		{"ten thousand brackets", strings.Repeat("[", 10000)},
		{"ten thousand braces", strings.Repeat("{a:", 10000)},
		{"ten thousand minus signs", strings.Repeat("-", 10000) + "x"},
		{"ten thousand not calls", strings.Repeat("not(", 10000)},
		{"ten thousand additions", "1" + strings.Repeat(" + 1", 10000)},
		{"ten thousand path steps", "a" + strings.Repeat(".b", 10000)},
		{"ten thousand filters", "a" + strings.Repeat("[1]", 10000)},
		{"ten thousand ifs", strings.Repeat("if true then 1 else ", 10000) + "1"},
		{"ten thousand fors", strings.Repeat("for x in y return ", 10000) + "1"},
		{"ten thousand exponents", "2" + strings.Repeat(" ** 2", 10000)},
		{"ten thousand in tests", strings.Repeat("x in [", 10000)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CompileFEEL(tc.src)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error = %v, want *SyntaxError", err)
			}
			if !strings.Contains(se.Msg, "nested too deeply") {
				t.Errorf("message %q does not say the expression is nested too deeply", se.Msg)
			}
		})
	}
	t.Run("nesting within the limit compiles", func(t *testing.T) {
		src := strings.Repeat("(", 150) + "1" + strings.Repeat(")", 150)
		e, err := CompileFEEL(src)
		if err != nil {
			t.Fatal(err)
		}
		if v, err := e.Eval(Env{}); err != nil || v != 1.0 {
			t.Errorf("Eval() = %v, %v", v, err)
		}
	})
}

func TestTooLarge(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"source too long", strings.Repeat(" ", maxSourceLen+1), "longer than"},
		{"too many elements", "[" + strings.Repeat("1,", maxNodes) + "1]", "too large"},
		{"invalid utf-8", "\"a\xff\"", "invalid UTF-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CompileFEEL(tc.src)
			var se *SyntaxError
			if !errors.As(err, &se) || !strings.Contains(se.Msg, tc.want) {
				t.Errorf("error = %v, want a SyntaxError containing %q", err, tc.want)
			}
		})
	}
}

func TestRuntimeLimits(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"huge range", `for x in 1..100000000 return x`, "more than 1000000 elements"},
		{"huge nested loop hits the cost limit", `for x in 1..1000, y in 1..1000 return x`, "cost limit"},
		{"huge count hits the cost limit", `count(for x in 1..2000 return for y in 1..2000 return 1)`, "cost limit"},
		{"huge quantifier hits the cost limit", `some x in 1..1000, y in 1..1000 satisfies x < 0`, "cost limit"},
		{"huge string", `string join(for x in 1..200000 return "` + strings.Repeat("x", 100) + `")`, "longer than"},
		{"quadratic distinct stays linear and hits the cost limit", `count(distinct values(for x in 1..600000 return x))`, "cost limit"},
		{"string of a huge list", `string(for x in 1..200000 return "` + strings.Repeat("x", 100) + `")`, "longer than"},
		{"replace growing a string", `replace(string join(for x in 1..100000 return "ab"), "", "` + strings.Repeat("y", 100) + `")`, "longer than"},
		{"huge list from flatten", `count(flatten(for x in 1..1200 return for y in 1..1200 return 1))`, "cost limit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := CompileFEEL(tc.src)
			if err != nil {
				t.Fatal(err)
			}
			_, err = e.Eval(Env{})
			var ee *EvalError
			if !errors.As(err, &ee) {
				t.Fatalf("Eval error = %v (%T), want *EvalError", err, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Eval error = %q, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestRuntimeTypeMismatchIsNull(t *testing.T) {
	runEvalCases(t, []evalCase{
		{"number plus string", `amount + x`, nil},
		{"string compared to number", `x > 1`, nil},
		{"path on number", `amount.foo`, nil},
		{"function with wrong argument types", `upper case(amount)`, nil},
		{"list function with a string", `sum("abc")`, nil},
		{"date function with a number", `day of week(1)`, nil},
		{"temporal property of string", `x.year`, nil},
		{"filter with string index", `items["a"]`, L()},
		{"instance of with mismatch", `items instance of context`, false},
	})
}

func TestConcurrentEval(t *testing.T) {
	e, err := CompileFEEL(`{total: sum(for o in orders return o.price * qty), id: uuid(), big: orders[price > limit].name, at: now()}`)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				qty := float64(g + i)
				vars := map[string]any{"orders": testVars()["orders"], "qty": qty, "limit": float64(i % 30)}
				env := Env{Lookup: func(n string) (any, bool) { v, ok := vars[n]; return v, ok },
					Now: testNow.Add(time.Duration(g) * time.Hour), Seed: uint64(g)}
				v, err := e.Eval(env)
				if err != nil {
					errs <- err
					return
				}
				m := v.(map[string]any)
				if m["total"] != numResult(45*qty) {
					errs <- fmt.Errorf("goroutine %d: total = %v, want %v", g, m["total"], 45*qty)
					return
				}
				if m["id"] != uuidFrom(uint64(g), 0) {
					errs <- fmt.Errorf("goroutine %d: uuid %v is not the first uuid of seed %d", g, m["id"], g)
					return
				}
				if !m["at"].(DateTime).Time.Equal(env.Now) {
					errs <- fmt.Errorf("goroutine %d: now() = %v, want %v", g, m["at"], env.Now)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestNilLookup(t *testing.T) {
	e, err := CompileFEEL(`[x = null, is defined(x), x.y]`)
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.Eval(Env{})
	if err != nil {
		t.Fatal(err)
	}
	if !sameValue(v, L(true, false, nil)) {
		t.Errorf("Eval() = %v", v)
	}
}

func TestToJSON(t *testing.T) {
	utc := time.Date(2025, 1, 31, 10, 0, 0, 0, time.UTC)
	plus1 := time.FixedZone("", 3600)
	tests := []struct {
		name string
		in   any
		want any
	}{
		{"date", Date{2025, time.January, 31}, "2025-01-31"},
		{"date-time UTC", DateTime{Time: utc}, "2025-01-31T10:00:00Z"},
		{"date-time with offset", DateTime{Time: time.Date(2025, 1, 31, 10, 0, 0, 0, plus1)}, "2025-01-31T10:00:00+01:00"},
		{"date-time with negative offset", DateTime{Time: time.Date(2025, 1, 31, 10, 0, 0, 0, time.FixedZone("", -5*3600-1800))}, "2025-01-31T10:00:00-05:30"},
		{"local date-time", DateTime{Time: utc, Local: true}, "2025-01-31T10:00:00"},
		{"date-time with fraction", DateTime{Time: utc.Add(120 * time.Millisecond)}, "2025-01-31T10:00:00.12Z"},
		{"time", Time{Hour: 10, Minute: 5}, "10:05:00"},
		{"time with offset", Time{Hour: 10, HasOffset: true, Offset: -3600}, "10:00:00-01:00"},
		{"duration", Duration(51 * time.Hour), "P2DT3H"},
		{"duration minutes and seconds", Duration(90*time.Minute + 1500*time.Millisecond), "PT1H30M1.5S"},
		{"zero duration", Duration(0), "PT0S"},
		{"negative duration", Duration(-48 * time.Hour), "-P2D"},
		{"years and months", YearsMonths(14), "P1Y2M"},
		{"whole years", YearsMonths(24), "P2Y"},
		{"zero years and months", YearsMonths(0), "P0M"},
		{"negative years and months", YearsMonths(-3), "-P3M"},
		{"range", Range{Low: 1.0, High: 10.0, LowClosed: true}, "[1..10)"},
		{"nested values", map[string]any{"d": []any{Date{2025, 1, 1}}, "n": 1.0}, map[string]any{"d": []any{"2025-01-01"}, "n": 1.0}},
		{"unchanged list", []any{1.0, "a"}, []any{1.0, "a"}},
		{"int becomes float", 3, 3.0},
		{"json number becomes float", json.Number("2.5"), 2.5},
		{"not finite becomes null", []any{mathInf()}, []any{nil}},
		{"go time", utc, "2025-01-31T10:00:00Z"},
		{"unknown struct becomes null", struct{}{}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ToJSON(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ToJSON(%#v) = %#v, want %#v", tc.in, got, tc.want)
			}
		})
	}
	t.Run("temporal values marshal as ISO strings", func(t *testing.T) {
		b, err := json.Marshal([]any{Date{2025, 1, 31}, DateTime{Time: utc}, Time{Hour: 1}, Duration(time.Hour), YearsMonths(1)})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(b), `["2025-01-31","2025-01-31T10:00:00Z","01:00:00","PT1H","P1M"]`; got != want {
			t.Errorf("json.Marshal = %s, want %s", got, want)
		}
	})
}
