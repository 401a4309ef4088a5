package model

import (
	"errors"
	"strconv"
	"strings"
)

// ErrNotWellFormed is wrapped by the Err of the problem that Parse reports
// when its input is not well-formed, namespace-correct XML. Check it with
// errors.Is on the error Parse returns.
var ErrNotWellFormed = errors.New("xml is not well-formed")

// Problem is one structural problem of a BPMN file. Unknown parts are zero.
type Problem struct {
	Line      int    // 1-based line where the offending XML element starts
	ElementID string // id of the element, flow, process or root element concerned
	Attribute string // attribute or extension attribute concerned ("zeebe:input source")
	Msg       string
	// Err is the underlying error, when there is one: the expression
	// compiler's error for an invalid expression, or an error wrapping
	// ErrNotWellFormed for XML that does not parse.
	Err error
}

// String renders the problem as "line 12: element 'task1': attribute 'type': msg",
// leaving out the parts that are unknown.
func (p Problem) String() string {
	var b strings.Builder
	sep := func() {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
	}
	if p.Line > 0 {
		b.WriteString("line ")
		b.WriteString(strconv.Itoa(p.Line))
	}
	if p.ElementID != "" {
		sep()
		b.WriteString("element '")
		b.WriteString(p.ElementID)
		b.WriteString("'")
	}
	if p.Attribute != "" {
		sep()
		b.WriteString("attribute '")
		b.WriteString(p.Attribute)
		b.WriteString("'")
	}
	sep()
	b.WriteString(p.Msg)
	return b.String()
}

// Problems is every problem Parse found in one file, in document order.
// It is the error Parse returns; use errors.As to get at the list.
type Problems []Problem

// Error joins the problems, one per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the underlying errors of the problems that have one, so
// that errors.Is(err, ErrNotWellFormed) works on the error Parse returns.
func (ps Problems) Unwrap() []error {
	var errs []error
	for _, p := range ps {
		if p.Err != nil {
			errs = append(errs, p.Err)
		}
	}
	return errs
}
