package search

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"time"
)

// normalize converts a condition value to the field's Go form: int64 for
// keys, integers and dates (Unix ms), string for strings and states, bool
// for booleans.
func normalize(k Kind, enum []string, v any) (any, error) {
	switch k {
	case KindKey, KindInt:
		return toInt(v)
	case KindDate:
		return toMillis(v)
	case KindString, KindList:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("expected a string, got %s", typeName(v))
		}
		return s, nil
	case KindState:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("expected a string, got %s", typeName(v))
		}
		if len(enum) > 0 && !slices.Contains(enum, s) {
			return nil, fmt.Errorf("unknown value %q, expected one of %v", s, enum)
		}
		return s, nil
	case KindBool:
		return toBool(v)
	}
	return nil, fmt.Errorf("field of unknown kind %d", k)
}

func typeName(v any) string {
	if v == nil {
		return "null"
	}
	return reflect.TypeOf(v).String()
}

func toInt(v any) (int64, error) {
	switch n := v.(type) {
	case int:
		return int64(n), nil
	case int8:
		return int64(n), nil
	case int16:
		return int64(n), nil
	case int32:
		return int64(n), nil
	case int64:
		return n, nil
	case uint8:
		return int64(n), nil
	case uint16:
		return int64(n), nil
	case uint32:
		return int64(n), nil
	case uint:
		if uint64(n) > math.MaxInt64 {
			return 0, fmt.Errorf("number %d is out of range", n)
		}
		return int64(n), nil
	case uint64:
		if n > math.MaxInt64 {
			return 0, fmt.Errorf("number %d is out of range", n)
		}
		return int64(n), nil
	case float64:
		// 2^63 itself rounds up from MaxInt64, so it is out of range too.
		if n != math.Trunc(n) || n < math.MinInt64 || n >= math.MaxInt64 {
			return 0, fmt.Errorf("expected an integer, got %v", n)
		}
		return int64(n), nil
	case json.Number:
		i, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("expected an integer, got %q", string(n))
		}
		return i, nil
	case string:
		i, err := strconv.ParseInt(n, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("expected an integer, got %q", n)
		}
		return i, nil
	}
	return 0, fmt.Errorf("expected an integer, got %s", typeName(v))
}

func toMillis(v any) (int64, error) {
	switch t := v.(type) {
	case time.Time:
		if t.IsZero() {
			return 0, nil
		}
		return t.UnixMilli(), nil
	case string:
		p, err := time.Parse(time.RFC3339Nano, t)
		if err != nil {
			return 0, fmt.Errorf("expected an RFC 3339 date-time, got %q", t)
		}
		return p.UnixMilli(), nil
	}
	ms, err := toInt(v)
	if err != nil {
		return 0, fmt.Errorf("expected a date-time, got %s", typeName(v))
	}
	return ms, nil
}

func toBool(v any) (bool, error) {
	switch b := v.(type) {
	case bool:
		return b, nil
	case string:
		switch b {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, fmt.Errorf("expected a boolean, got %s", typeName(v))
}

// list returns the elements of a slice value.
func list(v any) ([]any, bool) {
	if xs, ok := v.([]any); ok {
		return xs, true
	}
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return nil, false
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, true
}

// compare orders two normalized values of the same kind.
func compare(a, b any) int {
	switch x := a.(type) {
	case int64:
		y, _ := b.(int64)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	case string:
		y, _ := b.(string)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	case bool:
		y, _ := b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	}
	return 0
}

// present reports whether an optional field's value counts as set.
func present(v any) bool {
	switch x := v.(type) {
	case int64:
		return x > 0
	case string:
		return x != ""
	}
	return true
}
