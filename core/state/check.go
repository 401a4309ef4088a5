package state

import "fmt"

// Check verifies the state's internal consistency: every index agrees with
// the tables it indexes. Tests call it after every command; it returns the
// first inconsistency found.
func (s *State) Check() error {
	queued := map[int64]bool{}
	for t, q := range s.activatable {
		for _, k := range q.first(q.len()) {
			j := s.jobs[k]
			if j == nil || j.State != JobActivatable || j.Value.Type != t {
				return fmt.Errorf("job %d is queued as activatable for type %q but is %v", k, t, j)
			}
			if queued[k] {
				return fmt.Errorf("job %d is queued twice", k)
			}
			queued[k] = true
		}
	}
	for _, k := range sortedKeys(s.jobs) {
		j := s.jobs[k]
		if (j.State == JobActivatable) != queued[k] {
			return fmt.Errorf("job %d in state %s: queued=%v", k, j.State, queued[k])
		}
		if _, ok := s.deadlines.at[k]; ok != (j.State == JobActivated) {
			return fmt.Errorf("job %d in state %s: has deadline=%v", k, j.State, ok)
		}
		if _, ok := s.backoffs.at[k]; ok != (j.State == JobBackingOff) {
			return fmt.Errorf("job %d in state %s: backing off=%v", k, j.State, ok)
		}
		if e := s.elements[j.Value.ElementInstanceKey]; e == nil || e.JobKey != k {
			return fmt.Errorf("job %d belongs to element instance %d, which does not point back at it", k, j.Value.ElementInstanceKey)
		}
	}
	for _, k := range sortedKeys(s.elements) {
		e := s.elements[k]
		kids := s.children[k]
		var active int32
		for c := range kids {
			if ce := s.elements[c]; ce == nil || ce.Value.FlowScopeKey != k {
				return fmt.Errorf("element instance %d lists child %d that is gone or not its child", k, c)
			}
			active++
		}
		if active != e.ActiveChildren {
			return fmt.Errorf("element instance %d counts %d active children but has %d", k, e.ActiveChildren, active)
		}
		if e.Value.FlowScopeKey > 0 && s.elements[e.Value.FlowScopeKey] == nil {
			return fmt.Errorf("element instance %d has no flow scope %d", k, e.Value.FlowScopeKey)
		}
		if e.IncidentKey != 0 && s.incidents[e.IncidentKey] == nil {
			return fmt.Errorf("element instance %d points at missing incident %d", k, e.IncidentKey)
		}
	}
	for _, k := range sortedKeys(s.ev.timers) {
		t := s.ev.timers[k]
		if t.Value.ElementInstanceKey > 0 && s.elements[t.Value.ElementInstanceKey] == nil {
			return fmt.Errorf("timer %d outlives element instance %d", k, t.Value.ElementInstanceKey)
		}
		if _, ok := s.ev.timerDue.at[k]; !ok {
			return fmt.Errorf("timer %d is not scheduled", k)
		}
	}
	for _, k := range sortedKeys(s.ev.subs) {
		if e := s.ev.subs[k].Value.ElementInstanceKey; s.elements[e] == nil {
			return fmt.Errorf("message subscription %d outlives element instance %d", k, e)
		}
	}
	for _, k := range sortedKeys(s.userTasks) {
		if e := s.userTasks[k].Value.ElementInstanceKey; s.elements[e] == nil || s.userTaskByElement[e] != k {
			return fmt.Errorf("user task %d outlives element instance %d or is not indexed", k, e)
		}
	}
	for _, k := range sortedKeys(s.vars) {
		if s.elements[k] == nil {
			return fmt.Errorf("variables of scope %d outlive their scope", k)
		}
	}
	return s.checkTenants()
}
