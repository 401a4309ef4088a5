package expr

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/interpreter"
)

// Env is what an expression can see while it is evaluated.
type Env struct {
	// Lookup returns the value of a variable visible in the scope, or false
	// when no such variable exists (FEEL then reads it as null). Lookup may
	// be nil: no variables.
	Lookup func(name string) (any, bool)
	// Now is the command's timestamp; now() and today() read it, never the wall clock.
	Now time.Time
	// Seed makes uuid() deterministic: the same seed and expression give the same value.
	Seed uint64
}

// Expression is a compiled expression, or a static literal string. It is
// immutable and safe for concurrent use.
type Expression struct {
	src       string
	static    bool
	staticVal any // src boxed once, so Eval of a static expression does not allocate
	lang      string
	prg       cel.Program
	idents    map[string]identRef
}

// Parse reads an attribute value the Camunda way: a value starting with '='
// is FEEL, anything else is the literal string. Positions in a SyntaxError
// count the '='.
func Parse(value string) (*Expression, error) {
	if rest, ok := strings.CutPrefix(value, "="); ok {
		e, err := CompileFEEL(rest)
		if err != nil {
			var se *SyntaxError
			if errors.As(err, &se) {
				_ = se.shift(1) // counts the leading '='
			}
			return nil, err
		}
		e.src = value
		return e, nil
	}
	return &Expression{src: value, static: true, staticVal: value}, nil
}

// CompileFEEL compiles a FEEL-lite expression (without the leading '=').
func CompileFEEL(src string) (*Expression, error) {
	if len(src) > maxSourceLen {
		return nil, newSyntaxError(src, 0, fmt.Sprintf("expression is longer than %d bytes", maxSourceLen))
	}
	if strings.TrimSpace(src) == "" {
		return nil, newSyntaxError(src, len(src), "expected an expression but found end of expression")
	}
	tree, err := parse(src)
	if err != nil {
		return nil, err
	}
	c := newCompiler(src)
	out, err := c.gen(tree, nil)
	if err != nil {
		return nil, err
	}
	prg, err := plan(out)
	if err != nil {
		return nil, fmt.Errorf("compile feel expression: %w", err)
	}
	return &Expression{src: src, lang: "feel", prg: prg, idents: c.idents}, nil
}

func plan(e ast.Expr) (cel.Program, error) {
	env, err := feelCELEnv()
	if err != nil {
		return nil, fmt.Errorf("build cel environment: %w", err)
	}
	return env.PlanProgram(ast.NewAST(e, nil),
		cel.CostLimit(CostLimit),
		cel.CostTracking(costEstimator{}))
}

// Source returns the text the expression was compiled from, as written.
func (e *Expression) Source() string { return e.src }

// IsStatic reports whether the expression is a literal string.
func (e *Expression) IsStatic() bool { return e.static }

// IsConstant reports whether the expression's value depends on nothing: a
// literal string, or an expression that reads no variable, neither the
// clock (now(), today()) nor the seed (uuid()). A deployment can evaluate
// it once and for all.
func (e *Expression) IsConstant() bool { return e.static || e.prg != nil && len(e.idents) == 0 }

// Eval evaluates the expression. Results use the FEEL value model: nil,
// bool, float64, string, []any, map[string]any and the temporal types.
func (e *Expression) Eval(env Env) (any, error) {
	if e.static {
		return e.staticVal, nil
	}
	if e.prg == nil {
		return nil, &EvalError{Msg: "expression is not compiled"}
	}
	act := activationPool.Get().(*activation)
	act.lookup, act.now, act.seed, act.idents, act.raw = env.Lookup, env.Now, env.Seed, e.idents, e.lang == "cel"
	out, _, err := e.prg.Eval(act)
	var v any
	switch {
	case err != nil:
		err = evalFailure(err)
	case e.lang == "cel":
		v = fromCEL(out)
	default:
		v = unwrap(out)
	}
	if err == nil {
		if _, ok := Size(v, MaxResultBytes); !ok {
			v, err = nil, errResultTooLarge
		}
	}
	*act = activation{}
	activationPool.Put(act)
	return v, err
}

// evalFailure turns a CEL evaluation error into an *EvalError.
func evalFailure(err error) error {
	var ee *EvalError
	if errors.As(err, &ee) {
		return ee
	}
	var cancelled interpreter.EvalCancelledError
	if errors.As(err, &cancelled) && cancelled.Cause == interpreter.CostLimitExceeded {
		return &EvalError{Msg: fmt.Sprintf("expression exceeded its cost limit of %d", CostLimit)}
	}
	return &EvalError{Msg: "evaluate expression", Err: err}
}

// EvalBool evaluates a condition: null is false, anything but a boolean is an error.
func (e *Expression) EvalBool(env Env) (bool, error) {
	v, err := e.Eval(env)
	if err != nil {
		return false, err
	}
	switch b := v.(type) {
	case bool:
		return b, nil
	case nil:
		return false, nil
	}
	return false, evalErrorf("expected a boolean but found %s", describe(v))
}

// EvalString evaluates an expression that must give a string; a static
// literal is returned as is.
func (e *Expression) EvalString(env Env) (string, error) {
	if e.static {
		return e.src, nil
	}
	v, err := e.Eval(env)
	if err != nil {
		return "", err
	}
	if s, ok := v.(string); ok {
		return s, nil
	}
	return "", evalErrorf("expected a string but found %s", describe(v))
}

// EvalInt evaluates an expression that must give a whole number; a static
// literal must be an integer such as "3".
func (e *Expression) EvalInt(env Env) (int64, error) {
	if e.static {
		n, err := strconv.ParseInt(strings.TrimSpace(e.src), 10, 64)
		if err != nil {
			return 0, evalErrorf("expected an integer but found %q", e.src)
		}
		return n, nil
	}
	v, err := e.Eval(env)
	if err != nil {
		return 0, err
	}
	f, ok := v.(float64)
	if !ok || f != math.Trunc(f) || f >= math.MaxInt64 || f < math.MinInt64 {
		return 0, evalErrorf("expected a whole number but found %s", describe(v))
	}
	return int64(f), nil
}
