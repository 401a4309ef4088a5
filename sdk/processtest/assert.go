package processtest

import (
	"fmt"
	"strings"
)

// fail reports a failed assertion on the instance: what was expected, then
// what the instance did.
func (i *Instance) fail(h *history, format string, args ...any) bool {
	i.e.t.Helper()
	i.e.t.Errorf("processtest: expected process instance %d (%s) %s\n%s", h.key, h.processID, fmt.Sprintf(format, args...), h.details())
	return false
}

// IsCompleted asserts that the instance completed.
func (i *Instance) IsCompleted() bool {
	i.e.t.Helper()
	return i.isIn(stateCompleted)
}

// IsActive asserts that the instance has not ended (incidents included).
func (i *Instance) IsActive() bool {
	i.e.t.Helper()
	return i.isIn(stateActive)
}

// IsTerminated asserts that the instance was terminated: cancelled, or
// ended by a terminate end event.
func (i *Instance) IsTerminated() bool {
	i.e.t.Helper()
	return i.isIn(stateTerminated)
}

func (i *Instance) isIn(want string) bool {
	i.e.t.Helper()
	h := i.history()
	if h.state == want {
		return true
	}
	return i.fail(h, "to be %s, but it is %s", want, h.state)
}

// HasPassed asserts that each of the elements completed at least once, in
// any order. Elements that were terminated (an interrupted task, say) have
// not passed.
func (i *Instance) HasPassed(elementIDs ...string) bool {
	i.e.t.Helper()
	h := i.history()
	var missing []string
	for _, id := range elementIDs {
		if !h.hasCompleted(id) {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return true
	}
	return i.fail(h, "to have passed %s, but it has not passed %s", strings.Join(elementIDs, ", "), strings.Join(missing, ", "))
}

// HasPassedInOrder asserts that the elements completed in this order; other
// elements may have completed before, between and after them.
func (i *Instance) HasPassedInOrder(elementIDs ...string) bool {
	i.e.t.Helper()
	h := i.history()
	next := 0
	for _, id := range h.completed() {
		if next < len(elementIDs) && id == elementIDs[next] {
			next++
		}
	}
	if next == len(elementIDs) {
		return true
	}
	why := fmt.Sprintf("%s did not complete", elementIDs[next])
	if next > 0 {
		why = fmt.Sprintf("%s did not complete after %s", elementIDs[next], elementIDs[next-1])
	}
	return i.fail(h, "to have passed %s in that order, but %s", strings.Join(elementIDs, ", "), why)
}

// HasPassedTimes asserts that the element completed exactly times times,
// as a loop or a timer cycle makes it do.
func (i *Instance) HasPassedTimes(elementID string, times int) bool {
	i.e.t.Helper()
	h := i.history()
	n := 0
	for _, id := range h.completed() {
		if id == elementID {
			n++
		}
	}
	if n == times {
		return true
	}
	return i.fail(h, "to have passed %s %d times, but it passed it %d times", elementID, times, n)
}

// HasNotPassed asserts that none of the elements completed.
func (i *Instance) HasNotPassed(elementIDs ...string) bool {
	i.e.t.Helper()
	h := i.history()
	var passed []string
	for _, id := range elementIDs {
		if h.hasCompleted(id) {
			passed = append(passed, id)
		}
	}
	if len(passed) == 0 {
		return true
	}
	return i.fail(h, "not to have passed %s, but it passed %s", strings.Join(elementIDs, ", "), strings.Join(passed, ", "))
}

// IsWaitingAt asserts that each of the elements has an instance that has
// not ended: the process waits there for a job, a user, a message, a timer
// or an incident to be resolved.
func (i *Instance) IsWaitingAt(elementIDs ...string) bool {
	i.e.t.Helper()
	h := i.history()
	var missing []string
	for _, id := range elementIDs {
		if !h.isActive(id) {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return true
	}
	return i.fail(h, "to be waiting at %s, but it is not waiting at %s", strings.Join(elementIDs, ", "), strings.Join(missing, ", "))
}

// HasVariable asserts that the process scope has the variable with a value
// deeply equal to want, comparing both as JSON documents: 3, int64(3) and
// 3.0 are the same number, and a struct equals the object it encodes to.
func (i *Instance) HasVariable(name string, want any) bool {
	i.e.t.Helper()
	h := i.history()
	got, ok := h.vars[name]
	if !ok {
		return i.fail(h, "to have variable %s = %s, but it has no variable %s", name, display(want), name)
	}
	same, err := sameValue(want, got)
	if err != nil {
		i.e.t.Errorf("processtest: HasVariable(%q): cannot compare with the expected value: %v", name, err)
		return false
	}
	if same {
		return true
	}
	return i.fail(h, "to have variable %s = %s, but it is %s", name, display(want), h.shown[name])
}

// HasIncident asserts that an incident on the element is open and that its
// error type or message contains substring (any incident there matches an
// empty substring).
func (i *Instance) HasIncident(elementID, substring string) bool {
	i.e.t.Helper()
	h := i.history()
	for _, in := range h.incidents {
		if in.elementID == elementID && (strings.Contains(in.message, substring) || strings.Contains(string(in.errorType), substring)) {
			return true
		}
	}
	if substring == "" {
		return i.fail(h, "to have an open incident on %s, but it has none there", elementID)
	}
	return i.fail(h, "to have an open incident on %s mentioning %q, but it has none", elementID, substring)
}

// HasNoIncidents asserts that the instance has no open incident.
func (i *Instance) HasNoIncidents() bool {
	i.e.t.Helper()
	h := i.history()
	if len(h.incidents) == 0 {
		return true
	}
	return i.fail(h, "to have no open incidents, but it has %d", len(h.incidents))
}
