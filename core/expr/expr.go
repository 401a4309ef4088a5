package expr

import (
	"fmt"
	"strings"
	"time"
)

// Env is what an expression can see while it is evaluated.
type Env struct {
	// Lookup returns the value of a variable visible in the scope, or false
	// when no such variable exists (FEEL then reads it as null).
	Lookup func(name string) (any, bool)
	// Now is the command's timestamp; now() and today() read it, never the wall clock.
	Now time.Time
	// Seed makes uuid() deterministic: the same seed and expression give the same value.
	Seed uint64
}

// Expression is a compiled expression, or a static literal string.
type Expression struct {
	src    string
	static bool
}

// Parse reads an attribute value the Camunda way: a value starting with '='
// is FEEL, anything else is the literal string.
func Parse(value string) (*Expression, error) {
	if strings.HasPrefix(value, "=") {
		return CompileFEEL(value[1:])
	}
	return &Expression{src: value, static: true}, nil
}

// CompileFEEL compiles a FEEL-lite expression (without the leading '=').
func CompileFEEL(src string) (*Expression, error) {
	return nil, fmt.Errorf("feel not implemented: %q", src)
}

// Source returns the text the expression was compiled from, as written.
func (e *Expression) Source() string { return e.src }

// IsStatic reports whether the expression is a literal string.
func (e *Expression) IsStatic() bool { return e.static }

// Eval evaluates the expression.
func (e *Expression) Eval(env Env) (any, error) {
	if e.static {
		return e.src, nil
	}
	return nil, fmt.Errorf("feel not implemented")
}
