package storesuite

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

// elementStatistics checks the counts per element against the hand-made
// rows of searchData: by definition, by instance, with a process instance
// filter and restricted to tenants.
func (s *suite) elementStatistics(t *testing.T) {
	st := s.store(t)
	searchData(t, st)
	// A terminated element of the other tenant's instance 120.
	e121 := element(121, 120, 120, "task_c", "SERVICE_TASK", state.ElementTerminated)
	e121.Value.ProcessDefinitionKey, e121.Value.BPMNProcessID, e121.Value.TenantID = 12, "invoice", "t1"
	commit(t, st, &store.Batch{Changes: state.Changes{Elements: []state.ElementRow{e121}, LastKey: 500, LastPosition: 2}})
	sq, ok := st.(store.StatisticsQuerier)
	if !ok {
		t.Fatalf("%T does not implement store.StatisticsQuerier", st)
	}
	type es = store.ElementStatistics
	cases := []struct {
		name string
		q    store.Query
		want []es
	}{
		{"one definition: an element with an open incident counts as incidents, not active",
			store.Query{Conditions: []store.Condition{c("processDefinitionKey", store.OpEq, int64(10))}},
			[]es{{ElementID: "start", Completed: 1}, {ElementID: "task_a", Incidents: 1}}},
		{"a definition with two instances",
			store.Query{Conditions: []store.Condition{c("processDefinitionKey", store.OpEq, int64(11))}},
			[]es{{ElementID: "task_a", Completed: 1}, {ElementID: "task_b", Incidents: 1}}},
		{"the definition's instances filtered by state",
			store.Query{Conditions: []store.Condition{c("processDefinitionKey", store.OpEq, int64(11)), c("state", store.OpEq, "COMPLETED")}},
			[]es{{ElementID: "task_a", Completed: 1}}},
		{"the definition's running instances",
			store.Query{Conditions: []store.Condition{c("processDefinitionKey", store.OpEq, int64(11)), c("state", store.OpEq, "ACTIVE")}},
			[]es{{ElementID: "task_b", Incidents: 1}}},
		{"the definition's instances in a list of states",
			store.Query{Conditions: []store.Condition{c("processDefinitionKey", store.OpEq, int64(11)), c("state", store.OpIn, []any{"COMPLETED", "TERMINATED"})}},
			[]es{{ElementID: "task_a", Completed: 1}}},
		{"an element instance written after its process instance ended counts in its state",
			store.Query{Tenants: []string{"t1"}, Conditions: []store.Condition{c("processDefinitionKey", store.OpEq, int64(12)), c("state", store.OpEq, "TERMINATED")}},
			[]es{{ElementID: "task_c", Canceled: 1}}},
		{"and not among the running ones",
			store.Query{Conditions: []store.Condition{c("processDefinitionKey", store.OpEq, int64(12)), c("state", store.OpEq, "ACTIVE")}},
			[]es{}},
		{"one instance",
			store.Query{Conditions: []store.Condition{c("processInstanceKey", store.OpEq, int64(110))}},
			[]es{{ElementID: "task_a", Completed: 1}}},
		{"a terminated element counts as canceled",
			store.Query{Conditions: []store.Condition{c("processInstanceKey", store.OpEq, int64(120))}},
			[]es{{ElementID: "task_c", Canceled: 1}}},
		{"an instance without other element instances",
			store.Query{Conditions: []store.Condition{c("processInstanceKey", store.OpEq, int64(130))}},
			[]es{{ElementID: "task_b", Incidents: 1}}},
		{"an unknown instance", store.Query{Conditions: []store.Condition{c("processInstanceKey", store.OpEq, int64(999))}}, []es{}},
		{"every instance of the process id",
			store.Query{Conditions: []store.Condition{c("processDefinitionId", store.OpEq, "order")}},
			[]es{{ElementID: "start", Completed: 1}, {ElementID: "task_a", Completed: 1, Incidents: 1}, {ElementID: "task_b", Incidents: 1}}},
		{"the default tenant only",
			store.Query{Tenants: []string{"<default>"}, Conditions: []store.Condition{c("processInstanceKey", store.OpEq, int64(110))}},
			[]es{{ElementID: "task_a", Completed: 1}}},
		{"another tenant sees none of the default tenant's",
			store.Query{Tenants: []string{"t1"}, Conditions: []store.Condition{c("processDefinitionKey", store.OpEq, int64(11))}},
			[]es{}},
		{"a tenant sees its own",
			store.Query{Tenants: []string{"t1"}},
			[]es{{ElementID: "task_c", Canceled: 1}}},
		{"no tenants see nothing", store.Query{Tenants: []string{}}, []es{}},
	}
	for _, tc := range cases {
		got, err := sq.ElementStatistics(context.Background(), tc.q)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
	}
	for _, bad := range []store.Query{
		{Conditions: []store.Condition{c("elementId", store.OpEq, "x")}},
		{Sort: []store.SortField{{Field: "state"}}},
		{Limit: 5},
		{Tenants: []string{""}},
	} {
		_, err := sq.ElementStatistics(context.Background(), bad)
		var qe *store.QueryError
		if !errors.As(err, &qe) {
			t.Errorf("query %+v: want a *store.QueryError, got %v", bad, err)
		}
	}
}
