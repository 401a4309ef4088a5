package retention_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/example/wf-engine/conformance/storesuite"
	"github.com/example/wf-engine/core/retention"
	"github.com/example/wf-engine/core/store/memstore"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// The runner with the instance step removes a finished instance once its
// TTL has passed on the engine's clock, and never a live one.
func TestInstanceStepRemovesWhatIsDueOnTheClock(t *testing.T) {
	s := memstore.New(memstore.Options{})
	f := storesuite.NewRetentionFixture(t, s, t0)
	done := f.Start("short")
	f.End(done)
	long := f.Start("long")
	f.End(long)
	live := f.StartWaiting("short")

	cfg := retention.Config{HistoryTTL: 2 * time.Hour, PerProcess: map[string]time.Duration{"long": 0}, BatchSize: 10}
	r, err := retention.NewRunner(cfg, f.Clock, nil, nil, retention.InstanceStep(s, cfg, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	f.Clock.Advance(time.Hour)
	if got := r.RunOnce(ctx)[retention.StepInstances]; got != 0 {
		t.Fatalf("after 1h removed %d, want 0", got)
	}
	f.Clock.Advance(2 * time.Hour)
	if got := r.RunOnce(ctx)[retention.StepInstances]; got != 1 {
		t.Fatalf("after 3h removed %d, want 1", got)
	}
	if len(storesuite.InstanceRows(t, s, done)) != 0 {
		t.Errorf("instance %d still has rows", done)
	}
	f.Clock.Advance(10000 * time.Hour)
	if got := r.RunOnce(ctx)[retention.StepInstances]; got != 0 {
		t.Fatalf("removed %d more, want none (long keeps, the other lives)", got)
	}
	for _, pi := range []int64{long, live} {
		if len(storesuite.InstanceRows(t, s, pi)) == 0 {
			t.Errorf("instance %d lost its rows", pi)
		}
	}
}

// No run of the instance step ever removes a live instance or one whose
// TTL has not passed, and every due one is gone after the run.
func TestRemovalPropertyNeverEarlyNeverLive(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		s := memstore.New(memstore.Options{})
		f := storesuite.NewRetentionFixture(t, s, t0)
		type inst struct {
			key     int64
			process string
			end     time.Time // zero: live
		}
		var all []inst
		n := rapid.IntRange(1, 8).Draw(rt, "instances")
		for i := range n {
			process := rapid.SampledFrom([]string{"short", "long"}).Draw(rt, fmt.Sprintf("process%d", i))
			switch rapid.IntRange(0, 2).Draw(rt, fmt.Sprintf("kind%d", i)) {
			case 0: // waits at its job
				all = append(all, inst{key: f.StartWaiting(process), process: process})
			case 1: // waits at its user task
				all = append(all, inst{key: f.Start(process), process: process})
			default:
				k := f.Start(process)
				f.End(k)
				all = append(all, inst{key: k, process: process, end: f.Clock.Now()})
			}
			f.Clock.Advance(time.Duration(rapid.IntRange(0, 5).Draw(rt, fmt.Sprintf("gap%d", i))) * time.Hour)
		}
		ttl := func(label string) time.Duration {
			return time.Duration(rapid.IntRange(0, 6).Draw(rt, label)) * time.Hour
		}
		cfg := retention.Config{HistoryTTL: ttl("ttl"), BatchSize: rapid.IntRange(1, 4).Draw(rt, "batch")}
		if rapid.Bool().Draw(rt, "override") {
			cfg.PerProcess = map[string]time.Duration{"long": ttl("longTTL")}
		}
		r, err := retention.NewRunner(cfg, f.Clock, nil, nil, retention.InstanceStep(s, cfg, 0, 0))
		if err != nil {
			rt.Fatal(err)
		}
		r.RunOnce(context.Background())
		now := f.Clock.Now()
		for _, in := range all {
			gone := len(storesuite.InstanceRows(t, s, in.key)) == 0
			ttl := cfg.TTL(in.process)
			due := !in.end.IsZero() && ttl > 0 && in.end.Before(now.Add(-ttl))
			if gone != due {
				rt.Fatalf("instance %d of %s (end %v, ttl %v, now %v): removed %v, due %v", in.key, in.process, in.end, ttl, now, gone, due)
			}
		}
	})
}
