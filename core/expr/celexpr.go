package expr

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
)

var (
	plainEnvOnce sync.Once
	plainEnv     *cel.Env
	plainEnvErr  error
)

func plainCELEnv() (*cel.Env, error) {
	plainEnvOnce.Do(func() {
		plainEnv, plainEnvErr = cel.NewEnv(cel.ParserRecursionLimit(maxDepth))
	})
	return plainEnv, plainEnvErr
}

// celTypeIdents are identifiers CEL itself defines; they are never variables.
var celTypeIdents = map[string]bool{
	"int": true, "uint": true, "double": true, "bool": true, "string": true, "bytes": true,
	"list": true, "map": true, "null_type": true, "type": true, "dyn": true,
}

// CompileCEL compiles a plain CEL expression (a formalExpression with
// language="cel"). Its variables are resolved through Env.Lookup as dyn
// values; a missing variable is null.
func CompileCEL(src string) (*Expression, error) {
	if len(src) > maxSourceLen {
		return nil, newSyntaxError(src, 0, fmt.Sprintf("expression is longer than %d bytes", maxSourceLen))
	}
	base, err := plainCELEnv()
	if err != nil {
		return nil, fmt.Errorf("build cel environment: %w", err)
	}
	parsed, iss := base.Parse(src)
	if iss.Err() != nil {
		return nil, celSyntaxError(src, iss)
	}
	free := map[string]bool{}
	freeIdents(parsed.NativeRep().Expr(), map[string]int{}, free, 0)
	names := make([]string, 0, len(free))
	for n := range free {
		names = append(names, n)
	}
	sort.Strings(names)
	opts := make([]cel.EnvOption, 0, len(names))
	idents := make(map[string]identRef, len(names))
	for _, n := range names {
		opts = append(opts, cel.Variable(n, cel.DynType))
		idents[n] = identRef{kind: identValue, name: n}
	}
	env, err := base.Extend(opts...)
	if err != nil {
		return nil, fmt.Errorf("declare cel variables: %w", err)
	}
	checked, iss := env.Check(parsed)
	if iss.Err() != nil {
		return nil, celSyntaxError(src, iss)
	}
	prg, err := env.Program(checked, cel.CostLimit(CostLimit))
	if err != nil {
		return nil, fmt.Errorf("plan cel expression: %w", err)
	}
	return &Expression{src: src, lang: "cel", prg: prg, idents: idents}, nil
}

func celSyntaxError(src string, iss *cel.Issues) error {
	errs := iss.Errors()
	if len(errs) == 0 {
		return newSyntaxError(src, 0, iss.String())
	}
	e := errs[0]
	line, col := e.Location.Line(), e.Location.Column()
	offset := 0
	// Convert CEL's 1-based line and 0-based column (in characters) to a byte offset.
	for l := 1; l < line && offset < len(src); offset++ {
		if src[offset] == '\n' {
			l++
		}
	}
	for c := 0; c < col && offset < len(src); c++ {
		_, n := utf8.DecodeRuneInString(src[offset:])
		offset += n
	}
	return newSyntaxError(src, offset, e.Message)
}

// freeIdents collects the identifiers not bound by an enclosing comprehension.
func freeIdents(e ast.Expr, bound map[string]int, out map[string]bool, depth int) {
	if e == nil || depth > 10*maxDepth {
		return
	}
	depth++
	switch e.Kind() {
	case ast.IdentKind:
		n := e.AsIdent()
		if bound[n] == 0 && !celTypeIdents[n] {
			out[n] = true
		}
	case ast.SelectKind:
		freeIdents(e.AsSelect().Operand(), bound, out, depth)
	case ast.CallKind:
		call := e.AsCall()
		if call.IsMemberFunction() {
			freeIdents(call.Target(), bound, out, depth)
		}
		for _, a := range call.Args() {
			freeIdents(a, bound, out, depth)
		}
	case ast.ListKind:
		for _, el := range e.AsList().Elements() {
			freeIdents(el, bound, out, depth)
		}
	case ast.MapKind:
		for _, en := range e.AsMap().Entries() {
			me := en.AsMapEntry()
			freeIdents(me.Key(), bound, out, depth)
			freeIdents(me.Value(), bound, out, depth)
		}
	case ast.StructKind:
		for _, f := range e.AsStruct().Fields() {
			freeIdents(f.AsStructField().Value(), bound, out, depth)
		}
	case ast.ComprehensionKind:
		cp := e.AsComprehension()
		freeIdents(cp.IterRange(), bound, out, depth)
		bound[cp.AccuVar()]++
		freeIdents(cp.AccuInit(), bound, out, depth)
		bound[cp.IterVar()]++
		if cp.HasIterVar2() {
			bound[cp.IterVar2()]++
		}
		freeIdents(cp.LoopCondition(), bound, out, depth)
		freeIdents(cp.LoopStep(), bound, out, depth)
		freeIdents(cp.Result(), bound, out, depth)
		bound[cp.AccuVar()]--
		bound[cp.IterVar()]--
		if cp.HasIterVar2() {
			bound[cp.IterVar2()]--
		}
	}
}

// celInput adapts a variable's value for plain CEL: numbers become CEL
// doubles and ints as JSON would give them.
func celInput(v any) any {
	switch x := v.(type) {
	case json.Number:
		if f, err := strconv.ParseFloat(string(x), 64); err == nil {
			return f
		}
		return string(x)
	case []map[string]any:
		return norm(x)
	case Date:
		return x.String()
	case DateTime:
		return x.Time
	case Duration:
		return time.Duration(x)
	}
	return v
}

// fromCEL converts a CEL result to the FEEL value model.
func fromCEL(v ref.Val) any {
	return fromCELDepth(v, 0)
}

func fromCELDepth(v ref.Val, depth int) any {
	if depth > maxJSONDepth {
		return nil
	}
	switch x := v.(type) {
	case types.Null:
		return nil
	case types.Bool:
		return bool(x)
	case types.Double:
		return float64(x)
	case types.Int:
		return float64(x)
	case types.Uint:
		return float64(x)
	case types.String:
		return string(x)
	case types.Bytes:
		return string(x)
	case types.Timestamp:
		return DateTime{Time: x.Time}
	case types.Duration:
		return Duration(x.Duration)
	case traits.Mapper:
		out := map[string]any{}
		it := x.Iterator()
		for it.HasNext() == types.True {
			k := it.Next()
			out[fmt.Sprint(fromCELDepth(k, depth+1))] = fromCELDepth(x.Get(k), depth+1)
		}
		return out
	case traits.Lister:
		out := []any{}
		it := x.Iterator()
		for it.HasNext() == types.True {
			out = append(out, fromCELDepth(it.Next(), depth+1))
		}
		return out
	}
	return norm(v.Value())
}
