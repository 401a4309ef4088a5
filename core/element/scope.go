package element

import (
	"github.com/example/wf-engine/core/expr"
	"github.com/example/wf-engine/core/model"
)

// Scoper is what a handler that manages variable scopes itself (a
// multi-instance body) needs of the kernel beyond its contexts. The kernel's
// contexts implement it; a handler finds it with a type assertion.
type Scoper interface {
	// Local returns a local variable of the element instance.
	Local(name string) (any, bool)
	// SetLocal sets a local variable of the element instance. The kernel
	// writes it when the handler returns: after ELEMENT_ACTIVATED when
	// called from Activate, at once when called from ChildCompleting.
	SetLocal(name string, value any)
	// EvalWith evaluates an expression in the element instance's variable
	// scope; vars shadow the scope's variables.
	EvalWith(e *expr.Expression, vars map[string]any) (any, error)
	// ActivateChildWith starts a child flow node whose instance begins with
	// the given local variables, set before its input mappings run.
	ActivateChildWith(child *model.Element, locals map[string]any)
	// TerminateChildren terminates the element instance's children; from
	// ChildCompleting, every child but the completing one.
	TerminateChildren()
}

// ChildScoper is a container that reads each child's variables just before
// the child completes (a multi-instance body collecting each instance's
// output element and testing its completion condition). The output
// mappings of such a container's children merge from the child's own scope
// outward (not from the container's), so a local the container prepared
// in the child receives them, as in Zeebe.
type ChildScoper interface {
	// ChildCompleting runs in the container's context after the child's
	// output mappings and before its ELEMENT_COMPLETED; child is the
	// completing child's context. What ctx asks for (children to start,
	// completing the container, TerminateChildren) happens after the
	// child completed.
	ChildCompleting(ctx ChildContext, child Scope) error
}
