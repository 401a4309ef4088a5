package expr

import (
	"math"
	"strings"
)

// Limits on values built during evaluation.
const (
	maxListLen   = 1_000_000
	maxStringLen = 10 << 20
)

var (
	errListTooLong   = &EvalError{Msg: "list is longer than 1000000 elements"}
	errStringTooLong = &EvalError{Msg: "string is longer than 10485760 bytes"}
)

// Operators. Arguments are normalised FEEL values; a result of nil is null.

func opAdd(a, b any) (any, error) {
	switch x := a.(type) {
	case float64:
		if y, ok := b.(float64); ok {
			return numResult(x + y), nil
		}
		return nil, nil
	case string:
		if y, ok := b.(string); ok {
			if len(x)+len(y) > maxStringLen {
				return nil, errStringTooLong
			}
			return x + y, nil
		}
		return nil, nil
	}
	r, _ := temporalAdd(a, b, 1)
	return r, nil
}

func opSub(a, b any) any {
	if x, ok := a.(float64); ok {
		if y, ok := b.(float64); ok {
			return numResult(x - y)
		}
		return nil
	}
	r, _ := temporalAdd(a, b, -1)
	return r
}

func opMul(a, b any) any {
	switch x := a.(type) {
	case float64:
		switch y := b.(type) {
		case float64:
			return numResult(x * y)
		case Duration, YearsMonths:
			return opMul(b, a)
		}
	case Duration:
		if y, ok := b.(float64); ok {
			if d, ok := mulDuration(x, y); ok {
				return d
			}
		}
	case YearsMonths:
		if y, ok := b.(float64); ok {
			m := float64(x) * y
			if math.Abs(m) < math.MaxInt32 {
				return YearsMonths(int(math.Round(m)))
			}
		}
	}
	return nil
}

func opDiv(a, b any) any {
	switch x := a.(type) {
	case float64:
		if y, ok := b.(float64); ok && y != 0 {
			return numResult(x / y)
		}
	case Duration:
		switch y := b.(type) {
		case float64:
			if y != 0 {
				if d, ok := mulDuration(x, 1/y); ok {
					return d
				}
			}
		case Duration:
			if y != 0 {
				return numResult(float64(x) / float64(y))
			}
		}
	case YearsMonths:
		switch y := b.(type) {
		case float64:
			if y != 0 {
				m := float64(x) / y
				if math.Abs(m) < math.MaxInt32 {
					return YearsMonths(int(math.Round(m)))
				}
			}
		case YearsMonths:
			if y != 0 {
				return numResult(float64(x) / float64(y))
			}
		}
	}
	return nil
}

func opPow(a, b any) any {
	x, ok1 := a.(float64)
	y, ok2 := b.(float64)
	if !ok1 || !ok2 {
		return nil
	}
	return numResult(math.Pow(x, y))
}

func opNeg(a any) any {
	switch x := a.(type) {
	case float64:
		return -x
	case Duration:
		if x == math.MinInt64 {
			return nil
		}
		return -x
	case YearsMonths:
		return -x
	}
	return nil
}

// opCompare applies an ordering operator; incomparable operands give null.
func opCompare(op string, a, b any) any {
	c, ok := feelCompare(a, b)
	if !ok {
		return nil
	}
	switch op {
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	return nil
}

// opAnd and opOr implement FEEL's three-valued logic; non-boolean operands count as null.
func opAnd(a, b any) any {
	x, okx := a.(bool)
	y, oky := b.(bool)
	switch {
	case okx && !x, oky && !y:
		return false
	case okx && oky:
		return true
	}
	return nil
}

func opOr(a, b any) any {
	x, okx := a.(bool)
	y, oky := b.(bool)
	switch {
	case okx && x, oky && y:
		return true
	case okx && oky:
		return false
	}
	return nil
}

// opGet reads a context entry, a temporal property, or projects a list.
func opGet(x any, key string) any {
	switch v := x.(type) {
	case map[string]any:
		return norm(v[key])
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = opGet(norm(e), key)
		}
		return out
	case nil:
		return nil
	}
	r, _ := temporalProperty(x, key)
	return r
}

// opIndex reads the n-th element (1-based, negative counts from the end).
func opIndex(x any, n any) any {
	i, ok := asInt(n)
	if !ok || x == nil {
		return nil
	}
	l, isList := x.([]any)
	if !isList {
		l = []any{x}
	}
	switch {
	case i > 0 && i <= len(l):
		return norm(l[i-1])
	case i < 0 && -i <= len(l):
		return norm(l[len(l)+i])
	}
	return nil
}

// opIn tests x against a value, a list of values or ranges, or a range.
func opIn(x, test any) any {
	switch t := test.(type) {
	case Range:
		return inRange(x, t)
	case []any:
		var unknown bool
		for _, e := range t {
			var r any
			if rg, ok := norm(e).(Range); ok {
				r = inRange(x, rg)
			} else {
				r = feelEqual(x, e)
			}
			if r == true {
				return true
			}
			if r == nil {
				unknown = true
			}
		}
		if unknown {
			return nil
		}
		return false
	}
	return feelEqual(x, test)
}

func inRange(x any, r Range) any {
	if r.Low != nil {
		c, ok := feelCompare(x, r.Low)
		if !ok {
			return nil
		}
		if c < 0 || c == 0 && !r.LowClosed {
			return false
		}
	}
	if r.High != nil {
		c, ok := feelCompare(x, r.High)
		if !ok {
			return nil
		}
		if c > 0 || c == 0 && !r.HighClosed {
			return false
		}
	}
	return true
}

func opBetween(x, lo, hi any) any {
	return opAnd(opCompare(">=", x, lo), opCompare("<=", x, hi))
}

func opInstanceOf(x any, typ string) bool {
	switch typ {
	case "Any":
		return x != nil
	case "Null":
		return x == nil
	case "function":
		return false
	}
	return x != nil && typeName(x) == typ
}

// iterItems gives the elements an iteration or filter walks: a list's
// elements, a whole-number range's members, or a single value as a
// one-element list. null gives no elements and isNull.
func iterItems(v any) (items []any, isNull bool, err error) {
	switch x := v.(type) {
	case nil:
		return nil, true, nil
	case []any:
		return x, false, nil
	case Range:
		lo, ok1 := x.Low.(float64)
		hi, ok2 := x.High.(float64)
		if ok1 && ok2 && lo == math.Trunc(lo) && hi == math.Trunc(hi) {
			if !x.LowClosed {
				lo++
			}
			if !x.HighClosed {
				hi--
			}
			if hi < lo {
				return []any{}, false, nil
			}
			l, err := sequence(lo, hi)
			if err != nil {
				return nil, false, err
			}
			return l.([]any), false, nil
		}
	}
	return []any{v}, false, nil
}

// sequence lists the whole numbers from lo to hi, counting down when hi < lo.
func sequence(lo, hi float64) (any, error) {
	if lo != math.Trunc(lo) || hi != math.Trunc(hi) {
		return nil, nil
	}
	n := math.Abs(hi-lo) + 1
	if n > maxListLen {
		return nil, evalErrorf("range %s..%s has more than %d elements", formatNumber(lo), formatNumber(hi), maxListLen)
	}
	out := make([]any, int(n))
	step := 1.0
	if hi < lo {
		step = -1
	}
	for i := range out {
		out[i] = lo + float64(i)*step
	}
	return out, nil
}

func concatStrings(parts []string, sep string) (string, error) {
	total := 0
	for _, p := range parts {
		total += len(p) + len(sep)
	}
	if total > maxStringLen {
		return "", errStringTooLong
	}
	return strings.Join(parts, sep), nil
}
