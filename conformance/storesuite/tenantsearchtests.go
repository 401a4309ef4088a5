package storesuite

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

// The tenants of TenantBatch's rows, besides record.DefaultTenant.
const (
	TenantA = "tenant-a"
	TenantB = "tenant-b"
)

// tenantBases are the first keys of each tenant's rows in TenantBatch.
var tenantBases = []struct {
	tenant string
	base   int64
}{{TenantA, 1000}, {TenantB, 2000}, {record.DefaultTenant, 3000}}

// TenantBatch returns a batch with rows of TenantA, TenantB and the default
// tenant in every table that has a tenant: per tenant a process definition
// (base+0), a process instance (base+100) with an element instance
// (base+101), a variable (base+200), a job (base+300), an incident (base+400),
// a user task (base+500), a timer, a message, a message subscription and a
// message start subscription (base+600 to base+603), a form (base+800); TenantA and TenantB
// also get a tenant row (base+700) with a member (base+701): the default
// tenant has none. The bases are 1000, 2000 and 3000. pgstore's row-level
// security test commits it too.
func TenantBatch() *store.Batch {
	var c state.Changes
	for _, tb := range tenantBases {
		k, tenant := tb.base, tb.tenant
		p := process(k, "proc", 1)
		p.TenantID = tenant
		c.Processes = append(c.Processes, p)
		pi := element(k+100, k+100, -1, "proc", "PROCESS", state.ElementActivated)
		el := element(k+101, k+100, k+100, "task", "SERVICE_TASK", state.ElementActivated)
		for _, e := range []*state.ElementRow{&pi, &el} {
			e.Value.ProcessDefinitionKey, e.Value.BPMNProcessID, e.Value.TenantID = k, "proc", tenant
		}
		el.IncidentKey = k + 400
		c.Elements = append(c.Elements, pi, el)
		c.Variables = append(c.Variables, state.VariableRow{Key: k + 200, ScopeKey: k + 100, ProcessInstanceKey: k + 100, Name: "v", Value: tenant})
		j := job(k+300, k+101, state.JobActivated)
		j.Value.ProcessInstanceKey, j.Value.ProcessDefinitionKey, j.Value.TenantID = k+100, k, tenant
		c.Jobs = append(c.Jobs, j)
		i := incident(k+400, false)
		i.Value.ProcessInstanceKey, i.Value.ElementInstanceKey, i.Value.ProcessDefinitionKey, i.Value.TenantID = k+100, k+101, k, tenant
		c.Incidents = append(c.Incidents, i)
		u := userTask(k+500, "review")
		u.Value.ProcessInstanceKey, u.Value.ElementInstanceKey, u.Value.ProcessDefinitionKey, u.Value.TenantID = k+100, k+101, k, tenant
		c.UserTasks = append(c.UserTasks, state.UserTaskRow{UserTask: u, Live: true})
		tm := timer(k+600, epoch+1000)
		tm.Value.TenantID = tenant
		c.Timers = append(c.Timers, state.TimerRow{Timer: tm, Live: true})
		m := message(k+601, "m")
		m.Value.TenantID = tenant
		c.Messages = append(c.Messages, state.MessageRow{Message: m, Live: true})
		ms := subscription(k+602, "m")
		ms.Value.TenantID = tenant
		c.MessageSubscriptions = append(c.MessageSubscriptions, state.MessageSubscriptionRow{MessageSubscription: ms, Live: true})
		ss := startSubscription(k+603, "m")
		ss.Value.TenantID = tenant
		c.StartSubscriptions = append(c.StartSubscriptions, state.StartSubscriptionRow{StartSubscription: ss, Live: true})
		c.SignalSubscriptions = append(c.SignalSubscriptions, state.SignalSubscriptionRow{Live: true, SignalSubscription: state.SignalSubscription{
			Key: k + 604, Value: record.SignalSubscriptionValue{ProcessDefinitionKey: k, BPMNProcessID: "proc", CatchEventID: "s",
				CatchEventInstanceKey: -1, ProcessInstanceKey: -1, SignalName: "go", TenantID: tenant}}})
		c.CompensationSubscriptions = append(c.CompensationSubscriptions, state.CompensationSubscriptionRow{Live: true,
			CompensationSubscription: state.CompensationSubscription{Key: k + 605, Value: record.CompensationSubscriptionValue{
				TenantID: tenant, ProcessInstanceKey: k + 1, ProcessDefinitionKey: k, CompensableActivityID: "a",
				CompensableActivityScopeKey: k + 1, CompensableActivityInstanceKey: k + 2, CompensationHandlerID: "h"}}})
		c.Forms = append(c.Forms, record.FormValue{FormID: "f", Version: 1, FormKey: k + 800, ResourceName: "f.form",
			Resource: []byte(`{"id":"f"}`), Checksum: "c", DeploymentKey: k, TenantID: tenant})
		if tenant != record.DefaultTenant {
			c.Tenants = append(c.Tenants, state.TenantRow{Live: true, Tenant: state.Tenant{Key: k + 700,
				Value: record.TenantValue{TenantKey: k + 700, TenantID: tenant, Name: tenant}}})
			c.TenantMembers = append(c.TenantMembers, state.TenantMemberRow{Live: true, TenantMember: state.TenantMember{Key: k + 701,
				Value: record.TenantValue{TenantKey: k + 700, TenantID: tenant, EntityType: record.TenantEntityUser, EntityID: "ann"}}})
		}
	}
	c.LastKey, c.LastPosition = 4000, 1
	return &store.Batch{Changes: c}
}

// tenantSearches checks that Query.Tenants restricts every search to the
// rows of those tenants: nil restricts nothing, an empty list matches
// nothing, and the restriction holds together with conditions and paging.
func (s *suite) tenantSearches(t *testing.T) {
	st := s.store(t)
	commit(t, st, TenantBatch())
	q := querier(t, st)
	uq, ok := st.(store.UserTaskQuerier)
	if !ok {
		t.Fatalf("%T does not implement store.UserTaskQuerier", st)
	}
	ss := searchersOf(q)
	entities := []struct {
		name   string
		search searcher
		offset int64 // of the entity's row from its tenant's base
	}{
		{"process definitions", ss.definitions, 0},
		{"process instances", ss.instances, 100},
		{"variables", ss.variables, 200},
		{"jobs", ss.jobs, 300},
		{"incidents", ss.incidents, 400},
		{"user tasks", keysOf(uq.SearchUserTasks, func(r *store.UserTask) int64 { return r.UserTaskKey }), 500},
	}
	base := map[string]int64{}
	for _, tb := range tenantBases {
		base[tb.tenant] = tb.base
	}
	all := []string{TenantA, TenantB, record.DefaultTenant}
	cases := []struct {
		name    string
		tenants []string
		want    []string // tenants whose rows come back
	}{
		{"no restriction", nil, all},
		{"tenant A", []string{TenantA}, []string{TenantA}},
		{"tenant B", []string{TenantB}, []string{TenantB}},
		{"tenants A and B", []string{TenantB, TenantA}, []string{TenantA, TenantB}},
		{"no tenant", []string{}, nil},
		{"an unknown tenant", []string{"tenant-z"}, nil},
	}
	ctx := context.Background()
	for _, e := range entities {
		for _, tc := range cases {
			var want []int64
			for _, tenant := range tc.want {
				want = append(want, base[tenant]+e.offset)
			}
			slices.Sort(want)
			keys, total, err := e.search(ctx, store.Query{Tenants: tc.tenants})
			if err != nil {
				t.Errorf("%s, %s: %v", e.name, tc.name, err)
				continue
			}
			if !slices.Equal(keys, want) || total != int64(len(want)) {
				t.Errorf("%s, %s: got %v (total %d), want %v", e.name, tc.name, keys, total, want)
			}
		}
		// The restriction and the conditions both hold.
		keys, _, err := e.search(ctx, store.Query{Tenants: []string{TenantA}, Conditions: []store.Condition{c("tenantId", store.OpEq, TenantB)}})
		if err != nil || len(keys) != 0 {
			t.Errorf("%s: tenant A asking for tenant B's rows: got %v, %v", e.name, keys, err)
		}
		keys, _, err = e.search(ctx, store.Query{Tenants: []string{TenantA, TenantB}, Conditions: []store.Condition{c("tenantId", store.OpNeq, TenantA)}})
		if want := []int64{base[TenantB] + e.offset}; err != nil || !slices.Equal(keys, want) {
			t.Errorf("%s: tenants A and B, not A: got %v, %v, want %v", e.name, keys, err, want)
		}
	}
	// Element instances: two rows per tenant, paged one at a time.
	var got []int64
	after := ""
	for range 5 {
		p, err := q.SearchElementInstances(ctx, store.Query{Tenants: []string{TenantA, TenantB}, Limit: 1, After: after})
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != 4 {
			t.Fatalf("element instances of tenants A and B: total %d, want 4", p.Total)
		}
		if len(p.Items) == 0 {
			break
		}
		got = append(got, p.Items[0].ElementInstanceKey)
		after = p.EndCursor
	}
	if want := []int64{1100, 1101, 2100, 2101}; !slices.Equal(got, want) {
		t.Errorf("element instances of tenants A and B, paged: got %v, want %v", got, want)
	}
	// A variable is in its process instance's tenant.
	vars, err := q.SearchVariables(ctx, store.Query{Tenants: []string{TenantB}})
	if err != nil || len(vars.Items) != 1 || vars.Items[0].TenantID != TenantB {
		t.Errorf("variables of tenant B: %v %+v", err, vars)
	}
	// Tenant ids that the row-level security setting cannot carry.
	for _, bad := range [][]string{{""}, {TenantA, "a,b"}, {"*"}} {
		var qe *store.QueryError
		_, _, err := ss.jobs(ctx, store.Query{Tenants: bad})
		if !errors.As(err, &qe) || qe.Field != "tenantIds" {
			t.Errorf("tenants %q: got %v, want a *store.QueryError for tenantIds", bad, err)
		}
	}
}
