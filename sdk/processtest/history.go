package processtest

import (
	"fmt"
	"sort"
	"strings"

	"github.com/example/wf-engine/core/record"
)

// Instance states, as the failure messages name them.
const (
	stateActive     = "active"
	stateCompleted  = "completed"
	stateTerminated = "terminated"
)

// history is what one process instance did, rebuilt from the log: plain
// data that keeps no reference into the engine.
type history struct {
	found     bool
	key       int64
	processID string
	state     string
	// passed lists the elements that ended, in the order they ended.
	passed []passage
	// active lists the elements that have not ended, in activation order.
	active []activeElement
	// vars holds the process scope's variables, normalised.
	vars map[string]any
	// shown holds the same variables as JSON, for printing.
	shown     map[string]string
	incidents []openIncident
}

// passage is an element instance that ended.
type passage struct {
	elementID  string
	terminated bool
}

type activeElement struct {
	key       int64
	elementID string
}

// openIncident is an incident on the instance that is not resolved.
type openIncident struct {
	key       int64
	elementID string
	errorType record.ErrorType
	message   string
}

// historyOf rebuilds the history of the process instance key from log.
func historyOf(log []*record.Record, key int64) *history {
	h := &history{key: key, state: stateActive, vars: map[string]any{}, shown: map[string]string{}}
	for _, r := range log {
		if r.Kind != record.KindEvent {
			continue
		}
		switch v := r.Value.(type) {
		case *record.ProcessInstanceValue:
			if v.ProcessInstanceKey == key {
				h.element(r, v)
			}
		case *record.VariableValue:
			if v.ScopeKey == key {
				h.shown[v.Name] = display(v.Value)
				n, err := normalize(v.Value)
				if err != nil {
					n = fmt.Sprintf("<%v>", err)
				}
				h.vars[v.Name] = n
			}
		case *record.IncidentValue:
			if v.ProcessInstanceKey != key {
				continue
			}
			switch r.Intent {
			case record.IntentIncidentCreated:
				h.incidents = append(h.incidents, openIncident{key: r.Key, elementID: v.ElementID, errorType: v.ErrorType, message: v.ErrorMessage})
			case record.IntentIncidentResolved:
				h.incidents = removeIncident(h.incidents, r.Key)
			}
		}
	}
	return h
}

func (h *history) element(r *record.Record, v *record.ProcessInstanceValue) {
	if r.Key == h.key {
		h.found = true
		h.processID = v.BPMNProcessID
		switch r.Intent {
		case record.IntentElementCompleted:
			h.state = stateCompleted
		case record.IntentElementTerminated:
			h.state = stateTerminated
		}
		return
	}
	switch r.Intent {
	case record.IntentElementActivating:
		h.active = append(h.active, activeElement{key: r.Key, elementID: v.ElementID})
	case record.IntentElementCompleted, record.IntentElementTerminated:
		for i, a := range h.active {
			if a.key == r.Key {
				h.active = append(h.active[:i], h.active[i+1:]...)
				break
			}
		}
		h.passed = append(h.passed, passage{elementID: v.ElementID, terminated: r.Intent == record.IntentElementTerminated})
	}
}

func removeIncident(list []openIncident, key int64) []openIncident {
	for i, in := range list {
		if in.key == key {
			return append(list[:i], list[i+1:]...)
		}
	}
	return list
}

// completed returns the ids of the elements that completed, in order.
func (h *history) completed() []string {
	var out []string
	for _, p := range h.passed {
		if !p.terminated {
			out = append(out, p.elementID)
		}
	}
	return out
}

// hasCompleted reports whether the element completed at least once.
func (h *history) hasCompleted(elementID string) bool {
	for _, p := range h.passed {
		if !p.terminated && p.elementID == elementID {
			return true
		}
	}
	return false
}

// isActive reports whether an instance of the element has not ended.
func (h *history) isActive(elementID string) bool {
	for _, a := range h.active {
		if a.elementID == elementID {
			return true
		}
	}
	return false
}

// describe renders the instance: its state, then its details.
func (h *history) describe() string {
	return fmt.Sprintf("process instance %d (%s) is %s\n%s", h.key, h.processID, h.state, h.details())
}

// details renders, for a failure message, where the instance went, where
// it waits, its variables and its open incidents.
func (h *history) details() string {
	passed := make([]string, len(h.passed))
	for i, p := range h.passed {
		passed[i] = p.elementID
		if p.terminated {
			passed[i] += " (terminated)"
		}
	}
	active := make([]string, len(h.active))
	for i, a := range h.active {
		active[i] = a.elementID
	}
	return "    passed:    " + listOrNone(passed) +
		"\n    active:    " + listOrNone(active) +
		"\n    variables: " + h.variables() +
		"\n    incidents: " + h.incidentList()
}

// variables renders the process variables as name=json, sorted by name.
func (h *history) variables() string {
	names := make([]string, 0, len(h.shown))
	for n := range h.shown {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + "=" + h.shown[n]
	}
	return listOrNone(parts)
}

func (h *history) incidentList() string {
	parts := make([]string, len(h.incidents))
	for i, in := range h.incidents {
		parts[i] = in.String()
	}
	return listOrNone(parts)
}

func (in openIncident) String() string {
	return fmt.Sprintf("%s: %s: %s", in.elementID, in.errorType, in.message)
}

func listOrNone(items []string) string {
	if len(items) == 0 {
		return "none"
	}
	return strings.Join(items, ", ")
}
