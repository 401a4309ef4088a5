package engine

import (
	"reflect"
	"sort"
	"strings"

	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// lookup finds a variable from a scope outward; inner scopes shadow outer ones.
func (p *Processor) lookup(scope int64, name string) (any, bool) {
	for scope > 0 {
		if v, ok := p.st.Variable(scope, name); ok {
			return v.Value, true
		}
		ei := p.st.Element(scope)
		if ei == nil {
			break
		}
		scope = ei.Value.FlowScopeKey
	}
	return nil, false
}

// setLocal writes a variable into one scope: CREATED when new, UPDATED when
// its value changed, nothing when it is the same.
func (p *Processor) setLocal(scope *state.ElementInstance, name string, value any) error {
	v := &record.VariableValue{
		Name: name, Value: value, ScopeKey: scope.Key, ProcessInstanceKey: scope.Value.ProcessInstanceKey,
		ProcessDefinitionKey: scope.Value.ProcessDefinitionKey, BPMNProcessID: scope.Value.BPMNProcessID,
		TenantID: scope.Value.TenantID,
	}
	if cur, ok := p.st.Variable(scope.Key, name); ok {
		if sameValue(cur.Value, value) {
			return nil
		}
		p.countVariable(name, value)
		return p.write(cur.Key, record.IntentVariableUpdated, v)
	}
	p.countVariable(name, value)
	return p.write(p.newKey(), record.IntentVariableCreated, v)
}

// sameValue reports whether two variable values are equal, as
// reflect.DeepEqual does, but without reflection for the JSON values that
// variables hold (nil, bool, float64, string, []any, map[string]any): a
// multi-instance body rewrites its output collection once per instance.
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) || (x == nil) != (y == nil) {
			return false
		}
		for i := range x {
			if !sameValue(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) || (x == nil) != (y == nil) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !sameValue(v, w) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

// setLocals writes several variables into one scope, in name order.
func (p *Processor) setLocals(scope *state.ElementInstance, vars map[string]any) error {
	for _, name := range sortedNames(vars) {
		if err := p.setLocal(scope, name, vars[name]); err != nil {
			return err
		}
	}
	return nil
}

// propagate merges variables the Camunda way: each one updates the nearest
// scope from start outward that has it, or is created at the process root.
func (p *Processor) propagate(start *state.ElementInstance, vars map[string]any) error {
	for _, name := range sortedNames(vars) {
		target := p.owner(start, name)
		if err := p.setLocal(target, name, vars[name]); err != nil {
			return err
		}
	}
	return nil
}

// owner returns the nearest scope from start outward that has the variable,
// or the process instance when none has it.
func (p *Processor) owner(start *state.ElementInstance, name string) *state.ElementInstance {
	root := start
	for s := start; s != nil; s = p.st.Element(s.Value.FlowScopeKey) {
		if _, ok := p.st.Variable(s.Key, name); ok {
			return s
		}
		root = s
		if s.Value.FlowScopeKey <= 0 {
			break
		}
	}
	return root
}

func sortedNames(vars map[string]any) []string {
	names := make([]string, 0, len(vars))
	for n := range vars {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// applyInputs evaluates the element's input mappings in order and writes
// each target as a local variable of the element.
func (p *Processor) applyInputs(in *instance) error {
	for _, m := range in.el.Inputs {
		v, err := p.mappingValue(in.ei.Key, m)
		if err != nil {
			return element.Failf(record.ErrorIOMapping, "input mapping to '%s': %v", m.Target, err)
		}
		name, path := splitTarget(m.Target)
		if len(path) > 0 {
			base, _ := p.st.Variable(in.ei.Key, name)
			var cur any
			if base != nil {
				cur = base.Value
			}
			v = setPath(cur, path, v)
		}
		if err := p.checkVariables(in, map[string]any{name: v}); err != nil {
			return err
		}
		if err := p.setLocal(in.ei, name, v); err != nil {
			return err
		}
	}
	return nil
}

// applyOutputs evaluates the element's output mappings in the element's
// scope and merges their targets into the flow scope, or from the element's
// own scope outward when own is set (element.ChildScoper).
func (p *Processor) applyOutputs(in *instance, own bool) error {
	if len(in.el.Outputs) == 0 || in.ei.Value.FlowScopeKey <= 0 {
		return nil
	}
	parent := p.st.Element(in.ei.Value.FlowScopeKey)
	if parent == nil {
		return nil
	}
	if own {
		parent = in.ei
	}
	for _, m := range in.el.Outputs {
		v, err := p.mappingValue(in.ei.Key, m)
		if err != nil {
			return element.Failf(record.ErrorIOMapping, "output mapping to '%s': %v", m.Target, err)
		}
		name, path := splitTarget(m.Target)
		if len(path) > 0 {
			cur, _ := p.lookup(parent.Key, name)
			v = setPath(cur, path, v)
		}
		if err := p.checkVariables(in, map[string]any{name: v}); err != nil {
			return err
		}
		if err := p.propagate(parent, map[string]any{name: v}); err != nil {
			return err
		}
	}
	return nil
}

func (p *Processor) mappingValue(scope int64, m model.Mapping) (any, error) {
	if m.Source == nil {
		return nil, nil
	}
	return p.eval(scope, m.Source)
}

func splitTarget(t string) (string, []string) {
	parts := strings.Split(t, ".")
	return parts[0], parts[1:]
}

// setPath returns a copy of cur (an object, or a new one) with the value at
// path replaced by v. The original is never modified: values in the state
// are shared with the log.
func setPath(cur any, path []string, v any) any {
	obj, _ := cur.(map[string]any)
	out := make(map[string]any, len(obj)+1)
	for k, x := range obj {
		out[k] = x
	}
	if len(path) == 1 {
		out[path[0]] = v
	} else {
		out[path[0]] = setPath(out[path[0]], path[1:], v)
	}
	return out
}

func (p *Processor) setVariables(key int64, v *record.VariableDocumentValue) error {
	scope := p.st.Element(v.ScopeKey)
	if scope == nil {
		return reject(record.RejectionNotFound, "expected to set variables on element instance with key '%d', but no such element instance was found", v.ScopeKey)
	}
	if err := p.write(p.newKey(), record.IntentVariableDocumentUpdated, v); err != nil {
		return err
	}
	if v.Local {
		return p.setLocals(scope, v.Variables)
	}
	return p.propagate(scope, v.Variables)
}
