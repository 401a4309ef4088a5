package sqlitestore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/memstore"
	"github.com/example/wf-engine/core/store/pgstore"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
	"github.com/example/wf-engine/core/store/sqlitestore"
)

// searchRows are process instances and variables whose values sit on the
// edges the operators care about: LIKE's own wildcards in the data, absent
// optional fields, several tenants, JSON texts of every type.
func searchRows() state.Changes {
	ids := []string{"a", "ab", "b%", "c_d", "x*y", "A", "x-y", "cxd", "bzz", "a?"}
	states := []state.ElementState{state.ElementActivated, state.ElementCompleted, state.ElementTerminated}
	values := []any{int64(1), "a", "a*b", true, nil, 2.5, "A%", []any{"a"}}
	var c state.Changes
	for i := range 40 {
		key := int64(1000 + i)
		parent := int64(-1)
		if i%5 == 0 && i > 0 {
			parent = key - 1
		}
		start := int64(1_700_000_000_000 + i*1000)
		end := int64(0)
		if states[i%3] != state.ElementActivated {
			end = start + 500
		}
		c.Elements = append(c.Elements, state.ElementRow{
			Key: key, State: states[i%3], StartTime: start, EndTime: end,
			Value: record.ProcessInstanceValue{
				BPMNProcessID: ids[i%len(ids)], Version: int32(1 + i%3), ProcessDefinitionKey: int64(10 + i%4),
				ProcessInstanceKey: key, ElementID: ids[i%len(ids)], BPMNElementType: "PROCESS", FlowScopeKey: -1,
				ParentProcessInstanceKey: parent, ParentElementInstanceKey: parent, TenantID: []string{"<default>", "t1"}[i%2],
			},
		})
		for j := range i % 3 {
			// children: the element ids and states the element filters test
			c.Elements = append(c.Elements, state.ElementRow{
				Key: 3000 + key*3 + int64(j), State: states[(i+j)%3], StartTime: start, IncidentKey: int64((i + j) % 4 / 3 * 77),
				Value: record.ProcessInstanceValue{
					BPMNProcessID: ids[i%len(ids)], ProcessDefinitionKey: int64(10 + i%4), ProcessInstanceKey: key,
					ElementID: []string{"start", "task", "end"}[(i+j)%3], BPMNElementType: "TASK", FlowScopeKey: key, TenantID: "<default>",
				},
			})
		}
		for j := range i % 4 {
			scope := key
			if j == 2 {
				scope = 5000 + key // a local variable of an element instance
			}
			c.Variables = append(c.Variables, state.VariableRow{
				Key: 10000 + key*4 + int64(j), ScopeKey: scope, ProcessInstanceKey: key,
				Name: []string{"x", "y", "z"}[j], Value: values[(i+j)%len(values)],
			})
		}
	}
	for i := range 12 {
		c.Incidents = append(c.Incidents, state.IncidentRow{Key: int64(90000 + i), Resolved: i%3 == 0,
			Value: record.IncidentValue{ProcessInstanceKey: int64(1000 + i*3), ErrorType: "JOB_NO_RETRIES", BPMNProcessID: ids[i%len(ids)],
				ErrorMessage: []string{"boom", "card declined", "b%z", ""}[i%4], ElementID: "task", TenantID: "<default>"}})
	}
	c.LastKey = 100000
	return c
}

// searchField is a process instance field with the values queries draw.
type searchField struct {
	name   string
	ops    []store.Op
	values []any
}

var (
	keyOps  = []store.Op{store.OpEq, store.OpNeq, store.OpExists, store.OpIn, store.OpNotIn}
	numOps  = []store.Op{store.OpEq, store.OpNeq, store.OpExists, store.OpGt, store.OpGte, store.OpLt, store.OpLte, store.OpIn, store.OpNotIn}
	textOps = []store.Op{store.OpEq, store.OpNeq, store.OpExists, store.OpIn, store.OpNotIn, store.OpLike}
	boolOps = []store.Op{store.OpEq, store.OpNeq, store.OpExists}
	// patterns hold Camunda's wildcards, escapes and SQL's own wildcards,
	// which must match only themselves.
	patterns = []string{"a*", "*b*", "?", "a?", `a\?`, "b%", "b%*", "c_d", `x\*y`, "x?y", "*", "A*", `\a`, "*%", "%", "_", `c\_d`, "", `"a*`, `*"*`, "[*"}
)

var searchFields = []searchField{
	{"processInstanceKey", keyOps, []any{int64(1000), int64(1001), int64(1017), int64(1039), int64(1040), "1005"}},
	{"processDefinitionId", textOps, []any{"a", "ab", "b%", "c_d", "x*y", "A", "x-y", "a?", "zz"}},
	{"processDefinitionKey", keyOps, []any{int64(10), int64(11), int64(13), int64(14)}},
	{"processDefinitionVersion", numOps, []any{int64(0), int64(1), int64(2), int64(3), int64(4)}},
	{"state", textOps, []any{"ACTIVE", "COMPLETED", "TERMINATED"}},
	{"startDate", numOps, []any{int64(1_700_000_000_000), int64(1_700_000_010_000), int64(1_700_000_010_500), "2023-11-14T22:13:40Z"}},
	{"endDate", numOps, []any{int64(1_700_000_000_500), int64(1_700_000_020_500), int64(0)}},
	{"parentProcessInstanceKey", keyOps, []any{int64(1004), int64(1009), int64(1), int64(-1)}},
	{"hasIncident", boolOps, []any{true, false}},
	{"tenantId", textOps, []any{"<default>", "t1", "t2"}},
}

// variableValues are JSON texts as the stores keep them.
var variableValues = []any{"1", `"a"`, `"a*b"`, "true", "null", "2.5", `"A%"`, `["a"]`, `"zz"`}

func drawCondition(t *rapid.T, f searchField, label string) store.Condition {
	op := rapid.SampledFrom(f.ops).Draw(t, label+".op")
	c := store.Condition{Field: f.name, Op: op}
	switch op {
	case store.OpExists:
		c.Value = rapid.Bool().Draw(t, label+".exists")
	case store.OpIn, store.OpNotIn:
		c.Value = rapid.SliceOfN(rapid.SampledFrom(f.values), 0, 3).Draw(t, label+".list")
	case store.OpLike:
		c.Value = rapid.SampledFrom(patterns).Draw(t, label+".pattern")
	default:
		c.Value = rapid.SampledFrom(f.values).Draw(t, label+".value")
	}
	return c
}

func drawConditions(t *rapid.T, label string, most int) []store.Condition {
	n := rapid.IntRange(0, most).Draw(t, label+".n")
	out := make([]store.Condition, n)
	for i := range out {
		out[i] = drawCondition(t, rapid.SampledFrom(searchFields).Draw(t, fmt.Sprintf("%s[%d].field", label, i)), fmt.Sprintf("%s[%d]", label, i))
	}
	return out
}

func drawVariables(t *rapid.T, label string, most int) []store.VariableCondition {
	n := rapid.IntRange(0, most).Draw(t, label+".n")
	value := searchField{name: "value", ops: textOps, values: variableValues}
	out := make([]store.VariableCondition, n)
	for i := range out {
		at := fmt.Sprintf("%s[%d]", label, i)
		out[i] = store.VariableCondition{Scope: store.VariablesOfInstance, Name: rapid.SampledFrom([]string{"x", "y", "z", "w"}).Draw(t, at+".name")}
		for j := range rapid.IntRange(0, 2).Draw(t, at+".n") {
			out[i].Value = append(out[i].Value, drawCondition(t, value, fmt.Sprintf("%s.value[%d]", at, j)))
		}
	}
	return out
}

// elementFields are the element instance fields of Query.Elements.
var elementFields = []searchField{
	{"elementId", textOps, []any{"start", "task", "end", "nope"}},
	{"state", textOps, []any{"ACTIVE", "COMPLETED", "TERMINATED"}},
	{"hasIncident", boolOps, []any{true, false}},
}

func drawElements(t *rapid.T, label string) []store.Condition {
	n := rapid.IntRange(0, 2).Draw(t, label+".n")
	out := make([]store.Condition, n)
	for i := range out {
		out[i] = drawCondition(t, rapid.SampledFrom(elementFields).Draw(t, fmt.Sprintf("%s[%d].field", label, i)), fmt.Sprintf("%s[%d]", label, i))
	}
	return out
}

// errorMessages are the incident messages of Query.Incidents.
var errorMessages = searchField{"errorMessage", textOps, []any{"boom", "card declined", "b%z", "", "nope"}}

func drawIncidents(t *rapid.T, label string) []store.Condition {
	if !rapid.Bool().Draw(t, label+".any") {
		return nil
	}
	return []store.Condition{drawCondition(t, errorMessages, label)}
}

func drawQuery(t *rapid.T) store.Query {
	q := store.Query{Conditions: drawConditions(t, "conditions", 3), Variables: drawVariables(t, "variables", 2),
		Elements: drawElements(t, "elements"), Incidents: drawIncidents(t, "incidents"), Limit: store.MaxLimit}
	for i := range rapid.IntRange(0, 3).Draw(t, "or.n") {
		at := fmt.Sprintf("or[%d]", i)
		q.Or = append(q.Or, store.Filter{Conditions: drawConditions(t, at+".conditions", 2), Variables: drawVariables(t, at+".variables", 1),
			Elements: drawElements(t, at+".elements")})
	}
	if rapid.Bool().Draw(t, "sorted") {
		f := rapid.SampledFrom(searchFields).Draw(t, "sort.field")
		q.Sort = []store.SortField{{Field: f.name, Desc: rapid.Bool().Draw(t, "sort.desc")}}
	}
	if rapid.Bool().Draw(t, "restricted") {
		q.Tenants = rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"<default>", "t1", "t2"}), 0, 2, rapid.ID[string]).Draw(t, "tenants")
	}
	return q
}

// TestSearchOperatorsAgree runs random process instance searches (every
// operator of every kind of field, $or, variable filters, sorts, tenants)
// on SQLite and, with WF_TEST_POSTGRES_URL, PostgreSQL, and checks that
// each answers exactly what the in-memory plan answers over the same rows:
// the same keys in the same order, the same total, the same refusals.
func TestSearchOperatorsAgree(t *testing.T) {
	ctx := context.Background()
	rows := searchRows()
	open := map[string]func() (store.Store, error){
		"sqlite": func() (store.Store, error) {
			return sqlitestore.Open(ctx, filepath.Join(t.TempDir(), "wf.db"), sqlitestore.Options{Synchronous: "NORMAL"})
		},
	}
	if os.Getenv(pgtest.EnvURL) != "" {
		open["postgres"] = func() (store.Store, error) { return pgstore.Open(ctx, pgtest.URL(t), pgstore.Options{}) }
	}
	mem := memstore.New(memstore.Options{})
	t.Cleanup(func() { _ = mem.Close() })
	if err := mem.Commit(ctx, &store.Batch{Changes: rows}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"sqlite", "postgres"} {
		if open[name] == nil {
			continue
		}
		t.Run(name, func(t *testing.T) {
			s, err := open[name]()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			if err := s.Commit(ctx, &store.Batch{Changes: rows}); err != nil {
				t.Fatal(err)
			}
			sq := s.(store.Querier)
			same := func(q store.Query) error {
				want, werr := mem.SearchProcessInstances(ctx, q)
				got, gerr := sq.SearchProcessInstances(ctx, q)
				switch {
				case (werr == nil) != (gerr == nil):
					return fmt.Errorf("memory: %w, %s: %w", werr, name, gerr)
				case werr != nil:
					return nil
				case !slices.Equal(instanceKeys(got.Items), instanceKeys(want.Items)) || got.Total != want.Total:
					return fmt.Errorf("%s found %v (total %d), memory %v (total %d)", name, instanceKeys(got.Items), got.Total, instanceKeys(want.Items), want.Total)
				}
				return nil
			}
			// Every single condition first: each operator with each value
			// and pattern on each field, on its own.
			value := searchField{name: "value", ops: textOps, values: variableValues}
			all := append(slices.Clone(searchFields), value)
			for _, f := range elementFields {
				f.name = "element." + f.name
				all = append(all, f)
			}
			incidentField := errorMessages
			incidentField.name = "incident.errorMessage"
			all = append(all, incidentField)
			for _, f := range all {
				for _, op := range f.ops {
					var vals []any
					switch op {
					case store.OpExists:
						vals = []any{true, false}
					case store.OpIn, store.OpNotIn:
						vals = []any{f.values[:min(2, len(f.values))], f.values[1:min(4, len(f.values))], []any{}}
					case store.OpLike:
						for _, p := range patterns {
							vals = append(vals, p)
						}
					default:
						vals = f.values
					}
					for _, v := range vals {
						c := store.Condition{Field: f.name, Op: op, Value: v}
						q := store.Query{Conditions: []store.Condition{c}, Limit: store.MaxLimit}
						switch {
						case f.name == "value":
							q = store.Query{Variables: []store.VariableCondition{{Scope: store.VariablesOfInstance, Name: "x", Value: []store.Condition{c}}}, Limit: store.MaxLimit}
						case f.name == "incident.errorMessage":
							c.Field = "errorMessage"
							q = store.Query{Incidents: []store.Condition{c}, Limit: store.MaxLimit}
						case strings.HasPrefix(f.name, "element."):
							c.Field = strings.TrimPrefix(f.name, "element.")
							q = store.Query{Elements: []store.Condition{c}, Limit: store.MaxLimit}
						}
						if err := same(q); err != nil {
							t.Errorf("%s %s %v: %v", f.name, op, v, err)
						}
					}
				}
			}
			// Then combinations, ten queries a case.
			rapid.Check(t, func(t *rapid.T) {
				for i := range 10 {
					if err := same(drawQuery(t)); err != nil {
						t.Fatalf("query %d: %v", i, err)
					}
				}
			})
		})
	}
}

func instanceKeys(items []store.ProcessInstance) []int64 {
	out := make([]int64, len(items))
	for i, p := range items {
		out[i] = p.ProcessInstanceKey
	}
	return out
}
