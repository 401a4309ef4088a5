package engine

import (
	"fmt"

	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/expr"
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/state"
)

// This file holds the kernel's side of element.Scoper and
// element.ChildScoper: handlers that manage variable scopes themselves, and
// elements that wrap another under the same id.

// scopeEffects is what a handler asked for through element.Scoper in one step.
type scopeEffects struct {
	locals            map[string]any         // locals of the element instance itself
	childLocals       map[int]map[string]any // first locals of ctx.children[i]
	terminateChildren bool
}

func (c *elementContext) scoped() *scopeEffects {
	if c.scope == nil {
		c.scope = &scopeEffects{}
	}
	return c.scope
}

// Local implements element.Scoper.
func (c *elementContext) Local(name string) (any, bool) {
	v, ok := c.p.st.Variable(c.in.ei.Key, name)
	if !ok {
		return nil, false
	}
	return v.Value, true
}

// SetLocal implements element.Scoper.
func (c *elementContext) SetLocal(name string, value any) {
	s := c.scoped()
	if s.locals == nil {
		s.locals = map[string]any{}
	}
	s.locals[name] = value
}

// EvalWith implements element.Scoper.
func (c *elementContext) EvalWith(e *expr.Expression, vars map[string]any) (any, error) {
	env := c.p.env(c.in.ei.Key)
	outer := env.Lookup
	env.Lookup = func(name string) (any, bool) {
		if v, ok := vars[name]; ok {
			return v, true
		}
		return outer(name)
	}
	v, err := e.Eval(env)
	if err != nil {
		return nil, fmt.Errorf("evaluate %q: %w", e.Source(), err)
	}
	return expr.ToJSON(v), nil
}

// ActivateChildWith implements element.Scoper.
func (c *elementContext) ActivateChildWith(child *model.Element, locals map[string]any) {
	s := c.scoped()
	if s.childLocals == nil {
		s.childLocals = map[int]map[string]any{}
	}
	s.childLocals[len(c.children)] = locals
	c.children = append(c.children, child)
}

// TerminateChildren implements element.Scoper.
func (c *elementContext) TerminateChildren() { c.scoped().terminateChildren = true }

// wrapped returns the element an instance of el's id runs: el, or the
// element el wraps under the same id (model.Element.Wrapped) when the
// instance's record does not carry el's own element type.
func (p *Processor) wrapped(el *model.Element, ei *state.ElementInstance) *model.Element {
	if el == nil {
		return nil
	}
	if w := el.Wrapped(); w != nil && ei.Value.BPMNElementType != p.typeNamesOf(el)[0] {
		return w
	}
	return el
}

// typeNamesOf returns Camunda's element and event type names of el, cached.
func (p *Processor) typeNamesOf(el *model.Element) [2]string {
	names, ok := p.typeNames[el]
	if !ok {
		names = [2]string{model.ElementType(el), model.EventType(el)}
		if len(p.typeNames) > 100000 {
			clear(p.typeNames)
		}
		p.typeNames[el] = names
	}
	return names
}

// writeLocals writes the locals a handler set on its own element instance.
func (p *Processor) writeLocals(in *instance, ctx *elementContext) error {
	if ctx.scope == nil || len(ctx.scope.locals) == 0 {
		return nil
	}
	vars := ctx.scope.locals
	ctx.scope.locals = nil
	return p.setLocals(in.ei, vars)
}

// keepLocals remembers the first locals of the i-th child a handler
// started, for when the child instance (key) activates.
func (p *Processor) keepLocals(ctx *elementContext, i int, key int64) {
	if ctx.scope == nil || ctx.scope.childLocals[i] == nil {
		return
	}
	if p.firstLocals == nil {
		p.firstLocals = map[int64]map[string]any{}
	}
	p.firstLocals[key] = ctx.scope.childLocals[i]
}

// writeFirstLocals writes the locals an element instance begins with,
// before its input mappings.
func (p *Processor) writeFirstLocals(in *instance) error {
	vars, ok := p.firstLocals[in.ei.Key]
	if !ok {
		return nil
	}
	delete(p.firstLocals, in.ei.Key)
	return p.setLocals(in.ei, vars)
}

// keepsChildScopes reports whether scope's handler reads its children's
// variables before they complete (element.ChildScoper).
func keepsChildScopes(scope *instance) bool {
	if scope == nil {
		return false
	}
	_, ok := scope.handler.(element.ChildScoper)
	return ok
}

// childCompleting lets the flow scope of a completing element instance see
// its variables, when the scope's handler is an element.ChildScoper. It
// returns the scope's context, whose other requests are carried out after
// the element completed, or nil.
func (p *Processor) childCompleting(scope, in *instance, ctx *elementContext) (*elementContext, error) {
	if scope == nil {
		return nil, nil
	}
	cs, ok := scope.handler.(element.ChildScoper)
	if !ok {
		return nil, nil
	}
	sctx := p.newContext(scope)
	if err := cs.ChildCompleting(sctx, ctx); err != nil {
		p.release(sctx)
		return nil, err
	}
	if err := p.writeLocals(scope, sctx); err != nil {
		p.release(sctx)
		return nil, err
	}
	if sctx.scope != nil && sctx.scope.terminateChildren {
		for _, c := range p.st.Children(scope.ei.Key) {
			if c.Key != in.ei.Key && c.State != state.ElementTerminating {
				p.push(step{kind: stepTerminate, key: c.Key})
			}
		}
	}
	return sctx, nil
}
