package multiinstance

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/expr"
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/record"
)

// loopCounter is the local variable holding an instance's 1-based index.
const loopCounter = "loopCounter"

// Handler runs multi-instance bodies. It validates the wrapped activity
// with the handlers of the registry it was made with.
type Handler struct {
	element.PassThrough
	reg *element.Registry
}

// New returns a handler whose Validate also validates the wrapped activity
// with reg's handlers.
func New(reg *element.Registry) Handler { return Handler{reg: reg} }

// Validate checks the loop characteristics as Zeebe does and the wrapped
// activity with its own handler.
func (h Handler) Validate(el *model.Element) []element.Problem {
	l, inner := el.Loop, el.Wrapped()
	if l == nil || inner == nil {
		return []element.Problem{{Msg: "expected a multi-instance body wrapping one activity"}}
	}
	var out []element.Problem
	switch {
	case l.InputCollection == nil:
		out = append(out, element.Problem{Attribute: "inputCollection", Msg: "missing: a multi-instance activity must have an inputCollection expression"})
	case l.InputCollection.IsStatic():
		out = append(out, static("inputCollection", l.InputCollection))
	}
	if l.OutputElement != nil && l.OutputElement.IsStatic() {
		out = append(out, static("outputElement", l.OutputElement))
	}
	if l.CompletionCondition != nil && l.CompletionCondition.IsStatic() {
		out = append(out, static("completionCondition", l.CompletionCondition))
	}
	switch {
	case l.OutputCollection != "" && l.OutputElement == nil:
		out = append(out, element.Problem{Attribute: "outputElement", Msg: "missing: an outputCollection needs an outputElement expression"})
	case l.OutputCollection == "" && l.OutputElement != nil:
		out = append(out, element.Problem{Attribute: "outputCollection", Msg: "missing: an outputElement needs an outputCollection name"})
	}
	if h.reg == nil {
		return out
	}
	ih, ok := h.reg.Handler(inner.Kind)
	if !ok {
		return append(out, element.Problem{Msg: fmt.Sprintf("unsupported element %s", inner.Kind)})
	}
	for _, f := range inner.Unsupported {
		out = append(out, element.Problem{Msg: "unsupported " + f})
	}
	return append(out, ih.Validate(inner)...)
}

func static(attribute string, e *expr.Expression) element.Problem {
	return element.Problem{Attribute: attribute, Msg: fmt.Sprintf("expected an expression starting with '=', but found the static value '%s'", e.Source())}
}

// Activate evaluates the input collection, creates the output collection
// (a list of nulls, one per item) as a local of the body, and starts the
// instances: every one at once, or the first of a sequential body. An
// empty collection completes the body at once.
func (Handler) Activate(ctx element.ActivateContext) error {
	sc, err := scoper(ctx)
	if err != nil {
		return err
	}
	el := ctx.Element()
	l, inner := el.Loop, el.Wrapped()
	items, err := inputs(ctx, l)
	if err != nil {
		return err
	}
	if l.OutputCollection != "" {
		sc.SetLocal(l.OutputCollection, make([]any, len(items)))
	}
	switch {
	case len(items) == 0:
		ctx.Complete()
	case l.Sequential:
		sc.ActivateChildWith(inner, locals(l, items[0], 1))
	default:
		for i, item := range items {
			sc.ActivateChildWith(inner, locals(l, item, i+1))
		}
	}
	return nil
}

// ChildCompleting writes the completing instance's output element into
// the output collection at its index, tests the completion condition
// (terminating the other instances when it holds), and starts the next
// instance of a sequential body.
func (Handler) ChildCompleting(ctx element.ChildContext, child element.Scope) error {
	sc, err := scoper(ctx)
	if err != nil {
		return err
	}
	csc, err := scoper(child)
	if err != nil {
		return err
	}
	el := ctx.Element()
	l := el.Loop
	counter := 0
	if v, ok := csc.Local(loopCounter); ok {
		if f, ok := v.(float64); ok {
			counter = int(f)
		}
	}
	if l.OutputCollection != "" && l.OutputElement != nil {
		if err := collect(child, sc, l, counter); err != nil {
			return err
		}
	}
	var items []any
	if l.CompletionCondition != nil || l.Sequential {
		if items, err = inputs(ctx, l); err != nil {
			return err
		}
	}
	if l.CompletionCondition != nil {
		done, err := condition(ctx, csc, l, counter, len(items))
		if err != nil {
			return err
		}
		if done {
			sc.TerminateChildren()
			return nil
		}
	}
	if l.Sequential && counter >= 1 && counter < len(items) {
		sc.ActivateChildWith(el.Wrapped(), locals(l, items[counter], counter+1))
	}
	return nil
}

// ChildCompleted completes the body once no instance is left.
func (Handler) ChildCompleted(ctx element.ChildContext, _ *model.Element) error {
	if ctx.ActiveChildren() == 0 {
		ctx.Complete()
	}
	return nil
}

func scoper(ctx any) (element.Scoper, error) {
	sc, ok := ctx.(element.Scoper)
	if !ok {
		return nil, fmt.Errorf("multi-instance body needs a context that implements element.Scoper, got %T", ctx)
	}
	return sc, nil
}

// inputs evaluates the input collection in the body's scope.
func inputs(ctx element.Scope, l *model.Loop) ([]any, error) {
	v, err := ctx.Eval(l.InputCollection)
	if err != nil {
		return nil, element.Failf(record.ErrorExtractValue, "%v", err)
	}
	items, ok := v.([]any)
	if !ok {
		return nil, element.Failf(record.ErrorExtractValue, "Expected result of the expression '%s' to be 'ARRAY', but was '%s'.", source(l.InputCollection), typeName(v))
	}
	return items, nil
}

// locals are the variables an instance begins with: loopCounter, the
// input element, and the output element's variable (null) when the
// output element only reads a variable or a property of one.
func locals(l *model.Loop, item any, counter int) map[string]any {
	m := map[string]any{loopCounter: float64(counter)}
	if l.InputElement != "" {
		m[l.InputElement] = item
	}
	if name := outputVariable(l.OutputElement); name != "" && name != l.InputElement && name != loopCounter {
		m[name] = nil
	}
	return m
}

var variablePath = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)

// outputVariable returns the variable an output element expression reads
// when that is all it does ("= result", "= result.total"), or "".
func outputVariable(e *expr.Expression) string {
	if e == nil {
		return ""
	}
	s := source(e)
	if !variablePath.MatchString(s) {
		return ""
	}
	name, _, _ := strings.Cut(s, ".")
	switch name {
	case "null", "true", "false", "not":
		return ""
	}
	return name
}

// collect evaluates the output element in the completing instance's scope
// and writes it into the body's output collection at the instance's index.
func collect(child element.Scope, sc element.Scoper, l *model.Loop, counter int) error {
	v, err := child.Eval(l.OutputElement)
	if err != nil {
		return element.Failf(record.ErrorExtractValue, "%v", err)
	}
	cur, _ := sc.Local(l.OutputCollection)
	list, ok := cur.([]any)
	if !ok || counter < 1 || counter > len(list) {
		return element.Failf(record.ErrorExtractValue, "Unable to update an item in output collection '%s' at position %d because the size of the collection is: %d. This may happen when multiple BPMN elements write to the same variable.", l.OutputCollection, counter, len(list))
	}
	out := make([]any, len(list))
	copy(out, list) // values in the state are shared with the log: never modify them
	out[counter-1] = v
	sc.SetLocal(l.OutputCollection, out)
	return nil
}

// condition evaluates the completion condition in the completing
// instance's scope, with Zeebe's numberOf... variables: counted before the
// instance completes, as if it had.
func condition(ctx element.ChildContext, child element.Scoper, l *model.Loop, counter, n int) (bool, error) {
	var instances, active, completed int
	if l.Sequential {
		instances, active, completed = counter, 0, counter
	} else {
		active = ctx.ActiveChildren() - 1
		instances, completed = n, n-active
	}
	v, err := child.EvalWith(l.CompletionCondition, map[string]any{
		"numberOfInstances":           float64(instances),
		"numberOfActiveInstances":     float64(active),
		"numberOfCompletedInstances":  float64(completed),
		"numberOfTerminatedInstances": float64(0),
	})
	if err != nil {
		return false, element.Failf(record.ErrorExtractValue, "%v", err)
	}
	switch b := v.(type) {
	case bool:
		return b, nil
	case nil:
		return false, nil
	}
	return false, element.Failf(record.ErrorExtractValue, "Expected result of the expression '%s' to be 'BOOLEAN', but was '%s'.", source(l.CompletionCondition), typeName(v))
}

// source is an expression's text without the leading '='.
func source(e *expr.Expression) string {
	return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(e.Source()), "="))
}

// typeName names a value's type as Zeebe's messages do.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "NULL"
	case bool:
		return "BOOLEAN"
	case float64, int, int64:
		return "NUMBER"
	case string:
		return "STRING"
	case []any:
		return "ARRAY"
	case map[string]any:
		return "OBJECT"
	}
	return "STRING"
}

// Interface guards
var (
	_ element.Handler     = Handler{}
	_ element.Container   = Handler{}
	_ element.ChildScoper = Handler{}
)
