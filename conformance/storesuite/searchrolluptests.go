package storesuite

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
)

// searchRollup checks that a definition's element statistics and the
// searches by a start-date range stay what the Querier promises while a
// store rolls them up (store.SearchRoller, where a store has one): the
// counts of every element of the definition's instances, computed here
// from the element instance search, and the element and process instances
// of start ranges, computed by filtering every row, before and after a
// rollup, for instances above the rollup's marks, for instances that were
// live when the rollup passed them and ended since, and after retention
// removed counted, pending and uncounted instances. A store without a
// rollup must answer the same.
func (s *suite) searchRollup(t *testing.T) {
	ctx := context.Background()
	st := s.store(t)
	sq, ok := st.(store.StatisticsQuerier)
	if !ok {
		t.Skipf("%T counts no element statistics", st)
	}
	q := querier2(t, st)
	r := retainer(t, st)
	roller, _ := st.(store.SearchRoller)
	m0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f := NewRetentionFixture(t, st, m0)

	rollUp := func() {
		t.Helper()
		if roller == nil {
			return
		}
		for range 100 {
			// A limit of 2 makes the rollup take several batches.
			_, more, err := roller.RollUpSearches(ctx, 2)
			if err != nil {
				t.Fatalf("roll up statistics: %v", err)
			}
			if !more {
				return
			}
		}
		t.Fatal("the rollup never finished")
	}
	defKey := func(pi int64) int64 {
		t.Helper()
		page, err := q.SearchProcessInstances(ctx, store.Query{Conditions: []store.Condition{{Field: "processInstanceKey", Op: store.OpEq, Value: pi}}})
		if err != nil || len(page.Items) != 1 {
			t.Fatalf("search process instance %d: %v (%d found)", pi, err, len(page.Items))
		}
		return page.Items[0].ProcessDefinitionKey
	}
	// want counts the element instances of the definition's process
	// instances, as the statistics define them.
	want := func(def int64) []store.ElementStatistics {
		t.Helper()
		return statisticsFromRows(t, q, def)
	}
	var defs []int64
	var checkStarts func(stage string)
	check := func(stage string) {
		t.Helper()
		checkStarts(stage)
		for _, def := range defs {
			exp := want(def)
			byDef := []store.Condition{{Field: "processDefinitionKey", Op: store.OpEq, Value: def}}
			got, err := sq.ElementStatistics(ctx, store.Query{Conditions: byDef})
			if err != nil {
				t.Fatalf("%s: statistics of %d: %v", stage, def, err)
			}
			if !reflect.DeepEqual(got, exp) {
				t.Errorf("%s: statistics of definition %d =\n%+v\nwant\n%+v", stage, def, got, exp)
			}
			got, err = sq.ElementStatistics(ctx, store.Query{Conditions: byDef, Tenants: []string{record.DefaultTenant}})
			if err != nil {
				t.Fatalf("%s: statistics of %d in the default tenant: %v", stage, def, err)
			}
			if !reflect.DeepEqual(got, exp) {
				t.Errorf("%s: statistics of definition %d in the default tenant =\n%+v\nwant\n%+v", stage, def, got, exp)
			}
			got, err = sq.ElementStatistics(ctx, store.Query{Conditions: byDef, Tenants: []string{"other"}})
			if err != nil {
				t.Fatalf("%s: statistics of %d in another tenant: %v", stage, def, err)
			}
			if len(got) != 0 {
				t.Errorf("%s: statistics of definition %d restricted to another tenant = %+v, want none", stage, def, got)
			}
		}
	}
	// Searches by a start-date range find what a filter of every row
	// finds, whatever the rollup bounded by key.
	starts := []struct{ from, to time.Duration }{
		{0, time.Minute}, {30 * time.Second, 90 * time.Second}, {time.Minute, 3 * time.Minute}, {-time.Hour, time.Hour},
		{2 * time.Minute, 2 * time.Minute}, {10 * time.Minute, time.Hour},
	}
	checkStarts = func(stage string) {
		t.Helper()
		all, err := q.SearchElementInstances(ctx, store.Query{Limit: 1000})
		if err != nil {
			t.Fatalf("%s: search element instances: %v", stage, err)
		}
		for _, rg := range starts {
			from, to := m0.Add(rg.from), m0.Add(rg.to)
			var exp, expPI []int64
			for _, e := range all.Items {
				if !e.StartDate.Before(from) && !e.StartDate.After(to) {
					exp = append(exp, e.ElementInstanceKey)
					if e.ElementInstanceKey == e.ProcessInstanceKey {
						expPI = append(expPI, e.ElementInstanceKey)
					}
				}
			}
			within := []store.Condition{{Field: "startDate", Op: store.OpGte, Value: from}, {Field: "startDate", Op: store.OpLte, Value: to}}
			els, err := q.SearchElementInstances(ctx, store.Query{Limit: 1000, Conditions: within})
			if err != nil {
				t.Fatalf("%s: element instances started from %v to %v: %v", stage, rg.from, rg.to, err)
			}
			var got []int64
			for _, e := range els.Items {
				got = append(got, e.ElementInstanceKey)
			}
			if !slices.Equal(got, exp) || els.Total != int64(len(exp)) {
				t.Errorf("%s: element instances started from %v to %v = %v (total %d), want %v", stage, rg.from, rg.to, got, els.Total, exp)
			}
			pis, err := q.SearchProcessInstances(ctx, store.Query{Limit: 1000, Conditions: within})
			if err != nil {
				t.Fatalf("%s: process instances started from %v to %v: %v", stage, rg.from, rg.to, err)
			}
			got = got[:0]
			for _, p := range pis.Items {
				got = append(got, p.ProcessInstanceKey)
			}
			if !slices.Equal(got, expPI) || pis.Total != int64(len(expPI)) {
				t.Errorf("%s: process instances started from %v to %v = %v (total %d), want %v", stage, rg.from, rg.to, got, pis.Total, expPI)
			}
		}
	}
	remove := func(cutoff time.Time) {
		t.Helper()
		res, err := r.RemoveFinished(ctx, store.RetentionPolicy{Cutoff: cutoff}, 100)
		if err != nil {
			t.Fatalf("remove: %v", err)
		}
		if res.Instances == 0 {
			t.Fatal("retention removed nothing")
		}
	}

	ended := f.Start("short") // at its user task
	defs = append(defs, defKey(ended))
	f.End(ended) // TERMINATED at 12:00
	defs = append(defs, defKey(f.Start("long")))
	f.Clock.Advance(time.Minute)
	incident := f.StartWithIncident("short")
	waiting := f.StartWaiting("short")
	live := f.Start("short")
	check("before a rollup")
	rollUp()
	check("after a rollup")

	f.Clock.Advance(time.Minute)
	f.End(waiting) // pending when rolled up, ended since (12:02)
	above := f.Start("short")
	f.End(above) // above the marks (12:02)
	check("an instance ended after the rollup and one above the marks")
	f.Clock.Advance(time.Minute)
	remove(m0.Add(30 * time.Second)) // the first one, counted
	check("after removing a counted instance")
	remove(m0.Add(150 * time.Second)) // the pending and the uncounted one
	check("after removing a pending and an uncounted instance")
	rollUp()
	check("after the second rollup")

	f.End(live) // pending, ended (12:03)
	rollUp()
	check("after the third rollup")
	f.Clock.Advance(time.Minute)
	f.End(incident)
	remove(m0.Add(3*time.Minute + 30*time.Second)) // counted after the third rollup
	check("after removing an instance counted late")
	rollUp()
	check("after the last rollup")
}
