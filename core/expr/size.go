package expr

import (
	"reflect"
)

// MaxResultBytes bounds the size of one evaluation's result, measured by
// [Size]: the limit on strings applied to lists and contexts too, so that a
// list holding one 10 MiB string ten times is refused like a 100 MiB
// string would be.
const MaxResultBytes = maxStringLen

// errResultTooLarge is the error of an evaluation whose result is too large.
var errResultTooLarge = &EvalError{Msg: "result is larger than 10485760 bytes"}

// Size returns about how many bytes v takes as JSON (strings without
// escapes), counting each occurrence of a shared value again, as its JSON
// would. It stops once the count passes limit and then reports false, so it
// costs at most about limit/2 steps whatever v holds.
func Size(v any, limit int) (int, bool) {
	s := sizer{limit: limit}
	s.add(v, 0)
	return s.n, s.n <= limit
}

type sizer struct {
	n, limit int
}

// maxSizeDepth bounds the nesting Size walks; deeper values count as over.
const maxSizeDepth = 10000

func (s *sizer) add(v any, depth int) {
	if s.n > s.limit {
		return
	}
	if depth > maxSizeDepth {
		s.n = s.limit + 1
		return
	}
	switch x := v.(type) {
	case nil:
		s.n += 4
	case bool:
		s.n += 5
	case float64, float32, int, int64, int32, uint, uint64, uint32:
		s.n += 8
	case string:
		s.n += len(x) + 2
	case []byte:
		s.n += len(x)*4/3 + 2
	case []any:
		s.n += 2
		for _, e := range x {
			s.n++
			s.add(e, depth+1)
			if s.n > s.limit {
				return
			}
		}
	case map[string]any:
		s.n += 2
		for k, e := range x {
			s.n += len(k) + 4
			s.add(e, depth+1)
			if s.n > s.limit {
				return
			}
		}
	default:
		s.addReflect(reflect.ValueOf(v), depth)
	}
}

// addReflect sizes the other slices and maps evaluation accepts as input;
// anything else (temporal values, ranges, numbers) is small.
func (s *sizer) addReflect(rv reflect.Value, depth int) {
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		s.n += 2
		for i := range rv.Len() {
			s.n++
			s.add(rv.Index(i).Interface(), depth+1)
			if s.n > s.limit {
				return
			}
		}
	case reflect.Map:
		s.n += 2
		it := rv.MapRange()
		for it.Next() {
			s.n += 4
			s.add(it.Key().Interface(), depth+1)
			s.add(it.Value().Interface(), depth+1)
			if s.n > s.limit {
				return
			}
		}
	case reflect.String:
		s.n += rv.Len() + 2
	default:
		s.n += 32
	}
}
