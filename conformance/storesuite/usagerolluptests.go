package storesuite

import (
	"context"
	"testing"
	"time"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
)

// usageRollup checks that usage counts stay exactly what UsageQuerier
// promises while a store rolls them up (store.UsageRoller, where a store
// has one): live root instances by their start time, removed ones by
// their start minute, for ranges of whole minutes, part-minutes and
// single instants, before and after a rollup, for instances above the
// rollup's marks, and after retention removed counted and uncounted
// instances. A store without a rollup must answer the same.
func (s *suite) usageRollup(t *testing.T) {
	ctx := context.Background()
	st := s.store(t)
	u, ok := st.(store.UsageQuerier)
	if !ok {
		t.Skipf("%T counts no usage", st)
	}
	r := retainer(t, st)
	roller, _ := st.(store.UsageRoller)
	m0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f := NewRetentionFixture(t, st, m0.Add(30*time.Second))

	type inst struct {
		key     int64
		start   time.Time
		removed bool
	}
	var all []*inst
	start := func(ended bool) *inst {
		t.Helper()
		i := &inst{start: f.Clock.Now()}
		if ended {
			i.key = f.Start("short")
			f.End(i.key)
		} else {
			i.key = f.StartWaiting("short")
		}
		all = append(all, i)
		return i
	}
	rollUp := func() {
		t.Helper()
		if roller == nil {
			return
		}
		for range 100 {
			// A limit of 2 makes the rollup take several batches.
			_, more, err := roller.RollUpUsage(ctx, 2)
			if err != nil {
				t.Fatalf("roll up usage: %v", err)
			}
			if !more {
				return
			}
		}
		t.Fatal("the rollup never finished")
	}
	remove := func(cutoff time.Time) {
		t.Helper()
		res, err := r.RemoveFinished(ctx, store.RetentionPolicy{Cutoff: cutoff}, 100)
		if err != nil {
			t.Fatalf("remove: %v", err)
		}
		n := 0
		for _, i := range all {
			if !i.removed && len(InstanceRows(t, st, i.key)) == 0 {
				i.removed = true
				n++
			}
		}
		if n != res.Instances || n == 0 {
			t.Fatalf("retention removed %d instances, %d lost their rows", res.Instances, n)
		}
	}
	minute := func(at time.Time) time.Time { return at.Truncate(time.Minute) }
	ranges := []struct {
		name     string
		from, to time.Duration // from m0
	}{
		{"a day", -time.Hour, 24 * time.Hour},
		{"part-minutes at both ends", 45 * time.Second, 3*time.Minute + 10*time.Second},
		{"two whole minutes", time.Minute, 3*time.Minute - time.Millisecond},
		{"two whole minutes and an instant", time.Minute, 3 * time.Minute},
		{"inside one minute", 100 * time.Second, 115 * time.Second},
		{"an instant", 90 * time.Second, 90 * time.Second},
		{"whole minutes and a part-minute", 0, 150 * time.Second},
	}
	check := func(stage string) {
		t.Helper()
		for _, rg := range ranges {
			from, to := m0.Add(rg.from), m0.Add(rg.to)
			want := int64(0)
			for _, i := range all {
				at := i.start
				if i.removed {
					at = minute(at) // removed instances count by their start minute
				}
				if !at.Before(from) && !at.After(to) {
					want++
				}
			}
			per, _, err := u.Usage(ctx, store.UsageQuery{From: from, To: to})
			if err != nil {
				t.Fatalf("%s: usage of %s: %v", stage, rg.name, err)
			}
			if got := per[record.DefaultTenant].ProcessInstances; got != want {
				t.Errorf("%s: usage of %s = %d instances, want %d", stage, rg.name, got, want)
			}
			per, _, err = u.Usage(ctx, store.UsageQuery{From: from, To: to, Tenant: record.DefaultTenant, Tenants: []string{record.DefaultTenant}})
			if err != nil {
				t.Fatalf("%s: usage of %s of a tenant: %v", stage, rg.name, err)
			}
			if got := per[record.DefaultTenant].ProcessInstances; got != want {
				t.Errorf("%s: usage of %s of the default tenant = %d instances, want %d", stage, rg.name, got, want)
			}
			per, _, err = u.Usage(ctx, store.UsageQuery{From: from, To: to, Tenants: []string{"other"}})
			if err != nil {
				t.Fatalf("%s: usage of %s of another tenant: %v", stage, rg.name, err)
			}
			if got := per[record.DefaultTenant].ProcessInstances + per["other"].ProcessInstances; got != 0 {
				t.Errorf("%s: usage of %s restricted to another tenant = %d instances, want 0", stage, rg.name, got)
			}
		}
	}

	start(true) // 12:00:30
	f.Clock.Advance(time.Minute)
	start(true) // 12:01:30
	f.Clock.Advance(20 * time.Second)
	start(true) // 12:01:50
	f.Clock.Advance(time.Minute)
	start(false) // 12:02:50, lives
	check("before a rollup")
	rollUp()
	check("after a rollup")
	f.Clock.Advance(time.Minute)
	start(true) // 12:03:50, above the marks
	check("an instance above the marks")
	remove(m0.Add(100 * time.Second)) // the first two, counted
	check("after removing counted instances")
	rollUp()
	check("after the second rollup")
	f.Clock.Advance(time.Minute)
	start(true)                     // 12:04:50, not counted
	remove(m0.Add(5 * time.Minute)) // 12:01:50, 12:03:50 (counted) and 12:04:50 (not)
	check("after removing counted and uncounted instances")
	rollUp()
	check("after the last rollup")
}
