package storesuite

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/elements/standard"
)

// retentionXML has two processes of the same shape (a service task, then
// a user task): "short" keeps the default history TTL, "long" gets an
// override.
const retentionXML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  %s
</bpmn:definitions>`

const retentionProcess = `<bpmn:process id="%[1]s" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:serviceTask id="work"><bpmn:extensionElements><zeebe:taskDefinition type="%[1]s-work" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="approve" />
    <bpmn:userTask id="approve"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="approve" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`

// RetentionFixture is an engine over a store with a manual clock, which
// makes instances that end at chosen times.
type RetentionFixture struct {
	T     testing.TB
	Clock *clock.Manual
	E     *engine.Engine
	Store store.Store
}

// NewRetentionFixture starts an engine on s at start and deploys the
// processes "short" and "long".
func NewRetentionFixture(t testing.TB, s store.Store, start time.Time) *RetentionFixture {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewManual(start)
	e, err := engine.Start(ctx, engine.Config{Partition: 1, Clock: clk, Store: s, Registry: standard.Registry()})
	if err != nil {
		t.Fatalf("start engine: %v", err)
	}
	t.Cleanup(func() { _ = e.Close() })
	var res []record.Resource
	for _, id := range []string{"short", "long"} {
		res = append(res, record.Resource{Name: id + ".bpmn", Content: []byte(fmt.Sprintf(retentionXML, fmt.Sprintf(retentionProcess, id)))})
	}
	if _, err := e.Deploy(ctx, engine.DeployRequest{Resources: res}); err != nil {
		t.Fatalf("deploy: %v", err)
	}
	return &RetentionFixture{T: t, Clock: clk, E: e, Store: s}
}

// Start creates an instance of the process with a variable and runs it to
// its user task: it has element instances, variables, a completed job, an
// open user task and sequence flows taken.
func (f *RetentionFixture) Start(process string) int64 {
	f.T.Helper()
	ctx := context.Background()
	ci, err := f.E.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: process, Variables: map[string]any{"n": 1},
		Tags: []string{"t"}})
	if err != nil {
		f.T.Fatalf("create %s: %v", process, err)
	}
	jobs, err := f.E.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: process + "-work", Worker: "w", Timeout: time.Hour, MaxJobs: 1})
	if err != nil || len(jobs) != 1 {
		f.T.Fatalf("activate the job of %d: %v (%d jobs)", ci.ProcessInstanceKey, err, len(jobs))
	}
	if jobs[0].Value.ProcessInstanceKey != ci.ProcessInstanceKey {
		f.T.Fatalf("activated a job of instance %d, want %d", jobs[0].Value.ProcessInstanceKey, ci.ProcessInstanceKey)
	}
	if err := f.E.CompleteJob(ctx, engine.CompleteJobRequest{Key: jobs[0].Key, Variables: map[string]any{"done": true}}); err != nil {
		f.T.Fatalf("complete job: %v", err)
	}
	return ci.ProcessInstanceKey
}

// StartWaiting creates an instance whose job stays activated: it lives.
func (f *RetentionFixture) StartWaiting(process string) int64 {
	f.T.Helper()
	ctx := context.Background()
	ci, err := f.E.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: process})
	if err != nil {
		f.T.Fatalf("create %s: %v", process, err)
	}
	if _, err := f.E.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: process + "-work", Worker: "w", Timeout: 1000 * time.Hour, MaxJobs: 1}); err != nil {
		f.T.Fatalf("activate: %v", err)
	}
	return ci.ProcessInstanceKey
}

// StartWithIncident creates an instance whose job failed without retries:
// it has an open incident.
func (f *RetentionFixture) StartWithIncident(process string) int64 {
	f.T.Helper()
	ctx := context.Background()
	ci, err := f.E.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: process})
	if err != nil {
		f.T.Fatalf("create %s: %v", process, err)
	}
	jobs, err := f.E.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: process + "-work", Worker: "w", Timeout: time.Hour, MaxJobs: 1})
	if err != nil || len(jobs) != 1 {
		f.T.Fatalf("activate: %v (%d jobs)", err, len(jobs))
	}
	if err := f.E.FailJob(ctx, engine.FailJobRequest{Key: jobs[0].Key, Retries: 0, ErrorMessage: "boom"}); err != nil {
		f.T.Fatalf("fail job: %v", err)
	}
	return ci.ProcessInstanceKey
}

// End cancels an instance (TERMINATED) at the clock's time.
func (f *RetentionFixture) End(key int64) {
	f.T.Helper()
	if err := f.E.CancelInstance(context.Background(), key); err != nil {
		f.T.Fatalf("cancel %d: %v", key, err)
	}
}

// retainer asserts that s implements store.Retainer.
func retainer(t *testing.T, s store.Store) store.Retainer {
	t.Helper()
	r, ok := s.(store.Retainer)
	if !ok {
		t.Fatalf("%T does not implement store.Retainer", s)
	}
	return r
}

// InstanceRows counts the rows of a process instance in every search the
// store answers: process instances, element instances, variables, jobs,
// incidents, user tasks, message subscriptions, sequence flows. Each count
// is by search name.
func InstanceRows(t testing.TB, s store.Store, pi int64) map[string]int {
	t.Helper()
	ctx := context.Background()
	q := querier2(t, s)
	by := store.Query{Conditions: []store.Condition{{Field: "processInstanceKey", Op: store.OpEq, Value: pi}}, Limit: 1000}
	out := map[string]int{}
	count := func(name string, n int, err error) {
		if err != nil {
			t.Fatalf("search %s of %d: %v", name, pi, err)
		}
		if n > 0 {
			out[name] = n
		}
	}
	p, err := q.SearchProcessInstances(ctx, by)
	count("process instances", len(p.Items), err)
	e, err := q.SearchElementInstances(ctx, by)
	count("element instances", len(e.Items), err)
	v, err := q.SearchVariables(ctx, by)
	count("variables", len(v.Items), err)
	j, err := q.SearchJobs(ctx, by)
	count("jobs", len(j.Items), err)
	i, err := q.SearchIncidents(ctx, by)
	count("incidents", len(i.Items), err)
	if ms, ok := s.(store.MessageSubscriptionQuerier); ok {
		m, err := ms.SearchMessageSubscriptions(ctx, by)
		count("message subscriptions", len(m.Items), err)
	}
	if u, ok := s.(store.UserTaskQuerier); ok {
		r, err := u.SearchUserTasks(ctx, by)
		count("user tasks", len(r.Items), err)
	}
	if f, ok := s.(store.SequenceFlowQuerier); ok {
		r, err := f.SequenceFlows(ctx, pi, nil)
		count("sequence flows", len(r), err)
	}
	return out
}

func querier2(t testing.TB, s store.Store) store.Querier {
	t.Helper()
	q, ok := s.(store.Querier)
	if !ok {
		t.Fatalf("%T does not implement store.Querier", s)
	}
	return q
}

// retention checks store.Retainer: what is due goes whole, in batches of
// the limit, and nothing else does.
func (s *suite) retention(t *testing.T) {
	ctx := context.Background()
	st := s.store(t)
	r := retainer(t, st)
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f := NewRetentionFixture(t, st, t0)

	a1 := f.Start("short")
	f.End(a1)
	waiting := f.StartWaiting("short") // live for ever, older than every TTL
	f.Clock.Advance(time.Hour)
	a2 := f.Start("short")
	f.End(a2)
	l1 := f.Start("long")
	f.End(l1)
	i1 := f.StartWithIncident("short")
	f.End(i1)
	open := f.Start("short") // live, at its user task
	f.Clock.Advance(9 * time.Hour)
	a3 := f.Start("short")
	f.End(a3)
	now := f.Clock.Now()

	all := []int64{a1, waiting, a2, l1, i1, open, a3}
	before := map[int64]map[string]int{}
	for _, pi := range all {
		before[pi] = InstanceRows(t, st, pi)
	}
	for _, want := range []string{"element instances", "variables", "jobs", "user tasks", "sequence flows"} {
		if before[a1][want] == 0 {
			t.Fatalf("instance %d has no %s before removal: %v", a1, want, before[a1])
		}
	}
	if before[i1]["incidents"] == 0 {
		t.Fatalf("instance %d has no incident: %v", i1, before[i1])
	}
	usageQ := store.UsageQuery{From: t0.Add(-time.Hour), To: t0.Add(24 * time.Hour)}
	usage := func() int64 {
		u, ok := st.(store.UsageQuerier)
		if !ok {
			return -1
		}
		per, _, err := u.Usage(ctx, usageQ)
		if err != nil {
			t.Fatalf("usage: %v", err)
		}
		return per[record.DefaultTenant].ProcessInstances
	}
	usageBefore := usage()

	// TTL 0 everywhere keeps everything, however late it is.
	keep := store.RetentionPolicy{PerProcess: map[string]time.Time{"long": {}}}
	if res, err := r.RemoveFinished(ctx, keep, 100); err != nil || res.Instances != 0 {
		t.Fatalf("a policy that keeps everything removed %+v (%v)", res, err)
	}
	if d, err := r.Overdue(ctx, keep); err != nil || d != 0 {
		t.Fatalf("overdue with nothing due = %v, %v", d, err)
	}

	// History TTL 5h, "long" 100h: a1, a2 and i1 are due.
	p := store.RetentionPolicy{Cutoff: now.Add(-5 * time.Hour), PerProcess: map[string]time.Time{"long": now.Add(-100 * time.Hour)}}
	if d, err := r.Overdue(ctx, p); err != nil || d != 5*time.Hour {
		// a1 ended at t0, the cutoff is t0+5h.
		t.Fatalf("overdue = %v, %v; want 5h", d, err)
	}
	res, err := r.RemoveFinished(ctx, p, 2)
	if err != nil {
		t.Fatal(err)
	}
	if res.Instances != 2 || !res.More || res.Rows < 2 {
		t.Fatalf("first batch of 2 = %+v", res)
	}
	res, err = r.RemoveFinished(ctx, p, 2)
	if err != nil {
		t.Fatal(err)
	}
	if res.Instances != 1 || res.More {
		t.Fatalf("second batch = %+v, want the one instance left", res)
	}
	if res, err := r.RemoveFinished(ctx, p, 2); err != nil || res.Instances != 0 {
		t.Fatalf("third batch = %+v (%v), want nothing", res, err)
	}
	if d, err := r.Overdue(ctx, p); err != nil || d != 0 {
		t.Fatalf("overdue after removal = %v, %v", d, err)
	}
	for _, pi := range all {
		got := InstanceRows(t, st, pi)
		removed := slices.Contains([]int64{a1, a2, i1}, pi)
		switch {
		case removed && len(got) != 0:
			t.Errorf("removed instance %d still has rows: %v", pi, got)
		case !removed && !equalCounts(got, before[pi]):
			t.Errorf("kept instance %d changed: %v, was %v", pi, got, before[pi])
		}
	}
	if u := usage(); u != usageBefore {
		t.Errorf("usage counts %d instances after removal, %d before", u, usageBefore)
	}
	// The live instances are still loaded.
	snap, err := loader(t, st).Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	live := map[int64]bool{}
	for _, e := range snap.Elements {
		if e.Value.FlowScopeKey == -1 {
			live[e.Key] = true
		}
	}
	if !live[waiting] || !live[open] || len(live) != 2 {
		t.Errorf("live process instances after removal = %v, want %d and %d", live, waiting, open)
	}

	// Much later, an override of 0 keeps "long" while the rest goes.
	late := now.Add(1000 * time.Hour)
	p = store.RetentionPolicy{Cutoff: late.Add(-time.Hour), PerProcess: map[string]time.Time{"long": {}}}
	res, err = r.RemoveFinished(ctx, p, 100)
	if err != nil || res.Instances != 1 {
		t.Fatalf("late batch = %+v (%v), want a3 only", res, err)
	}
	if len(InstanceRows(t, st, a3)) != 0 || len(InstanceRows(t, st, l1)) == 0 {
		t.Errorf("after the late batch: a3 %v, l1 %v", InstanceRows(t, st, a3), InstanceRows(t, st, l1))
	}
	if len(InstanceRows(t, st, waiting)) == 0 || len(InstanceRows(t, st, open)) == 0 {
		t.Error("a live instance lost its rows")
	}
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
