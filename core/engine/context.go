package engine

import (
	"fmt"
	"time"

	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/expr"
	"github.com/example/wf-engine/core/model"
)

// elementContext is the context of one step (every element.*Context). It records what the
// handler asks for; the kernel carries it out after the handler returned.
type elementContext struct {
	p          *Processor
	in         *instance
	jobs       []element.JobSpec
	children   []*model.Element
	taken      []*model.SequenceFlow
	timers     []element.TimerSpec
	subs       []element.SubscriptionSpec
	signals    []string // signal names to broadcast
	errorCode  *string
	escalated  *string          // an escalation code thrown (element.Throws)
	jumps      []*model.Element // elements to activate in the flow scope on completion
	complete   bool
	call       *element.CallSpec
	userTask   *element.UserTaskSpec
	scope      *scopeEffects // element.Scoper requests (scopes.go)
	compensate *compensation // element.Compensations: what to compensate (compensation.go)
}

// newContext returns a context for one step, reusing a released one: a
// handler must not keep its context after the call returns.
func (p *Processor) newContext(in *instance) *elementContext {
	n := len(p.contexts)
	if n == 0 {
		return &elementContext{p: p, in: in}
	}
	c := p.contexts[n-1]
	p.contexts = p.contexts[:n-1]
	c.in = in
	return c
}

// release returns a context for reuse once its step is done.
func (p *Processor) release(c *elementContext) {
	*c = elementContext{p: p, jobs: c.jobs[:0], children: c.children[:0], taken: c.taken[:0],
		timers: c.timers[:0], subs: c.subs[:0], signals: c.signals[:0], jumps: c.jumps[:0]}
	p.contexts = append(p.contexts, c)
}

func (c *elementContext) Now() time.Time          { return c.p.now }
func (c *elementContext) Element() *model.Element { return c.in.el }
func (c *elementContext) CreateJob(spec element.JobSpec) {
	c.jobs = append(c.jobs, spec)
}
func (c *elementContext) ActivateChild(child *model.Element) { c.children = append(c.children, child) }
func (c *elementContext) Complete()                          { c.complete = true }
func (c *elementContext) Take(f *model.SequenceFlow)         { c.taken = append(c.taken, f) }

func (c *elementContext) CreateTimer(spec element.TimerSpec) { c.timers = append(c.timers, spec) }
func (c *elementContext) OpenSubscription(spec element.SubscriptionSpec) {
	c.subs = append(c.subs, spec)
}
func (c *elementContext) BroadcastSignal(name string) { c.signals = append(c.signals, name) }
func (c *elementContext) ThrowError(code string)      { c.errorCode = &code }
func (c *elementContext) ThrowEscalation(code string) { c.escalated = &code }
func (c *elementContext) ActivateInScope(target *model.Element) {
	c.jumps = append(c.jumps, target)
}
func (c *elementContext) TriggeredStart() *model.Element {
	return c.p.startAt[c.in.ei.Key]
}

func (c *elementContext) ActiveChildren() int {
	return int(c.in.ei.ActiveChildren) + int(c.in.ei.WaitingTokens()) + len(c.children)
}

func (c *elementContext) Eval(e *expr.Expression) (any, error) {
	return c.p.eval(c.in.ei.Key, e)
}

func (c *elementContext) EvalBool(e *expr.Expression) (bool, error) {
	return e.EvalBool(c.p.env(c.in.ei.Key))
}

// env is the expression environment of a variable scope.
func (p *Processor) env(scope int64) expr.Env {
	return expr.Env{
		Lookup: func(name string) (any, bool) { return p.lookup(scope, name) },
		Now:    p.now,
		Seed:   uint64(p.cmd.Position)<<20 ^ uint64(scope), // #nosec G115 -- bits for a seed, sign does not matter
	}
}

func (p *Processor) eval(scope int64, e *expr.Expression) (any, error) {
	v, err := e.Eval(p.env(scope))
	if err != nil {
		return nil, fmt.Errorf("evaluate %q: %w", e.Source(), err)
	}
	return expr.ToJSON(v), nil
}

// Interface guards
var (
	_ element.ActivateContext = (*elementContext)(nil)
	_ element.CompleteContext = (*elementContext)(nil)
	_ element.ChildContext    = (*elementContext)(nil)
	_ element.WaitContext     = (*elementContext)(nil)
	_ element.Scoper          = (*elementContext)(nil)
)

// SetResult implements element.ActivateContext.
func (c *elementContext) SetResult(vars map[string]any) { c.p.pendingVars[c.in.ei.Key] = vars }

// TriggeredEvent implements element.ActivateContext.
func (c *elementContext) TriggeredEvent() *model.Element { return c.p.handedOver[c.in.ei.Key] }

// CallProcess implements element.ActivateContext.
func (c *elementContext) CallProcess(spec element.CallSpec) { c.call = &spec }

// CreateUserTask implements element.ActivateContext.
func (c *elementContext) CreateUserTask(spec element.UserTaskSpec) { c.userTask = &spec }
