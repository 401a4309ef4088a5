package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/search"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
)

// bigTables are the tables that grow with the work the engine does: a
// search must never read one of them whole.
var bigTables = []string{"element_instances", "variables", "jobs", "user_tasks", "incidents", "process_instances", "message_subscriptions",
	"correlated_message_subscriptions", "sequence_flows", "user_task_assignments"}

// indexedSearch is one filter combination that docs/api.md ("Index-backed
// filters") promises is answered through an index.
type indexedSearch struct {
	entity string
	name   string
	q      store.Query
}

func cond(field string, op store.Op, v any) store.Condition {
	return store.Condition{Field: field, Op: op, Value: v}
}

func eq(field string, v any) store.Condition { return cond(field, store.OpEq, v) }

func conds(cs ...store.Condition) store.Query { return store.Query{Conditions: cs} }

func varEq(scope store.VariableScope, name, value string) store.VariableCondition {
	return store.VariableCondition{Scope: scope, Name: name, Value: []store.Condition{eq("value", value)}}
}

// indexedSearches are the documented filter combinations. Each runs with
// the default sort (by key) and with a sort by the field docs/api.md names.
var indexedSearches = []indexedSearch{
	{"process instances", "processInstanceKey", conds(eq("processInstanceKey", 77))},
	{"process instances", "processInstanceKey $in", conds(cond("processInstanceKey", store.OpIn, []int64{7, 8, 9}))},
	{"process instances", "processDefinitionId", conds(eq("processDefinitionId", "p3"))},
	{"process instances", "processDefinitionId $like prefix", conds(cond("processDefinitionId", store.OpLike, "p3*"))},
	{"process instances", "processDefinitionKey", conds(eq("processDefinitionKey", 1000003))},
	{"process instances", "processDefinitionKey with hasRetriesLeft", conds(eq("processDefinitionKey", 1000003), eq("hasRetriesLeft", true))},
	{"process instances", "processDefinitionId with processDefinitionName and processDefinitionVersionTag",
		conds(eq("processDefinitionId", "p3"), eq("processDefinitionName", "p3"), eq("processDefinitionVersionTag", "v1"))},
	{"process instances", "processDefinitionKey and state", conds(eq("processDefinitionKey", 1000003), eq("state", "ACTIVE"))},
	{"process instances", "state ACTIVE", conds(eq("state", "ACTIVE"))},
	{"process instances", "state ACTIVE and hasIncident", conds(eq("state", "ACTIVE"), eq("hasIncident", true))},
	{"process instances", "parentProcessInstanceKey", conds(eq("parentProcessInstanceKey", 99))},
	{"process instances", "hasIncident", conds(eq("hasIncident", true))},
	{"process instances", "endDate range", store.Query{Conditions: []store.Condition{cond("endDate", store.OpGte, time.UnixMilli(5000000)),
		cond("endDate", store.OpLt, time.UnixMilli(5100000))}, Sort: []store.SortField{{Field: "endDate"}}}},
	{"process instances", "variables", store.Query{Variables: []store.VariableCondition{varEq(store.VariablesOfInstance, "v7", `"7"`)}}},
	{"process instances", "variables $like", store.Query{Variables: []store.VariableCondition{{Scope: store.VariablesOfInstance, Name: "v7",
		Value: []store.Condition{cond("value", store.OpLike, `"7*`)}}}}},
	{"process instances", "$or of processDefinitionId and processDefinitionKey", store.Query{Or: []store.Filter{
		{Conditions: []store.Condition{eq("processDefinitionId", "p3")}}, {Conditions: []store.Condition{eq("processDefinitionKey", 1000004)}}}}},
	{"process instances", "elementId and elementInstanceState", store.Query{Elements: []store.Condition{eq("elementId", "task7"), eq("state", "ACTIVE")}}},
	{"process instances", "processDefinitionKey and elementId", store.Query{Conditions: []store.Condition{eq("processDefinitionKey", 1000003)},
		Elements: []store.Condition{eq("elementId", "task7")}}},
	{"process instances", "errorMessage", store.Query{Incidents: []store.Condition{eq("errorMessage", "boom")}}},
	{"process instances", "incidentErrorHashCode", store.Query{Incidents: []store.Condition{eq("errorMessageHash", 99162322)}}},
	{"process instances", "$or of state and variables", store.Query{Or: []store.Filter{
		{Conditions: []store.Condition{eq("state", "ACTIVE")}}, {Variables: []store.VariableCondition{varEq(store.VariablesOfInstance, "v7", `"7"`)}}}}},

	{"element instances", "processInstanceKey", conds(eq("processInstanceKey", 77))},
	{"element instances", "processInstanceKey, type and state", conds(eq("processInstanceKey", 77), eq("type", "SERVICE_TASK"), eq("state", "ACTIVE"))},
	{"element instances", "processInstanceKey and elementInstanceScopeKey", conds(eq("processInstanceKey", 77), eq("elementInstanceScopeKey", 77))},
	{"element instances", "elementId", conds(eq("elementId", "task7"))},
	{"element instances", "elementId and state", conds(eq("elementId", "task7"), eq("state", "ACTIVE"))},
	{"element instances", "processDefinitionKey and elementId", conds(eq("processDefinitionKey", 1000003), eq("elementId", "task7"))},
	{"element instances", "processInstanceKey and hasIncident", conds(eq("processInstanceKey", 100), eq("hasIncident", true))},
	{"element instances", "elementInstanceKey", conds(eq("elementInstanceKey", 100077))},
	{"element instances", "state ACTIVE", conds(eq("state", "ACTIVE"))},
	{"element instances", "state TERMINATED", conds(eq("state", "TERMINATED"))},

	{"variables", "variableKey", conds(eq("variableKey", 500077))},
	{"variables", "name", conds(eq("name", "v7"))},
	{"variables", "name and value", conds(eq("name", "v7"), eq("value", `"7"`))},
	{"variables", "processInstanceKey", conds(eq("processInstanceKey", 77))},
	{"variables", "processInstanceKey and name", conds(eq("processInstanceKey", 77), cond("name", store.OpIn, []string{"v1", "v2"}))},
	{"variables", "scopeKey", conds(eq("scopeKey", 77))},

	{"jobs", "jobKey", conds(eq("jobKey", 700077))},
	{"jobs", "type", conds(eq("type", "type7"))},
	{"jobs", "type and state", conds(eq("type", "type7"), eq("state", "CREATED"))},
	{"jobs", "processInstanceKey", conds(eq("processInstanceKey", 77))},
	{"jobs", "processInstanceKey and elementInstanceKey", conds(eq("processInstanceKey", 77), eq("elementInstanceKey", 100385))},
	{"jobs", "state CREATED", conds(eq("state", "CREATED"))},
	{"jobs", "state FAILED", conds(eq("state", "FAILED"))},

	{"incidents", "incidentKey", conds(eq("incidentKey", 900077))},
	{"incidents", "state ACTIVE", conds(eq("state", "ACTIVE"))},
	{"incidents", "processInstanceKey", conds(eq("processInstanceKey", 770))},
	{"incidents", "processDefinitionKey", conds(eq("processDefinitionKey", 1000003))},
	{"incidents", "processDefinitionKey and state", conds(eq("processDefinitionKey", 1000003), eq("state", "ACTIVE"))},
	{"incidents", "processDefinitionId", conds(eq("processDefinitionId", "p3"))},

	{"user tasks", "userTaskKey", conds(eq("userTaskKey", 800077))},
	{"user tasks", "state CREATED", conds(eq("state", "CREATED"))},
	{"user tasks", "state CREATED and assignee", conds(eq("state", "CREATED"), eq("assignee", "user7"))},
	{"user tasks", "assignee", conds(eq("assignee", "user7"))},
	{"user tasks", "processInstanceKey", conds(eq("processInstanceKey", 154))},
	{"user tasks", "elementInstanceKey", conds(eq("elementInstanceKey", 100077))},
	{"user tasks", "processInstanceVariables and state", store.Query{Conditions: []store.Condition{eq("state", "CREATED")},
		Variables: []store.VariableCondition{varEq(store.VariablesOfProcess, "v7", `"7"`)}}},
	{"user tasks", "localVariables", store.Query{Variables: []store.VariableCondition{varEq(store.VariablesLocal, "v7", `"7"`)}}},

	{"message subscriptions", "messageSubscriptionKey", conds(eq("messageSubscriptionKey", 950077))},
	{"message subscriptions", "processInstanceKey", conds(eq("processInstanceKey", 308))},
	{"message subscriptions", "messageName", conds(eq("messageName", "msg7"))},
	{"message subscriptions", "messageName, correlationKey and state", conds(eq("messageName", "msg7"), eq("correlationKey", "c77"), eq("messageSubscriptionState", "CREATED"))},

	{"correlated message subscriptions", "processInstanceKey", conds(eq("processInstanceKey", 308))},
	{"correlated message subscriptions", "messageKey", conds(eq("messageKey", 960077))},
	{"correlated message subscriptions", "subscriptionKey", conds(eq("subscriptionKey", 950077))},
	{"correlated message subscriptions", "elementInstanceKey", conds(eq("elementInstanceKey", 100140))},
	{"correlated message subscriptions", "processDefinitionKey", conds(eq("processDefinitionKey", 1000003))},
	{"correlated message subscriptions", "messageName and correlationKey", conds(eq("messageName", "msg7"), eq("correlationKey", "c77"))},
	{"correlated message subscriptions", "correlationTime", conds(cond("correlationTime", store.OpGte, time.UnixMilli(4990000)), cond("correlationTime", store.OpLt, time.UnixMilli(5000000)))},
}

// searchStatements compiles q for the named entity and returns its count and page
// statements.
func searchStatements(t *testing.T, entity string, q store.Query) (count, page search.Statement) {
	t.Helper()
	var err error
	compile := func(f func() (search.Statement, search.Statement, error)) {
		count, page, err = f()
	}
	switch entity {
	case "process instances":
		compile(func() (search.Statement, search.Statement, error) { return plan(search.ProcessInstances, q) })
	case "element instances":
		compile(func() (search.Statement, search.Statement, error) { return plan(search.ElementInstances, q) })
	case "variables":
		compile(func() (search.Statement, search.Statement, error) { return plan(search.Variables, q) })
	case "jobs":
		compile(func() (search.Statement, search.Statement, error) { return plan(search.Jobs, q) })
	case "incidents":
		compile(func() (search.Statement, search.Statement, error) { return plan(search.Incidents, q) })
	case "user tasks":
		compile(func() (search.Statement, search.Statement, error) { return plan(search.UserTasks, q) })
	case "message subscriptions":
		compile(func() (search.Statement, search.Statement, error) { return plan(search.MessageSubscriptions, q) })
	case "correlated message subscriptions":
		compile(func() (search.Statement, search.Statement, error) {
			return plan(search.CorrelatedMessageSubscriptions, q)
		})
	default:
		t.Fatalf("no entity %q", entity)
	}
	if err != nil {
		t.Fatalf("%s: %v", entity, err)
	}
	return count, page
}

func plan[T any](e *search.Entity[T], q store.Query) (search.Statement, search.Statement, error) {
	p, err := search.Compile(e, q)
	if err != nil {
		return search.Statement{}, search.Statement{}, err
	}
	count, page := p.SQL(search.Postgres)
	return count, page, nil
}

// TestSearchesUseIndexes fills the tables with enough rows that the planner
// prefers an index wherever one serves, and then reads the plan of every
// documented filter combination: a sequential scan of a big table fails
// the test. The planner runs with its default settings (enable_seqscan on):
// a plan that still reads a table whole is one the database would really
// run.
func TestSearchesUseIndexes(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, pgtest.URL(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	fillForPlans(t, s)

	for _, is := range indexedSearches {
		sorts := [][]store.SortField{nil}
		if is.entity == "process instances" {
			sorts = append(sorts, []store.SortField{{Field: "startDate", Desc: true}})
		}
		for _, sort := range sorts {
			q := is.q
			q.Sort = sort
			count, page := searchStatements(t, is.entity, q)
			for _, st := range []search.Statement{count, page} {
				if scan := seqScan(t, s, st); scan != "" {
					t.Errorf("%s by %s (sort %v): sequential scan of %s\n%s", is.entity, is.name, sort, scan, st.SQL)
				}
			}
		}
	}
	// The statistics of a definition filter the process instances as a
	// search does.
	st, err := search.ElementStatisticsSQL(store.Query{Conditions: []store.Condition{eq("processDefinitionKey", 1000003)},
		Variables: []store.VariableCondition{varEq(store.VariablesOfInstance, "v7", `"7"`)}}, search.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if scan := seqScan(t, s, st); scan != "" {
		t.Errorf("definition statistics: sequential scan of %s\n%s", scan, st.SQL)
	}
	// The sequence flows of one instance, and the usage metrics of a day
	// (with and without a tenant).
	others := map[string]search.Statement{
		"sequence flows": search.SequenceFlowsSQL(308, []string{"<default>"}, search.Postgres),
		"usage metrics":  search.UsageSQL(store.UsageQuery{From: time.UnixMilli(1000000), To: time.UnixMilli(1000000 + 86400)}, search.Postgres),
		"usage metrics of a tenant": search.UsageSQL(store.UsageQuery{From: time.UnixMilli(1000000), To: time.UnixMilli(1000000 + 86400),
			Tenant: "<default>", Tenants: []string{"<default>", "t1"}}, search.Postgres),
	}
	for name, st := range others {
		if scan := seqScan(t, s, st); scan != "" {
			t.Errorf("%s: sequential scan of %s\n%s", name, scan, st.SQL)
		}
	}
}

// seqScan returns the big table the statement's plan reads sequentially,
// or "".
func seqScan(t *testing.T, s *Store, st search.Statement) string {
	t.Helper()
	var text string
	if err := s.pool.QueryRow(context.Background(), "EXPLAIN (FORMAT JSON) "+st.SQL, st.Args...).Scan(&text); err != nil {
		t.Fatalf("explain %s: %v", st.SQL, err)
	}
	var plans []struct {
		Plan planNode `json:"Plan"`
	}
	if err := json.Unmarshal([]byte(text), &plans); err != nil || len(plans) != 1 {
		t.Fatalf("read plan: %v: %s", err, text)
	}
	var found string
	plans[0].Plan.walk(func(n *planNode) {
		if n.NodeType == "Seq Scan" && found == "" {
			for _, b := range bigTables {
				if n.RelationName == b {
					found = b
				}
			}
		}
	})
	if found != "" {
		return found + " in\n" + text
	}
	return ""
}

// planNode is one node of EXPLAIN (FORMAT JSON)'s plan.
type planNode struct {
	NodeType     string     `json:"Node Type"`
	RelationName string     `json:"Relation Name"`
	IndexName    string     `json:"Index Name"`
	IndexCond    string     `json:"Index Cond"`
	Plans        []planNode `json:"Plans"`
}

func (n *planNode) walk(fn func(*planNode)) {
	fn(n)
	for i := range n.Plans {
		n.Plans[i].walk(fn)
	}
}

// fillForPlans writes rows shaped like an engine's after a while of work:
// 20,000 process instances of 50 definitions (5 % active), five element
// instances each, three variables each (200 names), 20,000 jobs, 10,000
// user tasks, 2,000 incidents (10 % open), 5,000 message subscriptions. Columns a
// statement does not set get zero values of their type, so new columns do
// not break the test.
func fillForPlans(t *testing.T, s *Store) {
	t.Helper()
	const (
		instances = 20000
		children  = 5
	)
	fill := func(table string, n int, set map[string]string) {
		t.Helper()
		fillTable(t, s, table, n, set)
	}
	active := "(i % 20 = 0)"
	fill("process_definitions", 50, map[string]string{
		"key": "1000000 + i", "bpmn_process_id": "'p' || (i % 10)", "version": "i / 10 + 1", "tenant_id": "'<default>'",
	})
	fill("element_instances", instances, map[string]string{
		"key": "i", "process_instance_key": "i", "flow_scope_key": "-1", "process_definition_key": "1000000 + i % 50",
		"bpmn_process_id": "'p' || (i % 10)", "element_id": "'p' || (i % 10)", "element_type": "'PROCESS'", "version": "1",
		"state": "CASE WHEN " + active + " THEN 'ACTIVE' ELSE 'COMPLETED' END", "instance_state": "CASE WHEN " + active + " THEN 'ACTIVE' ELSE 'COMPLETED' END",
		"start_time": "i * 1000", "end_time": "CASE WHEN " + active + " THEN 0 ELSE i * 1000 + 500 END",
		"parent_process_instance_key": "CASE WHEN i % 100 = 0 THEN i - 1 ELSE -1 END", "parent_element_instance_key": "-1", "tenant_id": "'<default>'",
	})
	pi := fmt.Sprintf("((i - 1) / %d + 1)", children)
	fill("element_instances", instances*children, map[string]string{
		"key": "100000 + i", "process_instance_key": pi, "flow_scope_key": pi, "process_definition_key": "1000000 + " + pi + " % 50",
		"bpmn_process_id": "'p' || (" + pi + " % 10)", "element_id": "'task' || (i % 40)", "version": "1",
		"element_type": "(ARRAY['START_EVENT', 'SERVICE_TASK', 'USER_TASK', 'EXCLUSIVE_GATEWAY', 'END_EVENT'])[i % 5 + 1]",
		"state":        "CASE WHEN i % 40 = 0 THEN 'ACTIVE' ELSE 'COMPLETED' END", "start_time": "i * 200", "end_time": "i * 200 + 100",
		"incident_key": "CASE WHEN i % 500 = 0 THEN 100000 + i ELSE 0 END", "parent_process_instance_key": "-1", "parent_element_instance_key": "-1",
		"tenant_id": "'<default>'",
	})
	fill("variables", instances*3, map[string]string{
		"key": "500000 + i", "process_instance_key": "((i - 1) / 3 + 1)", "scope_key": "CASE WHEN i % 3 = 0 THEN 100000 + i ELSE (i - 1) / 3 + 1 END",
		"name": "'v' || (i % 200)", "value": `'"' || (i % 997) || '"'`, "tenant_id": "'<default>'",
	})
	fill("jobs", instances, map[string]string{
		"key": "700000 + i", "type": "'type' || (i % 50)", "state": "CASE WHEN " + active + " THEN 'CREATED' ELSE 'COMPLETED' END", "retries": "3",
		"process_instance_key": "i", "element_instance_key": "100000 + i * 5", "element_id": "'task' || (i % 40)", "bpmn_process_id": "'p' || (i % 10)",
		"process_definition_key": "1000000 + i % 50", "custom_headers": "'{}'", "variables": "'{}'", "tenant_id": "'<default>'",
	})
	fill("user_tasks", instances/2, map[string]string{
		"key": "800000 + i", "live": "CASE WHEN " + active + " THEN 1 ELSE 0 END", "state": "CASE WHEN " + active + " THEN 'CREATED' ELSE 'COMPLETED' END",
		"assignee": "'user' || (i % 100)", "candidate_groups": "'[]'", "candidate_users": "'[]'", "custom_headers": "'{}'", "variables": "'{}'",
		"changed_attributes": "'[]'", "process_instance_key": "i * 2", "element_instance_key": "100000 + i * 10", "element_id": "'task' || (i % 40)",
		"bpmn_process_id": "'p' || (i % 10)", "process_definition_key": "1000000 + i % 50", "priority": "50", "creation_time": "i * 1000",
		"tenant_id": "'<default>'",
	})
	fill("incidents", instances/10, map[string]string{
		"key": "900000 + i", "state": "CASE WHEN i % 10 = 0 THEN 'ACTIVE' ELSE 'RESOLVED' END", "error_type": "'JOB_NO_RETRIES'",
		"process_instance_key": "i * 10", "process_definition_key": "1000000 + i % 50", "bpmn_process_id": "'p' || (i % 10)",
		"element_id": "'task' || (i % 40)", "element_instance_key": "100000 + i * 50", "creation_time": "i * 1000", "tenant_id": "'<default>'",
	})
	fill("message_subscriptions", instances/4, map[string]string{
		"key": "950000 + i", "live": "CASE WHEN " + active + " THEN 1 ELSE 0 END", "element_id": "'task' || (i % 40)",
		"element_instance_key": "100000 + i * 20", "process_instance_key": "i * 4", "process_definition_key": "1000000 + i % 50",
		"bpmn_process_id": "'p' || (i % 10)", "message_name": "'msg' || (i % 30)", "correlation_key": "'c' || i", "variables": "'{}'",
		"tenant_id": "'<default>'",
	})
	fill("correlated_message_subscriptions", instances/4, map[string]string{
		"position": "i", "subscription_key": "950000 + i", "message_key": "960000 + i", "message_name": "'msg' || (i % 30)",
		"correlation_key": "'c' || i", "process_instance_key": "i * 4", "process_definition_key": "1000000 + i % 50",
		"bpmn_process_id": "'p' || (i % 10)", "element_id": "'task' || (i % 40)", "element_instance_key": "100000 + i * 20",
		"correlation_time": "i * 1000", "tenant_id": "'<default>'",
	})
	fill("sequence_flows", instances*children, map[string]string{
		"key": "2000000 + i", "process_instance_key": pi, "element_id": "'flow' || (i % 5)", "process_definition_key": "1000000 + " + pi + " % 50",
		"bpmn_process_id": "'p' || (" + pi + " % 10)", "tenant_id": "'<default>'",
	})
	fill("user_task_assignments", instances, map[string]string{
		"position": "i", "user_task_key": "800000 + i / 2", "assignee": "'user' || (i % 100)", "assign_time": "i * 1000", "tenant_id": "'<default>'",
	})
	for _, table := range []string{"process_definitions", "element_instances", "variables", "jobs", "user_tasks", "incidents", "message_subscriptions",
		"correlated_message_subscriptions", "sequence_flows", "user_task_assignments"} {
		if _, err := s.pool.Exec(context.Background(), "ANALYZE "+table); err != nil {
			t.Fatal(err)
		}
	}
}

// fillTable inserts n rows into table, row i (from 1) with the SQL
// expressions of set over i; columns not in set get zero values of their
// type, so new columns do not break the tests.
func fillTable(t *testing.T, s *Store, table string, n int, set map[string]string) {
	t.Helper()
	rows, err := s.pool.Query(context.Background(),
		"SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position", table)
	if err != nil {
		t.Fatal(err)
	}
	var cols, vals []string
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			t.Fatal(err)
		}
		v, ok := set[name]
		switch {
		case ok:
		case strings.Contains(typ, "int"):
			v = "0"
		case typ == "bytea":
			v = "''::bytea"
		default:
			v = "''"
		}
		cols, vals = append(cols, name), append(vals, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sql := fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM generate_series(1, %d) AS i", table, strings.Join(cols, ", "), strings.Join(vals, ", "), n)
	if _, err := s.pool.Exec(context.Background(), sql); err != nil {
		t.Fatalf("fill %s: %v\n%s", table, err, sql)
	}
}

// planIndexes returns the indexes the statement's plan reads and whether a
// node of type nodeType is in it.
func planIndexes(t *testing.T, s *Store, st search.Statement, nodeType string) (map[string]bool, bool) {
	t.Helper()
	var text string
	if err := s.pool.QueryRow(context.Background(), "EXPLAIN (FORMAT JSON) "+st.SQL, st.Args...).Scan(&text); err != nil {
		t.Fatalf("explain %s: %v", st.SQL, err)
	}
	var plans []struct {
		Plan planNode `json:"Plan"`
	}
	if err := json.Unmarshal([]byte(text), &plans); err != nil || len(plans) != 1 {
		t.Fatalf("read plan: %v: %s", err, text)
	}
	used, found := map[string]bool{}, false
	plans[0].Plan.walk(func(n *planNode) {
		if n.IndexName != "" {
			used[n.IndexName] = true
		}
		found = found || n.NodeType == nodeType
	})
	return used, found
}

// TestGrowthSearchPlans pins the plans of the searches that migration 29
// made fast on millions of instances (issue 20): which index each starts
// from, so that a change of the SQL or of the indexes that loses them
// fails here rather than on a big store.
func TestGrowthSearchPlans(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, pgtest.URL(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	fillForPlans(t, s)

	// Process instances by an element's id and unfinished state start from
	// the unfinished element rows, in process instance order: the page by
	// key is a nested loop from that index to the process instance's row.
	// Counted alone, the distinct process instances of the element rows are
	// read from the index without the instances' rows.
	for _, state := range []string{"ACTIVE", "TERMINATED"} {
		elems := []store.Condition{eq("elementId", "task7"), eq("state", state)}
		count, page := searchStatements(t, "process instances", store.Query{Limit: 50, Elements: elems})
		countWithState, _ := searchStatements(t, "process instances", store.Query{Limit: 50, Elements: elems,
			Conditions: []store.Condition{eq("state", "ACTIVE")}})
		if !strings.HasPrefix(count.SQL, "SELECT count(*) FROM (SELECT DISTINCT ei.process_instance_key") {
			t.Errorf("elementId and state %s, count: want the distinct element rows alone, got\n%s", state, count.SQL)
		}
		if used, unique := planIndexes(t, s, count, "Unique"); !used["element_instances_open_by_element"] || !unique || len(used) != 1 {
			t.Errorf("elementId and state %s, count: plan reads %v (unique %v), want element_instances_open_by_element alone\n%s",
				state, used, unique, count.SQL)
		}
		for name, st := range map[string]search.Statement{"page": page, "count with the instance's state": countWithState} {
			if !strings.Contains(st.SQL, " JOIN (SELECT DISTINCT ei.process_instance_key") || strings.Contains(st.SQL, "EXISTS (SELECT 1 FROM element_instances ei") {
				t.Errorf("elementId and state %s, %s: want a join from the distinct element rows, got\n%s", state, name, st.SQL)
			}
			used, loop := planIndexes(t, s, st, "Nested Loop")
			_, unique := planIndexes(t, s, st, "Unique")
			// The count may join the few instances of a state by hash
			// instead: the element rows still come from their index.
			loop = loop || name != "page"
			if !used["element_instances_open_by_element"] || !loop || !unique {
				t.Errorf("elementId and state %s, %s: plan reads %v (nested loop %v, unique %v), want the distinct rows of "+
					"element_instances_open_by_element in a nested loop\n%s", state, name, used, loop, unique, st.SQL)
			}
		}
	}
	// A COMPLETED element state matches most instances: the EXISTS per
	// process instance stays.
	_, page := searchStatements(t, "process instances", store.Query{Limit: 50,
		Elements: []store.Condition{eq("elementId", "task7"), eq("state", "COMPLETED")}})
	if !strings.Contains(page.SQL, "EXISTS (SELECT 1 FROM element_instances ei") || strings.Contains(page.SQL, "JOIN") {
		t.Errorf("elementId and state COMPLETED: want an EXISTS, got\n%s", page.SQL)
	}

	// A process id's first page by key reads the process id's entries in
	// key order.
	_, page = searchStatements(t, "process instances", store.Query{Limit: 50, Conditions: []store.Condition{eq("processDefinitionId", "p3")}})
	if used, _ := planIndexes(t, s, page, ""); !used["process_instances_process_id_key"] {
		t.Errorf("processDefinitionId by key: plan reads %v, want process_instances_process_id_key\n%s", used, page.SQL)
	}

	// Usage once rolled up: the counted minutes and the part-minutes from
	// the index of start times. (The instances above the mark come through
	// the primary key on a real store, where keys grow with time; here the
	// element instances' keys all lie above the process instances'.)
	if _, _, err := s.RollUpUsage(ctx, 100000); err != nil {
		t.Fatal(err)
	}
	marks := []search.UsageMark{{Partition: 0, Key: 1050}}
	q := store.UsageQuery{From: time.UnixMilli(1000030), To: time.UnixMilli(1086400)}
	st := search.UsageRolledSQL(q, marks, search.Postgres)
	used, _ := planIndexes(t, s, st, "")
	for _, want := range []string{"usage_started_instances_minute", "process_instances_start"} {
		if !used[want] {
			t.Errorf("rolled-up usage: plan reads %v, want %s among them\n%s", used, want, st.SQL)
		}
	}
	if scan := seqScan(t, s, st); scan != "" {
		t.Errorf("rolled-up usage: sequential scan of %s", scan)
	}

	// A definition's statistics (migrations 38 and 42), of all its
	// instances or of those in given states: the counters by their
	// primary key, the migrated instances' element instances through the
	// index of process instances; no sequential scan.
	for _, by := range [][]store.Condition{nil, {eq("state", "ACTIVE")}, {cond("state", store.OpIn, []any{"COMPLETED", "TERMINATED"})}} {
		q := store.Query{Conditions: append([]store.Condition{eq("processDefinitionKey", 1000003)}, by...)}
		st, ok, err := search.ElementStatisticsCountedSQL(q, search.Postgres)
		if err != nil || !ok {
			t.Fatalf("counted statistics %v: %v (counted %v)", by, err, ok)
		}
		used, _ = planIndexes(t, s, st, "")
		for _, want := range []string{"element_counts_pkey", "element_instances_process_instance"} {
			if !used[want] {
				t.Errorf("counted statistics %v: plan reads %v, want %s among them\n%s", by, used, want, st.SQL)
			}
		}
		if scan := seqScan(t, s, st); scan != "" {
			t.Errorf("counted statistics %v: sequential scan of %s", by, scan)
		}
	}
	// Any other filter keeps the plain statement.
	for _, other := range []store.Condition{cond("state", store.OpNeq, "ACTIVE"), eq("processDefinitionId", "p3"), eq("processDefinitionKey", 1000004)} {
		if _, ok, _ := search.ElementStatisticsCountedSQL(store.Query{Conditions: []store.Condition{eq("processDefinitionKey", 1000003), other}},
			search.Postgres); ok {
			t.Errorf("statistics of a definition's instances with %+v: counted, want the plain statement", other)
		}
	}

	// COMPLETED process instances by start date, newest first, read the
	// partial index of completed ones (migration 38), not the index of
	// every start time past the running instances.
	_, page = searchStatements(t, "process instances", store.Query{Limit: 50, Conditions: []store.Condition{eq("state", "COMPLETED")},
		Sort: []store.SortField{{Field: "startDate", Desc: true}}})
	if used, _ := planIndexes(t, s, page, ""); !used["process_instances_completed_start"] {
		t.Errorf("state COMPLETED by startDate: plan reads %v, want process_instances_completed_start\n%s", used, page.SQL)
	}

	// Process instances of an unfinished state start from the partial
	// index of unfinished process instances (migration 33), in key order
	// and by start time.
	_, page = searchStatements(t, "process instances", store.Query{Limit: 50, Conditions: []store.Condition{eq("state", "ACTIVE")}})
	if used, _ := planIndexes(t, s, page, ""); !used["process_instances_open_by_key"] {
		t.Errorf("state ACTIVE by key: plan reads %v, want process_instances_open_by_key\n%s", used, page.SQL)
	}
	_, page = searchStatements(t, "process instances", store.Query{Limit: 50, Conditions: []store.Condition{eq("state", "ACTIVE")},
		Sort: []store.SortField{{Field: "startDate", Desc: true}}})
	if used, _ := planIndexes(t, s, page, ""); !used["process_instances_open_by_start"] {
		t.Errorf("state ACTIVE by startDate: plan reads %v, want process_instances_open_by_start\n%s", used, page.SQL)
	}
}

// TestStartRangePlans pins the plans of searches by a start-date range
// once the start minutes are rolled up (migration 33): element instances,
// and process instances by key, read the key ranges of their minutes
// through the primary key, in order, instead of every row. The rows' keys
// grow with their start times, as an engine writes them.
func TestStartRangePlans(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, pgtest.URL(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	pi := "((i - 1) / 4 * 4 + 1)"
	fillTable(t, s, "element_instances", 200000, map[string]string{
		"key": "i", "process_instance_key": pi, "flow_scope_key": "CASE WHEN i % 4 = 1 THEN -1 ELSE " + pi + " END",
		"process_definition_key": "1000001", "bpmn_process_id": "'p'", "version": "1", "element_type": "'SERVICE_TASK'",
		"element_id": "CASE WHEN i % 4 = 1 THEN 'p' ELSE 'task' || (i % 4) END", "state": "'COMPLETED'",
		"instance_state": "CASE WHEN i % 4 = 1 THEN 'COMPLETED' ELSE '' END", "start_time": "i * 50", "end_time": "i * 50 + 20",
		"parent_process_instance_key": "-1", "parent_element_instance_key": "-1", "tenant_id": "'<default>'",
	})
	if _, err := s.pool.Exec(ctx, "ANALYZE element_instances"); err != nil {
		t.Fatal(err)
	}
	for {
		_, more, err := s.RollUpSearches(ctx, 100000)
		if err != nil {
			t.Fatal(err)
		}
		if !more {
			break
		}
	}
	// Ten minutes in the middle: 12,000 of the 200,000 rows.
	from, to := time.UnixMilli(5000000), time.UnixMilli(5600000)
	within := []store.Condition{cond("startDate", store.OpGte, from), cond("startDate", store.OpLt, to)}
	capture := func(e string) (count, page search.Statement) {
		t.Helper()
		read := func(_ context.Context, _ []string, c, p search.Statement, _ func(func(...any) error) error) (int64, error) {
			count, page = c, p
			return 0, nil
		}
		q := store.Query{Limit: 50, Conditions: within}
		switch e {
		case "element instances":
			_, err = search.ReadByStart(ctx, search.ElementInstances, q, search.Postgres, read, s.startKeys)
		default:
			_, err = search.ReadByStart(ctx, search.ProcessInstances, q, search.Postgres, read, s.startKeys)
		}
		if err != nil {
			t.Fatal(err)
		}
		return count, page
	}
	for _, e := range []string{"element instances", "process instances"} {
		count, page := capture(e)
		if !strings.Contains(page.SQL, "UNION ALL") {
			t.Errorf("%s by a start range: want the key ranges of its minutes, got\n%s", e, page.SQL)
		}
		// Each range is read in key order behind a fence and stops at the
		// page's size (search.rangedSQL): no bitmap of the whole range.
		if !strings.Contains(page.SQL, " ORDER BY key OFFSET 0) AS element_instances") {
			t.Errorf("%s by a start range: want each key range read in key order behind a fence, got\n%s", e, page.SQL)
		}
		if _, bitmap := planIndexes(t, s, page, "Bitmap Heap Scan"); bitmap {
			t.Errorf("%s by a start range: the page reads a bitmap of its ranges\n%s", e, page.SQL)
		}
		for name, st := range map[string]search.Statement{"count": count, "page": page} {
			if scan := seqScan(t, s, st); scan != "" {
				t.Errorf("%s by a start range, %s: sequential scan of %s", e, name, scan)
			}
			// Process instances count through the index of start times;
			// the rest reads the key ranges through the primary key.
			want := "element_instances_pkey"
			if e == "process instances" && name == "count" {
				want = "process_instances_start"
			}
			if used, _ := planIndexes(t, s, st, ""); !used[want] {
				t.Errorf("%s by a start range, %s: plan reads %v, want %s\n%s", e, name, used, want, st.SQL)
			}
		}
	}
}
