package state

import (
	"fmt"

	"github.com/example/wf-engine/core/record"
)

// The MIGRATED events of a process instance migration each move one entity
// to the target process definition. They change only what names the
// definition and the element (and, for a message subscription, whether its
// boundary event interrupts); keys, states and everything a user or worker
// set stay as they were.

// applyElementMigrated moves an element instance (the process instance
// itself included) to its element in the target definition.
func applyElementMigrated(s *State, r *record.Record) error {
	e := s.elements[r.Key]
	if e == nil {
		return fmt.Errorf("element instance %d is not active", r.Key)
	}
	v := r.Value.(*record.ProcessInstanceValue)
	old := e.Value
	if v.ProcessInstanceKey != old.ProcessInstanceKey || v.FlowScopeKey != old.FlowScopeKey {
		return fmt.Errorf("element instance %d cannot change its process instance or flow scope in a migration", r.Key)
	}
	e.Value = *v
	if old.FlowScopeKey <= 0 {
		s.instanceMigrated(e, &old)
	}
	s.markElement(e)
	return nil
}

// instanceMigrated moves what is indexed by a process instance's definition:
// its count among the definition's active instances and the correlation key
// of the message that started it.
func (s *State) instanceMigrated(e *ElementInstance, old *record.ProcessInstanceValue) {
	if old.ProcessDefinitionKey != e.Value.ProcessDefinitionKey {
		s.instanceGone(old.ProcessDefinitionKey)
		s.instanceStarted(e.Value.ProcessDefinitionKey)
	}
	if e.StartedByKey == "" || old.BPMNProcessID == e.Value.BPMNProcessID {
		return
	}
	from := startedKey(old.TenantID, old.BPMNProcessID, e.StartedByKey)
	if s.ev.byCorrelation[from] == e.Key {
		delete(s.ev.byCorrelation, from)
		s.ev.byCorrelation[startedKey(e.Value.TenantID, e.Value.BPMNProcessID, e.StartedByKey)] = e.Key
	}
}

func applyJobMigrated(s *State, r *record.Record) error {
	j, err := s.job(r.Key)
	if err != nil {
		return err
	}
	v := r.Value.(*record.JobValue)
	j.Value.ElementID = v.ElementID
	j.Value.BPMNProcessID = v.BPMNProcessID
	j.Value.ProcessDefinitionVersion = v.ProcessDefinitionVersion
	j.Value.ProcessDefinitionKey = v.ProcessDefinitionKey
	s.markJob(j)
	return nil
}

func applyUserTaskMigrated(s *State, r *record.Record) error {
	t, err := s.userTask(r.Key)
	if err != nil {
		return err
	}
	v := r.Value.(*record.UserTaskValue)
	t.Value.ElementID = v.ElementID
	t.Value.Name = v.Name
	t.Value.BPMNProcessID = v.BPMNProcessID
	t.Value.ProcessDefinitionVersion = v.ProcessDefinitionVersion
	t.Value.ProcessDefinitionKey = v.ProcessDefinitionKey
	s.markUserTask(t, true)
	return nil
}

func applyTimerMigrated(s *State, r *record.Record) error {
	t := s.ev.timers[r.Key]
	if t == nil {
		return fmt.Errorf("timer %d does not exist", r.Key)
	}
	v := r.Value.(*record.TimerValue)
	t.Value.ElementID = v.ElementID
	t.Value.BPMNProcessID = v.BPMNProcessID
	t.Value.ProcessDefinitionKey = v.ProcessDefinitionKey
	s.markTimer(t, true)
	return nil
}

func applySubscriptionMigrated(s *State, r *record.Record) error {
	sub := s.ev.subs[r.Key]
	if sub == nil {
		return fmt.Errorf("message subscription %d does not exist", r.Key)
	}
	v := r.Value.(*record.MessageSubscriptionValue)
	sub.Value.ElementID = v.ElementID
	sub.Value.BPMNProcessID = v.BPMNProcessID
	sub.Value.ProcessDefinitionKey = v.ProcessDefinitionKey
	sub.Value.Interrupting = v.Interrupting
	s.markSubscription(sub, true)
	return nil
}

func applyIncidentMigrated(s *State, r *record.Record) error {
	i := s.incidents[r.Key]
	if i == nil {
		return fmt.Errorf("incident %d does not exist", r.Key)
	}
	v := r.Value.(*record.IncidentValue)
	i.Value.ElementID = v.ElementID
	i.Value.BPMNProcessID = v.BPMNProcessID
	i.Value.ProcessDefinitionKey = v.ProcessDefinitionKey
	s.markIncident(i, false)
	return nil
}
