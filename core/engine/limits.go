package engine

import (
	"fmt"
	"sort"

	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/expr"
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// Limits bound the work and the data one command may cause. A zero field
// takes its default. They only decide how a command is processed: replay
// applies the events that were written and never consults them, so changing
// a limit never changes how an existing log replays.
type Limits struct {
	// MaxStepsPerCommand bounds the lifecycle steps (activate, complete,
	// terminate, child completed) one command may run before the next
	// element to be activated gets an incident instead. It bounds the events
	// of one command, whatever the model; a chain of N plain tasks takes
	// about 3N steps. Key: engine.max_steps_per_command.
	MaxStepsPerCommand int
	// MaxFlowRepeatsPerCommand bounds how often one sequence flow may be
	// taken in one flow scope instance within one command: a flow taken
	// more often belongs to a loop without a wait state, and the element it
	// leads to gets an incident. Key: engine.max_flow_repeats_per_command.
	MaxFlowRepeatsPerCommand int
	// MaxProcessesPerResource bounds the processes of one deployed
	// resource; a resource with more is rejected. Each process's event
	// carries the whole resource, so a deployment writes processes ×
	// resource size bytes. Key: engine.max_processes_per_resource.
	MaxProcessesPerResource int
	// MaxVariableBytesPerCommand bounds the variables (their JSON size, as
	// expr.Size measures it) one command writes. Variables a request
	// carries count, but only what the model computes is refused: the
	// element whose mapping or result would pass the bound gets an
	// incident and nothing of it is written. Key:
	// engine.max_variables_bytes_per_command.
	MaxVariableBytesPerCommand int
}

// Defaults of Limits.
const (
	DefaultMaxStepsPerCommand         = 100000
	DefaultMaxFlowRepeatsPerCommand   = 1000
	DefaultMaxProcessesPerResource    = 1000
	DefaultMaxVariableBytesPerCommand = 4 << 20
)

// withDefaults returns l with its zero fields set to their defaults.
func (l Limits) withDefaults() Limits {
	if l.MaxStepsPerCommand <= 0 {
		l.MaxStepsPerCommand = DefaultMaxStepsPerCommand
	}
	if l.MaxFlowRepeatsPerCommand <= 0 {
		l.MaxFlowRepeatsPerCommand = DefaultMaxFlowRepeatsPerCommand
	}
	if l.MaxVariableBytesPerCommand <= 0 {
		l.MaxVariableBytesPerCommand = DefaultMaxVariableBytesPerCommand
	}
	if l.MaxProcessesPerResource <= 0 {
		l.MaxProcessesPerResource = DefaultMaxProcessesPerResource
	}
	return l
}

// SetLimits sets the limits the processor applies from the next command on.
func (p *Processor) SetLimits(l Limits) { p.limits = l.withDefaults() }

// flowVisit is one sequence flow in one flow scope instance.
type flowVisit struct {
	scope int64
	flow  *model.SequenceFlow
}

// countFlow counts that f was taken in scope and, once it was taken more
// often than the limit allows, returns why the element instance entered
// through it gets an incident instead of its activation.
func (p *Processor) countFlow(scope int64, f *model.SequenceFlow) string {
	v := flowVisit{scope: scope, flow: f}
	p.flowTaken[v]++
	if p.flowTaken[v] <= p.limits.MaxFlowRepeatsPerCommand {
		return ""
	}
	return fmt.Sprintf("sequence flow %s was taken more than %d times in one command without reaching a wait state, "+
		"so the model loops (limit engine.max_flow_repeats_per_command); element %s was not activated",
		f.ID, p.limits.MaxFlowRepeatsPerCommand, f.Target.ID)
}

// stopped raises an incident on the ACTIVATING element instance key instead
// of activating it, when a limit was reached on the way to it.
func (p *Processor) stopped(key int64) (bool, error) {
	msg, ok := p.stopAt[key]
	if !ok && p.steps <= p.limits.MaxStepsPerCommand {
		return false, nil
	}
	delete(p.stopAt, key)
	in, err := p.instance(key)
	if err != nil || in == nil || in.ei.State != state.ElementActivating {
		return true, err
	}
	if !ok {
		msg = fmt.Sprintf("one command caused more than %d steps without reaching a wait state "+
			"(limit engine.max_steps_per_command); element %s was not activated", p.limits.MaxStepsPerCommand, in.el.ID)
	}
	return true, p.raiseIncident(in, &element.Failure{Type: record.ErrorUnknown, Message: msg}, 0)
}

// countVariable adds a written variable to the command's variable bytes.
func (p *Processor) countVariable(name string, v any) {
	n, _ := expr.Size(v, p.limits.MaxVariableBytesPerCommand+1)
	p.varBytes += len(name) + n
}

// checkVariables refuses variables an element is about to write when they
// would bring the command's variables over the limit.
func (p *Processor) checkVariables(in *instance, vars map[string]any) error {
	names := make([]string, 0, len(vars))
	for name := range vars {
		names = append(names, name)
	}
	sort.Strings(names)
	total := p.varBytes
	for _, name := range names {
		n, ok := expr.Size(vars[name], p.limits.MaxVariableBytesPerCommand-total)
		total += len(name) + n
		if !ok || total > p.limits.MaxVariableBytesPerCommand {
			return element.Failf(record.ErrorIOMapping,
				"variable '%s' of element %s would bring the variables written by one command over %d bytes (limit engine.max_variables_bytes_per_command), so it was not written",
				name, in.el.ID, p.limits.MaxVariableBytesPerCommand)
		}
	}
	return nil
}
