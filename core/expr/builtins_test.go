package expr

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestStringBuiltins(t *testing.T) {
	runEvalCases(t, []evalCase{
		{"string of list", `string([1, "a"])`, `[1, "a"]`},
		{"string of context", `string({b: 1, a: "x"})`, `{a:"x", b:1}`},
		{"string of date", `string(@"2025-01-31")`, "2025-01-31"},
		{"string of boolean", `string(true)`, "true"},
		{"string of null", `string(null)`, nil},
		{"number", `number("1.5")`, 1.5},
		{"number negative", `number("-12")`, -12.0},
		{"number invalid", `number("abc")`, nil},
		{"number with separators", `number("1.000,5", ".", ",")`, 1000.5},
		{"number with same separators", `number("1.000", ".", ".")`, nil},
		{"number named arguments", `number(from: "1 000.5", grouping separator: " ", decimal separator: ".")`, 1000.5},
		{"upper case", `upper case("abc")`, "ABC"},
		{"lower case", `lower case("ABC")`, "abc"},
		{"upper case of number", `upper case(1)`, nil},
		{"substring", `substring("foobar", 3)`, "obar"},
		{"substring with length", `substring("foobar", 3, 3)`, "oba"},
		{"substring negative start", `substring("foobar", -2, 1)`, "a"},
		{"substring named", `substring(string: "abc", start position: 2)`, "bc"},
		{"substring past end", `substring("abc", 10)`, ""},
		{"substring negative length", `substring("abc", 1, -1)`, nil},
		{"substring unicode", `substring("héllo", 2, 3)`, "éll"},
		{"substring wrong type", `substring(1, 1)`, nil},
		{"string length", `string length("héllo")`, 5.0},
		{"string length of number", `string length(5)`, nil},
		{"contains", `contains("foobar", "ob")`, true},
		{"contains false", `contains("foobar", "x")`, false},
		{"starts with", `starts with("foobar", "fo")`, true},
		{"ends with", `ends with("foobar", "ar")`, true},
		{"ends with wrong type", `ends with("foobar", 1)`, nil},
		{"matches", `matches("foobar", "^fo*b")`, true},
		{"matches case-insensitive flag", `matches("FOO", "foo", "i")`, true},
		{"matches invalid pattern", `matches("a", "(")`, nil},
		{"matches invalid flag", `matches("a", "a", "z")`, nil},
		{"replace", `replace("abcd", "(ab)|(a)", "[1=$1][2=$2]")`, "[1=ab][2=]cd"},
		{"replace group", `replace("2025-01-31", "(\d+)-(\d+)-(\d+)", "$3.$2.$1")`, "31.01.2025"},
		{"replace literal dollar", `replace("a", "a", "\$")`, "$"},
		{"replace with flags", `replace("AbA", "a", "x", "i")`, "xbx"},
		{"unknown escape kept for regex", `"\d\\d"`, `\d\d`},
		{"split", `split("a,b,,c", ",")`, L("a", "b", "", "c")},
		{"split regex", `split("a1b22c", "\d+")`, L("a", "b", "c")},
		{"extract", `extract("a1b22c", "\d+")`, L("1", "22")},
		{"substring before", `substring before("foobar", "bar")`, "foo"},
		{"substring before missing", `substring before("foobar", "x")`, ""},
		{"substring after", `substring after("foobar", "ob")`, "ar"},
		{"trim", `trim("  a b  ")`, "a b"},
		{"is blank", `is blank("  ")`, true},
		{"is blank false", `is blank(" a ")`, false},
		{"string join", `string join(["a", "b", "c"], ", ")`, "a, b, c"},
		{"string join without separator", `string join(["a", "b"])`, "ab"},
		{"string join skips null", `string join(["a", null, "c"], "-")`, "a-c"},
		{"string join prefix suffix", `string join(["a", "b"], ",", "[", "]")`, "[a,b]"},
		{"string join non-string", `string join([1, 2], ",")`, nil},
	})
}

func TestListBuiltins(t *testing.T) {
	runEvalCases(t, []evalCase{
		{"count", `count(items)`, 4.0},
		{"count not a list", `count(5)`, nil},
		{"sum", `sum(items)`, 15.0},
		{"sum varargs", `sum(1, 2, 3)`, 6.0},
		{"sum decimals", `sum([0.1, 0.2])`, 0.3},
		{"sum empty", `sum([])`, nil},
		{"sum non-numbers", `sum([1, "a"])`, nil},
		{"min", `min(items)`, 1.0},
		{"min varargs", `min(3, 1, 2)`, 1.0},
		{"max", `max(items)`, 7.0},
		{"max strings", `max(["a", "c", "b"])`, "c"},
		{"max dates", `max([@"2025-01-01", @"2025-03-01"])`, Date{Year: 2025, Month: 3, Day: 1}},
		{"max mixed", `max([1, "a"])`, nil},
		{"min empty", `min([])`, nil},
		{"min of null", `min(null)`, nil},
		{"mean", `mean([1, 2, 3, 4])`, 2.5},
		{"mean varargs", `mean(1, 2)`, 1.5},
		{"median odd", `median([3, 1, 2])`, 2.0},
		{"median even", `median([4, 1, 2, 3])`, 2.5},
		{"product", `product([2, 3, 4])`, 24.0},
		{"stddev", `stddev([2, 4, 7, 5])`, 2.08166599946613},
		{"mode", `mode([6, 3, 9, 6, 6])`, L(6.0)},
		{"mode ties", `mode([1, 2, 2, 1])`, L(1.0, 2.0)},
		{"all true", `all([true, true])`, true},
		{"all false", `all([true, false, null])`, false},
		{"all null", `all([true, null])`, nil},
		{"all empty", `all([])`, true},
		{"any true", `any([false, true])`, true},
		{"any false", `any([false])`, false},
		{"any null", `any([false, 1])`, nil},
		{"list contains", `list contains(items, 5)`, true},
		{"list contains null", `list contains([1, null], null)`, true},
		{"list contains false", `list contains(items, 3)`, false},
		{"append", `append([1], 2, 3)`, L(1.0, 2.0, 3.0)},
		{"append to non-list", `append(1, 2)`, nil},
		{"concatenate", `concatenate([1, 2], [3], [])`, L(1.0, 2.0, 3.0)},
		{"concatenate non-list", `concatenate([1], 2)`, nil},
		{"remove", `remove([1, 2, 3], 2)`, L(1.0, 3.0)},
		{"remove negative", `remove([1, 2, 3], -1)`, L(1.0, 2.0)},
		{"remove out of range", `remove([1, 2, 3], 4)`, nil},
		{"insert before", `insert before([1, 3], 2, 2)`, L(1.0, 2.0, 3.0)},
		{"index of", `index of([1, 2, 3, 2], 2)`, L(2.0, 4.0)},
		{"index of none", `index of([1], 5)`, L()},
		{"distinct values", `distinct values([1, 2, 1, [1], [1]])`, L(1.0, 2.0, L(1.0))},
		{"distinct values of temporal values", `distinct values([@"2025-01-01T10:00:00Z", @"2025-01-01T11:00:00+01:00", @"10:00:00", @"10:00:00Z", @"P1D", @"P1Y", [1..2], -0, 0])`, L(DateTime{Time: time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)}, Time{Hour: 10}, Time{Hour: 10, HasOffset: true}, Duration(24*3600e9), YearsMonths(12), Range{Low: 1.0, High: 2.0, LowClosed: true, HighClosed: true}, 0.0)},
		{"distinct values of contexts", `distinct values([{a: 1, b: [true]}, {b: [true], a: 1}, {a: null}])`, L(C("a", 1.0, "b", L(true)), C("a", nil))},
		{"duplicate values", `duplicate values([1, 2, 1, 3, 2, 1])`, L(1.0, 2.0)},
		{"union", `union([1, 2], [2, 3])`, L(1.0, 2.0, 3.0)},
		{"flatten", `flatten([1, [2, [3, [4]]], []])`, L(1.0, 2.0, 3.0, 4.0)},
		{"sort numbers", `sort([3, 1, 2])`, L(1.0, 2.0, 3.0)},
		{"sort strings", `sort(["b", "a"])`, L("a", "b")},
		{"sort mixed", `sort([1, "a"])`, nil},
		{"sort single incomparable", `sort([{a: 1}])`, nil},
		{"sort input slice", `sort(ints)`, L(1.0, 2.0, 3.0)},
		{"reverse", `reverse([1, 2, 3])`, L(3.0, 2.0, 1.0)},
		{"sublist", `sublist([1, 2, 3], 2)`, L(2.0, 3.0)},
		{"sublist with length", `sublist([1, 2, 3], 1, 2)`, L(1.0, 2.0)},
		{"sublist negative start", `sublist([1, 2, 3], -2, 1)`, L(2.0)},
		{"sublist out of range", `sublist([1, 2, 3], 5)`, nil},
		{"is empty", `is empty([])`, true},
		{"is empty false", `is empty(items)`, false},
		{"is empty not a list", `is empty("")`, nil},
	})
}

func TestContextBuiltins(t *testing.T) {
	runEvalCases(t, []evalCase{
		{"get value", `get value({a: 1}, "a")`, 1.0},
		{"get value missing", `get value({a: 1}, "b")`, nil},
		{"get value path", `get value({a: {b: 2}}, ["a", "b"])`, 2.0},
		{"get value not a context", `get value(1, "a")`, nil},
		{"get entries sorted", `get entries({b: 2, a: 1})`, L(C("key", "a", "value", 1.0), C("key", "b", "value", 2.0))},
		{"context put", `context put({a: 1}, "b", 2)`, C("a", 1.0, "b", 2.0)},
		{"context put replaces", `context put({a: 1}, "a", 2)`, C("a", 2.0)},
		{"context put nested", `context put({a: {x: 1}}, ["a", "y"], 2)`, C("a", C("x", 1.0, "y", 2.0))},
		{"context put does not modify input", `{c: order, d: context put(order, "total", 0)}.c.total`, 42.5},
		{"context merge", `context merge([{a: 1, b: 1}, {b: 2}])`, C("a", 1.0, "b", 2.0)},
		{"context merge non-context", `context merge([{a: 1}, 2])`, nil},
		{"context from entries", `context([{key: "a", value: 1}])`, C("a", 1.0)},
		{"context from bad entries", `context([{k: "a"}])`, nil},
	})
}

func TestNumericBuiltins(t *testing.T) {
	runEvalCases(t, []evalCase{
		{"floor", `floor(1.5)`, 1.0},
		{"floor negative", `floor(-1.5)`, -2.0},
		{"floor with scale", `floor(-1.56, 1)`, -1.6},
		{"ceiling", `ceiling(1.2)`, 2.0},
		{"ceiling negative", `ceiling(-1.5)`, -1.0},
		{"round half up", `round half up(2.675, 2)`, 2.68},
		{"round half up negative", `round half up(-5.5, 0)`, -6.0},
		{"round half down", `round half down(5.5, 0)`, 5.0},
		{"round half down above half", `round half down(5.51, 0)`, 6.0},
		{"round up", `round up(5.1, 0)`, 6.0},
		{"round up negative", `round up(-5.1, 0)`, -6.0},
		{"round down", `round down(5.9, 0)`, 5.0},
		{"round with negative scale", `round half up(1250, -2)`, 1300.0},
		{"round to more digits than present", `round half up(1.5, 5)`, 1.5},
		{"round tiny number", `round half up(0.0004, 2)`, 0.0},
		{"round carries", `round half up(9.995, 2)`, 10.0},
		{"decimal half even down", `decimal(2.5, 0)`, 2.0},
		{"decimal half even up", `decimal(3.5, 0)`, 4.0},
		{"decimal", `decimal(1/3, 2)`, 0.33},
		{"decimal non-integer scale", `decimal(1.5, 0.5)`, nil},
		{"round null scale", `round half up(n: 1.5, scale: null)`, nil},
		{"abs", `abs(-3)`, 3.0},
		{"abs duration", `abs(@"-P1D")`, Duration(24 * 3600 * 1e9)},
		{"abs wrong type", `abs("a")`, nil},
		{"modulo", `modulo(12, 5)`, 2.0},
		{"modulo negative dividend", `modulo(-12, 5)`, 3.0},
		{"modulo negative divisor", `modulo(12, -5)`, -3.0},
		{"modulo decimals", `modulo(10.1, 4.5)`, 1.1},
		{"modulo by zero", `modulo(1, 0)`, nil},
		{"sqrt", `sqrt(16)`, 4.0},
		{"sqrt negative", `sqrt(-1)`, nil},
		{"log", `log(1)`, 0.0},
		{"log zero", `log(0)`, nil},
		{"exp", `exp(0)`, 1.0},
		{"odd", `odd(5)`, true},
		{"odd negative", `odd(-3)`, true},
		{"even", `even(4)`, true},
		{"even false", `even(5)`, false},
		{"even fraction", `even(1.5)`, nil},
	})
}

func TestNullBuiltins(t *testing.T) {
	runEvalCases(t, []evalCase{
		{"is defined missing", `is defined(nope)`, false},
		{"is defined present", `is defined(amount)`, true},
		{"is defined holding null", `is defined(n)`, true},
		{"is defined path", `is defined(order.total)`, true},
		{"is defined missing key", `is defined(order.nope)`, false},
		{"is defined path on missing", `is defined(nope.a)`, false},
		{"is defined filter item key", `orders[is defined(tags)].name`, L("pen", "book")},
		{"is defined loop variable", `for x in [1] return is defined(x)`, L(true)},
		{"is defined item", `[1][is defined(item)]`, L(1.0)},
		{"is defined expression", `is defined(1 + 1)`, true},
		{"is defined named", `is defined(value: amount)`, true},
		{"get or else null", `get or else(nope, "default")`, "default"},
		{"get or else value", `get or else(x, "default")`, "a"},
		{"get or else named", `get or else(value: nope, default: 1)`, 1.0},
	})
}

func TestUUID(t *testing.T) {
	shape := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	e, err := CompileFEEL(`[uuid(), uuid()]`)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		seedA    uint64
		seedB    uint64
		wantSame bool
	}{
		{"same seed gives same values", 1, 1, true},
		{"different seeds give different values", 1, 2, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := e.Eval(Env{Seed: tc.seedA})
			if err != nil {
				t.Fatal(err)
			}
			b, err := e.Eval(Env{Seed: tc.seedB})
			if err != nil {
				t.Fatal(err)
			}
			la, lb := a.([]any), b.([]any)
			for _, u := range append(la, lb...) {
				if !shape.MatchString(u.(string)) {
					t.Errorf("uuid %q is not RFC 4122 version 4 shaped", u)
				}
			}
			if la[0] == la[1] {
				t.Errorf("two calls in one evaluation gave the same uuid %q", la[0])
			}
			if same := la[0] == lb[0] && la[1] == lb[1]; same != tc.wantSame {
				t.Errorf("uuids %v and %v: same = %v, want %v", la, lb, same, tc.wantSame)
			}
		})
	}
}

func TestReplaceLimits(t *testing.T) {
	tests := []struct {
		name    string
		args    []any
		wantErr string
	}{
		{"too many matches", []any{strings.Repeat("a", maxListLen+5), "", ""}, "more than 1000000 matches"},
		{"result too long", []any{strings.Repeat("a", 100), "a", strings.Repeat("b", maxStringLen/50)}, "longer than"},
		{"tail too long", []any{strings.Repeat("a", maxStringLen) + "b", "b", "cc"}, "longer than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := fnReplace(tc.args)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("fnReplace error = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestRegexListLimits(t *testing.T) {
	big := strings.Repeat(",", maxListLen+1)
	tests := []struct {
		name string
		fn   func([]any) (any, error)
		args []any
	}{
		{"split into too many parts", fnSplit, []any{big, ","}},
		{"extract too many matches", fnExtract, []any{big, ","}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.fn(tc.args); err == nil || !strings.Contains(err.Error(), "longer than") {
				t.Errorf("error = %v, want the list limit", err)
			}
		})
	}
}

func TestAssertPassesOrFails(t *testing.T) {
	e, err := CompileFEEL(`assert(x, x > 0, "x must be positive")`)
	if err != nil {
		t.Fatal(err)
	}
	env := func(x any) Env {
		return Env{Lookup: func(string) (any, bool) { return x, true }}
	}
	if v, err := e.Eval(env(5.0)); err != nil || v != 5.0 {
		t.Fatalf("assert on a true condition: %v, %v", v, err)
	}
	_, err = e.Eval(env(-1.0))
	var ee *EvalError
	if !errors.As(err, &ee) || !strings.Contains(err.Error(), "x must be positive") {
		t.Fatalf("assert on a false condition: %v", err)
	}
	two, err := CompileFEEL(`assert(1, false)`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := two.Eval(Env{}); err == nil {
		t.Fatal("assert without a cause did not fail")
	}
}
