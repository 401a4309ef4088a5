package state

import "fmt"

// Check verifies the state's internal consistency: every index agrees with
// the tables it indexes. Tests call it after every command; it returns the
// first inconsistency found.
func (s *State) Check() error {
	if err := s.checkLatest(); err != nil {
		return err
	}
	if err := s.checkGauges(); err != nil {
		return err
	}
	if err := s.checkDeletions(); err != nil {
		return err
	}
	queued := map[int64]bool{}
	for t, byTenant := range s.activatable {
		if len(byTenant) == 0 {
			return fmt.Errorf("job type %q has an empty activatable index", t)
		}
		for tenant, q := range byTenant {
			if q.len() == 0 {
				return fmt.Errorf("job type %q has an empty activatable queue for tenant %q", t, tenant)
			}
			for _, k := range q.first(q.len()) {
				j := s.jobs[k]
				if j == nil || j.State != JobActivatable || j.Value.Type != t || TenantOrDefault(j.Value.TenantID) != tenant {
					return fmt.Errorf("job %d is queued as activatable for type %q in tenant %q but is %v", k, t, tenant, j)
				}
				if queued[k] {
					return fmt.Errorf("job %d is queued twice", k)
				}
				queued[k] = true
			}
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
	if err := s.checkMessageIndexes(); err != nil {
		return err
	}
	if err := s.checkSignals(); err != nil {
		return err
	}
	if err := s.checkCompensations(); err != nil {
		return err
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

// checkLatest verifies that the latest index names, for each tenant and
// BPMN process id, the highest version deployed there, and nothing else.
func (s *State) checkLatest() error {
	want := map[string]*ProcessDefinition{}
	for _, k := range sortedKeys(s.processes) {
		p := s.processes[k]
		id := inTenant(p.TenantID, p.BPMNProcessID)
		if cur := want[id]; cur == nil || cur.Version < p.Version {
			want[id] = p
		} else if cur.Version == p.Version {
			return fmt.Errorf("process %s version %d is deployed twice in tenant %q (keys %d and %d)",
				p.BPMNProcessID, p.Version, TenantOrDefault(p.TenantID), cur.ProcessDefinitionKey, k)
		}
	}
	if len(want) != len(s.latest) {
		return fmt.Errorf("the latest index has %d entries for %d processes", len(s.latest), len(want))
	}
	for id, p := range want {
		if s.latest[id] != p {
			return fmt.Errorf("the latest version of process %s in tenant %q is %d, but the index names %v",
				p.BPMNProcessID, TenantOrDefault(p.TenantID), p.Version, s.latest[id])
		}
	}
	return nil
}

// checkMessageIndexes verifies that subscriptions, buffered messages and
// message start subscriptions are indexed under their tenant, and that the
// instances a message started are those indexed by correlation key.
func (s *State) checkMessageIndexes() error {
	n := 0
	for _, k := range sortedKeys(s.ev.subs) {
		v := &s.ev.subs[k].Value
		if _, ok := s.ev.subsByName[msgKey(v.TenantID, v.MessageName, v.CorrelationKey)][k]; !ok {
			return fmt.Errorf("message subscription %d is not indexed under tenant %q, message %q and key %q", k, TenantOrDefault(v.TenantID), v.MessageName, v.CorrelationKey)
		}
	}
	for _, set := range s.ev.subsByName {
		n += len(set)
	}
	if n != len(s.ev.subs) {
		return fmt.Errorf("%d message subscriptions are indexed by name, but %d are open", n, len(s.ev.subs))
	}
	n = 0
	ids := 0
	for _, k := range sortedKeys(s.ev.messages) {
		v := &s.ev.messages[k].Value
		nk := msgKey(v.TenantID, v.Name, v.CorrelationKey)
		if !containsKey(s.ev.msgsByName[nk], k) {
			return fmt.Errorf("message %d is not indexed under tenant %q, name %q and key %q", k, TenantOrDefault(v.TenantID), v.Name, v.CorrelationKey)
		}
		if v.MessageID != "" {
			ids++
			if s.ev.messageIDs[nk+"\x00"+v.MessageID] != k {
				return fmt.Errorf("message %d is not indexed by its id %q in tenant %q", k, v.MessageID, TenantOrDefault(v.TenantID))
			}
		}
	}
	for _, keys := range s.ev.msgsByName {
		n += len(keys)
	}
	if n != len(s.ev.messages) || ids != len(s.ev.messageIDs) {
		return fmt.Errorf("%d messages and %d message ids are indexed, but %d messages with %d ids are buffered", n, len(s.ev.messageIDs), len(s.ev.messages), ids)
	}
	n = 0
	for _, k := range sortedKeys(s.ev.starts) {
		v := &s.ev.starts[k].Value
		if _, ok := s.ev.startsByName[inTenant(v.TenantID, v.MessageName)][k]; !ok {
			return fmt.Errorf("message start subscription %d is not indexed under tenant %q and message %q", k, TenantOrDefault(v.TenantID), v.MessageName)
		}
		if p := s.processes[v.ProcessDefinitionKey]; p == nil || TenantOrDefault(p.TenantID) != TenantOrDefault(v.TenantID) {
			return fmt.Errorf("message start subscription %d of tenant %q belongs to process definition %d of another tenant, or to none", k, TenantOrDefault(v.TenantID), v.ProcessDefinitionKey)
		}
	}
	for _, set := range s.ev.startsByName {
		n += len(set)
	}
	if n != len(s.ev.starts) {
		return fmt.Errorf("%d message start subscriptions are indexed by name, but %d are open", n, len(s.ev.starts))
	}
	for _, k := range sortedKeys(s.elements) {
		e := s.elements[k]
		if e.Value.FlowScopeKey > 0 || e.StartedByKey == "" {
			continue
		}
		if got := s.ev.byCorrelation[startedKey(e.Value.TenantID, e.Value.BPMNProcessID, e.StartedByKey)]; got != k {
			return fmt.Errorf("process instance %d started by correlation key %q is not indexed (the index names %d)", k, e.StartedByKey, got)
		}
	}
	for id, k := range s.ev.byCorrelation {
		e := s.elements[k]
		if e == nil || e.StartedByKey == "" || startedKey(e.Value.TenantID, e.Value.BPMNProcessID, e.StartedByKey) != id {
			return fmt.Errorf("the correlation index names process instance %d, which is gone or was not started by that key", k)
		}
	}
	return nil
}

func containsKey(keys []int64, k int64) bool {
	for _, x := range keys {
		if x == k {
			return true
		}
	}
	return false
}
