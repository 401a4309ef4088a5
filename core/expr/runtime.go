package expr

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"sync"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
	"cel.dev/cel-go/interpreter"
)

// CostLimit is the CEL cost budget of one evaluation. Every operator,
// function call and loop iteration costs at least one unit; building a list
// or string costs in proportion to its size.
const CostLimit = 1_000_000

var (
	feelValueType = types.NewOpaqueType("feel.value")
	feelSeqType   = types.NewObjectType("feel.seq", traits.IterableType, traits.SizerType)
	feelStateType = types.NewOpaqueType("feel.state")
)

// ---- FEEL values inside CEL ----

// box carries a normalised FEEL value through the CEL interpreter. Booleans
// and null travel as CEL's own types.Bool and types.NullValue.
type box struct{ v any }

func (b *box) ConvertToNative(t reflect.Type) (any, error) {
	if b.v != nil && reflect.TypeOf(b.v).AssignableTo(t) {
		return b.v, nil
	}
	return nil, fmt.Errorf("cannot convert %s to %v", typeName(b.v), t)
}

func (b *box) ConvertToType(t ref.Type) ref.Val {
	if t == feelValueType {
		return b
	}
	return types.NewErr("cannot convert %s to %s", typeName(b.v), t.TypeName())
}

func (b *box) Equal(o ref.Val) ref.Val { return types.Bool(feelEqual(b.v, unwrap(o))) }
func (b *box) Type() ref.Type          { return feelValueType }
func (b *box) Value() any              { return b.v }

func wrap(v any) ref.Val {
	switch x := v.(type) {
	case nil:
		return types.NullValue
	case bool:
		return types.Bool(x)
	}
	return &box{v: v}
}

func unwrap(r ref.Val) any {
	switch x := r.(type) {
	case *box:
		return x.v
	case types.Bool:
		return bool(x)
	case types.Null:
		return nil
	case *seqList:
		if x.isNull {
			return nil
		}
		return x.items
	case *accList:
		return x.items
	case types.Double:
		return float64(x)
	case types.Int:
		return float64(x)
	case types.String:
		return string(x)
	case nil:
		return nil
	}
	return norm(r.Value())
}

// seqList is the range of a CEL comprehension: the elements of a FEEL list.
type seqList struct {
	items  []any
	isNull bool
}

func (s *seqList) ConvertToNative(reflect.Type) (any, error) { return s.items, nil }
func (s *seqList) ConvertToType(ref.Type) ref.Val            { return s }
func (s *seqList) Equal(o ref.Val) ref.Val                   { return types.Bool(s == o) }
func (s *seqList) Type() ref.Type                            { return feelSeqType }
func (s *seqList) Value() any                                { return s.items }
func (s *seqList) Size() ref.Val                             { return types.Int(len(s.items)) }
func (s *seqList) Iterator() traits.Iterator                 { return &seqIter{items: s.items} }

type seqIter struct {
	items []any
	i     int
}

func (it *seqIter) ConvertToNative(reflect.Type) (any, error) { return nil, errors.New("iterator") }
func (it *seqIter) ConvertToType(ref.Type) ref.Val            { return it }
func (it *seqIter) Equal(o ref.Val) ref.Val                   { return types.Bool(it == o) }
func (it *seqIter) Type() ref.Type                            { return feelSeqType }
func (it *seqIter) Value() any                                { return nil }
func (it *seqIter) HasNext() ref.Val                          { return types.Bool(it.i < len(it.items)) }
func (it *seqIter) Next() ref.Val {
	if it.i >= len(it.items) {
		return types.NullValue
	}
	v := it.items[it.i]
	it.i++
	return wrap(norm(v))
}

var emptySeq = &seqList{items: []any{}}

// accList accumulates the results of a for loop; it is created fresh for
// every run of the loop and appended to in place.
type accList struct{ items []any }

func (a *accList) ConvertToNative(reflect.Type) (any, error) { return a.items, nil }
func (a *accList) ConvertToType(ref.Type) ref.Val            { return a }
func (a *accList) Equal(o ref.Val) ref.Val                   { return types.Bool(a == o) }
func (a *accList) Type() ref.Type                            { return feelValueType }
func (a *accList) Value() any                                { return a.items }

// filterAcc accumulates a filter: the first condition result decides
// whether the filter selects by boolean condition or by index.
type filterAcc struct {
	src    []any
	isNull bool
	pos    int
	mode   uint8 // 0 undecided, 1 boolean, 2 index
	sel    []any
	result any
}

func (f *filterAcc) ConvertToNative(reflect.Type) (any, error) { return nil, errors.New("filter") }
func (f *filterAcc) ConvertToType(ref.Type) ref.Val            { return f }
func (f *filterAcc) Equal(o ref.Val) ref.Val                   { return types.Bool(f == o) }
func (f *filterAcc) Type() ref.Type                            { return feelValueType }
func (f *filterAcc) Value() any                                { return nil }

// ---- activation and evaluation state ----

type identKind uint8

const (
	identValue   identKind = iota // a variable's value, null when missing
	identDefined                  // whether a variable exists
	identState                    // the evaluation state (now, seed, uuid counter)
)

type identRef struct {
	kind identKind
	name string
}

const stateIdent = "__st"

// activation resolves an expression's CEL identifiers for one evaluation.
// It doubles as the evaluation state handed to now(), today() and uuid().
type activation struct {
	lookup func(string) (any, bool)
	now    time.Time
	seed   uint64
	uuids  uint64
	idents map[string]identRef
	raw    bool // plain CEL: hand variables to CEL's own type adapter
	// boxes back the first variable values of an evaluation, so that simple
	// conditions do not allocate them. Boxes never outlive the evaluation:
	// every function unwraps its arguments and Eval unwraps the result
	// before the activation is reset.
	boxes [8]box
	nbox  int
}

func (a *activation) box(v any) ref.Val {
	switch x := v.(type) {
	case nil:
		return types.NullValue
	case bool:
		return types.Bool(x)
	}
	if a.nbox < len(a.boxes) {
		b := &a.boxes[a.nbox]
		a.nbox++
		b.v = v
		return b
	}
	return &box{v: v}
}

var activationPool = sync.Pool{New: func() any { return new(activation) }}

func (a *activation) ResolveName(name string) (any, bool) {
	r, ok := a.idents[name]
	if !ok {
		return nil, false
	}
	switch r.kind {
	case identState:
		return a, true
	case identDefined:
		if a.lookup == nil {
			return types.False, true
		}
		_, found := a.lookup(r.name)
		return types.Bool(found), true
	}
	if a.lookup == nil {
		return types.NullValue, true
	}
	v, found := a.lookup(r.name)
	if !found || v == nil {
		return types.NullValue, true
	}
	if a.raw {
		return celInput(v), true
	}
	return a.box(norm(v)), true
}

func (a *activation) Parent() interpreter.Activation { return nil }

func (a *activation) ConvertToNative(reflect.Type) (any, error) { return nil, errors.New("state") }
func (a *activation) ConvertToType(ref.Type) ref.Val            { return a }
func (a *activation) Equal(o ref.Val) ref.Val                   { return types.Bool(a == o) }
func (a *activation) Type() ref.Type                            { return feelStateType }
func (a *activation) Value() any                                { return nil }

// ---- cost ----

// costEstimator charges for the size of what a function builds or walks.
type costEstimator struct{}

var smallCosts = func() (c [1025]uint64) {
	for i := range c {
		c[i] = uint64(i)
	}
	return
}()

// shallowSize is the number of elements of a list or context, or a string's
// length in units of 64 bytes.
func shallowSize(v any) uint64 {
	switch y := v.(type) {
	case []any:
		return uint64(len(y))
	case map[string]any:
		return uint64(len(y))
	case string:
		return uint64(len(y) / 64)
	}
	return 0
}

// deepSize adds up the sizes of a value and everything nested in it, up to limit.
func deepSize(v any, limit uint64) uint64 {
	n := shallowSize(v)
	if n == 0 || n >= limit {
		return n
	}
	switch y := v.(type) {
	case []any:
		for _, e := range y {
			if n >= limit {
				break
			}
			n += deepSize(e, limit-n)
		}
	case map[string]any:
		for _, e := range y {
			if n >= limit {
				break
			}
			n += deepSize(e, limit-n)
		}
	}
	return n
}

func refValue(v ref.Val) any {
	switch x := v.(type) {
	case *box:
		return x.v
	case *seqList:
		return x.items
	}
	return nil
}

// CallCost charges one unit per call plus the size of the result and, for
// functions whose work grows with their input, the deep size of the arguments.
func (costEstimator) CallCost(function, _ string, args []ref.Val, result ref.Val) *uint64 {
	n := uint64(1) + shallowSize(refValue(result))
	if !cheapFuncs[function] {
		for _, a := range args {
			n += deepSize(refValue(a), CostLimit)
		}
	}
	if regexFuncs[function] && len(args) > 1 {
		// Compiling a pattern costs in proportion to its length.
		if p, ok := refValue(args[1]).(string); ok {
			n += uint64(len(p))
		}
	}
	if n == 1 {
		return nil
	}
	if n < uint64(len(smallCosts)) {
		return &smallCosts[n]
	}
	big := n
	return &big
}

var regexFuncs = map[string]bool{"f_matches": true, "f_replace": true, "f_split": true, "f_extract": true}

// cheapFuncs do work independent of the size of their arguments (or
// proportional to their result, which is charged).
var cheapFuncs = map[string]bool{
	"feel_push": true, "feel_pushall": true, "feel_fstep": true, "feel_facc": true, "feel_fcont": true,
	"feel_fdone": true, "feel_countif": true, "feel_index": true, "feel_iter": true,
	"feel_truthy": true, "feel_notis": true, "feel_and": true, "feel_or": true,
	"feel_get": true, "feel_ctxget": true, "feel_ctxhas": true, "feel_haskey": true,
	"feel_list": true, "feel_ctx": true, "feel_instance": true, "feel_range": true, "feel_seq": true,
	"f_count": true, "f_is_empty": true, "f_get_or_else": true, "f_is_defined": true,
	"f_get_value": true, "f_now": true, "f_today": true, "f_uuid": true,
}

// ---- the CEL environment ----

type rtFunc struct {
	unary  func(ref.Val) ref.Val
	binary func(ref.Val, ref.Val) ref.Val
	vararg func(...ref.Val) ref.Val
}

var (
	celEnvOnce sync.Once
	celEnvVal  *cel.Env
	celEnvErr  error
)

func feelCELEnv() (*cel.Env, error) {
	celEnvOnce.Do(func() {
		funcs := runtimeFuncs()
		for _, b := range builtins {
			funcs[b.celName] = rtFunc{vararg: builtinBinding(b)}
		}
		names := make([]string, 0, len(funcs))
		for n := range funcs {
			names = append(names, n)
		}
		sort.Strings(names)
		opts := make([]cel.EnvOption, 0, len(names))
		for _, n := range names {
			f := funcs[n]
			var fo cel.FunctionOpt
			var params []*cel.Type
			switch {
			case f.unary != nil:
				fo = cel.SingletonUnaryBinding(f.unary)
				params = []*cel.Type{cel.DynType}
			case f.binary != nil:
				fo = cel.SingletonBinaryBinding(f.binary)
				params = []*cel.Type{cel.DynType, cel.DynType}
			default:
				fo = cel.SingletonFunctionBinding(f.vararg)
				params = []*cel.Type{cel.DynType, cel.DynType, cel.DynType}
			}
			opts = append(opts, cel.Function(n, cel.Overload(n+"_dyn", params, cel.DynType), fo))
		}
		celEnvVal, celEnvErr = cel.NewCustomEnv(opts...)
	})
	return celEnvVal, celEnvErr
}

func errVal(err error) ref.Val {
	if err == nil {
		return types.NullValue
	}
	return types.WrapErr(err)
}

func u1(f func(any) any) rtFunc {
	return rtFunc{unary: func(a ref.Val) ref.Val { return wrap(f(unwrap(a))) }}
}

func b2(f func(a, b any) any) rtFunc {
	return rtFunc{binary: func(a, b ref.Val) ref.Val { return wrap(f(unwrap(a), unwrap(b))) }}
}

func cmpFunc(op string) rtFunc {
	return rtFunc{binary: func(a, b ref.Val) ref.Val { return wrap(opCompare(op, unwrap(a), unwrap(b))) }}
}

func keyOf(v ref.Val) string {
	if b, ok := v.(*box); ok {
		if s, ok := b.v.(string); ok {
			return s
		}
	}
	return ""
}

func runtimeFuncs() map[string]rtFunc {
	return map[string]rtFunc{
		"feel_add": {binary: func(a, b ref.Val) ref.Val {
			r, err := opAdd(unwrap(a), unwrap(b))
			if err != nil {
				return errVal(err)
			}
			return wrap(r)
		}},
		"feel_sub": b2(opSub),
		"feel_mul": b2(opMul),
		"feel_div": b2(opDiv),
		"feel_pow": b2(opPow),
		"feel_neg": u1(opNeg),
		"feel_eq":  {binary: func(a, b ref.Val) ref.Val { return types.Bool(feelEqual(unwrap(a), unwrap(b))) }},
		"feel_ne":  {binary: func(a, b ref.Val) ref.Val { return types.Bool(!feelEqual(unwrap(a), unwrap(b))) }},
		"feel_lt":  cmpFunc("<"),
		"feel_le":  cmpFunc("<="),
		"feel_gt":  cmpFunc(">"),
		"feel_ge":  cmpFunc(">="),
		"feel_and": b2(opAnd),
		"feel_or":  b2(opOr),
		"feel_in":  b2(opIn),
		"feel_between": {vararg: func(args ...ref.Val) ref.Val {
			return wrap(opBetween(unwrap(args[0]), unwrap(args[1]), unwrap(args[2])))
		}},
		"feel_instance": {binary: func(a, t ref.Val) ref.Val { return types.Bool(opInstanceOf(unwrap(a), keyOf(t))) }},
		"feel_get":      {binary: func(a, k ref.Val) ref.Val { return wrap(opGet(unwrap(a), keyOf(k))) }},
		"feel_index":    b2(opIndex),
		// feel_ctxget reads name from a filter's current element when it is a
		// context holding that key, else it falls back to the outer value.
		"feel_ctxget": {vararg: func(args ...ref.Val) ref.Val {
			if m, ok := unwrap(args[0]).(map[string]any); ok {
				if v, ok := m[keyOf(args[1])]; ok {
					return wrap(norm(v))
				}
			}
			return args[2]
		}},
		"feel_ctxhas": {vararg: func(args ...ref.Val) ref.Val {
			if m, ok := unwrap(args[0]).(map[string]any); ok {
				if _, ok := m[keyOf(args[1])]; ok {
					return types.True
				}
			}
			return args[2]
		}},
		"feel_haskey": {binary: func(a, k ref.Val) ref.Val {
			if m, ok := unwrap(a).(map[string]any); ok {
				_, found := m[keyOf(k)]
				return types.Bool(found)
			}
			return types.False
		}},
		"feel_truthy": {unary: func(a ref.Val) ref.Val { return types.Bool(a == types.True) }},
		"feel_notis":  {binary: func(a, b ref.Val) ref.Val { return types.Bool(a != b) }},
		"feel_list": {vararg: func(args ...ref.Val) ref.Val {
			out := make([]any, len(args))
			for i, a := range args {
				out[i] = unwrap(a)
			}
			return wrap(out)
		}},
		"feel_ctx": {vararg: func(args ...ref.Val) ref.Val {
			out := make(map[string]any, len(args)/2)
			for i := 0; i+1 < len(args); i += 2 {
				out[keyOf(args[i])] = unwrap(args[i+1])
			}
			return wrap(out)
		}},
		"feel_range": {vararg: func(args ...ref.Val) ref.Val {
			flags := keyOf(args[2])
			return wrap(Range{Low: unwrap(args[0]), High: unwrap(args[1]),
				LowClosed: flags[0] == '[', HighClosed: flags[1] == ']'})
		}},
		"feel_seq": {binary: func(a, b ref.Val) ref.Val {
			lo, ok1 := unwrap(a).(float64)
			hi, ok2 := unwrap(b).(float64)
			if !ok1 || !ok2 {
				return types.NullValue
			}
			l, err := sequence(lo, hi)
			if err != nil {
				return errVal(err)
			}
			return wrap(l)
		}},
		"feel_iter": {unary: func(a ref.Val) ref.Val {
			if s, ok := a.(*seqList); ok {
				return s
			}
			items, isNull, err := iterItems(unwrap(a))
			if err != nil {
				return errVal(err)
			}
			if isNull {
				return &seqList{items: []any{}, isNull: true}
			}
			return &seqList{items: items}
		}},
		"feel_newacc": {vararg: func(...ref.Val) ref.Val { return &accList{items: []any{}} }},
		"feel_push": {binary: func(acc, v ref.Val) ref.Val {
			a := acc.(*accList)
			if len(a.items) >= maxListLen {
				return errVal(errListTooLong)
			}
			a.items = append(a.items, unwrap(v))
			return a
		}},
		"feel_pushall": {binary: func(acc, v ref.Val) ref.Val {
			a := acc.(*accList)
			l, _ := unwrap(v).([]any)
			if len(a.items)+len(l) > maxListLen {
				return errVal(errListTooLong)
			}
			a.items = append(a.items, l...)
			return a
		}},
		"feel_facc": {unary: func(s ref.Val) ref.Val {
			seq := s.(*seqList)
			return &filterAcc{src: seq.items, isNull: seq.isNull}
		}},
		"feel_fcont": {unary: func(acc ref.Val) ref.Val { return types.Bool(acc.(*filterAcc).mode != 2) }},
		"feel_fstep": {binary: func(acc, c ref.Val) ref.Val {
			f := acc.(*filterAcc)
			pos := f.pos
			f.pos++
			cond := unwrap(c)
			if f.mode == 0 {
				if _, isNum := cond.(float64); isNum {
					f.mode = 2
					f.result = opIndex(f.src, cond)
					return f
				}
				f.mode = 1
			}
			if cond == true && pos < len(f.src) {
				f.sel = append(f.sel, f.src[pos])
			}
			return f
		}},
		"feel_fdone": {unary: func(acc ref.Val) ref.Val {
			f := acc.(*filterAcc)
			switch {
			case f.isNull:
				return types.NullValue
			case f.mode == 2:
				return wrap(f.result)
			case f.sel == nil:
				return wrap([]any{})
			}
			return wrap(f.sel)
		}},
		"feel_countif": {binary: func(n, c ref.Val) ref.Val {
			if c != types.True {
				return n
			}
			return wrap(unwrap(n).(float64) + 1)
		}},
		"feel_sortrank": {binary: func(s, ranks ref.Val) ref.Val {
			seq := s.(*seqList)
			if seq.isNull {
				return types.NullValue
			}
			rk, _ := unwrap(ranks).([]any)
			if len(rk) != len(seq.items) {
				return types.NullValue
			}
			idx := make([]int, len(rk))
			for i := range idx {
				idx[i] = i
			}
			sort.SliceStable(idx, func(i, j int) bool { return rk[idx[i]].(float64) < rk[idx[j]].(float64) })
			out := make([]any, len(idx))
			for i, k := range idx {
				out[i] = seq.items[k]
			}
			return wrap(out)
		}},
	}
}
