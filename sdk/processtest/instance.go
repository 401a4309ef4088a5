package processtest

import (
	"context"
	"fmt"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// Instance is a process instance of the test's engine. Its assertions
// settle the engine first and report through the test's TB.
type Instance struct {
	e         *Engine
	key       int64
	processID string
}

// Key returns the process instance key.
func (i *Instance) Key() int64 { return i.key }

// ProcessID returns the BPMN process id of the instance's process.
func (i *Instance) ProcessID() string { return i.processID }

// String describes the instance: its state, the elements it passed, where
// it waits, its variables and its open incidents. Log it when a test needs
// to show what happened.
func (i *Instance) String() string {
	i.e.t.Helper()
	return i.history().describe()
}

// history settles the engine and rebuilds what the instance did.
func (i *Instance) history() *history {
	i.e.t.Helper()
	var h *history
	i.e.read(func(_ *state.State, log []*record.Record) { h = historyOf(log, i.key) })
	return h
}

// Variable returns a variable of the instance's process scope as the
// engine keeps it, and whether it exists.
func (i *Instance) Variable(name string) (any, bool) {
	i.e.t.Helper()
	var value any
	var ok bool
	i.e.read(func(s *state.State, log []*record.Record) {
		// The scope's variables leave the state once the instance ends:
		// the log keeps their last values.
		for _, r := range log {
			if v, isVar := r.Value.(*record.VariableValue); isVar && r.Kind == record.KindEvent && v.ScopeKey == i.key && v.Name == name {
				value, ok = v.Value, true
			}
		}
		if ok {
			value = jsonCopy(value)
		}
	})
	return value, ok
}

// Variables returns the variables of the instance's process scope,
// decoded as JSON would be (numbers as float64).
func (i *Instance) Variables() map[string]any {
	i.e.t.Helper()
	out := map[string]any{}
	i.e.read(func(_ *state.State, log []*record.Record) {
		for _, r := range log {
			if v, ok := r.Value.(*record.VariableValue); ok && r.Kind == record.KindEvent && v.ScopeKey == i.key {
				out[v.Name] = v.Value
			}
		}
		for name, v := range out {
			out[name] = jsonCopy(v)
		}
	})
	return out
}

// SetVariables sets variables on the instance's process scope, as an
// operator would to fix the data an incident complained about.
func (i *Instance) SetVariables(vars map[string]any) {
	i.e.t.Helper()
	err := i.e.eng.SetVariables(context.Background(), engine.SetVariablesRequest{ScopeKey: i.key, Variables: vars})
	if err != nil {
		i.e.refused(fmt.Sprintf("SetVariables on instance %d", i.key), err)
		return
	}
	i.e.Settle()
}

// Cancel cancels the instance: it and every element in it terminate.
func (i *Instance) Cancel() {
	i.e.t.Helper()
	if err := i.e.eng.CancelInstance(context.Background(), i.key); err != nil {
		i.e.refused(fmt.Sprintf("Cancel instance %d", i.key), err)
		return
	}
	i.e.Settle()
}
