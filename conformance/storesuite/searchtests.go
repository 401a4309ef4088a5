package storesuite

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/memstore"
)

// searcher runs a query on one entity and returns the keys of the page.
type searcher func(ctx context.Context, q store.Query) (keys []int64, total int64, err error)

func keysOf[T any](search func(context.Context, store.Query) (store.Page[T], error), key func(*T) int64) searcher {
	return func(ctx context.Context, q store.Query) ([]int64, int64, error) {
		p, err := search(ctx, q)
		if err != nil {
			return nil, 0, err
		}
		keys := make([]int64, len(p.Items))
		for i := range p.Items {
			keys[i] = key(&p.Items[i])
		}
		return keys, p.Total, nil
	}
}

type searchers struct {
	definitions, instances, elements, variables, jobs, incidents searcher
}

func searchersOf(q store.Querier) searchers {
	return searchers{
		definitions: keysOf(q.SearchProcessDefinitions, func(r *store.ProcessDefinition) int64 { return r.ProcessDefinitionKey }),
		instances:   keysOf(q.SearchProcessInstances, func(r *store.ProcessInstance) int64 { return r.ProcessInstanceKey }),
		elements:    keysOf(q.SearchElementInstances, func(r *store.ElementInstance) int64 { return r.ElementInstanceKey }),
		variables:   keysOf(q.SearchVariables, func(r *store.Variable) int64 { return r.VariableKey }),
		jobs:        keysOf(q.SearchJobs, func(r *store.Job) int64 { return r.JobKey }),
		incidents:   keysOf(q.SearchIncidents, func(r *store.Incident) int64 { return r.IncidentKey }),
	}
}

func c(field string, op store.Op, v any) store.Condition {
	return store.Condition{Field: field, Op: op, Value: v}
}

func at(ms int64) time.Time { return time.UnixMilli(epoch + ms).UTC() }

// searchFilters checks every operator against hand-made rows.
func (s *suite) searchFilters(t *testing.T) {
	st := s.store(t)
	searchData(t, st)
	q := searchersOf(querier(t, st))
	eq := store.OpEq
	cases := []struct {
		name  string
		on    searcher
		conds []store.Condition
		sort  []store.SortField
		want  []int64
	}{
		{"all process instances", q.instances, nil, nil, []int64{100, 110, 120, 130}},
		{"instances by state", q.instances, []store.Condition{c("state", eq, "ACTIVE")}, nil, []int64{100, 130}},
		{"instances by state, default operator", q.instances, []store.Condition{{Field: "state", Value: "ACTIVE"}}, nil, []int64{100, 130}},
		{"instances not active", q.instances, []store.Condition{c("state", store.OpNeq, "ACTIVE")}, nil, []int64{110, 120}},
		{"instances in states", q.instances, []store.Condition{c("state", store.OpIn, []string{"COMPLETED", "TERMINATED"})}, nil, []int64{110, 120}},
		{"instances in no states", q.instances, []store.Condition{c("state", store.OpIn, []any{})}, nil, nil},
		{"instances not in no states", q.instances, []store.Condition{c("state", store.OpNotIn, []any{})}, nil, []int64{100, 110, 120, 130}},
		{"process id like prefix", q.instances, []store.Condition{c("processDefinitionId", store.OpLike, "ord*")}, nil, []int64{100, 110, 130}},
		{"like is case-sensitive", q.instances, []store.Condition{c("processDefinitionId", store.OpLike, "ORD*")}, nil, nil},
		{"like one character", q.instances, []store.Condition{c("processDefinitionId", store.OpLike, "?rder")}, nil, []int64{100, 110, 130}},
		{"like suffix", q.instances, []store.Condition{c("processDefinitionId", store.OpLike, "*voice")}, nil, []int64{120}},
		{"start date range", q.instances, []store.Condition{c("startDate", store.OpGte, at(t2)), c("startDate", store.OpLt, at(t4))}, nil, []int64{110, 120}},
		{"start date as RFC 3339", q.instances, []store.Condition{c("startDate", eq, at(t3).Format(time.RFC3339Nano))}, nil, []int64{120}},
		{"start date as Unix ms", q.instances, []store.Condition{c("startDate", store.OpLte, epoch+t1)}, nil, []int64{100}},
		{"running instances", q.instances, []store.Condition{c("endDate", store.OpExists, false)}, nil, []int64{100, 130}},
		{"ended instances", q.instances, []store.Condition{c("endDate", store.OpExists, true)}, nil, []int64{110, 120}},
		{"end date before, absent ones excluded", q.instances, []store.Condition{c("endDate", store.OpLt, at(t5))}, nil, []int64{120}},
		{"end date not equal, absent ones included", q.instances, []store.Condition{c("endDate", store.OpNeq, at(t5))}, nil, []int64{100, 120, 130}},
		{"instances with incidents", q.instances, []store.Condition{c("hasIncident", eq, true)}, nil, []int64{100, 130}},
		{"instances without incidents", q.instances, []store.Condition{c("hasIncident", store.OpNeq, true)}, nil, []int64{110, 120}},
		{"child instances", q.instances, []store.Condition{c("parentProcessInstanceKey", eq, "100")}, nil, []int64{130}},
		{"root instances", q.instances, []store.Condition{c("parentProcessInstanceKey", store.OpExists, false)}, nil, []int64{100, 110, 120}},
		{"parent not 100", q.instances, []store.Condition{c("parentProcessInstanceKey", store.OpNeq, 100)}, nil, []int64{100, 110, 120}},
		{"parent element", q.instances, []store.Condition{c("parentElementInstanceKey", store.OpIn, []int64{101, 999})}, nil, []int64{130}},
		{"version greater than", q.instances, []store.Condition{c("processDefinitionVersion", store.OpGt, 1)}, nil, []int64{110, 130}},
		{"definition keys as strings and numbers", q.instances, []store.Condition{c("processDefinitionKey", store.OpIn, []any{"11", 12.0})}, nil, []int64{110, 120, 130}},
		{"tenant", q.instances, []store.Condition{c("tenantId", eq, "t1")}, nil, []int64{120}},
		{"keys not in", q.instances, []store.Condition{c("processInstanceKey", store.OpNotIn, []int64{100, 110})}, nil, []int64{120, 130}},
		{"existing key", q.instances, []store.Condition{c("processInstanceKey", store.OpExists, true)}, nil, []int64{100, 110, 120, 130}},
		{"required field never missing", q.instances, []store.Condition{c("processInstanceKey", store.OpExists, false)}, nil, nil},
		{"sort by start date descending", q.instances, nil, []store.SortField{{Field: "startDate", Desc: true}}, []int64{130, 120, 110, 100}},
		{"sort by incident flag then key", q.instances, nil, []store.SortField{{Field: "hasIncident", Desc: true}}, []int64{100, 130, 110, 120}},

		{"elements of an instance", q.elements, []store.Condition{c("processInstanceKey", eq, 100)}, nil, []int64{100, 101, 102}},
		{"elements by type", q.elements, []store.Condition{c("type", eq, "SERVICE_TASK")}, nil, []int64{101, 111}},
		{"active element by id", q.elements, []store.Condition{c("elementId", eq, "task_a"), c("state", eq, "ACTIVE")}, nil, []int64{101}},
		{"elements with incidents", q.elements, []store.Condition{c("hasIncident", eq, true)}, nil, []int64{101, 131}},
		{"element by incident", q.elements, []store.Condition{c("incidentKey", eq, 402)}, nil, []int64{131}},
		{"children of a scope", q.elements, []store.Condition{c("elementInstanceScopeKey", eq, 100)}, nil, []int64{101, 102}},
		{"elements without scope", q.elements, []store.Condition{c("elementInstanceScopeKey", store.OpExists, false)}, nil, []int64{100, 110, 120, 130}},
		{"ended start events", q.elements, []store.Condition{c("endDate", store.OpExists, true), c("type", eq, "START_EVENT")}, nil, []int64{102}},
		{"elements by definition id like", q.elements, []store.Condition{c("processDefinitionId", store.OpLike, "inv*"), c("processDefinitionKey", eq, 12)}, nil, []int64{120}},

		{"variables by name", q.variables, []store.Condition{c("name", eq, "note")}, nil, []int64{201, 204}},
		{"variable by JSON text", q.variables, []store.Condition{c("value", eq, `"<a&b> \"q\""`)}, nil, []int64{201}},
		{"variable value like", q.variables, []store.Condition{c("value", store.OpLike, "*a&b*")}, nil, []int64{201}},
		{"underscore is literal", q.variables, []store.Condition{c("name", store.OpLike, "a_b")}, nil, []int64{202}},
		{"question mark is one character", q.variables, []store.Condition{c("name", store.OpLike, "a?b")}, nil, []int64{202, 203}},
		{"escaped wildcard", q.variables, []store.Condition{c("name", store.OpLike, `a\?b`)}, nil, nil},
		{"null value", q.variables, []store.Condition{c("value", eq, "null")}, nil, []int64{204}},
		{"number value", q.variables, []store.Condition{c("value", eq, "1.5")}, nil, []int64{202}},
		{"object value", q.variables, []store.Condition{c("value", eq, `{"id":1,"items":["a","b"]}`)}, nil, []int64{200}},
		{"variables of a scope", q.variables, []store.Condition{c("scopeKey", eq, 100)}, nil, []int64{200, 201}},
		{"variables of instances", q.variables, []store.Condition{c("processInstanceKey", store.OpIn, []int64{110, 130})}, nil, []int64{203, 204}},
		{"variables of the default tenant", q.variables, []store.Condition{c("tenantId", eq, "<default>")}, nil, []int64{200, 201, 202, 203, 204}},
		{"variables sorted by JSON text", q.variables, nil, []store.SortField{{Field: "value"}}, []int64{201, 202, 204, 203, 200}},

		{"jobs by type", q.jobs, []store.Condition{c("type", eq, "pay")}, nil, []int64{300, 301, 304}},
		{"created jobs of a type", q.jobs, []store.Condition{c("type", eq, "pay"), c("state", eq, "CREATED")}, nil, []int64{300}},
		{"failed jobs", q.jobs, []store.Condition{c("state", eq, "FAILED")}, nil, []int64{302}},
		{"jobs with an error thrown", q.jobs, []store.Condition{c("state", eq, "ERROR_THROWN")}, nil, []int64{303}},
		{"finished jobs", q.jobs, []store.Condition{c("state", store.OpIn, []string{"COMPLETED", "CANCELED"})}, nil, []int64{301, 304}},
		{"jobs out of retries", q.jobs, []store.Condition{c("retries", store.OpLt, 1)}, nil, []int64{302}},
		{"jobs with a worker", q.jobs, []store.Condition{c("worker", store.OpExists, true)}, nil, []int64{300, 301}},
		{"jobs of a worker", q.jobs, []store.Condition{c("worker", eq, "w1")}, nil, []int64{300}},
		{"jobs with a deadline", q.jobs, []store.Condition{c("deadline", store.OpGt, at(0))}, nil, []int64{300}},
		{"jobs without a deadline", q.jobs, []store.Condition{c("deadline", store.OpExists, false)}, nil, []int64{301, 302, 303, 304}},
		{"jobs by error message", q.jobs, []store.Condition{c("errorMessage", store.OpLike, "*stock")}, nil, []int64{302}},
		{"jobs by error code", q.jobs, []store.Condition{c("errorCode", eq, "E1")}, nil, []int64{303}},
		{"jobs of an element instance", q.jobs, []store.Condition{c("elementInstanceKey", eq, 101)}, nil, []int64{300, 302}},
		{"jobs of an element", q.jobs, []store.Condition{c("elementId", eq, "task_b")}, nil, []int64{303}},
		{"jobs by retries then key", q.jobs, nil, []store.SortField{{Field: "retries"}}, []int64{302, 303, 300, 301, 304}},
		{"jobs of a process", q.jobs, []store.Condition{c("processInstanceKey", eq, 130), c("processDefinitionId", eq, "p"), c("processDefinitionKey", eq, 10)}, nil, []int64{303}},

		{"active incidents", q.incidents, []store.Condition{c("state", eq, "ACTIVE")}, nil, []int64{400, 402}},
		{"resolved incidents", q.incidents, []store.Condition{c("state", eq, "RESOLVED")}, nil, []int64{401}},
		{"incidents by type", q.incidents, []store.Condition{c("errorType", eq, "JOB_NO_RETRIES")}, nil, []int64{400}},
		{"job incidents", q.incidents, []store.Condition{c("jobKey", store.OpExists, true)}, nil, []int64{400}},
		{"other incidents", q.incidents, []store.Condition{c("jobKey", store.OpExists, false)}, nil, []int64{401, 402}},
		{"incidents created until", q.incidents, []store.Condition{c("creationTime", store.OpLte, at(2500))}, nil, []int64{400, 401}},
		{"incidents of an instance", q.incidents, []store.Condition{c("processInstanceKey", eq, 130)}, nil, []int64{402}},
		{"incidents of an element", q.incidents, []store.Condition{c("elementId", eq, "task_a"), c("errorMessage", store.OpNeq, "x")}, nil, []int64{400, 401}},
		{"incidents by creation descending", q.incidents, nil, []store.SortField{{Field: "creationTime", Desc: true}}, []int64{402, 401, 400}},

		{"definitions of a process", q.definitions, []store.Condition{c("processDefinitionId", eq, "order")}, nil, []int64{10, 11}},
		{"definitions from version 2", q.definitions, []store.Condition{c("version", store.OpGte, 2)}, nil, []int64{11}},
		{"definitions by name like", q.definitions, []store.Condition{c("name", store.OpLike, "Invoice*")}, nil, []int64{12}},
		{"definitions by name", q.definitions, []store.Condition{c("name", eq, "Invoice <1>")}, nil, []int64{12}},
		{"definitions with a tag", q.definitions, []store.Condition{c("versionTag", store.OpExists, true)}, nil, []int64{11}},
		{"definitions of a resource", q.definitions, []store.Condition{c("resourceName", eq, "order.bpmn")}, nil, []int64{10, 11}},
		{"definitions of a tenant", q.definitions, []store.Condition{c("tenantId", eq, "<default>")}, nil, []int64{10, 11}},
		{"definitions by version then id", q.definitions, nil, []store.SortField{{Field: "version", Desc: true}, {Field: "processDefinitionId"}}, []int64{11, 12, 10}},
		{"latest definitions", q.definitions, []store.Condition{c("isLatestVersion", eq, true)}, nil, []int64{11, 12}},
		{"older definitions", q.definitions, []store.Condition{c("isLatestVersion", eq, false)}, nil, []int64{10}},
	}
	ctx := context.Background()
	for _, tc := range cases {
		keys, total, err := tc.on(ctx, store.Query{Conditions: tc.conds, Sort: tc.sort})
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !slices.Equal(keys, tc.want) || total != int64(len(tc.want)) {
			t.Errorf("%s: got %v (total %d), want %v", tc.name, keys, total, tc.want)
		}
	}
	s.checkRowContent(t, querier(t, st))
}

// checkRowContent checks every field of a few returned rows.
func (s *suite) checkRowContent(t *testing.T, q store.Querier) {
	ctx := context.Background()
	pis, err := q.SearchProcessInstances(ctx, store.Query{Conditions: []store.Condition{c("processInstanceKey", store.OpEq, 130)}})
	if err != nil || len(pis.Items) != 1 {
		t.Fatalf("process instance 130: %v %+v", err, pis)
	}
	wantPI := store.ProcessInstance{ProcessInstanceKey: 130, ProcessDefinitionID: "order", ProcessDefinitionKey: 11, ProcessDefinitionVersion: 2,
		State: "ACTIVE", StartDate: at(t4), ParentProcessInstanceKey: 100, ParentElementInstanceKey: 101, HasIncident: true, TenantID: "<default>",
		ProcessDefinitionName: "Order", ProcessDefinitionVersionTag: "v2"}
	if !reflect.DeepEqual(pis.Items[0], wantPI) {
		t.Errorf("process instance 130:\ngot  %+v\nwant %+v", pis.Items[0], wantPI)
	}
	els, err := q.SearchElementInstances(ctx, store.Query{Conditions: []store.Condition{c("elementInstanceKey", store.OpEq, 102)}})
	if err != nil || len(els.Items) != 1 {
		t.Fatalf("element instance 102: %v %+v", err, els)
	}
	wantEl := store.ElementInstance{ElementInstanceKey: 102, ProcessInstanceKey: 100, ProcessDefinitionKey: 10, ProcessDefinitionID: "order",
		ElementID: "start", Type: "START_EVENT", State: "COMPLETED", StartDate: at(t1), EndDate: at(t1), ElementInstanceScopeKey: 100, TenantID: "<default>"}
	if !reflect.DeepEqual(els.Items[0], wantEl) {
		t.Errorf("element instance 102:\ngot  %+v\nwant %+v", els.Items[0], wantEl)
	}
	jobs, err := q.SearchJobs(ctx, store.Query{Conditions: []store.Condition{c("jobKey", store.OpEq, 300)}})
	if err != nil || len(jobs.Items) != 1 {
		t.Fatalf("job 300: %v %+v", err, jobs)
	}
	wantJob := store.Job{JobKey: 300, Type: "pay", State: "CREATED", Retries: 3, Worker: "w1", ProcessInstanceKey: 100, ProcessDefinitionKey: 10,
		ProcessDefinitionID: "p", ElementInstanceKey: 101, ElementID: "task_a", Deadline: at(60000), CustomHeaders: map[string]string{"k": "v"}, TenantID: "<default>"}
	if !reflect.DeepEqual(jobs.Items[0], wantJob) {
		t.Errorf("job 300:\ngot  %+v\nwant %+v", jobs.Items[0], wantJob)
	}
	incs, err := q.SearchIncidents(ctx, store.Query{Conditions: []store.Condition{c("incidentKey", store.OpEq, 401)}})
	if err != nil || len(incs.Items) != 1 {
		t.Fatalf("incident 401: %v %+v", err, incs)
	}
	wantInc := store.Incident{IncidentKey: 401, ProcessInstanceKey: 110, ProcessDefinitionKey: 10, ProcessDefinitionID: "p", ErrorType: "CONDITION_ERROR",
		ErrorMessage: "no flow", ElementID: "task_a", ElementInstanceKey: 111, State: "RESOLVED", CreationTime: at(2500), TenantID: "<default>"}
	if !reflect.DeepEqual(incs.Items[0], wantInc) {
		t.Errorf("incident 401:\ngot  %+v\nwant %+v", incs.Items[0], wantInc)
	}
	vars, err := q.SearchVariables(ctx, store.Query{Conditions: []store.Condition{c("variableKey", store.OpEq, 200)}})
	if err != nil || len(vars.Items) != 1 {
		t.Fatalf("variable 200: %v %+v", err, vars)
	}
	wantVar := store.Variable{VariableKey: 200, Name: "order", Value: `{"id":1,"items":["a","b"]}`, ScopeKey: 100, ProcessInstanceKey: 100, TenantID: "<default>"}
	if vars.Items[0] != wantVar {
		t.Errorf("variable 200:\ngot  %+v\nwant %+v", vars.Items[0], wantVar)
	}
	defs, err := q.SearchProcessDefinitions(ctx, store.Query{Conditions: []store.Condition{c("processDefinitionKey", store.OpEq, 12)}})
	if err != nil || len(defs.Items) != 1 {
		t.Fatalf("definition 12: %v %+v", err, defs)
	}
	wantDef := store.ProcessDefinition{ProcessDefinitionKey: 12, ProcessDefinitionID: "invoice", Name: "Invoice <1>", Version: 1, ResourceName: "invoice.bpmn", TenantID: "t1", Latest: true}
	if defs.Items[0] != wantDef {
		t.Errorf("definition 12:\ngot  %+v\nwant %+v", defs.Items[0], wantDef)
	}
}

// pagingData commits 25 element instances with repeating element ids and
// start dates, so that sorts have ties.
func pagingData(t *testing.T, st store.Store) []state.ElementRow {
	t.Helper()
	var rows []state.ElementRow
	for i := range 25 {
		key := int64(1000 + (i*7)%25) // keys not in insertion order
		e := element(key, 900, -1, []string{"b", "a", "c"}[i%3], "TASK", state.ElementActivated)
		e.Value.ProcessInstanceKey, e.Value.FlowScopeKey = key, 900
		e.StartTime = epoch + int64(i%4)*1000
		rows = append(rows, e)
	}
	commit(t, st, &store.Batch{Changes: state.Changes{Elements: rows, LastKey: 2000, LastPosition: 1}})
	return rows
}

// searchPaging pages through sorted results with cursors and offsets.
func (s *suite) searchPaging(t *testing.T) {
	st := s.store(t)
	rows := pagingData(t, st)
	q := querier(t, st)
	ctx := context.Background()
	sorts := [][]store.SortField{
		nil,
		{{Field: "elementId"}},
		{{Field: "elementId", Desc: true}},
		{{Field: "startDate", Desc: true}, {Field: "elementId"}},
		{{Field: "elementInstanceKey", Desc: true}},
	}
	for _, sort := range sorts {
		want := expectedOrder(rows, sort, nil)
		name := fmt.Sprint(sort)
		// Forward with After.
		var got []int64
		var pages []store.Page[store.ElementInstance]
		after := ""
		for range 10 {
			p, err := q.SearchElementInstances(ctx, store.Query{Sort: sort, Limit: 7, After: after})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if p.Total != 25 {
				t.Fatalf("%s: total %d, want 25", name, p.Total)
			}
			if len(p.Items) == 0 {
				if p.StartCursor != "" || p.EndCursor != "" {
					t.Fatalf("%s: an empty page has cursors", name)
				}
				break
			}
			pages = append(pages, p)
			for _, it := range p.Items {
				got = append(got, it.ElementInstanceKey)
			}
			after = p.EndCursor
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s: paging forward gave %v, want %v", name, got, want)
		}
		// Backward with Before from every page's start.
		for i := len(pages) - 1; i > 0; i-- {
			p, err := q.SearchElementInstances(ctx, store.Query{Sort: sort, Limit: 7, Before: pages[i].StartCursor})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !reflect.DeepEqual(p, pages[i-1]) {
				t.Fatalf("%s: the page before page %d is\n%+v\nwant\n%+v", name, i, p, pages[i-1])
			}
		}
		// Offsets.
		for _, from := range []int{0, 5, 20, 24, 25, 40} {
			p, err := q.SearchElementInstances(ctx, store.Query{Sort: sort, Limit: 10, From: from})
			if err != nil {
				t.Fatalf("%s from %d: %v", name, from, err)
			}
			var keys []int64
			for _, it := range p.Items {
				keys = append(keys, it.ElementInstanceKey)
			}
			end := min(len(want), from+10)
			if exp := want[min(from, len(want)):end]; !slices.Equal(keys, exp) || p.Total != 25 {
				t.Fatalf("%s from %d: got %v (total %d), want %v", name, from, keys, p.Total, exp)
			}
		}
	}
	// The default limit, and paging a filtered search.
	all, err := q.SearchElementInstances(ctx, store.Query{})
	if err != nil || len(all.Items) != 25 {
		t.Fatalf("default limit: %v, %d items", err, len(all.Items))
	}
	filter := []store.Condition{c("elementId", store.OpNeq, "b")}
	want := expectedOrder(rows, []store.SortField{{Field: "startDate"}}, func(e state.ElementRow) bool { return e.Value.ElementID != "b" })
	var got []int64
	after := ""
	for {
		p, err := q.SearchElementInstances(ctx, store.Query{Conditions: filter, Sort: []store.SortField{{Field: "startDate"}}, Limit: 4, After: after})
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != int64(len(want)) {
			t.Fatalf("filtered total %d, want %d", p.Total, len(want))
		}
		if len(p.Items) == 0 {
			break
		}
		for _, it := range p.Items {
			got = append(got, it.ElementInstanceKey)
		}
		after = p.EndCursor
	}
	if !slices.Equal(got, want) {
		t.Fatalf("filtered paging gave %v, want %v", got, want)
	}
}

// expectedOrder sorts keys of rows as a search must: by the sort fields of
// element instances used here, then by key.
func expectedOrder(rows []state.ElementRow, sort []store.SortField, keep func(state.ElementRow) bool) []int64 {
	var sel []state.ElementRow
	for _, r := range rows {
		if keep == nil || keep(r) {
			sel = append(sel, r)
		}
	}
	slices.SortFunc(sel, func(a, b state.ElementRow) int {
		keyDesc := false
		for _, f := range sort {
			var d int
			switch f.Field {
			case "elementId":
				d = strings.Compare(a.Value.ElementID, b.Value.ElementID)
			case "startDate":
				d = int(a.StartTime - b.StartTime)
			case "elementInstanceKey":
				keyDesc = f.Desc
				continue
			}
			if f.Desc {
				d = -d
			}
			if d != 0 {
				return d
			}
		}
		if keyDesc {
			return int(b.Key - a.Key)
		}
		return int(a.Key - b.Key)
	})
	out := make([]int64, len(sel))
	for i, r := range sel {
		out[i] = r.Key
	}
	return out
}

// searchErrors checks that malformed queries fail with a *store.QueryError
// that names the culprit.
func (s *suite) searchErrors(t *testing.T) {
	st := s.store(t)
	pagingData(t, st)
	q := querier(t, st)
	ctx := context.Background()
	first, err := q.SearchElementInstances(ctx, store.Query{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	sorted, err := q.SearchElementInstances(ctx, store.Query{Limit: 2, Sort: []store.SortField{{Field: "elementId"}}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		query store.Query
		field string
	}{
		{"unknown field", store.Query{Conditions: []store.Condition{c("nope", store.OpEq, 1)}}, "nope"},
		{"unknown operator", store.Query{Conditions: []store.Condition{c("elementId", "$regex", "a")}}, "elementId"},
		{"like on a key", store.Query{Conditions: []store.Condition{c("elementInstanceKey", store.OpLike, "1*")}}, "elementInstanceKey"},
		{"greater than on a string", store.Query{Conditions: []store.Condition{c("elementId", store.OpGt, "a")}}, "elementId"},
		{"text for a key", store.Query{Conditions: []store.Condition{c("processInstanceKey", store.OpEq, "abc")}}, "processInstanceKey"},
		{"fraction for a key", store.Query{Conditions: []store.Condition{c("processInstanceKey", store.OpEq, 1.5)}}, "processInstanceKey"},
		{"number for a string", store.Query{Conditions: []store.Condition{c("elementId", store.OpEq, 5)}}, "elementId"},
		{"bad date", store.Query{Conditions: []store.Condition{c("startDate", store.OpGt, "yesterday")}}, "startDate"},
		{"unknown state", store.Query{Conditions: []store.Condition{c("state", store.OpEq, "RUNNING")}}, "state"},
		{"exists without a boolean", store.Query{Conditions: []store.Condition{c("endDate", store.OpExists, "yes")}}, "endDate"},
		{"in without a list", store.Query{Conditions: []store.Condition{c("elementId", store.OpIn, "a")}}, "elementId"},
		{"in with a bad element", store.Query{Conditions: []store.Condition{c("processInstanceKey", store.OpIn, []any{1, "x"})}}, "processInstanceKey"},
		{"like without a string", store.Query{Conditions: []store.Condition{c("elementId", store.OpLike, 3)}}, "elementId"},
		{"boolean from text", store.Query{Conditions: []store.Condition{c("hasIncident", store.OpEq, "maybe")}}, "hasIncident"},
		{"unknown sort field", store.Query{Sort: []store.SortField{{Field: "color"}}}, "sort"},
		{"sort field twice", store.Query{Sort: []store.SortField{{Field: "elementId"}, {Field: "elementId", Desc: true}}}, "sort"},
		{"negative offset", store.Query{From: -1}, "page.from"},
		{"negative limit", store.Query{Limit: -1}, "page.limit"},
		{"huge limit", store.Query{Limit: store.MaxLimit + 1}, "page.limit"},
		{"after and before", store.Query{After: first.EndCursor, Before: first.StartCursor}, "page"},
		{"offset and cursor", store.Query{From: 2, After: first.EndCursor}, "page"},
		{"garbage cursor", store.Query{After: "!!not base64!!"}, "page.after"},
		{"cursor of another sort", store.Query{After: sorted.EndCursor}, "page.after"},
		{"cursor before of another sort", store.Query{Before: first.EndCursor, Sort: []store.SortField{{Field: "elementId"}}}, "page.before"},
	}
	for _, tc := range cases {
		_, err := q.SearchElementInstances(ctx, tc.query)
		var qe *store.QueryError
		if !errors.As(err, &qe) {
			t.Errorf("%s: got %v, want a *store.QueryError", tc.name, err)
			continue
		}
		if qe.Field != tc.field || qe.Msg == "" || !strings.Contains(qe.Error(), tc.field) {
			t.Errorf("%s: error %q names field %q, want %q", tc.name, qe.Error(), qe.Field, tc.field)
		}
	}
	for _, search := range []func() error{
		func() error {
			_, err := q.SearchProcessDefinitions(ctx, store.Query{Sort: []store.SortField{{Field: "x"}}})
			return err
		},
		func() error {
			_, err := q.SearchProcessInstances(ctx, store.Query{Sort: []store.SortField{{Field: "x"}}})
			return err
		},
		func() error {
			_, err := q.SearchVariables(ctx, store.Query{Sort: []store.SortField{{Field: "x"}}})
			return err
		},
		func() error {
			_, err := q.SearchJobs(ctx, store.Query{Sort: []store.SortField{{Field: "x"}}})
			return err
		},
		func() error {
			_, err := q.SearchIncidents(ctx, store.Query{Sort: []store.SortField{{Field: "x"}}})
			return err
		},
	} {
		var qe *store.QueryError
		if err := search(); !errors.As(err, &qe) {
			t.Errorf("bad sort field: got %v, want a *store.QueryError", err)
		}
	}
}

// searchMatchesReference runs many searches over a real workload's rows in
// the store and in memstore: pages must be identical, cursors included.
func (s *suite) searchMatchesReference(t *testing.T) {
	st := s.store(t)
	ref := memstore.New(memstore.Options{})
	w := newWorkload(t, 8, st, ref)
	w.run(300)
	a, b := querier(t, st), store.Querier(ref)
	ctx := context.Background()
	inst := w.instances[len(w.instances)/2]
	queries := []store.Query{
		{},
		{Limit: 5},
		{Limit: 5, From: 3},
		{Sort: []store.SortField{{Field: "state"}, {Field: "startDate", Desc: true}}, Limit: 9},
		{Conditions: []store.Condition{c("processInstanceKey", store.OpEq, inst)}},
		{Conditions: []store.Condition{c("state", store.OpEq, "ACTIVE")}, Sort: []store.SortField{{Field: "processDefinitionId"}}},
		{Conditions: []store.Condition{c("tenantId", store.OpLike, "<def*")}, Limit: 3},
	}
	check := func(name string, q store.Query, run func(store.Querier, store.Query) (any, string, error)) {
		t.Helper()
		for step := 0; step < 3; step++ {
			got, end, err := run(a, q)
			if err != nil {
				t.Fatalf("%s %+v: %v", name, q, err)
			}
			want, _, err := run(b, q)
			if err != nil {
				t.Fatalf("%s %+v on memstore: %v", name, q, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s %+v differs from memstore:\ngot  %+v\nwant %+v", name, q, got, want)
			}
			if end == "" || q.From > 0 {
				return
			}
			q.After = end
		}
	}
	for _, q := range queries {
		check("element instances", q, func(s store.Querier, q store.Query) (any, string, error) {
			p, err := s.SearchElementInstances(ctx, q)
			return p, p.EndCursor, err
		})
	}
	for _, q := range queries {
		// Conditions and sorts above are element-instance fields.
		q = store.Query{Limit: q.Limit, From: q.From}
		check("process instances", q, func(s store.Querier, q store.Query) (any, string, error) {
			p, err := s.SearchProcessInstances(ctx, q)
			return p, p.EndCursor, err
		})
		check("variables", q, func(s store.Querier, q store.Query) (any, string, error) {
			p, err := s.SearchVariables(ctx, q)
			return p, p.EndCursor, err
		})
		check("jobs", q, func(s store.Querier, q store.Query) (any, string, error) {
			p, err := s.SearchJobs(ctx, q)
			return p, p.EndCursor, err
		})
		check("incidents", q, func(s store.Querier, q store.Query) (any, string, error) {
			p, err := s.SearchIncidents(ctx, q)
			return p, p.EndCursor, err
		})
		check("process definitions", q, func(s store.Querier, q store.Query) (any, string, error) {
			p, err := s.SearchProcessDefinitions(ctx, q)
			return p, p.EndCursor, err
		})
	}
	specific := []struct {
		name string
		q    store.Query
		run  func(store.Querier, store.Query) (any, string, error)
	}{
		// An element's unfinished state: PostgreSQL reads these from the
		// element rows (a join and a count of the distinct instances).
		{"instances with an active element", store.Query{Elements: []store.Condition{c("state", store.OpEq, "ACTIVE")}, Limit: 4},
			func(s store.Querier, q store.Query) (any, string, error) {
				p, err := s.SearchProcessInstances(ctx, q)
				return p, p.EndCursor, err
			}},
		{"instances with an active or terminated element by start", store.Query{Elements: []store.Condition{
			c("state", store.OpIn, []string{"ACTIVE", "TERMINATED"})}, Sort: []store.SortField{{Field: "startDate", Desc: true}}, Limit: 3},
			func(s store.Querier, q store.Query) (any, string, error) {
				p, err := s.SearchProcessInstances(ctx, q)
				return p, p.EndCursor, err
			}},
		{"completed instances with a terminated element", store.Query{Elements: []store.Condition{c("state", store.OpEq, "TERMINATED")},
			Conditions: []store.Condition{c("state", store.OpNeq, "ACTIVE")}, Limit: 5},
			func(s store.Querier, q store.Query) (any, string, error) {
				p, err := s.SearchProcessInstances(ctx, q)
				return p, p.EndCursor, err
			}},
		{"instances with incidents by start", store.Query{Conditions: []store.Condition{c("hasIncident", store.OpEq, true)}, Sort: []store.SortField{{Field: "startDate", Desc: true}}, Limit: 4},
			func(s store.Querier, q store.Query) (any, string, error) {
				p, err := s.SearchProcessInstances(ctx, q)
				return p, p.EndCursor, err
			}},
		{"ended instances by end", store.Query{Conditions: []store.Condition{c("endDate", store.OpExists, true)}, Sort: []store.SortField{{Field: "endDate"}, {Field: "processDefinitionId", Desc: true}}, Limit: 6},
			func(s store.Querier, q store.Query) (any, string, error) {
				p, err := s.SearchProcessInstances(ctx, q)
				return p, p.EndCursor, err
			}},
		{"variables by value", store.Query{Conditions: []store.Condition{c("name", store.OpIn, []string{"s", "n", "result"})}, Sort: []store.SortField{{Field: "value"}, {Field: "name", Desc: true}}, Limit: 8},
			func(s store.Querier, q store.Query) (any, string, error) {
				p, err := s.SearchVariables(ctx, q)
				return p, p.EndCursor, err
			}},
		{"variables like", store.Query{Conditions: []store.Condition{c("value", store.OpLike, `*a\_b*`)}},
			func(s store.Querier, q store.Query) (any, string, error) {
				p, err := s.SearchVariables(ctx, q)
				return p, p.EndCursor, err
			}},
		{"jobs by state and type", store.Query{Conditions: []store.Condition{c("state", store.OpNotIn, []string{"COMPLETED"}), c("type", store.OpNeq, "a")}, Sort: []store.SortField{{Field: "retries", Desc: true}, {Field: "worker"}}, Limit: 5},
			func(s store.Querier, q store.Query) (any, string, error) {
				p, err := s.SearchJobs(ctx, q)
				return p, p.EndCursor, err
			}},
		{"jobs with deadlines", store.Query{Conditions: []store.Condition{c("deadline", store.OpGte, at(0))}, Sort: []store.SortField{{Field: "deadline"}}, Limit: 5},
			func(s store.Querier, q store.Query) (any, string, error) {
				p, err := s.SearchJobs(ctx, q)
				return p, p.EndCursor, err
			}},
		{"incidents by type", store.Query{Sort: []store.SortField{{Field: "errorType"}, {Field: "creationTime", Desc: true}}, Limit: 3},
			func(s store.Querier, q store.Query) (any, string, error) {
				p, err := s.SearchIncidents(ctx, q)
				return p, p.EndCursor, err
			}},
		{"active incidents with jobs", store.Query{Conditions: []store.Condition{c("state", store.OpEq, "ACTIVE"), c("jobKey", store.OpExists, true)}, Limit: 3},
			func(s store.Querier, q store.Query) (any, string, error) {
				p, err := s.SearchIncidents(ctx, q)
				return p, p.EndCursor, err
			}},
	}
	for _, sc := range specific {
		check(sc.name, sc.q, sc.run)
	}
	// Read your writes: a committed batch is visible to the next search.
	before, err := a.SearchProcessInstances(ctx, store.Query{})
	if err != nil {
		t.Fatal(err)
	}
	w.do(&record.Record{ValueType: record.TypeProcessInstanceCreation, Intent: record.IntentProcessInstanceCreate, Version: 1,
		Value: &record.ProcessInstanceCreationValue{BPMNProcessID: "w1"}})
	w.flush()
	after, err := a.SearchProcessInstances(ctx, store.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if after.Total != before.Total+1 {
		t.Fatalf("a committed instance is not found: total %d before, %d after", before.Total, after.Total)
	}
}
