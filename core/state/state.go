package state

import (
	"fmt"
	"sort"
	"sync"

	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/record"
)

// ElementState is the lifecycle state of an element instance. Persisted.
type ElementState uint8

// Element lifecycle states. Persisted: never renumber.
const (
	ElementActivating  ElementState = 1
	ElementActivated   ElementState = 2
	ElementCompleting  ElementState = 3
	ElementCompleted   ElementState = 4
	ElementTerminating ElementState = 5
	ElementTerminated  ElementState = 6
)

func (s ElementState) String() string {
	switch s {
	case ElementActivating:
		return "ACTIVATING"
	case ElementActivated:
		return "ACTIVATED"
	case ElementCompleting:
		return "COMPLETING"
	case ElementCompleted:
		return "COMPLETED"
	case ElementTerminating:
		return "TERMINATING"
	case ElementTerminated:
		return "TERMINATED"
	}
	return fmt.Sprintf("STATE(%d)", uint8(s))
}

// Final reports whether the state is completed or terminated.
func (s ElementState) Final() bool { return s == ElementCompleted || s == ElementTerminated }

// JobState is the lifecycle state of a job. Persisted.
type JobState uint8

// Job states. Persisted: never renumber.
const (
	JobActivatable JobState = 1
	JobActivated   JobState = 2
	JobFailed      JobState = 3 // no retries left: waits for an incident to be resolved
	JobBackingOff  JobState = 4 // failed with retries left, activatable after the back-off
	JobErrorThrown JobState = 5 // a BPMN error nobody caught: waits for an incident
	JobCompleted   JobState = 6
	JobCanceled    JobState = 7
)

func (s JobState) String() string {
	switch s {
	case JobActivatable:
		return "CREATED"
	case JobActivated:
		return "ACTIVATED"
	case JobFailed:
		return "FAILED"
	case JobBackingOff:
		return "RETRIES_BACKING_OFF"
	case JobErrorThrown:
		return "ERROR_THROWN"
	case JobCompleted:
		return "COMPLETED"
	case JobCanceled:
		return "CANCELED"
	}
	return fmt.Sprintf("JOB_STATE(%d)", uint8(s))
}

// ProcessDefinition is one deployed version of a process.
type ProcessDefinition struct {
	record.ProcessValue
	once  sync.Once
	model *model.Process
	err   error
}

// ElementInstance is a running (or just finished) element, the process itself included.
type ElementInstance struct {
	Key   int64
	State ElementState
	Value record.ProcessInstanceValue
	// ActiveChildren counts child element instances that are not final yet.
	ActiveChildren int32
	// Waiting counts tokens taken towards joining gateways of this scope that
	// have not been consumed yet, by sequence flow id.
	Waiting map[string]int32
	// JobKey is the job this element waits on, if any.
	JobKey int64
	// IncidentKey is the open incident on this element, if any.
	IncidentKey int64
	// StartTime and EndTime are the timestamps (Unix ms) of the commands
	// that activated and ended the element; EndTime is 0 while it runs.
	StartTime, EndTime int64
	// StartedByKey is the correlation key of the message that started this
	// process instance, if one did.
	StartedByKey string
	// StartPosition is the log position of the command that activated the
	// element: no record about it comes before. A process instance's
	// history is read from there. It is 0 for rows stored before the
	// stores kept it (migrations sqlite/0010, postgres/0011).
	StartPosition int64
	// TraceParent is, on a process instance, the W3C traceparent of the
	// request that created it (or of its calling instance), "" when none
	// (migrations sqlite/0013, postgres/0014).
	TraceParent string
}

// WaitingTokens returns the number of tokens waiting at joins of this scope.
func (e *ElementInstance) WaitingTokens() int32 {
	var n int32
	for _, c := range e.Waiting {
		n += c
	}
	return n
}

// Variable is one variable of a scope.
type Variable struct {
	Key   int64
	Name  string
	Value any
}

// Job is a unit of work handed to workers.
type Job struct {
	Key   int64
	State JobState
	Value record.JobValue
}

// Incident is an open problem a user must resolve.
type Incident struct {
	Key          int64
	Value        record.IncidentValue
	CreationTime int64 // Unix ms
}

// ParseFunc turns a deployed resource into a model.
type ParseFunc func(resource []byte) (*model.Definitions, error)

// Semantics is what applying records needs to know of elements beyond
// their model: the engine answers from its handlers' capabilities
// (element.Joiner, element.ScopeEnder, element.Interrupter), so the state never names an
// element kind.
type Semantics interface {
	// Joins reports whether tokens that arrive at el wait in its flow
	// scope until el activates.
	Joins(el *model.Element) bool
	// EndsScope reports whether el's completion ends every other token of
	// its flow scope: the tokens waiting at the scope's joins are dropped.
	EndsScope(el *model.Element) bool
	// Interrupts reports whether entering el ends every other token of its
	// flow scope, as EndsScope does on completion.
	Interrupts(el *model.Element) bool
}

// State is one partition's state. It is not safe for concurrent use: the
// partition's processor is its only user.
type State struct {
	parse ParseFunc
	sem   Semantics

	lastKey      int64
	lastPosition int64

	processes         map[int64]*ProcessDefinition
	latest            map[string]*ProcessDefinition // by tenant and bpmn process id (inTenant)
	elements          map[int64]*ElementInstance
	children          map[int64]map[int64]struct{}   // flow scope key -> child element instance keys
	called            map[int64]int64                // call activity instance -> the process instance it started
	vars              map[int64]map[string]*Variable // scope key -> name -> variable
	jobs              map[int64]*Job
	activatable       map[string]map[string]*jobQueue // job type -> tenant -> activatable jobs in key order
	deadlines         *timerHeap                      // activated jobs by deadline
	backoffs          *timerHeap                      // backing-off jobs by due time
	incidents         map[int64]*Incident
	ev                events
	sig               signals
	cmp               compensations
	userTasks         map[int64]*UserTask
	userTaskByElement map[int64]int64
	tn                tenants
	fm                forms
	dl                deletions // resource deletion (resources.go)
	gg                gauges    // kept by the appliers (gauges.go)
	cr                crossing  // inbox and remote subscriptions (partitions.go)

	changes changeSet
}

// New returns an empty state that parses process resources with parse
// and knows elements' semantics from sem.
func New(parse ParseFunc, sem Semantics) *State {
	return &State{
		parse:       parse,
		sem:         sem,
		processes:   map[int64]*ProcessDefinition{},
		latest:      map[string]*ProcessDefinition{},
		elements:    map[int64]*ElementInstance{},
		children:    map[int64]map[int64]struct{}{},
		called:      map[int64]int64{},
		vars:        map[int64]map[string]*Variable{},
		jobs:        map[int64]*Job{},
		activatable: map[string]map[string]*jobQueue{},
		deadlines:   newTimerHeap(),
		backoffs:    newTimerHeap(),
		incidents:   map[int64]*Incident{},
		ev:          newEvents(),
		sig:         newSignals(),
		cmp:         newCompensations(),
		userTasks:   map[int64]*UserTask{}, userTaskByElement: map[int64]int64{},
		tn:      newTenants(),
		fm:      newForms(),
		dl:      newDeletions(),
		gg:      newGauges(),
		cr:      newCrossing(),
		changes: newChanges(),
	}
}

// LastKey returns the highest key any applied event used.
func (s *State) LastKey() int64 { return s.lastKey }

// LastPosition returns the position of the last applied record.
func (s *State) LastPosition() int64 { return s.lastPosition }

// Process returns the definition with the given key.
func (s *State) Process(key int64) *ProcessDefinition { return s.processes[key] }

// LatestProcess returns the newest version of a process in a tenant ("" is
// the default tenant).
func (s *State) LatestProcess(tenantID, bpmnProcessID string) *ProcessDefinition {
	return s.latest[inTenant(tenantID, bpmnProcessID)]
}

// ProcessVersion returns the given version of a process in a tenant.
func (s *State) ProcessVersion(tenantID, bpmnProcessID string, version int32) *ProcessDefinition {
	latest := s.LatestProcess(tenantID, bpmnProcessID)
	if latest == nil {
		return nil
	}
	if latest.Version == version {
		return latest
	}
	tenant := TenantOrDefault(tenantID)
	for _, p := range s.processes {
		if p.BPMNProcessID == bpmnProcessID && p.Version == version && TenantOrDefault(p.TenantID) == tenant {
			return p
		}
	}
	return nil
}

// Model returns the parsed process of a definition, parsing it on first use.
func (s *State) Model(p *ProcessDefinition) (*model.Process, error) {
	p.once.Do(func() {
		if p.model != nil {
			return
		}
		defs, err := s.parse(p.Resource)
		if err != nil {
			p.err = fmt.Errorf("parse process %s version %d: %w", p.BPMNProcessID, p.Version, err)
			return
		}
		if p.model = defs.Process(p.BPMNProcessID); p.model == nil {
			p.err = fmt.Errorf("resource of process %s version %d has no such process", p.BPMNProcessID, p.Version)
		}
	})
	return p.model, p.err
}

// Element returns the element instance with the given key.
func (s *State) Element(key int64) *ElementInstance { return s.elements[key] }

// Children returns the element instances whose flow scope is key, in key order.
func (s *State) Children(key int64) []*ElementInstance {
	keys := sortedKeys(s.children[key])
	out := make([]*ElementInstance, 0, len(keys))
	for _, k := range keys {
		out = append(out, s.elements[k])
	}
	return out
}

// Variable returns the variable of one scope.
func (s *State) Variable(scope int64, name string) (*Variable, bool) {
	v, ok := s.vars[scope][name]
	return v, ok
}

// LocalVariables returns the variables of one scope by name.
func (s *State) LocalVariables(scope int64) map[string]*Variable { return s.vars[scope] }

// Job returns the job with the given key.
func (s *State) Job(key int64) *Job { return s.jobs[key] }

// Activatable returns up to max activatable jobs of a type that belong to
// one of the tenants, in key order. No tenant means the default tenant.
func (s *State) Activatable(jobType string, tenantIDs []string, maxJobs int) []*Job {
	byTenant := s.activatable[jobType]
	if byTenant == nil || maxJobs < 1 {
		return nil
	}
	var keys []int64
	switch len(tenantIDs) {
	case 0:
		if q := byTenant[record.DefaultTenant]; q != nil {
			keys = q.first(maxJobs)
		}
	case 1:
		if q := byTenant[TenantOrDefault(tenantIDs[0])]; q != nil {
			keys = q.first(maxJobs)
		}
	default:
		seen := make(map[string]bool, len(tenantIDs))
		for _, t := range tenantIDs {
			t = TenantOrDefault(t)
			if q := byTenant[t]; q != nil && !seen[t] {
				keys = append(keys, q.first(maxJobs)...)
			}
			seen[t] = true
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
		keys = keys[:min(len(keys), maxJobs)]
	}
	out := make([]*Job, 0, len(keys))
	for _, k := range keys {
		out = append(out, s.jobs[k])
	}
	return out
}

// ActivatableTypes returns the job types that have activatable jobs in any
// tenant, sorted.
func (s *State) ActivatableTypes() []string {
	out := make([]string, 0, len(s.activatable))
	for t, byTenant := range s.activatable {
		for _, q := range byTenant {
			if q.len() > 0 {
				out = append(out, t)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// NextDeadline returns the earliest deadline of an activated job (Unix ms).
func (s *State) NextDeadline() (int64, bool) { return s.deadlines.peek() }

// DueDeadlines returns the keys of activated jobs whose deadline is at or before now (Unix ms).
func (s *State) DueDeadlines(now int64, maxJobs int) []int64 { return s.deadlines.due(now, maxJobs) }

// NextBackoff returns the earliest end of a job's retry back-off (Unix ms).
func (s *State) NextBackoff() (int64, bool) { return s.backoffs.peek() }

// DueBackoffs returns the keys of jobs whose back-off ended at or before now.
func (s *State) DueBackoffs(now int64, maxJobs int) []int64 { return s.backoffs.due(now, maxJobs) }

// Incident returns the incident with the given key.
func (s *State) Incident(key int64) *Incident { return s.incidents[key] }

// Counts reports how many entities of each kind the state holds in memory.
type Counts struct {
	Processes, Elements, Scopes, Jobs, Incidents        int
	Timers, Subscriptions, Messages, StartSubscriptions int
	UserTasks                                           int
	SignalSubscriptions                                 int
}

// Counts returns the sizes of the state's tables.
func (s *State) Counts() Counts {
	return Counts{len(s.processes), len(s.elements), len(s.vars), len(s.jobs), len(s.incidents),
		len(s.ev.timers), len(s.ev.subs), len(s.ev.messages), len(s.ev.starts), len(s.userTasks),
		len(s.sig.subs)}
}

// JobKeys returns the keys of every job in the state, in key order.
func (s *State) JobKeys() []int64 { return sortedKeys(s.jobs) }

// IncidentKeys returns the keys of every open incident, in key order.
func (s *State) IncidentKeys() []int64 { return sortedKeys(s.incidents) }

// ScopeKeys returns the keys of every scope that has variables, in key order.
func (s *State) ScopeKeys() []int64 { return sortedKeys(s.vars) }

// CalledInstance returns the process instance a call activity instance
// started, or 0.
func (s *State) CalledInstance(callActivityKey int64) int64 { return s.called[callActivityKey] }

// ProcessInDeployment returns the version of a process deployed together
// with the given deployment, or nil.
func (s *State) ProcessInDeployment(bpmnProcessID string, deploymentKey int64) *ProcessDefinition {
	for _, k := range sortedKeys(s.processes) {
		if p := s.processes[k]; p.BPMNProcessID == bpmnProcessID && p.DeploymentKey == deploymentKey {
			return p
		}
	}
	return nil
}

// ProcessWithTag returns the newest version of a process in a tenant with a
// version tag, or nil.
func (s *State) ProcessWithTag(tenantID, bpmnProcessID, tag string) *ProcessDefinition {
	tenant := TenantOrDefault(tenantID)
	var best *ProcessDefinition
	for _, p := range s.processes {
		if p.BPMNProcessID == bpmnProcessID && p.VersionTag == tag && TenantOrDefault(p.TenantID) == tenant && (best == nil || p.Version > best.Version) {
			best = p
		}
	}
	return best
}

// ActivatableCount returns how many jobs of a type are activatable, in
// every tenant.
func (s *State) ActivatableCount(jobType string) int {
	n := 0
	for _, q := range s.activatable[jobType] {
		n += q.len()
	}
	return n
}
