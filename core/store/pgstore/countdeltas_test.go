package pgstore

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store/internal/tables"
)

// counterRows encodes element instance rows of definition 7 for the
// counter: pi is the process instance, each key's state in st (a key equal
// to pi is the process instance's own row), incident the rows with an
// incident.
func counterRows(t *testing.T, pi int64, st map[int64]state.ElementState, incident ...int64) *tables.Rows {
	t.Helper()
	var c state.Changes
	for _, k := range slices.Sorted(maps.Keys(st)) {
		scope := pi
		if k == pi {
			scope = -1
		}
		row := state.ElementRow{Key: k, State: st[k], Value: record.ProcessInstanceValue{ProcessDefinitionKey: 7, ProcessInstanceKey: pi,
			ElementID: fmt.Sprintf("e%d", k%10), FlowScopeKey: scope, TenantID: record.DefaultTenant}}
		for _, i := range incident {
			if i == k {
				row.IncidentKey = 99
			}
		}
		c.Elements = append(c.Elements, row)
	}
	rows, err := tables.EncodeChanges(&c)
	if err != nil || len(rows) != 1 || rows[0].T != tables.ElementInstances {
		t.Fatalf("encode: %v", err)
	}
	return rows[0]
}

// deltasByName are count deltas keyed "instance state/element".
func deltasByName(ds countDeltas) map[string]countDelta {
	out := map[string]countDelta{}
	for g, d := range ds {
		if g.def != 7 || g.tenant != record.DefaultTenant || g.partition != 0 {
			panic(fmt.Sprintf("group %+v", g))
		}
		if *d != (countDelta{}) {
			out[g.state+"/"+g.element] = *d
		}
	}
	return out
}

// TestCounterDeltas follows the counter through an instance's life: it
// starts (keys above the highest stored one), an element completes and
// one starts, an incident, the instance ends (its stored rows move to the
// new state and it is forgotten), and the rows it must leave to the count
// statement.
func TestCounterDeltas(t *testing.T) {
	var c elementCounter
	if ds, rest := c.count(counterRows(t, 11, map[int64]state.ElementState{11: state.ElementActivated}), 10); ds != nil || rest.Len() != 1 {
		t.Fatalf("before Load: %v, %d rows left, want every row left to the statement", ds, rest.Len())
	}
	c.restart(true)
	active, done := state.ElementActivated, state.ElementCompleted
	step := func(name string, r *tables.Rows, known int64, want map[string]countDelta, left, instances, rows int) {
		t.Helper()
		ds, rest := c.count(r, known)
		if got := deltasByName(ds); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: deltas %+v, want %+v", name, got, want)
		}
		if n := 0; rest != nil {
			n = rest.Len()
			if n != left {
				t.Errorf("%s: %d rows left to the statement, want %d", name, n, left)
			}
		} else if left != 0 {
			t.Errorf("%s: no rows left to the statement, want %d", name, left)
		}
		if len(c.instances) != instances || len(c.rows) != rows {
			t.Errorf("%s: remembers %d instances, %d rows, want %d, %d", name, len(c.instances), len(c.rows), instances, rows)
		}
	}
	step("start", counterRows(t, 11, map[int64]state.ElementState{11: active, 12: done, 13: active}), 10,
		map[string]countDelta{"ACTIVE/e2": {instances: 1, completed: 1}, "ACTIVE/e3": {instances: 1, active: 1}}, 0, 1, 2)
	step("an element completes, one starts with an incident", counterRows(t, 11, map[int64]state.ElementState{13: done, 14: active}, 14), 13,
		map[string]countDelta{"ACTIVE/e3": {active: -1, completed: 1}, "ACTIVE/e4": {instances: 1, incidents: 1}}, 0, 1, 3)
	step("the instance ends", counterRows(t, 11, map[int64]state.ElementState{11: done, 14: state.ElementTerminated, 15: done}), 14,
		map[string]countDelta{
			"ACTIVE/e2": {instances: -1, completed: -1}, "ACTIVE/e3": {instances: -1, completed: -1}, "ACTIVE/e4": {instances: -1, incidents: -1},
			"COMPLETED/e2": {instances: 1, completed: 1}, "COMPLETED/e3": {instances: 1, completed: 1}, "COMPLETED/e4": {instances: 1, canceled: 1},
			"COMPLETED/e5": {instances: 1, completed: 1},
		}, 0, 0, 0)
	step("a row of the ended instance", counterRows(t, 11, map[int64]state.ElementState{14: done}), 15, map[string]countDelta{}, 1, 0, 0)
	step("an instance that started before", counterRows(t, 5, map[int64]state.ElementState{5: active, 16: active}), 15, map[string]countDelta{}, 2, 0, 0)
	step("starts and ends in one batch", counterRows(t, 21, map[int64]state.ElementState{21: done, 22: done}), 20,
		map[string]countDelta{"COMPLETED/e2": {instances: 1, completed: 1}}, 0, 0, 0)

	step("another starts", counterRows(t, 31, map[int64]state.ElementState{31: active, 32: active}), 30,
		map[string]countDelta{"ACTIVE/e2": {instances: 1, active: 1}}, 0, 1, 1)
	step("a stored row it does not remember", counterRows(t, 31, map[int64]state.ElementState{32: done, 29: done}), 32,
		map[string]countDelta{}, 2, 0, 0)

	c.limit = 2
	step("one within the limit", counterRows(t, 41, map[int64]state.ElementState{41: active, 42: active, 43: active}), 40,
		map[string]countDelta{"ACTIVE/e2": {instances: 1, active: 1}, "ACTIVE/e3": {instances: 1, active: 1}}, 0, 1, 2)
	step("one beyond it", counterRows(t, 51, map[int64]state.ElementState{51: active, 52: active}), 50,
		map[string]countDelta{"ACTIVE/e2": {instances: 1, active: 1}}, 0, 1, 2)
	step("the one beyond, again", counterRows(t, 51, map[int64]state.ElementState{52: done}), 52, map[string]countDelta{}, 1, 1, 2)

	if ds, rest := c.count(counterRows(t, 41, map[int64]state.ElementState{42: done}), -1); ds != nil || rest.Len() != 1 || c.instances != nil {
		t.Fatalf("highest key unknown: %v, %d rows left, remembers %v, want every row left and nothing remembered", ds, rest.Len(), c.instances)
	}
}
