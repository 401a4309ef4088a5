package model

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/example/wf-engine/core/expr"
)

// Parse reads one BPMN 2.0 XML file and returns its model. The returned
// model must not be modified.
//
// When the file has problems, the error is a Problems value with every
// problem found, in document order. Like go/parser, Parse then still returns
// the partial model it built, so that a caller can report its own checks
// along with the parser's in one go, unless the input could not be read or
// is not well-formed XML (then the model is nil). A partial model is for
// diagnostics only and must never be run: a sequence flow with a broken end
// has a nil Source or Target and is linked to nothing, a boundary event that
// could not be attached has a nil AttachedTo, a `default` that was rejected
// is nil, an expression that did not compile is nil, and an element whose id
// is missing is left out.
func Parse(r io.Reader) (*Definitions, error) {
	defs, probs := parse(r)
	if len(probs) > 0 {
		return defs, probs
	}
	return defs, nil
}

// parse builds the model and collects the problems. The model is nil only
// when the input could not be read as well-formed XML.
func parse(r io.Reader) (*Definitions, Problems) {
	if r == nil {
		return nil, Problems{{Msg: "no input"}}
	}
	root, xe := readTree(r)
	if xe != nil && xe.read != nil {
		return nil, Problems{{Msg: "read input: " + xe.msg, Err: xe.read}}
	}
	if xe != nil {
		return nil, Problems{{
			Line: xe.line,
			Msg:  ErrNotWellFormed.Error() + ": " + xe.msg,
			Err:  fmt.Errorf("%w: line %d: %s", ErrNotWellFormed, xe.line, xe.msg),
		}}
	}
	p := &parser{eventDefs: map[string]*node{}}
	defs := p.definitions(root)
	sort.SliceStable(p.probs, func(i, j int) bool { return p.probs[i].Line < p.probs[j].Line })
	return defs, p.probs
}

// parser holds what one Parse call has read so far.
type parser struct {
	defs      *Definitions
	probs     Problems
	eventDefs map[string]*node // event definitions by id, for eventDefinitionRef
}

func (p *parser) problem(line int, id, attribute, msg string) {
	p.probs = append(p.probs, Problem{Line: line, ElementID: id, Attribute: attribute, Msg: msg})
}

// expression parses value the Camunda way ("=..." is FEEL, anything else a
// literal) and reports a problem naming the element and attribute when it
// does not compile.
func (p *parser) expression(line int, id, attribute, value string) *expr.Expression {
	if t := strings.TrimSpace(value); strings.HasPrefix(t, "=") {
		value = t
	}
	e, err := expr.Parse(value)
	if err != nil {
		p.probs = append(p.probs, Problem{Line: line, ElementID: id, Attribute: attribute, Msg: "invalid expression: " + err.Error(), Err: err})
		return nil
	}
	return e
}

// optional parses the attribute local of n as an expression, or returns nil
// when it is absent or blank.
func (p *parser) optional(n *node, id, attribute, local string) *expr.Expression {
	v := n.get(local)
	if strings.TrimSpace(v) == "" {
		return nil
	}
	return p.expression(n.line, id, attribute, v)
}

// boolean reads an xsd:boolean attribute, reporting values that are not one.
func (p *parser) boolean(n *node, id, attribute, local string, def bool) bool {
	v, ok := n.attr(local)
	if !ok || strings.TrimSpace(v) == "" {
		return def
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "1":
		return true
	case "false", "0":
		return false
	}
	p.problem(n.line, id, attribute, fmt.Sprintf("%q is not a boolean: use true or false", v))
	return def
}

// isTrue reads a flag attribute that is off unless it says true.
func isTrue(v string) bool {
	v = strings.TrimSpace(v)
	return strings.EqualFold(v, "true") || v == "1"
}

func (p *parser) definitions(root *node) *Definitions {
	defs := &Definitions{
		Messages: map[string]*Message{},
		Errors:   map[string]*Error{},
		Signals:  map[string]*Signal{},

		Escalations: map[string]*Escalation{},
	}
	p.defs = defs
	if !root.is(nsBPMN, "definitions") {
		p.problem(root.line, "", "", fmt.Sprintf("root element must be bpmn:definitions in namespace %s, found %s", nsBPMN, describe(root)))
		return defs
	}
	defs.ID = root.get("id")
	p.checkIDs(root, map[string]int{})

	for _, c := range root.children {
		if c.space != nsBPMN {
			continue
		}
		switch c.local {
		case "message":
			p.message(c)
		case "error":
			p.error(c)
		case "signal":
			p.signal(c)
		case "escalation":
			p.escalation(c)
		}
	}

	executable := false
	for _, c := range root.children {
		if c.is(nsBPMN, "process") {
			proc := p.process(c)
			defs.Processes = append(defs.Processes, proc)
			executable = executable || proc.Executable
		}
	}
	switch {
	case len(defs.Processes) == 0:
		p.problem(root.line, "", "", "no process: the file has no bpmn:process")
	case !executable:
		p.problem(root.line, "", "", `no executable process: set isExecutable="true" on at least one process`)
	}
	return defs
}

// describe names an element for a message.
func describe(n *node) string {
	if n.space == "" {
		return fmt.Sprintf("'%s' without a namespace", n.local)
	}
	return fmt.Sprintf("'%s' in namespace %s", n.local, n.space)
}

// checkIDs reports every BPMN element whose id was already used in the
// file, and collects the event definitions that eventDefinitionRef may name.
func (p *parser) checkIDs(n *node, seen map[string]int) {
	if n.space == nsBPMN {
		if id := n.get("id"); id != "" {
			if first, dup := seen[id]; dup {
				p.problem(n.line, id, "id", fmt.Sprintf("duplicate id: already used on line %d", first))
			} else {
				seen[id] = n.line
				if strings.HasSuffix(n.local, "EventDefinition") {
					p.eventDefs[id] = n
				}
			}
		}
	}
	for _, c := range n.children {
		p.checkIDs(c, seen)
	}
}

// zeebeElements returns the Zeebe extension elements of n, in document order.
func zeebeElements(n *node) []*node {
	var out []*node
	for _, c := range n.children {
		if !c.is(nsBPMN, "extensionElements") {
			continue
		}
		for _, z := range c.children {
			if z.space == nsZeebe {
				out = append(out, z)
			}
		}
	}
	return out
}

// zeebeChildren returns the children of a Zeebe element named local.
func zeebeChildren(n *node, local string) []*node {
	var out []*node
	for _, c := range n.children {
		if c.is(nsZeebe, local) {
			out = append(out, c)
		}
	}
	return out
}

func (p *parser) message(n *node) {
	id := n.get("id")
	if id == "" {
		p.problem(n.line, "", "id", "message has no id")
		return
	}
	m := &Message{ID: id, Line: n.line}
	if v, ok := n.attr("name"); ok && v != "" {
		m.Name = p.expression(n.line, id, "name", v)
	}
	for _, z := range zeebeElements(n) {
		if z.local == "subscription" {
			m.CorrelationKey = p.optional(z, id, "zeebe:subscription correlationKey", "correlationKey")
		}
	}
	if _, dup := p.defs.Messages[id]; !dup {
		p.defs.Messages[id] = m
	}
}

func (p *parser) error(n *node) {
	id := n.get("id")
	if id == "" {
		p.problem(n.line, "", "id", "error has no id")
		return
	}
	e := &Error{ID: id, Name: n.get("name"), Line: n.line}
	e.Code = p.optional(n, id, "errorCode", "errorCode")
	if _, dup := p.defs.Errors[id]; !dup {
		p.defs.Errors[id] = e
	}
}

func (p *parser) signal(n *node) {
	id := n.get("id")
	if id == "" {
		p.problem(n.line, "", "id", "signal has no id")
		return
	}
	s := &Signal{ID: id, Line: n.line}
	if v, ok := n.attr("name"); ok && v != "" {
		s.Name = p.expression(n.line, id, "name", v)
	}
	if _, dup := p.defs.Signals[id]; !dup {
		p.defs.Signals[id] = s
	}
}

func (p *parser) escalation(n *node) {
	id := n.get("id")
	if id == "" {
		p.problem(n.line, "", "id", "escalation has no id")
		return
	}
	e := &Escalation{ID: id, Name: n.get("name"), Line: n.line}
	e.Code = p.optional(n, id, "escalationCode", "escalationCode")
	if _, dup := p.defs.Escalations[id]; !dup {
		p.defs.Escalations[id] = e
	}
}

// lookup finds a referenced root element by id. References are QNames in
// BPMN, so a prefixed reference ("tns:Message_1") falls back to its local part.
func lookup[T any](m map[string]*T, ref string) *T {
	ref = strings.TrimSpace(ref)
	if v, ok := m[ref]; ok {
		return v
	}
	if i := strings.LastIndexByte(ref, ':'); i >= 0 {
		return m[ref[i+1:]]
	}
	return nil
}

// reference resolves the attribute attribute of n against m, reporting a
// reference that names nothing. An absent or empty attribute gives nil.
func reference[T any](p *parser, n *node, id, attribute, what string, m map[string]*T) *T {
	ref := strings.TrimSpace(n.get(attribute))
	if ref == "" {
		return nil
	}
	v := lookup(m, ref)
	if v == nil {
		p.problem(n.line, id, attribute, fmt.Sprintf("unknown %s '%s'", what, ref))
	}
	return v
}
