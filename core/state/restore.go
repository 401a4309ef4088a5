package state

import (
	"fmt"

	"github.com/example/wf-engine/core/record"
)

// Snapshot is the live part of a state as a store keeps it in rows: what a
// restart loads instead of replaying the log.
type Snapshot struct {
	LastKey, LastPosition     int64
	Processes                 []record.ProcessValue
	Elements                  []ElementRow  // element instances that are not final
	Variables                 []VariableRow // variables of those element instances
	Jobs                      []Job         // jobs that are neither completed nor canceled
	Incidents                 []IncidentRow // incidents that are not resolved
	Timers                    []Timer       // timers that neither fired nor were canceled
	MessageSubscriptions      []MessageSubscription
	Messages                  []Message // buffered messages that have not expired
	StartSubscriptions        []StartSubscription
	SignalSubscriptions       []SignalSubscription
	CompensationSubscriptions []CompensationSubscription
	UserTasks                 []UserTask // open user tasks
	Tenants                   []Tenant   // tenants that were not deleted
	TenantMembers             []TenantMember
	Forms                     []record.FormValue
	// DeletedProcesses and DeletedForms are the deleted definitions and
	// forms: Restore only notes their versions, which are never reused.
	DeletedProcesses []record.ProcessValue
	DeletedForms     []record.FormValue
	// Inbox and RemoteSubscriptions are the partition's rows of other
	// partitions (partitions.go), the live ones.
	Inbox               []InboxRow
	RemoteSubscriptions []RemoteSubscription
}

// Live reports whether a stored job row still belongs in the state.
func (j *Job) Live() bool { return j.State != JobCompleted && j.State != JobCanceled }

// Restore builds a state from a snapshot. It is the only way besides the
// appliers to fill a state, and it writes exactly what the appliers wrote.
func Restore(parse ParseFunc, sem Semantics, snap *Snapshot) (*State, error) {
	s := New(parse, sem)
	s.lastKey, s.lastPosition = snap.LastKey, snap.LastPosition
	for _, p := range snap.Processes {
		def := &ProcessDefinition{ProcessValue: p}
		s.processes[p.ProcessDefinitionKey] = def
		s.indexLatest(def)
	}
	for _, r := range snap.Elements {
		if r.State.Final() {
			return nil, fmt.Errorf("restore element instance %d: it is %s", r.Key, r.State)
		}
		e := &ElementInstance{Key: r.Key, State: r.State, Value: r.Value, ActiveChildren: r.ActiveChildren, JobKey: r.JobKey,
			IncidentKey: r.IncidentKey, StartTime: r.StartTime, EndTime: r.EndTime, StartedByKey: r.StartedByKey,
			StartPosition: r.StartPosition, TraceParent: r.TraceParent}
		if e.Value.FlowScopeKey <= 0 && e.StartedByKey != "" {
			s.ev.byCorrelation[startedKey(e.Value.TenantID, e.Value.BPMNProcessID, e.StartedByKey)] = e.Key
		}
		if len(r.Waiting) > 0 {
			e.Waiting = make(map[string]int32, len(r.Waiting))
			for f, n := range r.Waiting {
				e.Waiting[f] = n
			}
		}
		s.elements[r.Key] = e
	}
	for _, p := range snap.DeletedProcesses {
		noteVersion(s.dl.versions, inTenant(p.TenantID, p.BPMNProcessID), p.Version)
	}
	for _, f := range snap.DeletedForms {
		noteVersion(s.dl.formVersions, inTenant(f.TenantID, f.FormID), f.Version)
	}
	for _, e := range s.elements {
		if e.Value.FlowScopeKey <= 0 {
			s.instanceStarted(e.Value.ProcessDefinitionKey)
		}
		if e.Value.FlowScopeKey <= 0 && e.Value.ParentElementInstanceKey > 0 {
			s.called[e.Value.ParentElementInstanceKey] = e.Key
		}
		if e.Value.FlowScopeKey > 0 {
			kids := s.children[e.Value.FlowScopeKey]
			if kids == nil {
				kids = map[int64]struct{}{}
				s.children[e.Value.FlowScopeKey] = kids
			}
			kids[e.Key] = struct{}{}
		}
	}
	for _, v := range snap.Variables {
		scope := s.vars[v.ScopeKey]
		if scope == nil {
			scope = map[string]*Variable{}
			s.vars[v.ScopeKey] = scope
		}
		scope[v.Name] = &Variable{Key: v.Key, Name: v.Name, Value: v.Value}
	}
	for i := range snap.Jobs {
		j := snap.Jobs[i]
		if !j.Live() {
			return nil, fmt.Errorf("restore job %d: it is %s", j.Key, j.State)
		}
		s.jobs[j.Key] = &j
		switch j.State {
		case JobActivatable:
			s.enqueue(&j)
		case JobActivated:
			s.deadlines.set(j.Key, j.Value.Deadline)
		case JobBackingOff:
			s.backoffs.set(j.Key, j.Value.RecurringTime)
		}
	}
	for _, r := range snap.Incidents {
		if r.Resolved {
			return nil, fmt.Errorf("restore incident %d: it is resolved", r.Key)
		}
		s.incidents[r.Key] = &Incident{Key: r.Key, Value: r.Value, CreationTime: r.CreationTime}
	}
	for _, t := range snap.Timers {
		r := &record.Record{Key: t.Key, Value: &t.Value}
		if err := applyTimerCreated(s, r); err != nil {
			return nil, err
		}
	}
	for _, m := range snap.MessageSubscriptions {
		if err := applySubscriptionCreated(s, &record.Record{Key: m.Key, Value: &m.Value}); err != nil {
			return nil, err
		}
	}
	for _, m := range snap.Messages {
		if err := applyMessagePublished(s, &record.Record{Key: m.Key, Value: &m.Value}); err != nil {
			return nil, err
		}
		s.ev.messages[m.Key].Correlated = append([]string(nil), m.Correlated...)
	}
	for _, m := range snap.StartSubscriptions {
		if err := applyStartSubscriptionCreated(s, &record.Record{Key: m.Key, Value: &m.Value}); err != nil {
			return nil, err
		}
	}
	for _, m := range snap.SignalSubscriptions {
		if err := applySignalSubscriptionCreated(s, &record.Record{Key: m.Key, Value: &m.Value}); err != nil {
			return nil, err
		}
	}
	for _, m := range snap.CompensationSubscriptions {
		if err := applyCompensationCreated(s, &record.Record{Key: m.Key, Value: &m.Value}); err != nil {
			return nil, err
		}
	}
	for _, u := range snap.UserTasks {
		if err := applyUserTaskCreated(s, &record.Record{Key: u.Key, Value: &u.Value}); err != nil {
			return nil, err
		}
	}
	for _, t := range snap.Tenants {
		if err := applyTenantCreated(s, &record.Record{Key: t.Key, Value: &t.Value}); err != nil {
			return nil, fmt.Errorf("restore tenant %d: %w", t.Key, err)
		}
	}
	for i := range snap.Forms {
		if err := applyFormCreated(s, &record.Record{Key: snap.Forms[i].FormKey, Value: &snap.Forms[i]}); err != nil {
			return nil, fmt.Errorf("restore form %d: %w", snap.Forms[i].FormKey, err)
		}
	}
	for _, m := range snap.TenantMembers {
		if err := applyTenantEntityAdded(s, &record.Record{Key: m.Key, Value: &m.Value}); err != nil {
			return nil, fmt.Errorf("restore tenant membership %d: %w", m.Key, err)
		}
	}
	s.recountGauges()
	s.changes = newChanges() // restoring is not a change
	if err := s.Check(); err != nil {
		return nil, fmt.Errorf("restored state is inconsistent: %w", err)
	}
	s.restoreCrossing(snap)
	return s, nil
}
