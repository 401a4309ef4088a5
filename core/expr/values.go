package expr

import (
	"encoding/json"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Range is a FEEL range such as [1..10) as a value. A nil bound is unbounded.
type Range struct {
	Low, High             any
	LowClosed, HighClosed bool
}

// String formats the range in FEEL syntax, e.g. "[1..10)".
func (r Range) String() string {
	var b strings.Builder
	if r.LowClosed {
		b.WriteByte('[')
	} else {
		b.WriteByte('(')
	}
	lo, _ := literalString(r.Low, 100)
	hi, _ := literalString(r.High, 100)
	b.WriteString(lo)
	b.WriteString("..")
	b.WriteString(hi)
	if r.HighClosed {
		b.WriteByte(']')
	} else {
		b.WriteByte(')')
	}
	return b.String()
}

// norm converts a Go value to the FEEL value model: nil, bool, float64,
// string, []any, map[string]any or a temporal type. It is shallow: the
// elements of a list or context are normalised when they are read.
func norm(v any) any {
	switch x := v.(type) {
	case nil, bool, float64, string, []any, map[string]any,
		Date, DateTime, Time, Duration, YearsMonths, Range:
		return v
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case int32:
		return float64(x)
	case int16:
		return float64(x)
	case int8:
		return float64(x)
	case uint:
		return float64(x)
	case uint64:
		return float64(x)
	case uint32:
		return float64(x)
	case uint16:
		return float64(x)
	case uint8:
		return float64(x)
	case float32:
		return float64(x)
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return nil
		}
		return f
	case time.Time:
		return DateTime{Time: x}
	case time.Duration:
		return Duration(x)
	case []map[string]any:
		out := make([]any, len(x))
		for i, m := range x {
			out[i] = m
		}
		return out
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	case []float64:
		out := make([]any, len(x))
		for i, f := range x {
			out[i] = f
		}
		return out
	case []int:
		out := make([]any, len(x))
		for i, n := range x {
			out[i] = float64(n)
		}
		return out
	case map[string]string:
		out := make(map[string]any, len(x))
		for k, s := range x {
			out[k] = s
		}
		return out
	case *Date:
		return derefNorm(x)
	case *DateTime:
		return derefNorm(x)
	}
	return normReflect(v)
}

func derefNorm[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// normReflect handles other slices, string-keyed maps, named basic types and pointers.
func normReflect(v any) any {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil
		}
		return norm(rv.Elem().Interface())
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return nil
		}
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = rv.Index(i).Interface()
		}
		return out
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return nil
		}
		out := make(map[string]any, rv.Len())
		it := rv.MapRange()
		for it.Next() {
			out[it.Key().String()] = it.Value().Interface()
		}
		return out
	case reflect.String:
		return rv.String()
	case reflect.Bool:
		return rv.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return float64(rv.Uint())
	case reflect.Float32, reflect.Float64:
		return rv.Float()
	}
	return nil
}

// ---- numbers ----

var pow10tab = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// round15 rounds x to 15 significant decimal digits so that binary floating
// point noise such as 0.1 + 0.2 = 0.30000000000000004 disappears. Whole
// numbers are returned unchanged.
func round15(x float64) float64 {
	if x == math.Trunc(x) || math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	e := int(math.Floor(math.Log10(math.Abs(x))))
	k := 14 - e
	switch {
	case k >= 0 && k < len(pow10tab):
		p := pow10tab[k]
		return math.Round(x*p) / p
	case k < 0 && -k < len(pow10tab):
		p := pow10tab[-k]
		return math.Round(x/p) * p
	}
	var buf [32]byte
	f, err := strconv.ParseFloat(string(strconv.AppendFloat(buf[:0], x, 'g', 15, 64)), 64)
	if err != nil {
		return x
	}
	return f
}

// numResult turns an arithmetic result into a FEEL number, or null when it
// is not finite.
func numResult(x float64) any {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return round15(x)
}

func formatNumber(f float64) string {
	if f == 0 {
		return "0"
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// asInt reads a whole number that fits an int.
func asInt(v any) (int, bool) {
	f, ok := v.(float64)
	if !ok || f != math.Trunc(f) || f > 1<<53 || f < -(1<<53) {
		return 0, false
	}
	return int(f), true
}

// ---- equality and ordering ----

// feelEqual is FEEL '=': values of different types are not equal; lists and
// contexts compare deeply.
func feelEqual(a, b any) bool {
	a, b = norm(a), norm(b)
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !feelEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !feelEqual(v, w) {
				return false
			}
		}
		return true
	case DateTime:
		y, ok := b.(DateTime)
		return ok && x.Local == y.Local && x.Time.Equal(y.Time)
	case Time:
		y, ok := b.(Time)
		if !ok || x.HasOffset != y.HasOffset {
			return false
		}
		c, _ := temporalCompare(x, y)
		return c == 0
	case Date, Duration, YearsMonths:
		c, ok := temporalCompare(x, b)
		return ok && c == 0
	case Range:
		y, ok := b.(Range)
		return ok && x.LowClosed == y.LowClosed && x.HighClosed == y.HighClosed &&
			feelEqual(x.Low, y.Low) && feelEqual(x.High, y.High)
	}
	return false
}

// feelCompare orders numbers, strings and temporal values of the same kind.
func feelCompare(a, b any) (int, bool) {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		if !ok {
			return 0, false
		}
		switch {
		case x < y:
			return -1, true
		case x > y:
			return 1, true
		case x == y:
			return 0, true
		}
		return 0, false
	case string:
		y, ok := b.(string)
		if !ok {
			return 0, false
		}
		return strings.Compare(x, y), true
	}
	return temporalCompare(a, b)
}

// ---- names and text ----

// typeName is the FEEL name of a value's type.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "list"
	case map[string]any:
		return "context"
	case Date:
		return "date"
	case DateTime:
		return "date and time"
	case Time:
		return "time"
	case Duration:
		return "days and time duration"
	case YearsMonths:
		return "years and months duration"
	case Range:
		return "range"
	}
	return "unknown"
}

// describe names a value for an error message, e.g. `number 3`.
func describe(v any) string {
	v = norm(v)
	if v == nil {
		return "null"
	}
	s, complete := literalString(v, 60)
	if !complete {
		s += "..."
	}
	return typeName(v) + " " + s
}

// stringOf is FEEL string(x): strings stay as they are, everything else is
// written as a FEEL literal would read.
func stringOf(v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	s, complete := literalString(v, maxStringLen)
	if !complete {
		return "", errStringTooLong
	}
	return s, nil
}

// literalString writes a value; strings nested in lists and contexts are
// quoted. It stops after about limit bytes and then reports false.
func literalString(v any, limit int) (string, bool) {
	w := litWriter{limit: limit}
	w.write(v, 0)
	s := w.b.String()
	if w.over {
		if len(s) > limit {
			s = s[:limit]
		}
		return s, false
	}
	return s, true
}

type litWriter struct {
	b     strings.Builder
	limit int
	over  bool
}

func (w *litWriter) str(s string) {
	if w.over {
		return
	}
	if w.b.Len()+len(s) > w.limit {
		w.over = true
		n := w.limit - w.b.Len()
		if n > 0 {
			w.b.WriteString(s[:n])
		}
		return
	}
	w.b.WriteString(s)
}

func (w *litWriter) write(v any, depth int) {
	if w.over {
		return
	}
	if depth > maxDepth {
		w.str("...")
		return
	}
	switch x := norm(v).(type) {
	case nil:
		w.str("null")
	case bool:
		w.str(strconv.FormatBool(x))
	case float64:
		w.str(formatNumber(x))
	case string:
		if depth == 0 {
			w.str(x)
			return
		}
		q := x
		if len(q) > w.limit {
			q = q[:w.limit]
		}
		w.str(strconv.Quote(q))
		if len(x) > w.limit {
			w.over = true
		}
	case []any:
		w.str("[")
		for i, e := range x {
			if i > 0 {
				w.str(", ")
			}
			w.write(e, depth+1)
			if w.over {
				return
			}
		}
		w.str("]")
	case map[string]any:
		w.str("{")
		for i, k := range sortedKeys(x) {
			if i > 0 {
				w.str(", ")
			}
			w.str(k)
			w.str(":")
			w.write(x[k], depth+1)
			if w.over {
				return
			}
		}
		w.str("}")
	case Date:
		w.str(x.String())
	case DateTime:
		w.str(x.String())
	case Time:
		w.str(x.String())
	case Duration:
		w.str(x.String())
	case YearsMonths:
		w.str(x.String())
	case Range:
		w.str(x.String())
	default:
		w.str("?")
	}
}

// writeKey writes a canonical key of a value: two values are FEEL-equal
// exactly when their keys are equal.
func writeKey(b *strings.Builder, v any, depth int) bool {
	if depth > maxDepth {
		return false
	}
	switch x := norm(v).(type) {
	case nil:
		b.WriteString("n")
	case bool:
		if x {
			b.WriteString("t")
		} else {
			b.WriteString("f")
		}
	case float64:
		if x == 0 {
			x = 0
		}
		b.WriteString("d")
		b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
		b.WriteString(";")
	case string:
		b.WriteString("s")
		b.WriteString(strconv.Itoa(len(x)))
		b.WriteString(":")
		b.WriteString(x)
	case []any:
		b.WriteString("[")
		for _, e := range x {
			if !writeKey(b, e, depth+1) {
				return false
			}
		}
		b.WriteString("]")
	case map[string]any:
		b.WriteString("{")
		for _, k := range sortedKeys(x) {
			b.WriteString(strconv.Itoa(len(k)))
			b.WriteString(":")
			b.WriteString(k)
			if !writeKey(b, x[k], depth+1) {
				return false
			}
		}
		b.WriteString("}")
	case Date:
		b.WriteString("D")
		b.WriteString(x.String())
	case DateTime:
		if x.Local {
			b.WriteString("L")
		} else {
			b.WriteString("Z")
		}
		b.WriteString(x.Time.UTC().Format(time.RFC3339Nano))
	case Time:
		n := x.nanosOfDay()
		if x.HasOffset {
			b.WriteString("O")
			n -= int64(x.Offset) * int64(time.Second)
		} else {
			b.WriteString("H")
		}
		b.WriteString(strconv.FormatInt(n, 10))
		b.WriteString(";")
	case Duration:
		b.WriteString("P")
		b.WriteString(strconv.FormatInt(int64(x), 10))
		b.WriteString(";")
	case YearsMonths:
		b.WriteString("Y")
		b.WriteString(strconv.Itoa(int(x)))
		b.WriteString(";")
	case Range:
		b.WriteString("R")
		b.WriteString(strconv.FormatBool(x.LowClosed))
		b.WriteString(strconv.FormatBool(x.HighClosed))
		if !writeKey(b, x.Low, depth+1) || !writeKey(b, x.High, depth+1) {
			return false
		}
	default:
		return false
	}
	return true
}

func feelKey(v any) (string, bool) {
	var b strings.Builder
	ok := writeKey(&b, v, 0)
	return b.String(), ok
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ToJSON converts an evaluation result to a value encoding/json writes the
// way Camunda does: temporal values become ISO-8601 strings ("2025-01-31",
// "2025-01-31T10:00:00Z", "P2DT3H"), numbers become float64 and non-finite
// numbers null. Lists and contexts are copied only when something inside
// them changes.
func ToJSON(v any) any {
	out, _ := toJSON(v, 0)
	return out
}

// toJSON returns the converted value and whether it differs from v.
func toJSON(v any, depth int) (any, bool) {
	switch x := v.(type) {
	case nil, bool, string:
		return v, false
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, true
		}
		return v, false
	case []any:
		if depth > maxJSONDepth {
			return nil, true
		}
		var out []any
		for i, e := range x {
			c, changed := toJSON(e, depth+1)
			if changed && out == nil {
				out = make([]any, len(x))
				copy(out, x[:i])
			}
			if out != nil {
				out[i] = c
			}
		}
		if out == nil {
			return v, false
		}
		return out, true
	case map[string]any:
		if depth > maxJSONDepth {
			return nil, true
		}
		var out map[string]any
		for _, k := range sortedKeys(x) {
			c, changed := toJSON(x[k], depth+1)
			if changed && out == nil {
				out = make(map[string]any, len(x))
				for k2, e := range x {
					out[k2] = e
				}
			}
			if out != nil {
				out[k] = c
			}
		}
		if out == nil {
			return v, false
		}
		return out, true
	case Date:
		return x.String(), true
	case DateTime:
		return x.String(), true
	case Time:
		return x.String(), true
	case Duration:
		return x.String(), true
	case YearsMonths:
		return x.String(), true
	case Range:
		return x.String(), true
	}
	n := norm(v)
	if n == nil {
		return nil, true
	}
	c, _ := toJSON(n, depth)
	return c, true
}

const maxJSONDepth = 10000
