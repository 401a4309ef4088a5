package expr

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
)

func TestCELValueWrappers(t *testing.T) {
	strType := reflect.TypeOf("")
	seq := &seqList{items: []any{1.0}}
	it := seq.Iterator()
	acc := &accList{items: []any{2.0}}
	fa := &filterAcc{}
	act := &activation{}
	tests := []struct {
		name      string
		val       ref.Val
		wantValue any
	}{
		{"box", &box{v: "s"}, "s"},
		{"sequence", seq, []any{1.0}},
		{"iterator", it, nil},
		{"accumulator", acc, []any{2.0}},
		{"filter accumulator", fa, nil},
		{"activation", act, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.val.Value(); !reflect.DeepEqual(got, tc.wantValue) {
				t.Errorf("Value() = %#v, want %#v", got, tc.wantValue)
			}
			if tc.val.Type() == nil {
				t.Error("Type() is nil")
			}
			if same := tc.val; tc.val.Equal(same) != types.True {
				t.Error("a value is not equal to itself")
			}
			_ = tc.val.ConvertToType(tc.val.Type())
			_, _ = tc.val.ConvertToNative(strType)
		})
	}
	t.Run("box converts to its own native type only", func(t *testing.T) {
		b := &box{v: "s"}
		if v, err := b.ConvertToNative(strType); err != nil || v != "s" {
			t.Errorf("ConvertToNative(string) = %v, %v", v, err)
		}
		if _, err := b.ConvertToNative(reflect.TypeOf(1)); err == nil {
			t.Error("ConvertToNative(int) succeeded")
		}
		if !types.IsError(b.ConvertToType(types.IntType)) {
			t.Error("ConvertToType(int) is not an error")
		}
	})
	t.Run("iterator ends", func(t *testing.T) {
		it := (&seqList{items: []any{1.0}}).Iterator()
		if it.HasNext() != types.True || unwrap(it.Next()) != 1.0 || it.HasNext() != types.False {
			t.Error("iterator does not walk one element")
		}
		if it.Next() != types.NullValue {
			t.Error("Next past the end is not null")
		}
	})
	t.Run("activation ignores unknown names", func(t *testing.T) {
		a := &activation{idents: map[string]identRef{}}
		if _, ok := a.ResolveName("x"); ok || a.Parent() != nil {
			t.Error("unknown name resolved")
		}
	})
	t.Run("activation spills boxes to the heap", func(t *testing.T) {
		a := &activation{}
		for i := 0; i < 20; i++ {
			if unwrap(a.box(float64(i))) != float64(i) {
				t.Fatal("box lost its value")
			}
		}
		if a.box(nil) != types.NullValue || a.box(true) != types.True {
			t.Error("null and booleans are not CEL values")
		}
	})
}

func TestUnwrapNativeCELValues(t *testing.T) {
	tests := []struct {
		name string
		in   ref.Val
		want any
	}{
		{"double", types.Double(1.5), 1.5},
		{"int", types.Int(2), 2.0},
		{"string", types.String("s"), "s"},
		{"null sequence", &seqList{isNull: true}, nil},
		{"nil", nil, nil},
		{"other", types.Uint(3), 3.0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := unwrap(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("unwrap(%v) = %#v, want %#v", tc.in, got, tc.want)
			}
		})
	}
}

func TestCELInput(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want any
	}{
		{"json number", json.Number("1.5"), 1.5},
		{"bad json number", json.Number("x"), "x"},
		{"slice of maps", []map[string]any{{"a": 1}}, []any{map[string]any{"a": 1}}},
		{"date", Date{2025, 1, 2}, "2025-01-02"},
		{"date-time", DateTime{Time: time.Unix(0, 0).UTC()}, time.Unix(0, 0).UTC()},
		{"duration", Duration(time.Second), time.Second},
		{"plain value", "s", "s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := celInput(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("celInput(%#v) = %#v, want %#v", tc.in, got, tc.want)
			}
		})
	}
}

func TestHelpers(t *testing.T) {
	t.Run("arity descriptions", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			want string
		}{{"min", "at least 1"}, {"abs", "1"}, {"substring", "2 to 3"}} {
			if got := builtins[tc.name].describeArity(); got != tc.want {
				t.Errorf("%s: describeArity() = %q, want %q", tc.name, got, tc.want)
			}
		}
	})
	t.Run("zero expression does not panic", func(t *testing.T) {
		if _, err := new(Expression).Eval(Env{}); err == nil {
			t.Error("evaluating an uncompiled expression succeeded")
		}
	})
	t.Run("eval error unwraps its cause", func(t *testing.T) {
		cause := errors.New("cause")
		err := &EvalError{Msg: "outer", Err: cause}
		if !errors.Is(err, cause) || err.Error() != "outer: cause" {
			t.Errorf("EvalError = %q, does not wrap its cause", err)
		}
	})
	t.Run("instance of special types", func(t *testing.T) {
		if !opInstanceOf(nil, "Null") || opInstanceOf(1.0, "function") || opInstanceOf(nil, "Any") {
			t.Error("Null, function or Any instance checks are wrong")
		}
	})
	t.Run("list length limit", func(t *testing.T) {
		if checkLen(maxListLen+1) == nil || checkLen(1) != nil {
			t.Error("checkLen does not enforce the list limit")
		}
	})
	t.Run("syntax error positions are clamped", func(t *testing.T) {
		if e := newSyntaxError("ab", 10, "x"); e.Column != 3 {
			t.Errorf("column = %d, want 3", e.Column)
		}
		if e := newSyntaxError("ab", -1, "x"); e.Column != 1 {
			t.Errorf("column = %d, want 1", e.Column)
		}
	})
	t.Run("token descriptions", func(t *testing.T) {
		for tok, want := range map[token]string{
			{kind: tEOF}:                             "end of expression",
			{kind: tStr, text: "a"}:                  `"a"`,
			{kind: tName, text: "a b", quoted: true}: "`a b`",
			{kind: tComma}:                           `","`,
		} {
			if got := describeTok(tok); got != want {
				t.Errorf("describeTok(%v) = %q, want %q", tok, got, want)
			}
		}
	})
	t.Run("flatten refuses absurd nesting", func(t *testing.T) {
		var l any = []any{1.0}
		for i := 0; i < maxDepth+5; i++ {
			l = []any{l}
		}
		if _, err := fnFlatten([]any{l}); err == nil || !strings.Contains(err.Error(), "nested") {
			t.Errorf("fnFlatten error = %v", err)
		}
	})
	t.Run("keys of deeply nested values are refused", func(t *testing.T) {
		var l any = 1.0
		for i := 0; i < maxDepth+5; i++ {
			l = []any{l}
		}
		if _, ok := feelKey(l); ok {
			t.Error("feelKey accepted a value nested too deeply")
		}
		if u := fnDistinct([]any{[]any{l}}); u != nil {
			t.Errorf("distinct values = %v, want null", u)
		}
	})
}

func TestMoreBuiltinEdgeCases(t *testing.T) {
	runEvalCases(t, []evalCase{
		{"matches with dot-all flag", `matches("a\nb", "a.b", "s")`, true},
		{"matches with multi-line flag", `matches("a\nb", "^b$", "m")`, true},
		{"matches with extended flag", `matches("ab", "a b", "x")`, true},
		{"matches with literal flag", `matches("a.b", ".", "q")`, true},
		{"matches with wrong flags type", `matches("a", "a", 1)`, nil},
		{"matches wrong pattern type", `matches("a", 1)`, nil},
		{"replace wrong replacement type", `replace("a", "a", 1)`, nil},
		{"replace escaped backslash", `replace("a", "a", "\\\\")`, `\`},
		{"replace dollar without digit", `replace("a", "a", "$x")`, "$x"},
		{"split wrong type", `split(1, ",")`, nil},
		{"extract invalid pattern", `extract("a", "(")`, nil},
		{"number of number", `number(5)`, 5.0},
		{"number of boolean", `number(true)`, nil},
		{"number with bad grouping", `number("1", "x", ".")`, nil},
		{"number with bad decimal", `number("1", ",", "x")`, nil},
		{"number with grouping only", `number("1,000", ",", null)`, 1000.0},
		{"number with hex text", `number("0x10")`, nil},
		{"number overflow", `number("1e999")`, nil},
		{"context put with bad key", `context put({}, 1, 2)`, nil},
		{"context put with bad key path", `context put({}, [1], 2)`, nil},
		{"context put nested new", `context put({}, ["a", "b"], 1)`, C("a", C("b", 1.0))},
		{"context put nested bad", `context put({}, ["a", 1], 1)`, nil},
		{"context put empty path", `context put({}, [], 1)`, nil},
		{"context put not a context", `context put(1, "a", 1)`, nil},
		{"get value bad path", `get value({a: 1}, ["a", "b"])`, nil},
		{"get value bad key", `get value({a: 1}, 1)`, nil},
		{"get entries not a context", `get entries(1)`, nil},
		{"context merge varargs", `context merge({a: 1}, {b: 2})`, C("a", 1.0, "b", 2.0)},
		{"context merge not a list", `context merge(null)`, nil},
		{"context of non-list", `context(1)`, nil},
		{"context with non-string key", `context([{key: 1, value: 1}])`, nil},
		{"flatten not a list", `flatten(1)`, nil},
		{"union with non-list", `union([1], 2)`, nil},
		{"union of nested", `union([[1]], [[1], [2]])`, L(L(1.0), L(2.0))},
		{"distinct not a list", `distinct values(1)`, nil},
		{"duplicate not a list", `duplicate values(1)`, nil},
		{"sort not a list", `sort(1)`, nil},
		{"reverse not a list", `reverse(1)`, nil},
		{"index of not a list", `index of(1, 1)`, nil},
		{"sublist bad length", `sublist([1, 2], 1, -1)`, nil},
		{"sublist not a list", `sublist(1, 1)`, nil},
		{"insert before out of range", `insert before([1], 5, 2)`, nil},
		{"insert before not a list", `insert before(1, 1, 2)`, nil},
		{"remove not a list", `remove(1, 1)`, nil},
		{"list contains not a list", `list contains(1, 1)`, nil},
		{"mean of strings", `mean(["a"])`, nil},
		{"mean empty", `mean([])`, nil},
		{"product of strings", `product(["a"])`, nil},
		{"product empty", `product([])`, nil},
		{"median of strings", `median(["a"])`, nil},
		{"median empty", `median([])`, nil},
		{"stddev of one", `stddev([1])`, nil},
		{"stddev of strings", `stddev(["a", "b"])`, nil},
		{"mode of strings", `mode(["a"])`, nil},
		{"mode not a list", `mode(null)`, nil},
		{"all not a list", `all(null)`, nil},
		{"any not a list", `any(null)`, nil},
		{"all with non-boolean", `all([true, 1])`, nil},
		{"count of strings", `count(["a", "b"])`, 2.0},
		{"max single", `max(["a"])`, "a"},
		{"max incomparable single", `max([{a: 1}])`, nil},
		{"string join bad separator", `string join(["a"], 1)`, nil},
		{"string join not a list", `string join("a")`, nil},
		{"trim not a string", `trim(1)`, nil},
		{"is blank not a string", `is blank(1)`, nil},
		{"lower case not a string", `lower case(1)`, nil},
		{"substring non-number start", `substring("abc", "1")`, nil},
		{"substring before wrong type", `substring before(1, "a")`, nil},
		{"substring after missing", `substring after("abc", "x")`, ""},
		{"floor not a number", `floor("a")`, nil},
		{"floor bad scale", `floor(1.5, "a")`, nil},
		{"round huge scale", `round half up(1.5, 1000)`, nil},
		{"round zero", `round half up(0, 2)`, 0.0},
		{"round half even exact", `decimal(0.125, 2)`, 0.12},
		{"round half even above", `decimal(0.1251, 2)`, 0.13},
		{"round floor positive", `floor(1.25, 1)`, 1.2},
		{"round ceiling negative", `ceiling(-1.25, 1)`, -1.2},
		{"round down negative scale", `round down(1299, -2)`, 1200.0},
		{"round up all digits dropped", `round up(0.001, 1)`, 0.1},
		{"modulo not a number", `modulo("a", 1)`, nil},
		{"sqrt not a number", `sqrt("a")`, nil},
		{"odd not a number", `odd("a")`, nil},
		{"day of week not a date", `day of week("x")`, nil},
		{"date with non-integer month", `date(2025, 1.5, 1)`, nil},
		{"time with non-number", `time("a", 1, 1)`, nil},
		{"uuid is a string", `uuid() instance of string`, true},
		{"string length unicode escape", `string length("\u00e9")`, 1.0},
		{"range with open low", `(1..5] = (1..5]`, true},
		{"range inequality", `[1..5] = [1..6]`, false},
		{"iterating a non-numeric range", `for x in ["a".."b"] return x`, L(Range{Low: "a", High: "b", LowClosed: true, HighClosed: true})},
		{"iterating an empty range", `for x in (1..2) return x`, L()},
		{"sequence of non-numbers", `for x in "a".."b" return x`, L()},
		{"sequence of fractions", `for x in 1.5..3 return x`, L()},
		{"in open range upper bound", `x in (< 5)`, nil},
		{"is defined of filter item key shadowed", `orders[is defined(nope)]`, L()},
		{"filter by key defined in outer scope", `[{a: 1}][is defined(amount)]`, L(C("a", 1.0))},
		{"projection on empty", `empty.a`, L()},
		{"path on context list property", `{a: [{b: 1}]}.a.b`, L(1.0)},
	})
}
