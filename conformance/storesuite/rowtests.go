package storesuite

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/replaycheck"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/memstore"
	"github.com/example/wf-engine/elements/standard"
)

func snapshot(t *testing.T, s store.Store) *state.Snapshot {
	t.Helper()
	snap, err := loader(t, s).Load(context.Background())
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return snap
}

// sameSnapshot compares snapshots table by table through their JSON.
func sameSnapshot(t *testing.T, got, want *state.Snapshot) {
	t.Helper()
	parts := func(s *state.Snapshot) map[string]any {
		return map[string]any{"counters": []int64{s.LastKey, s.LastPosition}, "processes": s.Processes,
			"elements": s.Elements, "variables": s.Variables, "jobs": s.Jobs, "incidents": s.Incidents,
			"timers": s.Timers, "message subscriptions": s.MessageSubscriptions, "messages": s.Messages,
			"start subscriptions": s.StartSubscriptions, "user tasks": s.UserTasks,
			"tenants": s.Tenants, "tenant members": s.TenantMembers, "signal subscriptions": s.SignalSubscriptions,
			"compensation subscriptions": s.CompensationSubscriptions}
	}
	g, w := parts(got), parts(want)
	for _, name := range []string{"counters", "processes", "elements", "variables", "jobs", "incidents",
		"timers", "message subscriptions", "messages", "start subscriptions", "user tasks", "tenants", "tenant members", "signal subscriptions", "compensation subscriptions"} {
		a, err := json.Marshal(g[name])
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(w[name])
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Fatalf("loaded %s differ:\ngot  %s\nwant %s", name, a, b)
		}
	}
}

func restore(t *testing.T, snap *state.Snapshot) *state.State {
	t.Helper()
	st, err := engine.RestoreState(standard.Registry(), snap)
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	return st
}

func element(key, pi, scope int64, id, typ string, s state.ElementState) state.ElementRow {
	return state.ElementRow{Key: key, State: s, StartTime: epoch, Value: record.ProcessInstanceValue{
		BPMNProcessID: "p", Version: 1, ProcessDefinitionKey: 10, ProcessInstanceKey: pi, ElementID: id,
		BPMNElementType: typ, FlowScopeKey: scope, ParentProcessInstanceKey: -1, ParentElementInstanceKey: -1,
		TenantID: record.DefaultTenant}}
}

func job(key, elem int64, s state.JobState) state.Job {
	return state.Job{Key: key, State: s, Value: record.JobValue{Type: "t", Retries: 3, CustomHeaders: map[string]string{},
		ElementID: "task", ElementInstanceKey: elem, BPMNProcessID: "p", ProcessDefinitionVersion: 1,
		ProcessDefinitionKey: 10, ProcessInstanceKey: 100, TenantID: record.DefaultTenant}}
}

func incident(key int64, resolved bool) state.IncidentRow {
	return state.IncidentRow{Key: key, Resolved: resolved, CreationTime: epoch, Value: record.IncidentValue{
		ErrorType: record.ErrorJobNoRetries, ErrorMessage: "m", BPMNProcessID: "p", ProcessDefinitionKey: 10,
		ProcessInstanceKey: 100, ElementID: "task", ElementInstanceKey: 101, TenantID: record.DefaultTenant}}
}

func timer(key, due int64) state.Timer {
	return state.Timer{Key: key, Value: record.TimerValue{ElementID: "wait", ElementInstanceKey: 101, ProcessInstanceKey: 100,
		ProcessDefinitionKey: 10, BPMNProcessID: "p", DueDate: due, TenantID: record.DefaultTenant}}
}

func subscription(key int64, name string) state.MessageSubscription {
	return state.MessageSubscription{Key: key, Value: record.MessageSubscriptionValue{ElementID: "catch", ElementInstanceKey: 101,
		ProcessInstanceKey: 100, ProcessDefinitionKey: 10, BPMNProcessID: "p", MessageName: name, CorrelationKey: "k",
		TenantID: record.DefaultTenant}}
}

func message(key int64, name string) state.Message {
	return state.Message{Key: key, Value: record.MessageValue{Name: name, CorrelationKey: "k", TimeToLive: 1000,
		Deadline: epoch + 1000, Variables: map[string]any{}, TenantID: record.DefaultTenant}}
}

func startSubscription(key int64, name string) state.StartSubscription {
	return state.StartSubscription{Key: key, Value: record.MessageStartSubscriptionValue{ProcessDefinitionKey: 10,
		BPMNProcessID: "p", StartEventID: "start", MessageName: name, TenantID: record.DefaultTenant}}
}

func userTask(key int64, element string) state.UserTask {
	return state.UserTask{Key: key, State: state.UserTaskCreated, Value: record.UserTaskValue{ElementID: element,
		ElementInstanceKey: 101, ProcessInstanceKey: 100, ProcessDefinitionKey: 10, ProcessDefinitionVersion: 1,
		BPMNProcessID: "p", Priority: 50, CustomHeaders: map[string]string{}, CreationTimestamp: epoch, TenantID: record.DefaultTenant}}
}

func process(key int64, id string, version int32) record.ProcessValue {
	return record.ProcessValue{BPMNProcessID: id, Version: version, ProcessDefinitionKey: key, ResourceName: id + ".bpmn",
		Resource: []byte("<definitions/>"), Checksum: "c" + id, DeploymentKey: 1, TenantID: record.DefaultTenant}
}

// loadLiveRows upserts hand-made rows twice and checks that Load returns
// exactly the latest version of every live row and nothing else.
func (s *suite) loadLiveRows(t *testing.T) {
	st := s.store(t)
	empty := snapshot(t, st)
	if empty.LastKey != 0 || empty.LastPosition != 0 || len(empty.Processes)+len(empty.Elements)+len(empty.Variables)+len(empty.Jobs)+len(empty.Incidents) != 0 {
		t.Fatalf("a new store is not empty: %+v", empty)
	}
	pi := element(100, 100, -1, "p", "PROCESS", state.ElementActivated)
	pi.ActiveChildren = 1
	task := element(101, 100, 100, "task", "SERVICE_TASK", state.ElementActivated)
	task.Waiting = map[string]int32{"f1": 2}
	done := element(102, 100, 100, "start", "START_EVENT", state.ElementCompleted)
	done.EndTime = epoch + 5
	commit(t, st, &store.Batch{Changes: state.Changes{
		Processes: []record.ProcessValue{process(10, "p", 1)},
		Elements:  []state.ElementRow{pi, task, done},
		Variables: []state.VariableRow{
			{Key: 200, ScopeKey: 100, ProcessInstanceKey: 100, Name: "a", Value: "x"},
			{Key: 201, ScopeKey: 101, ProcessInstanceKey: 100, Name: "b", Value: 1.0},
			{Key: 202, ScopeKey: 102, ProcessInstanceKey: 100, Name: "c", Value: nil},
		},
		Jobs:      []state.Job{job(300, 101, state.JobActivatable), job(301, 102, state.JobCompleted)},
		Incidents: []state.IncidentRow{incident(400, false), incident(401, true)},
		Timers:    []state.TimerRow{{Timer: timer(500, epoch+10), Live: true}, {Timer: timer(501, epoch+20), Live: false}},
		MessageSubscriptions: []state.MessageSubscriptionRow{
			{MessageSubscription: subscription(510, "a"), Live: true}, {MessageSubscription: subscription(511, "b"), Live: true}},
		Messages:           []state.MessageRow{{Message: message(520, "m1"), Live: true}},
		StartSubscriptions: []state.StartSubscriptionRow{{StartSubscription: startSubscription(530, "s1"), Live: true}},
		UserTasks:          []state.UserTaskRow{{UserTask: userTask(540, "a"), Live: true}, {UserTask: userTask(541, "b"), Live: true}},
		LastKey:            401, LastPosition: 7,
	}})

	pi2 := pi
	pi2.ActiveChildren = 1
	pi2.IncidentKey = 402
	task2 := task
	task2.State, task2.EndTime, task2.Waiting = state.ElementCompleted, epoch+9, nil
	fresh := element(103, 100, 100, "task2", "USER_TASK", state.ElementActivating)
	doneTask := userTask(540, "a")
	doneTask.State = state.UserTaskCompleted
	assigned := userTask(541, "b")
	assigned.Value.Assignee = "carl"
	correlated := message(520, "m1")
	correlated.Correlated = []string{"p"}
	activated := job(300, 101, state.JobActivated)
	activated.Value.Deadline, activated.Value.Worker = epoch+60000, "w"
	commit(t, st, &store.Batch{Changes: state.Changes{
		Processes: []record.ProcessValue{process(10, "p", 1), process(11, "p", 2)},
		Elements:  []state.ElementRow{pi2, task2, fresh},
		Variables: []state.VariableRow{
			{Key: 200, ScopeKey: 100, ProcessInstanceKey: 100, Name: "a", Value: map[string]any{"now": []any{"an", "object", 2.5, false, nil}}},
			{Key: 203, ScopeKey: 103, ProcessInstanceKey: 100, Name: "d", Value: true},
		},
		Jobs:      []state.Job{activated},
		Incidents: []state.IncidentRow{incident(400, true), incident(402, false)},
		Timers:    []state.TimerRow{{Timer: timer(500, epoch+10), Live: false}, {Timer: timer(502, epoch+30), Live: true}},
		MessageSubscriptions: []state.MessageSubscriptionRow{
			{MessageSubscription: subscription(510, "a"), Live: false}, {MessageSubscription: subscription(511, "b2"), Live: true}},
		Messages:           []state.MessageRow{{Message: correlated, Live: true}, {Message: message(521, "m2"), Live: false}},
		StartSubscriptions: []state.StartSubscriptionRow{{StartSubscription: startSubscription(530, "s1"), Live: false}},
		UserTasks:          []state.UserTaskRow{{UserTask: doneTask, Live: false}, {UserTask: assigned, Live: true}},
		LastKey:            403, LastPosition: 12,
	}})

	want := &state.Snapshot{
		LastKey: 403, LastPosition: 12,
		Processes: []record.ProcessValue{process(10, "p", 1), process(11, "p", 2)},
		Elements:  []state.ElementRow{pi2, fresh},
		Variables: []state.VariableRow{
			{Key: 200, ScopeKey: 100, ProcessInstanceKey: 100, Name: "a", Value: map[string]any{"now": []any{"an", "object", 2.5, false, nil}}},
			{Key: 203, ScopeKey: 103, ProcessInstanceKey: 100, Name: "d", Value: true},
		},
		Jobs:                 []state.Job{activated},
		Incidents:            []state.IncidentRow{incident(402, false)},
		Timers:               []state.Timer{timer(502, epoch+30)},
		MessageSubscriptions: []state.MessageSubscription{subscription(511, "b2")},
		Messages:             []state.Message{correlated},
		UserTasks:            []state.UserTask{assigned},
	}
	got := snapshot(t, st)
	sameSnapshot(t, got, want)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("loaded snapshot differs in Go values (nil versus empty?):\ngot  %#v\nwant %#v", got, want)
	}
}

// rowsKeepEveryField stores rows whose every field is set and checks they
// load unchanged: a field added to a row type must reach the tables.
func (s *suite) rowsKeepEveryField(t *testing.T) {
	checkKnownFields(t)
	st := s.store(t)
	p := record.ProcessValue{BPMNProcessID: "proc", Name: "Proc <&>", Version: 3, VersionTag: "v3", ProcessDefinitionKey: 10,
		ResourceName: "proc.bpmn", Resource: []byte("<definitions>\x00\xff</definitions>"), Checksum: "abc", DeploymentKey: 9, TenantID: "tenant-a"}
	e := state.ElementRow{Key: 101, State: state.ElementCompleting, ActiveChildren: 2, Waiting: map[string]int32{"f1": 1, "f2": 3},
		JobKey: 300, IncidentKey: 400, StartTime: epoch, EndTime: epoch + 1, StartedByKey: "order-1", StartPosition: 7,
		TraceParent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", Value: record.ProcessInstanceValue{
			BPMNProcessID: "proc", Version: 3, ProcessDefinitionKey: 10, ProcessInstanceKey: 100, ElementID: "task",
			BPMNElementType: "SERVICE_TASK", BPMNEventType: "NONE", FlowScopeKey: 100, ParentProcessInstanceKey: 50,
			ParentElementInstanceKey: 51, TenantID: "tenant-a"}}
	v := state.VariableRow{Key: 200, ScopeKey: 101, ProcessInstanceKey: 100, Name: "doc",
		Value: map[string]any{"s": "<&> \"\\", "n": -1.25e-7, "big": 1e21, "l": []any{true, nil}}}
	j := state.Job{Key: 300, State: state.JobBackingOff, Value: record.JobValue{Type: "pay", Worker: "w", Retries: 2, RetryBackoff: 1000,
		RecurringTime: epoch + 1000, Deadline: epoch + 2, Timeout: 30000, ErrorMessage: "boom", ErrorCode: "E1",
		CustomHeaders: map[string]string{"h": "<v>"}, Variables: map[string]any{"x": "y"}, ElementID: "task",
		ElementInstanceKey: 101, BPMNProcessID: "proc", ProcessDefinitionVersion: 3, ProcessDefinitionKey: 10,
		ProcessInstanceKey: 100, TenantID: "tenant-a"}}
	i := state.IncidentRow{Key: 400, Resolved: false, CreationTime: epoch + 3, Value: record.IncidentValue{
		ErrorType: record.ErrorIOMapping, ErrorMessage: "bad", BPMNProcessID: "proc", ProcessDefinitionKey: 10,
		ProcessInstanceKey: 100, ElementID: "task", ElementInstanceKey: 101, JobKey: 300, VariableScopeKey: 101, TenantID: "tenant-a"}}
	tm := state.Timer{Key: 500, Value: record.TimerValue{ElementID: "wait", ElementInstanceKey: 101, ProcessInstanceKey: 100,
		ProcessDefinitionKey: 10, BPMNProcessID: "proc", DueDate: epoch + 5000, Repetitions: -1, Cycle: "R/PT1M", TenantID: "tenant-a"}}
	sub := state.MessageSubscription{Key: 501, Value: record.MessageSubscriptionValue{ElementID: "catch", ElementInstanceKey: 101,
		ProcessInstanceKey: 100, ProcessDefinitionKey: 10, BPMNProcessID: "proc", MessageName: "paid", CorrelationKey: "order-1",
		Interrupting: true, MessageKey: 502, Variables: map[string]any{"sum": 12.5}, TenantID: "tenant-a"}}
	msg := state.Message{Key: 502, Correlated: []string{"proc", "other"}, Value: record.MessageValue{Name: "paid",
		CorrelationKey: "order-1", TimeToLive: 60000, Deadline: epoch + 60000, MessageID: "m-1",
		Variables: map[string]any{"sum": 12.5}, TenantID: "tenant-a", ProcessInstanceKey: 100}}
	start := state.StartSubscription{Key: 503, Value: record.MessageStartSubscriptionValue{ProcessDefinitionKey: 10,
		BPMNProcessID: "proc", StartEventID: "start", MessageName: "go", MessageKey: 502, CorrelationKey: "order-1",
		ProcessInstanceKey: 100, Variables: map[string]any{"a": "b"}, TenantID: "tenant-a"}}
	task := state.UserTask{Key: 504, State: state.UserTaskCreated, Value: record.UserTaskValue{ElementID: "review", Name: "Review order",
		ElementInstanceKey: 101, ProcessInstanceKey: 100, ProcessDefinitionKey: 10, ProcessDefinitionVersion: 3,
		BPMNProcessID: "proc", Assignee: "anna", CandidateGroups: []string{"sales", "ops"}, CandidateUsers: []string{"bob"},
		DueDate: "2026-03-01T10:00:00+01:00", FollowUpDate: "2026-02-27T10:00:00Z", FormKey: "camunda-forms:bpmn:f",
		FormID: "f", ExternalFormReference: "https://forms.example/f", Priority: 80, CustomHeaders: map[string]string{"h": "v"},
		Variables: map[string]any{"x": 1.0}, Action: "assign", ChangedAttributes: []string{"assignee"}, AllowOverride: true,
		CreationTimestamp: epoch + 4, CompletionTimestamp: epoch + 9, TenantID: "tenant-a"}}
	fm := record.FormValue{FormID: "review-form", Version: 2, VersionTag: "v2", FormKey: 12, ResourceName: "review.form",
		Resource: []byte("{\"id\":\"review-form\",\"x\":\"<&>\x00\"}"), Checksum: "def", DeploymentKey: 9, TenantID: "tenant-a"}
	sig := state.SignalSubscription{Key: 505, Value: record.SignalSubscriptionValue{ProcessDefinitionKey: 10, BPMNProcessID: "proc",
		CatchEventID: "wait-signal", CatchEventInstanceKey: 101, ProcessInstanceKey: 100, SignalName: "go <&>",
		Interrupting: true, TenantID: "tenant-a"}}
	cmp := state.CompensationSubscription{Key: 506, Value: record.CompensationSubscriptionValue{TenantID: "tenant-a",
		ProcessInstanceKey: 100, ProcessDefinitionKey: 10, CompensableActivityID: "book <&>", CompensableActivityScopeKey: 100,
		CompensableActivityInstanceKey: 101, ThrowEventID: "undo", ThrowEventInstanceKey: 102, CompensationHandlerID: "cancel",
		CompensationHandlerInstanceKey: 103}}
	for name, row := range map[string]any{"process": p, "element": e, "variable": v, "job": j, "timer": tm,
		"message subscription": sub, "message": msg, "start subscription": start, "user task": task, "form": fm,
		"signal subscription": sig, "compensation subscription": cmp} {
		if path := zeroField(reflect.ValueOf(row), name); path != "" {
			t.Fatalf("%s is not set in the test row: set it so that the test proves it is stored", path)
		}
	}
	if path := zeroField(reflect.ValueOf(i), "incident"); path != "" && path != "incident.Resolved" {
		t.Fatalf("%s is not set in the test row: set it so that the test proves it is stored", path)
	}
	// Live rows load through their active process instance.
	pi := element(100, 100, -1, "proc", "PROCESS", state.ElementActivated)
	want := &state.Snapshot{LastKey: 999, LastPosition: 1234, Processes: []record.ProcessValue{p},
		Elements: []state.ElementRow{pi, e}, Variables: []state.VariableRow{v}, Jobs: []state.Job{j}, Incidents: []state.IncidentRow{i},
		Timers: []state.Timer{tm}, MessageSubscriptions: []state.MessageSubscription{sub}, Messages: []state.Message{msg},
		StartSubscriptions: []state.StartSubscription{start}, UserTasks: []state.UserTask{task}, Forms: []record.FormValue{fm},
		SignalSubscriptions: []state.SignalSubscription{sig}, CompensationSubscriptions: []state.CompensationSubscription{cmp}}
	commit(t, st, &store.Batch{Changes: state.Changes{Processes: want.Processes, Forms: want.Forms, Elements: want.Elements,
		Variables: want.Variables, Jobs: want.Jobs, Incidents: want.Incidents,
		Timers:                    []state.TimerRow{{Timer: tm, Live: true}},
		MessageSubscriptions:      []state.MessageSubscriptionRow{{MessageSubscription: sub, Live: true}},
		Messages:                  []state.MessageRow{{Message: msg, Live: true}},
		StartSubscriptions:        []state.StartSubscriptionRow{{StartSubscription: start, Live: true}},
		UserTasks:                 []state.UserTaskRow{{UserTask: task, Live: true}},
		SignalSubscriptions:       []state.SignalSubscriptionRow{{SignalSubscription: sig, Live: true}},
		CompensationSubscriptions: []state.CompensationSubscriptionRow{{CompensationSubscription: cmp, Live: true}},
		LastKey:                   999, LastPosition: 1234}})
	got := snapshot(t, st)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rows changed on their way through the store:\ngot  %#v\nwant %#v", got, want)
	}
}

// notInState are fields of record values that commands carry and state
// never keeps, so no row stores them (record.TimerValue and MessageValue
// say so).
var notInState = map[string]bool{"timer.Value.TraceParent": true, "message.Value.TraceParent": true}

// zeroField returns the path of the first field of v that has its zero
// value, but for those notInState.
func zeroField(v reflect.Value, path string) string {
	if notInState[path] {
		return ""
	}
	if v.Kind() != reflect.Struct {
		if v.IsZero() {
			return path
		}
		return ""
	}
	for k := range v.NumField() {
		f := v.Type().Field(k)
		if !f.IsExported() {
			continue
		}
		if p := zeroField(v.Field(k), path+"."+f.Name); p != "" {
			return p
		}
	}
	return ""
}

// checkKnownFields fails when the kernel's Changes or Snapshot gain a table
// that the stores do not write yet.
func checkKnownFields(t *testing.T) {
	t.Helper()
	known := map[string]bool{"Processes": true, "Elements": true, "Variables": true, "Jobs": true, "Incidents": true,
		"Timers": true, "MessageSubscriptions": true, "Messages": true, "StartSubscriptions": true, "UserTasks": true,
		"Tenants": true, "TenantMembers": true, "Forms": true, "LastKey": true, "LastPosition": true,
		"DeletedProcesses": true, "DeletedForms": true, "SignalSubscriptions": true, "CompensationSubscriptions": true,
		// A partition's rows of other partitions: RunPartitions checks them
		// (crossingtests.go), as only stores of several partitions write them.
		"Inbox": true, "RemoteSubscriptions": true}
	for _, typ := range []reflect.Type{reflect.TypeFor[state.Changes](), reflect.TypeFor[state.Snapshot]()} {
		for k := range typ.NumField() {
			if f := typ.Field(k); !known[f.Name] {
				t.Errorf("%s has field %s that the stores do not write: add its table (migration, core/store/internal/tables) and extend this suite", typ, f.Name)
			}
		}
	}
}

// engineWorkload commits a real processor's batches and checks that the
// loaded rows restore the processor's live state and match the reference
// store's rows, and that the log replays to the same state.
func (s *suite) engineWorkload(t *testing.T) {
	st := s.store(t)
	ref := memstore.New(memstore.Options{})
	w := newWorkload(t, 6, st, ref)
	w.run(400)
	snap := snapshot(t, st)
	sameSnapshot(t, snap, snapshot(t, ref))
	if got, want := string(restore(t, snap).Dump()), string(w.st().Dump()); got != want {
		t.Fatalf("restored state differs from the live one:\ngot  %s\nwant %s", got, want)
	}
	if err := replaycheck.Check(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	sameRecords(t, readAll(t, st), w.log)
	if len(snap.Elements) == 0 || len(snap.Jobs) == 0 || len(snap.Incidents) == 0 || len(snap.Variables) == 0 {
		t.Fatalf("the workload left too little live state to test with: %d elements, %d jobs, %d incidents, %d variables",
			len(snap.Elements), len(snap.Jobs), len(snap.Incidents), len(snap.Variables))
	}
}

// reopen checks that a durable store loads the same snapshot and log after
// it was closed and opened again, and keeps working.
func (s *suite) reopen(t *testing.T) {
	if s.cfg.reopen == nil {
		t.Skip("the store is not durable: no Reopen option")
	}
	st := s.open(t)
	w := newWorkload(t, 7, st)
	w.run(200)
	before := snapshot(t, st)
	page, err := querier(t, st).SearchElementInstances(context.Background(), store.Query{Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	st2 := s.cfg.reopen(t, st)
	t.Cleanup(func() { _ = st2.Close() })
	sameSnapshot(t, snapshot(t, st2), before)
	sameRecords(t, readAll(t, st2), w.log)
	again, err := querier(t, st2).SearchElementInstances(context.Background(), store.Query{Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again, page) {
		t.Fatalf("search after reopen differs:\ngot  %+v\nwant %+v", again, page)
	}
	w.stores = []store.Store{st2}
	w.run(60)
	if got, want := string(restore(t, snapshot(t, st2)).Dump()), string(w.st().Dump()); got != want {
		t.Fatalf("state after reopen and more batches differs:\ngot  %s\nwant %s", got, want)
	}
	if err := replaycheck.Check(context.Background(), st2); err != nil {
		t.Fatal(err)
	}
}
