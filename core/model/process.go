package model

import (
	"fmt"
	"strings"

	"github.com/example/wf-engine/core/expr"
)

// ignoredInScope are the BPMN elements that may sit directly inside a
// process or subprocess but are not flow nodes: the parser skips them
// (loop characteristics are read by the activity they belong to).
var ignoredInScope = setOf(
	"documentation", "extensionElements", "incoming", "outgoing",
	"laneSet", "lane",
	"dataObject", "dataObjectReference", "dataStore", "dataStoreReference",
	"dataInput", "dataOutput", "dataInputAssociation", "dataOutputAssociation",
	"association", "dataAssociation",
	"textAnnotation", "group", "category", "categoryValue",
	"ioSpecification", "ioBinding", "property",
	"auditing", "monitoring", "supports",
	"resourceRole", "performer", "humanPerformer", "potentialOwner",
	"correlationSubscription",
	"multiInstanceLoopCharacteristics", "standardLoopCharacteristics",
	"completionCondition",
)

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// builder reads one process.
type builder struct {
	p          *parser
	proc       *Process
	flows      []pendingFlow
	boundaries []pendingBoundary
	defaults   []pendingDefault
	assocs     []pendingAssociation
}

type pendingAssociation struct {
	source, target string
}

type pendingFlow struct {
	flow  *SequenceFlow
	scope *Element
	node  *node
}

type pendingBoundary struct {
	event *Element
	ref   string
}

type pendingDefault struct {
	el     *Element
	flowID string
}

func (p *parser) process(n *node) *Process {
	id := n.get("id")
	if id == "" {
		p.problem(n.line, "", "id", "process has no id")
	}
	proc := &Process{
		ID:         id,
		Name:       n.get("name"),
		Executable: isTrue(n.get("isExecutable")),
		Line:       n.line,
		Elements:   map[string]*Element{},
		Flows:      map[string]*SequenceFlow{},
		Forms:      map[string]string{},
	}
	proc.Root = &Element{ID: id, Name: proc.Name, Type: "process", Kind: KindProcess, Line: n.line}
	b := &builder{p: p, proc: proc}
	b.extensions(proc.Root, n)
	b.scope(proc.Root, n)
	b.resolveFlows()
	b.resolveDefaults()
	b.resolveBoundaries()
	b.resolveAssociations()
	return proc
}

// scope reads the flow nodes and sequence flows directly inside n.
func (b *builder) scope(container *Element, n *node) {
	for _, c := range n.children {
		if c.is(nsBPMN, "association") {
			b.assocs = append(b.assocs, pendingAssociation{strings.TrimSpace(c.get("sourceRef")), strings.TrimSpace(c.get("targetRef"))})
			continue
		}
		if c.space != nsBPMN || ignoredInScope[c.local] {
			continue
		}
		if c.local == "sequenceFlow" {
			b.sequenceFlow(container, c)
			continue
		}
		b.flowNode(container, c)
	}
}

func (b *builder) flowNode(parent *Element, n *node) {
	id := n.get("id")
	if id == "" {
		b.p.problem(n.line, "", "id", n.local+" has no id")
		return
	}
	el := &Element{
		ID:     id,
		Name:   n.get("name"),
		Type:   n.local,
		Kind:   Kind(n.local),
		Line:   n.line,
		Parent: parent,
	}
	// node is what the scope sees: the element, or the multi-instance body
	// that wraps it (flows, default flow and boundary events attach to it).
	node := el
	if mi := b.multiInstance(el, n); mi != nil {
		node = mi
	}
	if _, dup := b.proc.Elements[id]; !dup {
		b.proc.Elements[id] = node
	}
	parent.Children = append(parent.Children, node)

	if eventTypes[n.local] {
		b.eventDefinitions(el, n)
	}
	switch n.local {
	case "boundaryEvent":
		el.CancelActivity = b.p.boolean(n, id, "cancelActivity", "cancelActivity", true)
		b.boundaries = append(b.boundaries, pendingBoundary{el, strings.TrimSpace(n.get("attachedToRef"))})
	case "startEvent":
		el.CancelActivity = b.p.boolean(n, id, "isInterrupting", "isInterrupting", true)
	case "receiveTask":
		el.Instantiate = isTrue(n.get("instantiate"))
		el.Message = reference(b.p, n, id, "messageRef", "message", b.p.defs.Messages)
	case "sendTask":
		el.Message = reference(b.p, n, id, "messageRef", "message", b.p.defs.Messages)
	case "eventBasedGateway":
		el.Instantiate = isTrue(n.get("instantiate"))
	case "userTask":
		el.UserTask = &UserTask{}
	case "adHocSubProcess":
		el.AdHoc = b.adHoc(el, n)
	case "subProcess":
		if isTrue(n.get("triggeredByEvent")) {
			el.Kind = KindEventSubProcess
		}
	}
	if def := strings.TrimSpace(n.get("default")); def != "" {
		b.defaults = append(b.defaults, pendingDefault{node, def})
	}
	el.ForCompensation = isTrue(n.get("isForCompensation"))
	for _, c := range n.children {
		if c.is(nsBPMN, "standardLoopCharacteristics") || c.is(nsBPMN, "multiInstanceLoopCharacteristics") && node == el {
			el.unsupported(c.local)
		}
	}
	b.extensions(el, n)
	if containerTypes[n.local] {
		b.scope(el, n)
	}
}

// adHoc reads an ad-hoc subprocess's completion condition, its
// cancelRemainingInstances (true by default) and zeebe:adHoc's
// activeElementsCollection.
func (b *builder) adHoc(el *Element, n *node) *AdHoc {
	a := &AdHoc{CancelRemainingInstances: b.p.boolean(n, el.ID, "cancelRemainingInstances", "cancelRemainingInstances", true)}
	for _, c := range n.children {
		if c.is(nsBPMN, "completionCondition") {
			if text := strings.TrimSpace(string(c.text)); text != "" {
				a.CompletionCondition = b.p.expression(c.line, el.ID, "completionCondition", text)
			}
		}
	}
	for _, z := range zeebeElements(n) {
		if z.local == "adHoc" {
			a.ActiveElements = b.p.optional(z, el.ID, "zeebe:adHoc activeElementsCollection", "activeElementsCollection")
		}
	}
	return a
}

// multiInstance returns the multi-instance body of an activity with
// bpmn:multiInstanceLoopCharacteristics, with el as its only child, or nil.
func (b *builder) multiInstance(el *Element, n *node) *Element {
	if !activityTypes[n.local] {
		return nil // loop characteristics elsewhere are reported unsupported
	}
	var mi *node
	for _, c := range n.children {
		if c.is(nsBPMN, "multiInstanceLoopCharacteristics") {
			mi = c
			break
		}
	}
	if mi == nil {
		return nil
	}
	body := &Element{
		ID: el.ID, Name: el.Name, Type: string(KindMultiInstanceBody), Kind: KindMultiInstanceBody,
		Line: el.Line, Parent: el.Parent, Children: []*Element{el},
	}
	el.Parent = body
	l := &Loop{Sequential: b.p.boolean(mi, el.ID, "isSequential", "isSequential", false)}
	for _, c := range mi.children {
		switch {
		case c.is(nsBPMN, "completionCondition"):
			if text := strings.TrimSpace(string(c.text)); text != "" {
				l.CompletionCondition = b.p.expression(c.line, el.ID, "completionCondition", text)
			}
		case c.is(nsBPMN, "loopCardinality"):
			body.unsupported("loopCardinality")
		}
	}
	for _, z := range zeebeElements(mi) {
		if z.local != "loopCharacteristics" {
			continue
		}
		l.InputCollection = b.p.optional(z, el.ID, "inputCollection", "inputCollection")
		l.InputElement = strings.TrimSpace(z.get("inputElement"))
		l.OutputCollection = strings.TrimSpace(z.get("outputCollection"))
		l.OutputElement = b.p.optional(z, el.ID, "outputElement", "outputElement")
	}
	if l.OutputCollection != "" {
		// The body's output: its local output collection, merged into the
		// body's flow scope when the body completes (not when terminated).
		if src := b.p.expression(mi.line, el.ID, "outputCollection", "="+l.OutputCollection); src != nil {
			body.Outputs = []Mapping{{Source: src, Target: l.OutputCollection}}
		}
	}
	body.Loop = l
	return body
}

// unsupported records a feature the engine does not run, once.
func (e *Element) unsupported(feature string) {
	for _, f := range e.Unsupported {
		if f == feature {
			return
		}
	}
	e.Unsupported = append(e.Unsupported, feature)
}

// eventDefinitions reads the event definitions of an event and sets its Kind.
func (b *builder) eventDefinitions(el *Element, n *node) {
	count, kind := 0, ""
	for _, c := range n.children {
		if c.space != nsBPMN {
			continue
		}
		def := c
		if c.local == "eventDefinitionRef" {
			ref := strings.TrimSpace(string(c.text))
			def = lookup(b.p.eventDefs, ref)
			if def == nil {
				b.p.problem(c.line, el.ID, "eventDefinitionRef", fmt.Sprintf("unknown event definition '%s'", ref))
				continue
			}
			if def.parent == n {
				continue // a reference to one of the event's own definitions
			}
		}
		k, ok := strings.CutSuffix(def.local, "EventDefinition")
		if !ok || k == "" {
			continue
		}
		count++
		kind = k
		switch k {
		case "timer":
			el.Timer = b.timer(el, def)
		case "message":
			el.Message = reference(b.p, def, el.ID, "messageRef", "message", b.p.defs.Messages)
		case "error":
			el.Error = reference(b.p, def, el.ID, "errorRef", "error", b.p.defs.Errors)
		case "signal":
			el.Signal = reference(b.p, def, el.ID, "signalRef", "signal", b.p.defs.Signals)
		case "escalation":
			el.Escalation = reference(b.p, def, el.ID, "escalationRef", "escalation", b.p.defs.Escalations)
		case "link":
			el.Link = strings.TrimSpace(def.get("name"))
		case "compensate":
			el.Compensation = &Compensation{ActivityRef: strings.TrimSpace(def.get("activityRef"))}
		}
	}
	switch {
	case count == 1:
		el.Kind = Kind(el.Type + ":" + kind)
	case count > 1:
		el.Kind = Kind(el.Type + ":multiple")
	}
}

// timer reads the first non-empty time value of a timerEventDefinition.
func (b *builder) timer(el *Element, def *node) *Timer {
	for _, c := range def.children {
		if c.space != nsBPMN {
			continue
		}
		kind := TimerKind(c.local)
		switch kind {
		case TimerDate, TimerDuration, TimerCycle:
		default:
			continue
		}
		v := strings.TrimSpace(string(c.text))
		if v == "" {
			continue
		}
		e := b.p.expression(c.line, el.ID, c.local, v)
		if e == nil {
			return nil
		}
		return &Timer{Kind: kind, Value: e}
	}
	return nil
}

func (b *builder) sequenceFlow(scope *Element, n *node) {
	id := n.get("id")
	if id == "" {
		b.p.problem(n.line, "", "id", "sequenceFlow has no id")
		return
	}
	f := &SequenceFlow{ID: id, Name: n.get("name"), Line: n.line}
	if _, dup := b.proc.Flows[id]; !dup {
		b.proc.Flows[id] = f
	}
	for _, c := range n.children {
		if c.is(nsBPMN, "conditionExpression") {
			f.Condition = b.condition(f, c)
		}
	}
	b.flows = append(b.flows, pendingFlow{flow: f, scope: scope, node: n})
}

// condition compiles the body of a conditionExpression: CEL when its
// language says so, FEEL ("=...") otherwise. An empty body is no condition.
func (b *builder) condition(f *SequenceFlow, c *node) *expr.Expression {
	text := strings.TrimSpace(string(c.text))
	if text == "" {
		return nil
	}
	if isCEL(c.get("language")) {
		e, err := expr.CompileCEL(text)
		if err != nil {
			b.p.probs = append(b.p.probs, Problem{Line: c.line, ElementID: f.ID, Attribute: "conditionExpression", Msg: "invalid expression: " + err.Error(), Err: err})
			return nil
		}
		return e
	}
	if !strings.HasPrefix(text, "=") {
		b.p.problem(c.line, f.ID, "conditionExpression", fmt.Sprintf("condition of sequence flow '%s' must be a FEEL expression starting with '='", f.ID))
		return nil
	}
	return b.p.expression(c.line, f.ID, "conditionExpression", text)
}

// isCEL reports whether a formalExpression language names CEL: "cel" in
// any case, or a URI of the CEL specification.
func isCEL(language string) bool {
	l := strings.ToLower(strings.TrimSpace(language))
	if l == "cel" {
		return true
	}
	for _, prefix := range []string{"https://github.com/google/cel-spec", "http://github.com/google/cel-spec", "https://cel.dev", "http://cel.dev"} {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}

// resolveFlows links the sequence flows to their source and target, once
// every flow node of the process is known.
func (b *builder) resolveFlows() {
	for _, pf := range b.flows {
		f := pf.flow
		src := b.flowEnd(pf, "sourceRef")
		tgt := b.flowEnd(pf, "targetRef")
		if src == nil || tgt == nil {
			continue
		}
		switch {
		case src.Parent != tgt.Parent:
			b.p.problem(f.Line, f.ID, "", fmt.Sprintf("source '%s' and target '%s' are in different scopes ('%s' and '%s')", src.ID, tgt.ID, src.Parent.ID, tgt.Parent.ID))
		case src.Parent != pf.scope:
			b.p.problem(f.Line, f.ID, "", fmt.Sprintf("sequence flow is declared in '%s' but connects elements of '%s'", pf.scope.ID, src.Parent.ID))
		default:
			f.Source, f.Target = src, tgt
			src.Outgoing = append(src.Outgoing, f)
			tgt.Incoming = append(tgt.Incoming, f)
		}
	}
}

// flowEnd resolves the sourceRef or targetRef of a flow.
func (b *builder) flowEnd(pf pendingFlow, attribute string) *Element {
	ref := strings.TrimSpace(pf.node.get(attribute))
	if ref == "" {
		b.p.problem(pf.flow.Line, pf.flow.ID, attribute, "missing")
		return nil
	}
	el := b.proc.Elements[ref]
	if el == nil {
		b.p.problem(pf.flow.Line, pf.flow.ID, attribute, fmt.Sprintf("unknown element '%s'", ref))
	}
	return el
}

// resolveDefaults links the `default` attributes to their flows.
func (b *builder) resolveDefaults() {
	for _, pd := range b.defaults {
		el := pd.el
		f := b.proc.Flows[pd.flowID]
		switch {
		case f == nil:
			b.p.problem(el.Line, el.ID, "default", fmt.Sprintf("unknown sequence flow '%s'", pd.flowID))
		case f.Source == nil:
			// the flow itself is broken and already reported
		case f.Source != el:
			b.p.problem(el.Line, el.ID, "default", fmt.Sprintf("sequence flow '%s' does not leave '%s' (it leaves '%s')", f.ID, el.ID, f.Source.ID))
		default:
			el.Default = f
			f.IsDefault = true
		}
	}
}

// resolveBoundaries attaches the boundary events to their activities.
func (b *builder) resolveBoundaries() {
	for _, pb := range b.boundaries {
		ev := pb.event
		if pb.ref == "" {
			b.p.problem(ev.Line, ev.ID, "attachedToRef", "missing")
			continue
		}
		host := lookup(b.proc.Elements, pb.ref)
		switch {
		case host == nil:
			b.p.problem(ev.Line, ev.ID, "attachedToRef", fmt.Sprintf("unknown element '%s'", pb.ref))
		case !host.IsActivity():
			b.p.problem(ev.Line, ev.ID, "attachedToRef", fmt.Sprintf("'%s' (%s) is not an activity", host.ID, host.Type))
		case host.Parent != ev.Parent:
			b.p.problem(ev.Line, ev.ID, "attachedToRef", fmt.Sprintf("'%s' is in a different scope than the boundary event", host.ID))
		default:
			ev.AttachedTo = host
			host.Boundaries = append(host.Boundaries, ev)
		}
	}
}

// resolveAssociations links the associations between flow nodes (a
// compensation boundary event and its handler); those with an end that
// is no flow node (a text annotation) are documentation and skipped.
func (b *builder) resolveAssociations() {
	for _, a := range b.assocs {
		src, tgt := lookup(b.proc.Elements, a.source), lookup(b.proc.Elements, a.target)
		if src != nil && tgt != nil {
			src.Associated = append(src.Associated, tgt)
		}
	}
}
