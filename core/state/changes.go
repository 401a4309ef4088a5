package state

import (
	"sort"

	"github.com/example/wf-engine/core/record"
)

// Changes are the state rows that the events of one batch touched. A durable
// store writes them in the same transaction as the batch's records. Rows are
// copies: the state may move on while the store writes them.
type Changes struct {
	Processes []record.ProcessValue
	Elements  []ElementRow
	Variables []VariableRow
	Jobs      []Job
	Incidents []IncidentRow
	Timers    []TimerRow
	// MessageSubscriptions, Messages and StartSubscriptions follow the same
	// pattern: Live false marks a row that ended (history or deletable).
	MessageSubscriptions []MessageSubscriptionRow
	Messages             []MessageRow
	StartSubscriptions   []StartSubscriptionRow
	SignalSubscriptions  []SignalSubscriptionRow
	// CompensationSubscriptions are the compensation subscriptions that
	// changed.
	CompensationSubscriptions []CompensationSubscriptionRow
	UserTasks                 []UserTaskRow
	Tenants                   []TenantRow
	TenantMembers             []TenantMemberRow
	Forms                     []record.FormValue
	// DeletedProcesses and DeletedForms are the definitions and forms
	// deleted (resource deletion): their rows stay, marked deleted.
	DeletedProcesses []record.ProcessValue
	DeletedForms     []record.FormValue
	// Inbox and RemoteSubscriptions are a partition's rows of other
	// partitions (partitions.go): they exist only with several partitions.
	Inbox               []InboxRow
	RemoteSubscriptions []RemoteSubscriptionRow
	// LastKey and LastPosition are the state's counters after the batch.
	LastKey, LastPosition int64
}

// ElementRow is the stored form of an element instance.
type ElementRow struct {
	Key            int64
	State          ElementState
	Value          record.ProcessInstanceValue
	ActiveChildren int32
	Waiting        map[string]int32
	JobKey         int64
	IncidentKey    int64
	StartTime      int64
	EndTime        int64
	StartedByKey   string
	StartPosition  int64
	TraceParent    string
}

// VariableRow is the stored form of a variable.
type VariableRow struct {
	Key                int64
	ScopeKey           int64
	ProcessInstanceKey int64
	Name               string
	Value              any
}

// IncidentRow is the stored form of an incident; Resolved rows are history.
type IncidentRow struct {
	Key          int64
	Resolved     bool
	Value        record.IncidentValue
	CreationTime int64
}

// TimerRow is the stored form of a timer.
type TimerRow struct {
	Timer
	Live bool
}

// MessageSubscriptionRow is the stored form of a message subscription.
type MessageSubscriptionRow struct {
	MessageSubscription
	Live bool
}

// MessageRow is the stored form of a buffered message.
type MessageRow struct {
	Message
	Live bool
}

// StartSubscriptionRow is the stored form of a message start subscription.
type StartSubscriptionRow struct {
	StartSubscription
	Live bool
}

type varID struct {
	scope int64
	name  string
}

type changeSet struct {
	processes     map[int64]struct{}
	elements      map[int64]*ElementInstance
	variables     map[varID]VariableRow
	jobs          map[int64]*Job
	incidents     map[int64]IncidentRow
	timers        map[int64]TimerRow
	subs          map[int64]MessageSubscriptionRow
	messages      map[int64]MessageRow
	starts        map[int64]StartSubscriptionRow
	signals       map[int64]SignalSubscriptionRow
	compensations map[int64]CompensationSubscriptionRow
	userTasks     map[int64]UserTaskRow
	tenants       map[int64]TenantRow
	// tenantMembers are keyed by membership key.
	tenantMembers map[int64]TenantMemberRow
	forms         map[int64]struct{}
	// deletedProcesses and deletedForms are copies of what was deleted.
	deletedProcesses map[int64]record.ProcessValue
	deletedForms     map[int64]record.FormValue
	// inbox and remote are the crossing rows (partitions.go).
	inbox  map[int32]int64
	remote map[int64]RemoteSubscriptionRow
	dirty  bool
}

func newChanges() changeSet {
	return changeSet{
		processes:     map[int64]struct{}{},
		elements:      map[int64]*ElementInstance{},
		variables:     map[varID]VariableRow{},
		jobs:          map[int64]*Job{},
		incidents:     map[int64]IncidentRow{},
		timers:        map[int64]TimerRow{},
		subs:          map[int64]MessageSubscriptionRow{},
		messages:      map[int64]MessageRow{},
		starts:        map[int64]StartSubscriptionRow{},
		signals:       map[int64]SignalSubscriptionRow{},
		compensations: map[int64]CompensationSubscriptionRow{},
		userTasks:     map[int64]UserTaskRow{},
		tenants:       map[int64]TenantRow{},

		tenantMembers: map[int64]TenantMemberRow{},
		forms:         map[int64]struct{}{},

		deletedProcesses: map[int64]record.ProcessValue{},
		deletedForms:     map[int64]record.FormValue{},

		inbox:  map[int32]int64{},
		remote: map[int64]RemoteSubscriptionRow{},
	}
}

func (s *State) markTimer(t *Timer, live bool) {
	s.changes.timers[t.Key] = TimerRow{Timer: *t, Live: live}
	s.changes.dirty = true
}

func (s *State) markSubscription(m *MessageSubscription, live bool) {
	s.changes.subs[m.Key] = MessageSubscriptionRow{MessageSubscription: *m, Live: live}
	s.changes.dirty = true
}

func (s *State) markMessage(m *Message, live bool) {
	row := MessageRow{Message: *m, Live: live}
	row.Correlated = append([]string(nil), m.Correlated...)
	s.changes.messages[m.Key] = row
	s.changes.dirty = true
}

func (s *State) markStart(m *StartSubscription, live bool) {
	s.changes.starts[m.Key] = StartSubscriptionRow{StartSubscription: *m, Live: live}
	s.changes.dirty = true
}

func valuesInKeyOrder[V any](m map[int64]V) []V {
	out := make([]V, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, m[k])
	}
	return out
}

// TakeChanges returns the rows changed since the last call, in key order,
// and starts a new change set.
func (s *State) TakeChanges() Changes {
	c := &s.changes
	out := Changes{LastKey: s.lastKey, LastPosition: s.lastPosition}
	if !c.dirty {
		return out
	}
	for _, k := range sortedKeys(c.processes) {
		out.Processes = append(out.Processes, s.processes[k].ProcessValue)
	}
	for _, k := range sortedKeys(c.elements) {
		e := c.elements[k]
		row := e.row()
		if len(e.Waiting) > 0 {
			row.Waiting = make(map[string]int32, len(e.Waiting))
			for f, n := range e.Waiting {
				row.Waiting[f] = n
			}
		}
		out.Elements = append(out.Elements, row)
	}
	for _, v := range c.variables {
		out.Variables = append(out.Variables, v)
	}
	sortVariableRows(out.Variables)
	for _, k := range sortedKeys(c.jobs) {
		out.Jobs = append(out.Jobs, *c.jobs[k])
	}
	for _, k := range sortedKeys(c.incidents) {
		out.Incidents = append(out.Incidents, c.incidents[k])
	}
	if len(c.timers) > 0 {
		out.Timers = valuesInKeyOrder(c.timers)
	}
	if len(c.subs) > 0 {
		out.MessageSubscriptions = valuesInKeyOrder(c.subs)
	}
	if len(c.messages) > 0 {
		out.Messages = valuesInKeyOrder(c.messages)
	}
	if len(c.starts) > 0 {
		out.StartSubscriptions = valuesInKeyOrder(c.starts)
	}
	if len(c.signals) > 0 {
		out.SignalSubscriptions = valuesInKeyOrder(c.signals)
	}
	if len(c.compensations) > 0 {
		out.CompensationSubscriptions = valuesInKeyOrder(c.compensations)
	}
	if len(c.userTasks) > 0 {
		out.UserTasks = valuesInKeyOrder(c.userTasks)
	}
	if len(c.tenants) > 0 {
		out.Tenants = valuesInKeyOrder(c.tenants)
	}
	if len(c.tenantMembers) > 0 {
		out.TenantMembers = valuesInKeyOrder(c.tenantMembers)
	}
	for _, k := range sortedKeys(c.forms) {
		out.Forms = append(out.Forms, *s.fm.byKey[k])
	}
	if len(c.deletedProcesses) > 0 {
		out.DeletedProcesses = valuesInKeyOrder(c.deletedProcesses)
	}
	if len(c.deletedForms) > 0 {
		out.DeletedForms = valuesInKeyOrder(c.deletedForms)
	}
	c.takeCrossing(&out)
	clear(c.deletedProcesses)
	clear(c.deletedForms)
	clear(c.forms)
	clear(c.tenants)
	clear(c.tenantMembers)
	clear(c.userTasks)
	clear(c.timers)
	clear(c.subs)
	clear(c.messages)
	clear(c.starts)
	clear(c.signals)
	clear(c.compensations)
	clear(c.processes)
	clear(c.elements)
	clear(c.variables)
	clear(c.jobs)
	clear(c.incidents)
	c.dirty = false
	return out
}

func sortVariableRows(rows []VariableRow) {
	sort.Slice(rows, func(i, j int) bool { return rows[i].Key < rows[j].Key })
}

// row copies an element instance into its stored form.
func (e *ElementInstance) row() ElementRow {
	row := ElementRow{Key: e.Key, State: e.State, Value: e.Value, ActiveChildren: e.ActiveChildren, JobKey: e.JobKey,
		IncidentKey: e.IncidentKey, StartTime: e.StartTime, EndTime: e.EndTime, StartedByKey: e.StartedByKey,
		StartPosition: e.StartPosition, TraceParent: e.TraceParent}
	if len(e.Waiting) > 0 {
		row.Waiting = make(map[string]int32, len(e.Waiting))
		for f, n := range e.Waiting {
			row.Waiting[f] = n
		}
	}
	return row
}
