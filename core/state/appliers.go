package state

import (
	"fmt"

	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/record"
)

// applier applies one event version to the state.
type applier func(s *State, r *record.Record) error

type applierKey struct {
	intent  record.Intent
	version uint16
}

// appliers maps every event intent and version to its applier. Changing what
// an event means adds a new version here; old versions stay so old logs replay.
var appliers = map[applierKey]applier{
	{record.IntentDeploymentCreated, 1}:       applyNothing,
	{record.IntentProcessCreated, 1}:          applyProcessCreated,
	{record.IntentProcessInstanceCreated, 1}:  applyInstanceCreated,
	{record.IntentElementActivating, 1}:       applyElementActivating,
	{record.IntentElementActivated, 1}:        applyElementState(ElementActivated),
	{record.IntentElementCompleting, 1}:       applyElementState(ElementCompleting),
	{record.IntentElementCompleted, 1}:        applyElementEnded(ElementCompleted),
	{record.IntentElementTerminating, 1}:      applyElementState(ElementTerminating),
	{record.IntentElementTerminated, 1}:       applyElementEnded(ElementTerminated),
	{record.IntentSequenceFlowTaken, 1}:       applySequenceFlowTaken,
	{record.IntentVariableCreated, 1}:         applyVariableCreated,
	{record.IntentVariableUpdated, 1}:         applyVariableUpdated,
	{record.IntentVariableDocumentUpdated, 1}: applyNothing,
	{record.IntentJobCreated, 1}:              applyJobCreated,
	{record.IntentJobBatchActivated, 1}:       applyJobBatchActivated,
	{record.IntentJobCompleted, 1}:            applyJobEnded(JobCompleted),
	{record.IntentJobCanceled, 1}:             applyJobEnded(JobCanceled),
	{record.IntentJobFailed, 1}:               applyJobFailed,
	{record.IntentJobTimedOut, 1}:             applyJobActivatableAgain,
	{record.IntentJobRecurredAfterBack, 1}:    applyJobActivatableAgain,
	{record.IntentJobRetriesUpdated, 1}:       applyJobRetriesUpdated,
	{record.IntentJobErrorThrown, 1}:          applyJobErrorThrown,
	{record.IntentJobTimeoutUpdated, 1}:       applyJobTimeoutUpdated,
	{record.IntentIncidentCreated, 1}:         applyIncidentCreated,
	{record.IntentIncidentResolved, 1}:        applyIncidentResolved,

	{record.IntentTimerCreated, 1}:                       applyTimerCreated,
	{record.IntentTimerTriggered, 1}:                     applyTimerEnded,
	{record.IntentTimerCanceled, 1}:                      applyTimerEnded,
	{record.IntentMessagePublished, 1}:                   applyMessagePublished,
	{record.IntentMessageExpired, 1}:                     applyMessageExpired,
	{record.IntentMessageCorrelated, 1}:                  applyNothing,
	{record.IntentMessageSubscriptionCreated, 1}:         applySubscriptionCreated,
	{record.IntentMessageSubscriptionCorrelated, 1}:      applySubscriptionEnded,
	{record.IntentMessageSubscriptionDeleted, 1}:         applySubscriptionEnded,
	{record.IntentMessageStartSubscriptionCreated, 1}:    applyStartSubscriptionCreated,
	{record.IntentMessageStartSubscriptionCorrelated, 1}: applyStartSubscriptionCorrelated,
	{record.IntentMessageStartSubscriptionDeleted, 1}:    applyStartSubscriptionDeleted,
	{record.IntentUserTaskCreated, 1}:                    applyUserTaskCreated,
	{record.IntentUserTaskAssigned, 1}:                   applyUserTaskAssigned,
	{record.IntentUserTaskUpdated, 1}:                    applyUserTaskUpdated,
	{record.IntentUserTaskCompleted, 1}:                  applyUserTaskEnded(UserTaskCompleted),
	{record.IntentUserTaskCanceled, 1}:                   applyUserTaskEnded(UserTaskCanceled),
	{record.IntentTenantCreated, 1}:                      applyTenantCreated,
	{record.IntentTenantUpdated, 1}:                      applyTenantUpdated,
	{record.IntentTenantDeleted, 1}:                      applyTenantDeleted,
	{record.IntentTenantEntityAdded, 1}:                  applyTenantEntityAdded,
	{record.IntentTenantEntityRemoved, 1}:                applyTenantEntityRemoved,
	{record.IntentFormCreated, 1}:                        applyFormCreated,
	{record.IntentSignalBroadcasted, 1}:                  applyNothing,
	{record.IntentEscalationEscalated, 1}:                applyNothing,
	{record.IntentEscalationNotEscalated, 1}:             applyNothing,
	{record.IntentSignalSubscriptionCreated, 1}:          applySignalSubscriptionCreated,
	{record.IntentSignalSubscriptionDeleted, 1}:          applySignalSubscriptionDeleted,
	{record.IntentCompensationSubscriptionCreated, 1}:    applyCompensationCreated,
	{record.IntentCompensationSubscriptionTriggered, 1}:  applyCompensationTriggered,
	{record.IntentCompensationSubscriptionCompleted, 1}:  applyCompensationEnded,
	{record.IntentCompensationSubscriptionDeleted, 1}:    applyCompensationEnded,
	// A migration changes the state through the MIGRATED events that follow it (migration.go).
	{record.IntentProcessInstanceMigrated, 1}:     applyNothing,
	{record.IntentElementMigrated, 1}:             applyElementMigrated,
	{record.IntentJobMigrated, 1}:                 applyJobMigrated,
	{record.IntentUserTaskMigrated, 1}:            applyUserTaskMigrated,
	{record.IntentTimerMigrated, 1}:               applyTimerMigrated,
	{record.IntentMessageSubscriptionMigrated, 1}: applySubscriptionMigrated,
	{record.IntentIncidentMigrated, 1}:            applyIncidentMigrated,
	{record.IntentProcessDeleted, 1}:              applyProcessDeleted,
	{record.IntentFormDeleted, 1}:                 applyFormDeleted,
	{record.IntentResourceDeleted, 1}:             applyNothing,
	// The skipped range's last key is the event's key: Apply moves lastKey.
	{record.IntentKeyRangeSkipped, 1}: applyNothing,
	// A modification changes the state through the element events that follow it.
	{record.IntentProcessInstanceModified, 1}: applyNothing,
	// So does an activation of inner elements of a running container.
	{record.IntentAdHocSubProcessActivated, 1}: applyNothing,
	// An idempotency key's answer is kept by the stores (their
	// idempotency_keys table), not in the state.
	{record.IntentIdempotencyKeyRecorded, 1}: applyNothing,
	// Inter-partition commands (partitions.go).
	{record.IntentInboxApplied, 1}:                     applyInboxApplied,
	{record.IntentPartitionSubscriptionOpened, 1}:      applyRemoteOpened,
	{record.IntentPartitionSubscriptionClosed, 1}:      applyRemoteClosed,
	{record.IntentPartitionSubscriptionCorrelating, 1}: applyRemoteCorrelating,
	{record.IntentPartitionSubscriptionRejected, 1}:    applyRemoteRejected,
}

// EventVersion is the version new events of each intent are written with.
const EventVersion uint16 = 1

// Apply applies one record. Commands and rejections only move the position;
// events change the state through their applier.
func (s *State) Apply(r *record.Record) error {
	if r.Position <= s.lastPosition {
		return fmt.Errorf("apply record at position %d: state is already at position %d", r.Position, s.lastPosition)
	}
	if r.Kind == record.KindEvent {
		a, ok := appliers[applierKey{r.Intent, r.Version}]
		if !ok {
			return fmt.Errorf("apply record at position %d: no applier for %s %s version %d", r.Position, r.ValueType, r.Intent, r.Version)
		}
		if err := a(s, r); err != nil {
			return fmt.Errorf("apply %s %s at position %d: %w", r.ValueType, r.Intent, r.Position, err)
		}
		if r.Key > s.lastKey {
			s.lastKey = r.Key
		}
	}
	s.lastPosition = r.Position
	return nil
}

func applyNothing(*State, *record.Record) error { return nil }

func applyProcessCreated(s *State, r *record.Record) error {
	v := r.Value.(*record.ProcessValue)
	p := &ProcessDefinition{ProcessValue: *v}
	s.processes[r.Key] = p
	s.indexLatest(p)
	s.changes.processes[r.Key] = struct{}{}
	s.changes.dirty = true
	return nil
}

func (s *State) markElement(e *ElementInstance) {
	s.changes.elements[e.Key] = e
	s.changes.dirty = true
}

func applyElementActivating(s *State, r *record.Record) error {
	v := r.Value.(*record.ProcessInstanceValue)
	e := &ElementInstance{Key: r.Key, State: ElementActivating, Value: *v, StartTime: r.Timestamp, StartPosition: r.SourcePosition}
	s.elements[r.Key] = e
	s.markElement(e)
	if v.FlowScopeKey <= 0 {
		s.gg.instanceStarted()
		s.instanceStarted(v.ProcessDefinitionKey)
		if v.ParentElementInstanceKey > 0 {
			s.called[v.ParentElementInstanceKey] = r.Key
		}
		return nil
	}
	scope := s.elements[v.FlowScopeKey]
	if scope == nil {
		return fmt.Errorf("flow scope %d of element %s is not active", v.FlowScopeKey, v.ElementID)
	}
	scope.ActiveChildren++
	s.markElement(scope)
	kids := s.children[v.FlowScopeKey]
	if kids == nil {
		kids = map[int64]struct{}{}
		s.children[v.FlowScopeKey] = kids
	}
	kids[r.Key] = struct{}{}
	if len(scope.Waiting) == 0 {
		return nil
	}
	el, err := s.modelElement(v.ProcessDefinitionKey, v.ElementID)
	if err != nil {
		return err
	}
	if el != nil && s.sem.Interrupts(el) {
		scope.Waiting = nil // the tokens waiting at joins end with the scope's others
		return nil
	}
	if el != nil && s.sem.Joins(el) {
		for _, f := range el.Incoming {
			if n := scope.Waiting[f.ID]; n > 1 {
				scope.Waiting[f.ID] = n - 1
			} else {
				delete(scope.Waiting, f.ID)
			}
		}
	}
	return nil
}

func (s *State) modelElement(definitionKey int64, id string) (*model.Element, error) {
	p := s.processes[definitionKey]
	if p == nil {
		return nil, fmt.Errorf("process definition %d is not deployed", definitionKey)
	}
	m, err := s.Model(p)
	if err != nil {
		return nil, err
	}
	return m.Elements[id], nil
}

func applyElementState(to ElementState) applier {
	return func(s *State, r *record.Record) error {
		e := s.elements[r.Key]
		if e == nil {
			return fmt.Errorf("element instance %d is not active", r.Key)
		}
		e.State = to
		s.markElement(e)
		return nil
	}
}

func applyElementEnded(to ElementState) applier {
	return func(s *State, r *record.Record) error {
		e := s.elements[r.Key]
		if e == nil {
			return fmt.Errorf("element instance %d is not active", r.Key)
		}
		e.State = to
		e.EndTime = r.Timestamp
		s.markElement(e)
		delete(s.elements, r.Key)
		if scope := s.elements[e.Value.FlowScopeKey]; scope != nil && e.Value.FlowScopeKey != e.Key {
			scope.ActiveChildren--
			if to == ElementCompleted && scope.Waiting != nil {
				el, err := s.modelElement(e.Value.ProcessDefinitionKey, e.Value.ElementID)
				if err != nil {
					return err
				}
				if el != nil && s.sem.EndsScope(el) {
					scope.Waiting = nil // the tokens waiting at joins end with the scope's others
				}
			}
			s.markElement(scope)
		}
		delete(s.vars, r.Key)
		delete(s.children, r.Key)
		if e.Value.FlowScopeKey <= 0 {
			s.gg.instanceEnded()
			s.instanceGone(e.Value.ProcessDefinitionKey)
			s.instanceEnded(e)
			if s.called[e.Value.ParentElementInstanceKey] == e.Key {
				delete(s.called, e.Value.ParentElementInstanceKey)
			}
		}
		if kids := s.children[e.Value.FlowScopeKey]; kids != nil {
			delete(kids, r.Key)
		}
		return nil
	}
}

func applySequenceFlowTaken(s *State, r *record.Record) error {
	v := r.Value.(*record.ProcessInstanceValue)
	p := s.processes[v.ProcessDefinitionKey]
	if p == nil {
		return fmt.Errorf("process definition %d is not deployed", v.ProcessDefinitionKey)
	}
	m, err := s.Model(p)
	if err != nil {
		return err
	}
	f := m.Flows[v.ElementID]
	if f == nil {
		return fmt.Errorf("process %s has no sequence flow %s", v.BPMNProcessID, v.ElementID)
	}
	if !s.sem.Joins(f.Target) {
		return nil
	}
	scope := s.elements[v.FlowScopeKey]
	if scope == nil {
		return fmt.Errorf("flow scope %d of sequence flow %s is not active", v.FlowScopeKey, v.ElementID)
	}
	if scope.Waiting == nil {
		scope.Waiting = map[string]int32{}
	}
	scope.Waiting[f.ID]++
	s.markElement(scope)
	return nil
}

func (s *State) markVariable(v *Variable, scope, pi int64) {
	s.changes.variables[varID{scope, v.Name}] = VariableRow{Key: v.Key, ScopeKey: scope, ProcessInstanceKey: pi, Name: v.Name, Value: v.Value}
	s.changes.dirty = true
}

func applyVariableCreated(s *State, r *record.Record) error {
	v := r.Value.(*record.VariableValue)
	scope := s.vars[v.ScopeKey]
	if scope == nil {
		scope = map[string]*Variable{}
		s.vars[v.ScopeKey] = scope
	}
	nv := &Variable{Key: r.Key, Name: v.Name, Value: v.Value}
	scope[v.Name] = nv
	s.markVariable(nv, v.ScopeKey, v.ProcessInstanceKey)
	return nil
}

func applyVariableUpdated(s *State, r *record.Record) error {
	v := r.Value.(*record.VariableValue)
	cur := s.vars[v.ScopeKey][v.Name]
	if cur == nil {
		return fmt.Errorf("variable %s of scope %d does not exist", v.Name, v.ScopeKey)
	}
	cur.Value = v.Value
	s.markVariable(cur, v.ScopeKey, v.ProcessInstanceKey)
	return nil
}

func (s *State) markJob(j *Job) {
	s.changes.jobs[j.Key] = j
	s.changes.dirty = true
}

func (s *State) enqueue(j *Job) {
	byTenant := s.activatable[j.Value.Type]
	if byTenant == nil {
		byTenant = map[string]*jobQueue{}
		s.activatable[j.Value.Type] = byTenant
	}
	tenant := TenantOrDefault(j.Value.TenantID)
	q := byTenant[tenant]
	if q == nil {
		q = newJobQueue()
		byTenant[tenant] = q
	}
	q.add(j.Key)
}

func (s *State) dequeue(j *Job) {
	byTenant := s.activatable[j.Value.Type]
	tenant := TenantOrDefault(j.Value.TenantID)
	if q := byTenant[tenant]; q != nil {
		q.remove(j.Key)
		if q.len() == 0 {
			delete(byTenant, tenant)
			if len(byTenant) == 0 {
				delete(s.activatable, j.Value.Type)
			}
		}
	}
}

func applyJobCreated(s *State, r *record.Record) error {
	v := r.Value.(*record.JobValue)
	j := &Job{Key: r.Key, State: JobActivatable, Value: *v}
	s.jobs[r.Key] = j
	s.enqueue(j)
	s.markJob(j)
	if e := s.elements[v.ElementInstanceKey]; e != nil {
		e.JobKey = r.Key
		s.markElement(e)
	}
	return nil
}

func applyJobBatchActivated(s *State, r *record.Record) error {
	v := r.Value.(*record.JobBatchValue)
	if len(v.JobKeys) != len(v.Jobs) {
		return fmt.Errorf("job batch has %d keys but %d jobs", len(v.JobKeys), len(v.Jobs))
	}
	for i, k := range v.JobKeys {
		j := s.jobs[k]
		if j == nil {
			return fmt.Errorf("job %d does not exist", k)
		}
		s.dequeue(j)
		j.State = JobActivated
		j.Value.Deadline = v.Jobs[i].Deadline
		j.Value.Worker = v.Jobs[i].Worker
		s.deadlines.set(k, j.Value.Deadline)
		s.markJob(j)
	}
	return nil
}

func (s *State) job(key int64) (*Job, error) {
	j := s.jobs[key]
	if j == nil {
		return nil, fmt.Errorf("job %d does not exist", key)
	}
	return j, nil
}

func applyJobEnded(to JobState) applier {
	return func(s *State, r *record.Record) error {
		j, err := s.job(r.Key)
		if err != nil {
			return err
		}
		s.dequeue(j)
		s.deadlines.remove(j.Key)
		s.backoffs.remove(j.Key)
		j.State = to
		if v := r.Value.(*record.JobValue); to == JobCompleted {
			j.Value.Variables = v.Variables
		}
		s.markJob(j)
		delete(s.jobs, r.Key)
		if e := s.elements[j.Value.ElementInstanceKey]; e != nil && e.JobKey == j.Key {
			e.JobKey = 0
			s.markElement(e)
		}
		return nil
	}
}

func applyJobFailed(s *State, r *record.Record) error {
	v := r.Value.(*record.JobValue)
	j, err := s.job(r.Key)
	if err != nil {
		return err
	}
	s.dequeue(j) // a worker may fail a job it never activated
	s.deadlines.remove(j.Key)
	j.Value.Retries = v.Retries
	j.Value.ErrorMessage = v.ErrorMessage
	j.Value.RetryBackoff = v.RetryBackoff
	j.Value.RecurringTime = v.RecurringTime
	j.Value.Deadline = 0
	switch {
	case v.Retries <= 0:
		j.State = JobFailed
	case v.RetryBackoff > 0:
		j.State = JobBackingOff
		s.backoffs.set(j.Key, v.RecurringTime)
	default:
		j.State = JobActivatable
		s.enqueue(j)
	}
	s.markJob(j)
	return nil
}

func applyJobActivatableAgain(s *State, r *record.Record) error {
	j, err := s.job(r.Key)
	if err != nil {
		return err
	}
	s.deadlines.remove(j.Key)
	s.backoffs.remove(j.Key)
	s.dequeue(j)
	j.State = JobActivatable
	j.Value.Deadline = 0
	s.enqueue(j)
	s.markJob(j)
	return nil
}

func applyJobRetriesUpdated(s *State, r *record.Record) error {
	j, err := s.job(r.Key)
	if err != nil {
		return err
	}
	j.Value.Retries = r.Value.(*record.JobValue).Retries
	s.markJob(j)
	return nil
}

func applyJobErrorThrown(s *State, r *record.Record) error {
	v := r.Value.(*record.JobValue)
	j, err := s.job(r.Key)
	if err != nil {
		return err
	}
	s.dequeue(j)
	s.deadlines.remove(j.Key)
	j.State = JobErrorThrown
	j.Value.ErrorCode = v.ErrorCode
	j.Value.ErrorMessage = v.ErrorMessage
	s.markJob(j)
	return nil
}

func (s *State) markIncident(i *Incident, resolved bool) {
	s.changes.incidents[i.Key] = IncidentRow{Key: i.Key, Resolved: resolved, Value: i.Value, CreationTime: i.CreationTime}
	s.changes.dirty = true
}

func applyIncidentCreated(s *State, r *record.Record) error {
	v := r.Value.(*record.IncidentValue)
	i := &Incident{Key: r.Key, Value: *v, CreationTime: r.Timestamp}
	s.incidents[r.Key] = i
	s.gg.incidentCreated(v.ErrorType)
	s.markIncident(i, false)
	if e := s.elements[v.ElementInstanceKey]; e != nil {
		e.IncidentKey = r.Key
		s.markElement(e)
	}
	return nil
}

func applyIncidentResolved(s *State, r *record.Record) error {
	i := s.incidents[r.Key]
	if i == nil {
		return fmt.Errorf("incident %d does not exist", r.Key)
	}
	delete(s.incidents, r.Key)
	s.gg.incidentResolved(i.Value.ErrorType)
	s.markIncident(i, true)
	if e := s.elements[i.Value.ElementInstanceKey]; e != nil && e.IncidentKey == i.Key {
		e.IncidentKey = 0
		s.markElement(e)
	}
	if j := s.jobs[i.Value.JobKey]; j != nil && (j.State == JobFailed || j.State == JobErrorThrown) && j.Value.Retries > 0 {
		j.State = JobActivatable
		s.enqueue(j)
		s.markJob(j)
	}
	return nil
}

func applyJobTimeoutUpdated(s *State, r *record.Record) error {
	j, err := s.job(r.Key)
	if err != nil {
		return err
	}
	j.Value.Deadline = r.Value.(*record.JobValue).Deadline
	if j.State == JobActivated {
		s.deadlines.set(j.Key, j.Value.Deadline)
	}
	s.markJob(j)
	return nil
}
