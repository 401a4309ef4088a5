package storesuite

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
)

// statisticsFromRows counts the element instances of def's process
// instances (of those in one of states, if any) from the rows, as the
// statistics define them.
func statisticsFromRows(t *testing.T, q store.Querier, def int64, states ...string) []store.ElementStatistics {
	t.Helper()
	ctx := context.Background()
	pis, err := q.SearchProcessInstances(ctx, store.Query{Limit: 1000,
		Conditions: []store.Condition{{Field: "processDefinitionKey", Op: store.OpEq, Value: def}}})
	if err != nil {
		t.Fatalf("search process instances: %v", err)
	}
	byID := map[string]*store.ElementStatistics{}
	for _, pi := range pis.Items {
		if len(states) > 0 && !slices.Contains(states, pi.State) {
			continue
		}
		els, err := q.SearchElementInstances(ctx, store.Query{Limit: 1000,
			Conditions: []store.Condition{{Field: "processInstanceKey", Op: store.OpEq, Value: pi.ProcessInstanceKey}}})
		if err != nil {
			t.Fatalf("search element instances: %v", err)
		}
		for _, e := range els.Items {
			if e.ElementInstanceKey == pi.ProcessInstanceKey {
				continue
			}
			c := byID[e.ElementID]
			if c == nil {
				c = &store.ElementStatistics{ElementID: e.ElementID}
				byID[e.ElementID] = c
			}
			switch {
			case e.State == store.StateActive && e.IncidentKey > 0:
				c.Incidents++
			case e.State == store.StateActive:
				c.Active++
			case e.State == store.StateTerminated:
				c.Canceled++
			case e.State == store.StateCompleted:
				c.Completed++
			}
		}
	}
	out := []store.ElementStatistics{}
	for _, c := range byID {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b store.ElementStatistics) int { return strings.Compare(a.ElementID, b.ElementID) })
	return out
}

// statisticsAfterMigration checks a definition's element statistics, of
// all its process instances and of those in given states, against the
// rows while instances start, fail, end, move to another version of their
// process (a migration leaves their finished element instances at the old
// version) and are removed: PostgreSQL answers them from live counters
// (migrations 38 and 42) that every commit and removal keeps.
func (s *suite) statisticsAfterMigration(t *testing.T) {
	ctx := context.Background()
	st := s.store(t)
	sq, ok := st.(store.StatisticsQuerier)
	if !ok {
		t.Skipf("%T counts no element statistics", st)
	}
	q := querier2(t, st)
	r := retainer(t, st)
	m0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f := NewRetentionFixture(t, st, m0)
	defKey := func(pi int64) int64 {
		t.Helper()
		page, err := q.SearchProcessInstances(ctx, store.Query{Conditions: []store.Condition{{Field: "processInstanceKey", Op: store.OpEq, Value: pi}}})
		if err != nil || len(page.Items) != 1 {
			t.Fatalf("search process instance %d: %v (%d found)", pi, err, len(page.Items))
		}
		return page.Items[0].ProcessDefinitionKey
	}
	var defs []int64
	check := func(stage string) {
		t.Helper()
		for _, def := range defs {
			for _, states := range [][]string{nil, {store.StateActive}, {store.StateCompleted}, {store.StateTerminated},
				{store.StateActive, store.StateTerminated}} {
				want := statisticsFromRows(t, q, def, states...)
				byDef := []store.Condition{{Field: "processDefinitionKey", Op: store.OpEq, Value: def}}
				switch len(states) {
				case 0:
				case 1:
					byDef = append(byDef, store.Condition{Field: "state", Op: store.OpEq, Value: states[0]})
				default:
					byDef = append(byDef, store.Condition{Field: "state", Op: store.OpIn, Value: states})
				}
				for _, tenants := range [][]string{nil, {record.DefaultTenant}, {"other"}} {
					got, err := sq.ElementStatistics(ctx, store.Query{Conditions: byDef, Tenants: tenants})
					if err != nil {
						t.Fatalf("%s: statistics of %d in %v (tenants %v): %v", stage, def, states, tenants, err)
					}
					exp := want
					if slices.Equal(tenants, []string{"other"}) {
						exp = []store.ElementStatistics{}
					}
					if !reflect.DeepEqual(got, exp) {
						t.Errorf("%s: statistics of definition %d in %v (tenants %v) =\n%+v\nwant\n%+v", stage, def, states, tenants, got, exp)
					}
				}
			}
		}
	}

	moved := f.Start("short") // at its user task, the service task done
	v1 := defKey(moved)
	defs = append(defs, v1)
	kept := f.Start("short")
	failed := f.StartWithIncident("short")
	check("before the migration")

	// Version 2 of "short": the same elements under a name.
	v2xml := strings.Replace(fmt.Sprintf(retentionProcess, "short"), `isExecutable="true"`, `isExecutable="true" name="v2"`, 1)
	dep, err := f.E.Deploy(ctx, engine.DeployRequest{Resources: []record.Resource{{Name: "short.bpmn", Content: []byte(fmt.Sprintf(retentionXML, v2xml))}}})
	if err != nil {
		t.Fatalf("deploy version 2: %v", err)
	}
	if len(dep.Processes) != 1 || dep.Processes[0].ProcessDefinitionKey == v1 {
		t.Fatalf("deploy version 2: %+v, want a new definition", dep.Processes)
	}
	v2 := dep.Processes[0].ProcessDefinitionKey
	defs = append(defs, v2)
	started := f.Start("short") // of version 2
	if defKey(started) != v2 {
		t.Fatalf("instance %d is of definition %d, want %d", started, defKey(started), v2)
	}
	if err := f.E.MigrateInstance(ctx, engine.MigrateInstanceRequest{ProcessInstanceKey: moved, TargetProcessDefinitionKey: v2,
		Mappings: []record.MappingInstruction{{SourceElementID: "approve", TargetElementID: "approve"}}}); err != nil {
		t.Fatalf("migrate %d: %v", moved, err)
	}
	if defKey(moved) != v2 {
		t.Fatalf("migrated instance %d is of definition %d, want %d", moved, defKey(moved), v2)
	}
	check("after the migration")

	f.Clock.Advance(time.Minute)
	f.End(moved)
	f.End(failed)
	check("after ending the migrated instance")
	f.Clock.Advance(time.Minute)
	res, err := r.RemoveFinished(ctx, store.RetentionPolicy{Cutoff: m0.Add(90 * time.Second)}, 100)
	if err != nil {
		t.Fatalf("remove: %v", err)
	}
	if res.Instances != 2 {
		t.Fatalf("retention removed %d instances, want 2 (the migrated and the failed one)", res.Instances)
	}
	check("after removing the migrated instance")
	ut, ok := st.(store.UserTaskQuerier)
	if !ok {
		t.Fatalf("%T does not implement store.UserTaskQuerier", st)
	}
	tasks, err := ut.SearchUserTasks(ctx, store.Query{Conditions: []store.Condition{{Field: "processInstanceKey", Op: store.OpEq, Value: started}}})
	if err != nil || len(tasks.Items) != 1 {
		t.Fatalf("user task of %d: %v (%d found)", started, err, len(tasks.Items))
	}
	if err := f.E.CompleteUserTask(ctx, engine.CompleteUserTaskRequest{Key: tasks.Items[0].UserTaskKey}); err != nil {
		t.Fatalf("complete the user task of %d: %v", started, err)
	}
	check("after completing an instance of version 2")
	f.End(kept)
	check("after ending the last instance of version 1")
}

// startRangePages pages through searches by a start-date range, forwards
// and backwards, by key ascending and descending, with offsets, and checks
// every page against a filter over all rows: PostgreSQL reads such pages
// from the start minutes' key ranges in key order (search.rangedSQL).
func (s *suite) startRangePages(t *testing.T) {
	ctx := context.Background()
	st := s.store(t)
	q := querier2(t, st)
	roller, _ := st.(store.SearchRoller)
	m0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f := NewRetentionFixture(t, st, m0)
	for i := range 9 {
		key := f.Start("short")
		if i%3 == 0 {
			f.End(key)
		}
		f.Clock.Advance(20 * time.Second)
		if i == 5 && roller != nil {
			// The first minutes rolled up, the rest above the marks.
			for {
				_, more, err := roller.RollUpSearches(ctx, 1000)
				if err != nil {
					t.Fatalf("roll up: %v", err)
				}
				if !more {
					break
				}
			}
		}
	}
	allEls, err := q.SearchElementInstances(ctx, store.Query{Limit: 1000})
	if err != nil {
		t.Fatalf("search element instances: %v", err)
	}
	type row struct {
		key   int64
		start time.Time
		root  bool
	}
	var rows []row
	for _, e := range allEls.Items {
		rows = append(rows, row{e.ElementInstanceKey, e.StartDate, e.ElementInstanceKey == e.ProcessInstanceKey})
	}
	for _, rg := range []struct{ from, to time.Duration }{{0, 3 * time.Minute}, {30 * time.Second, 100 * time.Second}, {time.Minute, 2 * time.Minute}} {
		from, to := m0.Add(rg.from), m0.Add(rg.to)
		within := []store.Condition{{Field: "startDate", Op: store.OpGte, Value: from}, {Field: "startDate", Op: store.OpLte, Value: to}}
		for _, roots := range []bool{false, true} {
			var want []int64
			for _, r := range rows {
				if (!roots || r.root) && !r.start.Before(from) && !r.start.After(to) {
					want = append(want, r.key)
				}
			}
			if len(want) < 4 {
				t.Fatalf("range %v: %d rows, the test needs more", rg, len(want))
			}
			search := func(qu store.Query) ([]int64, store.Page[int64]) {
				t.Helper()
				qu.Conditions = within
				var keys []int64
				var pg store.Page[int64]
				if roots {
					p, err := q.SearchProcessInstances(ctx, qu)
					if err != nil {
						t.Fatalf("range %v: search process instances %+v: %v", rg, qu, err)
					}
					for _, it := range p.Items {
						keys = append(keys, it.ProcessInstanceKey)
					}
					pg = store.Page[int64]{Total: p.Total, TotalCapped: p.TotalCapped, StartCursor: p.StartCursor, EndCursor: p.EndCursor}
				} else {
					p, err := q.SearchElementInstances(ctx, qu)
					if err != nil {
						t.Fatalf("range %v: search element instances %+v: %v", rg, qu, err)
					}
					for _, it := range p.Items {
						keys = append(keys, it.ElementInstanceKey)
					}
					pg = store.Page[int64]{Total: p.Total, TotalCapped: p.TotalCapped, StartCursor: p.StartCursor, EndCursor: p.EndCursor}
				}
				return keys, pg
			}
			keyField := "elementInstanceKey"
			if roots {
				keyField = "processInstanceKey"
			}
			for _, desc := range []bool{false, true} {
				exp := slices.Clone(want)
				var sort []store.SortField
				if desc {
					slices.Reverse(exp)
					sort = []store.SortField{{Field: keyField, Desc: true}}
				}
				// Forwards by cursor, two rows a page.
				var got []int64
				cursor := ""
				for range len(exp) {
					keys, pg := search(store.Query{Limit: 2, Sort: sort, After: cursor})
					if pg.Total != int64(len(exp)) {
						t.Errorf("range %v roots %v desc %v: total %d, want %d", rg, roots, desc, pg.Total, len(exp))
					}
					got = append(got, keys...)
					if len(keys) < 2 {
						break
					}
					cursor = pg.EndCursor
				}
				if !slices.Equal(got, exp) {
					t.Errorf("range %v roots %v desc %v: pages after cursors = %v, want %v", rg, roots, desc, got, exp)
				}
				// Backwards from the second page's start.
				first, pg1 := search(store.Query{Limit: 2, Sort: sort})
				second, pg2 := search(store.Query{Limit: 2, Sort: sort, After: pg1.EndCursor})
				before, _ := search(store.Query{Limit: 2, Sort: sort, Before: pg2.StartCursor})
				if !slices.Equal(first, exp[:2]) || !slices.Equal(second, exp[2:4]) || !slices.Equal(before, first) {
					t.Errorf("range %v roots %v desc %v: pages %v, %v, before the second %v; want %v, %v", rg, roots, desc, first, second, before, exp[:2], exp[2:4])
				}
				// By offset.
				off, _ := search(store.Query{Limit: 2, From: 1, Sort: sort})
				if !slices.Equal(off, exp[1:3]) {
					t.Errorf("range %v roots %v desc %v: page from 1 = %v, want %v", rg, roots, desc, off, exp[1:3])
				}
			}
		}
	}
}
