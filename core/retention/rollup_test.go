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
