package expr

import (
	"fmt"
	"unicode/utf8"
)

// SyntaxError reports an expression that cannot be compiled: bad syntax, an
// unknown function, a bad literal or an expression nested too deeply.
type SyntaxError struct {
	Offset int // byte offset in the source, 0-based
	Line   int // 1-based
	Column int // 1-based, counted in characters
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

func newSyntaxError(src string, offset int, msg string) *SyntaxError {
	if offset > len(src) {
		offset = len(src)
	}
	if offset < 0 {
		offset = 0
	}
	line, col := 1, 1
	for i := 0; i < offset; {
		r, n := utf8.DecodeRuneInString(src[i:])
		i += n
		if r == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return &SyntaxError{Offset: offset, Line: line, Column: col, Msg: msg}
}

// shift moves the error's position right by n bytes on the first line; Parse
// uses it to count the leading '='.
func (e *SyntaxError) shift(n int) *SyntaxError {
	e.Offset += n
	if e.Line == 1 {
		e.Column += n
	}
	return e
}

// EvalError reports an expression that could not be evaluated: the cost
// limit was exceeded, a value grew too large, or a result had the wrong type
// for EvalBool, EvalString or EvalInt.
type EvalError struct {
	Msg string
	Err error // the underlying cause, if any
}

func (e *EvalError) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

func (e *EvalError) Unwrap() error { return e.Err }

func evalErrorf(format string, args ...any) *EvalError {
	return &EvalError{Msg: fmt.Sprintf(format, args...)}
}
