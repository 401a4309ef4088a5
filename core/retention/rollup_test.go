package retention

import (
	"context"
	"errors"
	"testing"
	"time"
)

// fakeRoller counts up to left instances, limit per call.
type fakeRoller struct {
	left   int
	limits []int
	err    error
}

func (f *fakeRoller) RollUpUsage(_ context.Context, limit int) (int, bool, error) {
	f.limits = append(f.limits, limit)
	if f.err != nil {
		return 0, false, f.err
	}
	n := min(limit, f.left)
	f.left -= n
	return n, f.left > 0, nil
}

// RollUpSearches is RollUpUsage for SearchRollupStep.
func (f *fakeRoller) RollUpSearches(ctx context.Context, limit int) (int, bool, error) {
	return f.RollUpUsage(ctx, limit)
}

func TestSearchRollupStepRollsUpInBatchesUntilDone(t *testing.T) {
	f := &fakeRoller{left: 15}
	s := SearchRollupStep(f, 10, 0)
	if s.Name != StepSearchRollup || s.Limit != 10 {
		t.Fatalf("step = %q limit %d", s.Name, s.Limit)
	}
	first, err := s.Batch(context.Background(), time.Time{}, s.Limit)
	if err != nil || first.Removed != 10 || !first.More {
		t.Fatalf("first batch = %+v, %v; want 10 with more", first, err)
	}
	last, err := s.Batch(context.Background(), time.Time{}, s.Limit)
	if err != nil || last.Removed != 5 || last.More {
		t.Fatalf("last batch = %+v, %v; want 5 and done", last, err)
	}
	if _, err := SearchRollupStep(&fakeRoller{err: errors.New("down")}, 10, 0).Batch(context.Background(), time.Time{}, 10); err == nil {
		t.Fatal("a failing rollup's error was lost")
	}
}

func TestUsageRollupStepCountsInBatchesUntilDone(t *testing.T) {
	f := &fakeRoller{left: 25}
	s := UsageRollupStep(f, 10, 0)
	if s.Name != StepUsageRollup || s.Limit != 10 {
		t.Fatalf("step = %q limit %d", s.Name, s.Limit)
	}
	var got []BatchResult
	for range 5 {
		res, err := s.Batch(context.Background(), time.Time{}, s.Limit)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, res)
		if !res.More {
			break
		}
	}
	if len(got) != 3 || got[0].Removed != 10 || !got[0].More || got[2].Removed != 5 || got[2].More {
		t.Fatalf("batches = %+v, want 10, 10, 5 with more until the last", got)
	}
	f = &fakeRoller{err: errors.New("down")}
	if _, err := UsageRollupStep(f, 10, 0).Batch(context.Background(), time.Time{}, 10); err == nil {
		t.Fatal("a failing rollup's error was lost")
	}
}
