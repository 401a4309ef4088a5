package storesuite

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

// historyBatch is a batch whose events the store projects into its
// histories: sequence flows taken (one twice), a message correlated to a
// subscription and one to a start event, user tasks assigned, and the
// process instances the usage metrics count.
func historyBatch() *store.Batch {
	pos := int64(0)
	ev := func(key int64, ts int64, intent record.Intent, v record.Value) *record.Record {
		pos++
		return &record.Record{Position: pos, Key: key, Kind: record.KindEvent, ValueType: v.ValueType(), Intent: intent,
			Version: 1, Timestamp: epoch + ts, Value: v}
	}
	command := func(r *record.Record) *record.Record {
		r.Kind = record.KindCommand
		return r
	}
	flow := func(pi int64, id, tenant string) *record.ProcessInstanceValue {
		return &record.ProcessInstanceValue{BPMNProcessID: "order", Version: 1, ProcessDefinitionKey: 10, ProcessInstanceKey: pi,
			ElementID: id, BPMNElementType: "SEQUENCE_FLOW", FlowScopeKey: pi, TenantID: tenant}
	}
	task := func(assignee, tenant string) *record.UserTaskValue {
		return &record.UserTaskValue{ElementID: "review", ProcessInstanceKey: 100, ProcessDefinitionKey: 10, BPMNProcessID: "order",
			Assignee: assignee, TenantID: tenant}
	}
	recs := []*record.Record{
		ev(201, 0, record.IntentSequenceFlowTaken, flow(100, "flow_b", record.DefaultTenant)),
		ev(202, 0, record.IntentSequenceFlowTaken, flow(100, "flow_a", record.DefaultTenant)),
		ev(203, 0, record.IntentSequenceFlowTaken, flow(100, "flow_b", record.DefaultTenant)),
		ev(204, 0, record.IntentSequenceFlowTaken, flow(101, "flow_c", "t1")),
		// A rejected or command record is no history.
		command(ev(205, 0, record.IntentSequenceFlowTaken, flow(100, "flow_z", record.DefaultTenant))),
		ev(300, 1000, record.IntentMessageSubscriptionCorrelated, &record.MessageSubscriptionValue{ElementID: "wait",
			ElementInstanceKey: 150, ProcessInstanceKey: 100, ProcessDefinitionKey: 10, BPMNProcessID: "order",
			MessageName: "paid", CorrelationKey: "o-1", MessageKey: 400, TenantID: record.DefaultTenant}),
		ev(301, 2000, record.IntentMessageStartSubscriptionCorrelated, &record.MessageStartSubscriptionValue{ProcessDefinitionKey: 11,
			BPMNProcessID: "invoice", StartEventID: "start", MessageName: "invoice", MessageKey: 401, ProcessInstanceKey: 101,
			TenantID: "t1"}),
		ev(500, 3000, record.IntentUserTaskCreated, task("ann", record.DefaultTenant)),
		ev(500, 4000, record.IntentUserTaskAssigned, task("bob", record.DefaultTenant)),
		ev(501, 5000, record.IntentUserTaskCreated, task("", record.DefaultTenant)),
		ev(502, 6000, record.IntentUserTaskAssigned, task("ann", "t1")),
	}
	// Instance 100 was created with tags: the command carries them, its
	// CREATED event names the instance.
	create := command(ev(0, 0, record.IntentProcessInstanceCreate, &record.ProcessInstanceCreationValue{BPMNProcessID: "order",
		TenantID: record.DefaultTenant, Tags: []string{"vip", "region:eu"}}))
	created := ev(100, 0, record.IntentProcessInstanceCreated, &record.ProcessInstanceCreationValue{BPMNProcessID: "order",
		ProcessDefinitionKey: 10, ProcessInstanceKey: 100, TenantID: record.DefaultTenant})
	created.SourcePosition = create.Position
	// An instance created without tags has none.
	plain := command(ev(0, 0, record.IntentProcessInstanceCreate, &record.ProcessInstanceCreationValue{BPMNProcessID: "order", TenantID: "t1"}))
	plainCreated := ev(101, 0, record.IntentProcessInstanceCreated, &record.ProcessInstanceCreationValue{BPMNProcessID: "order",
		ProcessDefinitionKey: 10, ProcessInstanceKey: 101, TenantID: "t1"})
	plainCreated.SourcePosition = plain.Position
	recs = append(recs, create, created, plain, plainCreated)
	root := func(pi, parent int64, tenant string, start int64) state.ElementRow {
		return state.ElementRow{Key: pi, State: state.ElementActivated, StartTime: epoch + start, Value: record.ProcessInstanceValue{
			BPMNProcessID: "order", Version: 1, ProcessDefinitionKey: 10, ProcessInstanceKey: pi, ElementID: "order",
			BPMNElementType: "PROCESS", FlowScopeKey: -1, ParentProcessInstanceKey: parent, ParentElementInstanceKey: -1, TenantID: tenant}}
	}
	return &store.Batch{Records: recs, Changes: state.Changes{
		Elements:     []state.ElementRow{root(100, -1, record.DefaultTenant, 0), root(101, -1, "t1", 1000), root(102, 100, record.DefaultTenant, 2000), root(103, -1, record.DefaultTenant, 60000)},
		LastKey:      600,
		LastPosition: pos,
	}}
}

// histories checks what the store projects from committed events.
func (s *suite) histories(t *testing.T) {
	st := s.store(t)
	commit(t, st, historyBatch())
	ctx := context.Background()

	fq, ok := st.(store.SequenceFlowQuerier)
	if !ok {
		t.Fatalf("%T does not implement store.SequenceFlowQuerier", st)
	}
	flows, err := fq.SequenceFlows(ctx, 100, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.SequenceFlow{
		{Key: 202, ProcessInstanceKey: 100, SequenceFlowID: "flow_a", ProcessDefinitionKey: 10, ProcessDefinitionID: "order", TenantID: record.DefaultTenant},
		{Key: 201, ProcessInstanceKey: 100, SequenceFlowID: "flow_b", ProcessDefinitionKey: 10, ProcessDefinitionID: "order", TenantID: record.DefaultTenant},
	}
	if !reflect.DeepEqual(flows, want) {
		t.Errorf("sequence flows of 100:\n got %+v\nwant %+v", flows, want)
	}
	if flows, err := fq.SequenceFlows(ctx, 101, []string{record.DefaultTenant}); err != nil || len(flows) != 0 {
		t.Errorf("sequence flows of t1's instance for the default tenant only: %+v, %v", flows, err)
	}
	if flows, err := fq.SequenceFlows(ctx, 101, []string{"t1"}); err != nil || len(flows) != 1 || flows[0].SequenceFlowID != "flow_c" {
		t.Errorf("sequence flows of t1's instance for t1: %+v, %v", flows, err)
	}

	cq, ok := st.(store.CorrelatedMessageSubscriptionQuerier)
	if !ok {
		t.Fatalf("%T does not implement store.CorrelatedMessageSubscriptionQuerier", st)
	}
	page, err := cq.SearchCorrelatedMessageSubscriptions(ctx, store.Query{})
	if err != nil {
		t.Fatal(err)
	}
	wantCorr := []store.CorrelatedMessageSubscription{
		{Position: 6, SubscriptionKey: 300, MessageKey: 400, MessageName: "paid", CorrelationKey: "o-1", ProcessInstanceKey: 100,
			ProcessDefinitionKey: 10, ProcessDefinitionID: "order", ElementID: "wait", ElementInstanceKey: 150,
			CorrelationTime: time.UnixMilli(epoch + 1000).UTC(), TenantID: record.DefaultTenant},
		{Position: 7, SubscriptionKey: 301, MessageKey: 401, MessageName: "invoice", ProcessInstanceKey: 101,
			ProcessDefinitionKey: 11, ProcessDefinitionID: "invoice", ElementID: "start",
			CorrelationTime: time.UnixMilli(epoch + 2000).UTC(), TenantID: "t1"},
	}
	if page.Total != 2 || !reflect.DeepEqual(page.Items, wantCorr) {
		t.Errorf("correlated message subscriptions:\n got %d %+v\nwant %+v", page.Total, page.Items, wantCorr)
	}
	for _, tc := range []struct {
		name string
		q    store.Query
		keys []int64
	}{
		{"by message key", store.Query{Conditions: []store.Condition{c("messageKey", store.OpEq, int64(401))}}, []int64{301}},
		{"by subscription key", store.Query{Conditions: []store.Condition{c("subscriptionKey", store.OpEq, int64(300))}}, []int64{300}},
		{"by process instance", store.Query{Conditions: []store.Condition{c("processInstanceKey", store.OpEq, int64(101))}}, []int64{301}},
		{"start events have no element instance", store.Query{Conditions: []store.Condition{c("elementInstanceKey", store.OpExists, false)}}, []int64{301}},
		{"by correlation time", store.Query{Conditions: []store.Condition{c("correlationTime", store.OpGte, time.UnixMilli(epoch+1500).UTC())}}, []int64{301}},
		{"by name and correlation key", store.Query{Conditions: []store.Condition{c("messageName", store.OpEq, "paid"), c("correlationKey", store.OpEq, "o-1")}}, []int64{300}},
		{"partition 1", store.Query{Conditions: []store.Condition{c("partitionId", store.OpEq, int64(1))}}, []int64{300, 301}},
		{"sorted by message name", store.Query{Sort: []store.SortField{{Field: "messageName"}}}, []int64{301, 300}},
		{"the default tenant only", store.Query{Tenants: []string{record.DefaultTenant}}, []int64{300}},
	} {
		page, err := cq.SearchCorrelatedMessageSubscriptions(ctx, tc.q)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		var keys []int64
		for _, m := range page.Items {
			keys = append(keys, m.SubscriptionKey)
		}
		if !reflect.DeepEqual(keys, tc.keys) {
			t.Errorf("%s: subscriptions %v, want %v", tc.name, keys, tc.keys)
		}
	}

	q := querier(t, st)
	for _, tc := range []struct {
		name  string
		conds []store.Condition
		want  []int64
	}{
		{"tagged", []store.Condition{c("tags", store.OpEq, "vip")}, []int64{100}},
		{"both tags", []store.Condition{c("tags", store.OpEq, "vip"), c("tags", store.OpEq, "region:eu")}, []int64{100}},
		{"a tag nobody has", []store.Condition{c("tags", store.OpEq, "vip"), c("tags", store.OpEq, "region:us")}, nil},
		{"untagged", []store.Condition{c("tags", store.OpExists, false)}, []int64{101, 102, 103}},
	} {
		page, err := q.SearchProcessInstances(ctx, store.Query{Conditions: tc.conds})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var keys []int64
		for _, p := range page.Items {
			keys = append(keys, p.ProcessInstanceKey)
			if want := map[int64][]string{100: {"vip", "region:eu"}}[p.ProcessInstanceKey]; !reflect.DeepEqual(p.Tags, want) {
				t.Errorf("tags of %d: %q, want %q", p.ProcessInstanceKey, p.Tags, want)
			}
		}
		if !reflect.DeepEqual(keys, tc.want) {
			t.Errorf("%s: instances %v, want %v", tc.name, keys, tc.want)
		}
	}

	uq, ok := st.(store.UsageQuerier)
	if !ok {
		t.Fatalf("%T does not implement store.UsageQuerier", st)
	}
	for _, tc := range []struct {
		name      string
		q         store.UsageQuery
		perTenant map[string]store.Usage
		assignees int64
	}{
		{"the first minute: roots only (102 is called by 100), 103 after it",
			store.UsageQuery{From: time.UnixMilli(epoch).UTC(), To: time.UnixMilli(epoch + 59999).UTC()},
			map[string]store.Usage{record.DefaultTenant: {ProcessInstances: 1, Assignees: 2}, "t1": {ProcessInstances: 1, Assignees: 1}}, 2},
		{"both ends included",
			store.UsageQuery{From: time.UnixMilli(epoch + 1000).UTC(), To: time.UnixMilli(epoch + 60000).UTC()},
			map[string]store.Usage{record.DefaultTenant: {ProcessInstances: 1, Assignees: 2}, "t1": {ProcessInstances: 1, Assignees: 1}}, 2},
		{"one tenant",
			store.UsageQuery{From: time.UnixMilli(epoch).UTC(), To: time.UnixMilli(epoch + 60000).UTC(), Tenant: "t1"},
			map[string]store.Usage{"t1": {ProcessInstances: 1, Assignees: 1}}, 1},
		{"restricted to the default tenant",
			store.UsageQuery{From: time.UnixMilli(epoch).UTC(), To: time.UnixMilli(epoch + 3500).UTC(), Tenants: []string{record.DefaultTenant}},
			map[string]store.Usage{record.DefaultTenant: {ProcessInstances: 1, Assignees: 1}}, 1},
		{"nothing in range",
			store.UsageQuery{From: time.UnixMilli(epoch + 100000).UTC(), To: time.UnixMilli(epoch + 200000).UTC()},
			map[string]store.Usage{}, 0},
	} {
		perTenant, assignees, err := uq.Usage(ctx, tc.q)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if perTenant == nil {
			perTenant = map[string]store.Usage{}
		}
		if !reflect.DeepEqual(perTenant, tc.perTenant) || assignees != tc.assignees {
			t.Errorf("%s: usage %+v, %d assignees; want %+v, %d", tc.name, perTenant, assignees, tc.perTenant, tc.assignees)
		}
	}
}

// instanceDefinitionFilters checks the process instance fields read from
// the definition and the jobs: processDefinitionName (the id when the
// definition has no name), processDefinitionVersionTag, hasRetriesLeft.
func (s *suite) instanceDefinitionFilters(t *testing.T) {
	st := s.store(t)
	searchData(t, st)
	retrying := job(305, 131, state.JobFailed)
	retrying.Value.ProcessInstanceKey, retrying.Value.Retries = 130, 2
	commit(t, st, &store.Batch{Changes: state.Changes{Jobs: []state.Job{retrying}, LastKey: 500, LastPosition: 2}})
	q := querier(t, st)
	for _, tc := range []struct {
		name  string
		conds []store.Condition
		sort  []store.SortField
		want  []int64
	}{
		{"by definition name", []store.Condition{c("processDefinitionName", store.OpEq, "Order")}, nil, []int64{100, 110, 130}},
		{"by definition name, like", []store.Condition{c("processDefinitionName", store.OpLike, "Inv*")}, nil, []int64{120}},
		{"by version tag", []store.Condition{c("processDefinitionVersionTag", store.OpEq, "v2")}, nil, []int64{110, 130}},
		{"without a version tag", []store.Condition{c("processDefinitionVersionTag", store.OpExists, false)}, nil, []int64{100, 120}},
		{"with a failed job with retries left", []store.Condition{c("hasRetriesLeft", store.OpEq, true)}, nil, []int64{130}},
		{"without one (a failed job without retries does not count)", []store.Condition{c("hasRetriesLeft", store.OpEq, false)}, nil, []int64{100, 110, 120}},
		{"sorted by definition name", nil, []store.SortField{{Field: "processDefinitionName", Desc: true}}, []int64{100, 110, 130, 120}},
		{"sorted by version tag", nil, []store.SortField{{Field: "processDefinitionVersionTag"}}, []int64{100, 120, 110, 130}},
	} {
		page, err := q.SearchProcessInstances(context.Background(), store.Query{Conditions: tc.conds, Sort: tc.sort})
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		var keys []int64
		for _, p := range page.Items {
			keys = append(keys, p.ProcessInstanceKey)
		}
		if !reflect.DeepEqual(keys, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, keys, tc.want)
		}
	}
}
