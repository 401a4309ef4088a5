package storesuite

import (
	"context"
	"testing"
	"time"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
)

// retentionAssignees checks that retention removes the assignments of a
// removed instance's user tasks (stores with tables: the rows are gone),
// while usage metrics still count its assignee in every range that holds
// the assignment's whole minute, and in no range after it.
func (s *suite) retentionAssignees(t *testing.T) {
	ctx := context.Background()
	st := s.store(t)
	r := retainer(t, st)
	u, ok := st.(store.UsageQuerier)
	if !ok {
		t.Fatalf("%T does not implement store.UsageQuerier", st)
	}
	tasks, ok := st.(store.UserTaskQuerier)
	if !ok {
		t.Fatalf("%T does not implement store.UserTaskQuerier", st)
	}
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f := NewRetentionFixture(t, st, t0)
	f.Clock.Advance(30 * time.Second)
	assign := func(pi int64, who string) {
		t.Helper()
		by := store.Query{Conditions: []store.Condition{{Field: "processInstanceKey", Op: store.OpEq, Value: pi}}, Limit: 10}
		page, err := tasks.SearchUserTasks(ctx, by)
		if err != nil || len(page.Items) != 1 {
			t.Fatalf("the user task of %d: %v (%d tasks)", pi, err, len(page.Items))
		}
		if err := f.E.AssignUserTask(ctx, engine.AssignUserTaskRequest{Key: page.Items[0].UserTaskKey, Assignee: who}); err != nil {
			t.Fatalf("assign the task of %d to %s: %v", pi, who, err)
		}
	}
	gone := f.Start("short")
	assign(gone, "ann")
	kept := f.Start("short")
	assign(kept, "bob")
	f.End(gone)
	f.Clock.Advance(2 * time.Hour)

	type counts struct{ tenant, all int64 }
	usage := func(from, to time.Time) counts {
		t.Helper()
		per, all, err := u.Usage(ctx, store.UsageQuery{From: from, To: to})
		if err != nil {
			t.Fatalf("usage %v..%v: %v", from, to, err)
		}
		return counts{per[record.DefaultTenant].Assignees, all}
	}
	ranges := []struct {
		name     string
		from, to time.Time
		want     counts
	}{
		{"the day", t0.Add(-time.Hour), t0.Add(24 * time.Hour), counts{2, 2}},
		{"the minute", t0, t0.Add(time.Minute - time.Millisecond), counts{2, 2}},
		{"after the minute", t0.Add(time.Minute), t0.Add(24 * time.Hour), counts{0, 0}},
		{"before the minute", t0.Add(-time.Hour), t0.Add(-time.Millisecond), counts{0, 0}},
	}
	check := func(when string) {
		t.Helper()
		for _, rg := range ranges {
			if got := usage(rg.from, rg.to); got != rg.want {
				t.Errorf("%s: assignees in %s = %+v, want %+v", when, rg.name, got, rg.want)
			}
		}
	}
	check("before removal")
	if s.cfg.rows != nil {
		if n := s.cfg.rows(t, st, "user_task_assignments"); n != 2 {
			t.Fatalf("user_task_assignments holds %d rows before removal, want 2", n)
		}
	}

	p := store.RetentionPolicy{Cutoff: f.Clock.Now().Add(-time.Hour)}
	res, err := r.RemoveFinished(ctx, p, 10)
	if err != nil || res.Instances != 1 {
		t.Fatalf("removal = %+v (%v), want the one finished instance", res, err)
	}
	if len(InstanceRows(t, st, gone)) != 0 || len(InstanceRows(t, st, kept)) == 0 {
		t.Fatalf("after removal: removed %v, kept %v", InstanceRows(t, st, gone), InstanceRows(t, st, kept))
	}
	check("after removal")
	if s.cfg.rows != nil {
		if n := s.cfg.rows(t, st, "user_task_assignments"); n != 1 {
			t.Errorf("user_task_assignments holds %d rows after removal, want 1 (the live task's)", n)
		}
		if n := s.cfg.rows(t, st, "usage_assignees"); n != 1 {
			t.Errorf("usage_assignees holds %d rows after removal, want 1 (ann's minute)", n)
		}
	}
	// A second removal of nothing keeps the counts.
	if res, err := r.RemoveFinished(ctx, p, 10); err != nil || res.Instances != 0 {
		t.Fatalf("second removal = %+v (%v), want nothing", res, err)
	}
	check("after a second removal")
}
