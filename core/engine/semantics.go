package engine

import (
	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/state"
)

// Semantics answers what the state needs to know of elements from the
// capabilities of reg's handlers.
func Semantics(reg *element.Registry) state.Semantics { return semantics{reg} }

type semantics struct{ reg *element.Registry }

// Joins implements state.Semantics: tokens wait at the elements of
// element.Joiner handlers.
func (s semantics) Joins(el *model.Element) bool {
	h, ok := s.reg.Handler(el.Kind)
	if !ok {
		return false
	}
	_, ok = h.(element.Joiner)
	return ok
}

// EndsScope implements state.Semantics through element.ScopeEnder.
func (s semantics) EndsScope(el *model.Element) bool {
	h, ok := s.reg.Handler(el.Kind)
	if !ok {
		return false
	}
	e, ok := h.(element.ScopeEnder)
	return ok && e.EndsScope(el)
}

// Interrupts implements state.Semantics through element.Interrupter.
func (s semantics) Interrupts(el *model.Element) bool {
	h, ok := s.reg.Handler(el.Kind)
	if !ok {
		return false
	}
	i, ok := h.(element.Interrupter)
	return ok && i.Interrupts(el)
}
