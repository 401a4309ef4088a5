package memstore

import (
	"context"

	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/search"
)

// run checks q and applies it to the rows rows returns, under the read lock.
// The plan keeps only the rows of q.Tenants when that is not nil: memory has
// no second guard like PostgreSQL's row-level security.
func run[T any](s *Store, e *search.Entity[T], q store.Query, rows func() []T) (store.Page[T], error) {
	p, err := search.Compile(e, q)
	if err != nil {
		return store.Page[T]{}, err
	}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return store.Page[T]{}, store.ErrClosed
	}
	all := rows()
	if p.NeedsVariables() {
		vars, err := s.variableRows()
		if err != nil {
			s.mu.RUnlock()
			return store.Page[T]{}, err
		}
		p.WithVariables(vars)
	}
	if p.NeedsElements() {
		p.WithElements(s.elementInstances())
	}
	if p.NeedsIncidents() {
		p.WithIncidents(s.incidentRows())
	}
	s.mu.RUnlock()
	return p.Run(all), nil
}

// SearchProcessDefinitions implements store.Querier.
func (s *Store) SearchProcessDefinitions(_ context.Context, q store.Query) (store.Page[store.ProcessDefinition], error) {
	return run(s, search.ProcessDefinitions, q, func() []store.ProcessDefinition {
		out := make([]store.ProcessDefinition, 0, len(s.processes))
		latest := map[[2]string]int32{}
		for _, p := range s.processes {
			id := [2]string{p.TenantID, p.BPMNProcessID}
			latest[id] = max(latest[id], p.Version)
		}
		for _, p := range s.processes {
			out = append(out, store.ProcessDefinition{
				ProcessDefinitionKey: p.ProcessDefinitionKey, ProcessDefinitionID: p.BPMNProcessID, Name: p.Name,
				Version: p.Version, VersionTag: p.VersionTag, ResourceName: p.ResourceName, TenantID: p.TenantID,
				Latest: p.Version == latest[[2]string{p.TenantID, p.BPMNProcessID}],
			})
		}
		return out
	})
}

// SearchProcessInstances implements store.Querier.
func (s *Store) SearchProcessInstances(_ context.Context, q store.Query) (store.Page[store.ProcessInstance], error) {
	return run(s, search.ProcessInstances, q, s.processInstances)
}

// processInstances builds the process instance rows; the caller holds the
// read lock.
func (s *Store) processInstances() []store.ProcessInstance {
	withIncident := map[int64]bool{}
	for _, i := range s.incidents {
		if !i.Resolved {
			withIncident[i.Value.ProcessInstanceKey] = true
		}
	}
	retriesLeft := map[int64]bool{}
	for _, j := range s.jobs {
		if store.JobStateName(j.State) == store.JobStateFailed && j.Value.Retries > 0 {
			retriesLeft[j.Value.ProcessInstanceKey] = true
		}
	}
	tags := map[int64][]string{}
	for _, t := range s.history().Tags {
		tags[t.ProcessInstanceKey] = t.Tags
	}
	var out []store.ProcessInstance
	for _, e := range s.elements {
		if e.Value.FlowScopeKey != -1 {
			continue
		}
		v := &e.Value
		def, ok := s.processes[v.ProcessDefinitionKey]
		if !ok {
			def = s.deletedProcesses[v.ProcessDefinitionKey]
		}
		name := def.Name
		if name == "" {
			name = def.BPMNProcessID
		}
		if name == "" {
			name = v.BPMNProcessID
		}
		out = append(out, store.ProcessInstance{
			ProcessDefinitionName: name, ProcessDefinitionVersionTag: def.VersionTag, HasRetriesLeft: retriesLeft[e.Key], Tags: tags[e.Key],
			ProcessInstanceKey: e.Key, ProcessDefinitionID: v.BPMNProcessID, ProcessDefinitionKey: v.ProcessDefinitionKey,
			ProcessDefinitionVersion: v.Version, State: store.ElementStateName(e.State),
			StartDate: store.Millis(e.StartTime), EndDate: store.Millis(e.EndTime),
			ParentProcessInstanceKey: v.ParentProcessInstanceKey, ParentElementInstanceKey: v.ParentElementInstanceKey,
			HasIncident: withIncident[e.Key], TenantID: v.TenantID, StartPosition: e.StartPosition,
		})
	}
	return out
}

// SearchElementInstances implements store.Querier.
func (s *Store) SearchElementInstances(_ context.Context, q store.Query) (store.Page[store.ElementInstance], error) {
	return run(s, search.ElementInstances, q, s.elementInstances)
}

// elementInstances builds the element instance rows; the caller holds the
// read lock.
func (s *Store) elementInstances() []store.ElementInstance {
	out := make([]store.ElementInstance, 0, len(s.elements))
	for _, e := range s.elements {
		out = append(out, elementInstance(&e))
	}
	return out
}

// ElementStatistics implements store.StatisticsQuerier over the rows in
// memory.
func (s *Store) ElementStatistics(_ context.Context, q store.Query) ([]store.ElementStatistics, error) {
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return nil, store.ErrClosed
	}
	instances, elements := s.processInstances(), s.elementInstances()
	vars, err := s.variableRows()
	incidents := s.incidentRows()
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	return search.ElementStatistics(q, instances, elements, vars, incidents)
}

func elementInstance(e *state.ElementRow) store.ElementInstance {
	v := &e.Value
	return store.ElementInstance{
		ElementInstanceKey: e.Key, ProcessInstanceKey: v.ProcessInstanceKey, ProcessDefinitionKey: v.ProcessDefinitionKey,
		ProcessDefinitionID: v.BPMNProcessID, ElementID: v.ElementID, Type: v.BPMNElementType,
		State: store.ElementStateName(e.State), StartDate: store.Millis(e.StartTime), EndDate: store.Millis(e.EndTime),
		IncidentKey: e.IncidentKey, HasIncident: e.IncidentKey > 0, ElementInstanceScopeKey: v.FlowScopeKey, TenantID: v.TenantID,
	}
}

// SearchVariables implements store.Querier. A variable belongs to its
// process instance's tenant ("" while the instance is unknown), as in the
// SQL stores: state.VariableRow carries no tenant of its own.
func (s *Store) SearchVariables(_ context.Context, q store.Query) (store.Page[store.Variable], error) {
	var encErr error
	page, err := run(s, search.Variables, q, func() []store.Variable {
		out, err := s.variableRows()
		encErr = err
		return out
	})
	if err == nil && encErr != nil {
		err = encErr
	}
	return page, err
}

// variableRows builds the variable rows, values as JSON text; the caller
// holds the read lock. It returns the rows it could encode and the first
// error.
func (s *Store) variableRows() ([]store.Variable, error) {
	var encErr error
	out := make([]store.Variable, 0, len(s.variables))
	for _, v := range s.variables {
		text, err := store.EncodeJSON(v.Value)
		if err != nil {
			encErr = err
			continue
		}
		out = append(out, store.Variable{
			VariableKey: v.Key, Name: v.Name, Value: text, ScopeKey: v.ScopeKey,
			ProcessInstanceKey: v.ProcessInstanceKey, TenantID: s.elements[v.ProcessInstanceKey].Value.TenantID,
		})
	}
	return out, encErr
}

// SearchJobs implements store.Querier.
func (s *Store) SearchJobs(_ context.Context, q store.Query) (store.Page[store.Job], error) {
	return run(s, search.Jobs, q, func() []store.Job {
		out := make([]store.Job, 0, len(s.jobs))
		for _, j := range s.jobs {
			v := &j.Value
			out = append(out, store.Job{
				JobKey: j.Key, Type: v.Type, State: store.JobStateName(j.State), Retries: v.Retries, Worker: v.Worker,
				ProcessInstanceKey: v.ProcessInstanceKey, ProcessDefinitionKey: v.ProcessDefinitionKey,
				ProcessDefinitionID: v.BPMNProcessID, ElementInstanceKey: v.ElementInstanceKey, ElementID: v.ElementID,
				Deadline: store.Millis(v.Deadline), ErrorMessage: v.ErrorMessage, ErrorCode: v.ErrorCode,
				CustomHeaders: v.CustomHeaders, TenantID: v.TenantID,
			})
		}
		return out
	})
}

// SearchIncidents implements store.Querier.
func (s *Store) SearchIncidents(_ context.Context, q store.Query) (store.Page[store.Incident], error) {
	return run(s, search.Incidents, q, s.incidentRows)
}

// incidentRows builds the incident rows, resolved ones included; the
// caller holds the read lock.
func (s *Store) incidentRows() []store.Incident {
	hashes := map[int64]int32{}
	for _, h := range s.history().IncidentHashes {
		hashes[h.IncidentKey] = h.Hash
	}
	out := make([]store.Incident, 0, len(s.incidents))
	for _, i := range s.incidents {
		v := &i.Value
		out = append(out, store.Incident{ErrorMessageHash: hashes[i.Key],
			IncidentKey: i.Key, ProcessInstanceKey: v.ProcessInstanceKey, ProcessDefinitionKey: v.ProcessDefinitionKey,
			ProcessDefinitionID: v.BPMNProcessID, ErrorType: string(v.ErrorType), ErrorMessage: v.ErrorMessage,
			ElementID: v.ElementID, ElementInstanceKey: v.ElementInstanceKey, JobKey: v.JobKey,
			State: store.IncidentStateName(i.Resolved), CreationTime: store.Millis(i.CreationTime), TenantID: v.TenantID,
		})
	}
	return out
}

// SearchUserTasks implements store.UserTaskQuerier.
func (s *Store) SearchUserTasks(_ context.Context, q store.Query) (store.Page[store.UserTask], error) {
	return run(s, search.UserTasks, q, func() []store.UserTask {
		out := make([]store.UserTask, 0, len(s.events.tasks))
		for _, t := range s.events.tasks {
			v := &t.Value
			out = append(out, store.UserTask{
				UserTaskKey: t.Key, State: t.State.String(), Assignee: v.Assignee,
				CandidateGroups: v.CandidateGroups, CandidateUsers: v.CandidateUsers,
				ProcessInstanceKey: v.ProcessInstanceKey, ProcessDefinitionKey: v.ProcessDefinitionKey,
				ProcessDefinitionID: v.BPMNProcessID, ProcessDefinitionVer: v.ProcessDefinitionVersion,
				ElementID: v.ElementID, Name: v.Name, ElementInstanceKey: v.ElementInstanceKey, Priority: v.Priority,
				FormKey: v.FormKey, FormID: v.FormID, ExternalFormReference: v.ExternalFormReference,
				CustomHeaders: v.CustomHeaders, CreationDate: store.Millis(v.CreationTimestamp),
				DueDate: v.DueDate, FollowUpDate: v.FollowUpDate, TenantID: v.TenantID, CompletionDate: store.Millis(v.CompletionTimestamp),
			})
		}
		return out
	})
}

// SearchMessageSubscriptions implements store.MessageSubscriptionQuerier
// over the subscription rows, ended ones included.
func (s *Store) SearchMessageSubscriptions(_ context.Context, q store.Query) (store.Page[store.MessageSubscription], error) {
	return run(s, search.MessageSubscriptions, q, func() []store.MessageSubscription {
		out := make([]store.MessageSubscription, 0, len(s.events.subs))
		for _, r := range s.events.subs {
			v := &r.Value
			st := store.SubscriptionCreated
			switch {
			case r.Live:
			case v.MessageKey > 0:
				st = store.SubscriptionCorrelated
			default:
				st = store.SubscriptionDeleted
			}
			out = append(out, store.MessageSubscription{
				MessageSubscriptionKey: r.Key, ProcessDefinitionID: v.BPMNProcessID, ProcessDefinitionKey: v.ProcessDefinitionKey,
				ProcessInstanceKey: v.ProcessInstanceKey, ElementID: v.ElementID, ElementInstanceKey: v.ElementInstanceKey,
				State: st, MessageName: v.MessageName, CorrelationKey: v.CorrelationKey, TenantID: v.TenantID,
			})
		}
		return out
	})
}

// Interface guards
var (
	_ store.Querier                    = (*Store)(nil)
	_ store.UserTaskQuerier            = (*Store)(nil)
	_ store.StatisticsQuerier          = (*Store)(nil)
	_ store.MessageSubscriptionQuerier = (*Store)(nil)
)
