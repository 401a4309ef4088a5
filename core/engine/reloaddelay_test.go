package engine

import (
	"testing"
	"time"
)

func TestReloadDelayDoublesUpToTheInterval(t *testing.T) {
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, time.Second, time.Second}
	for i, w := range want {
		if got := reloadDelay(i + 1); got != w {
			t.Errorf("reloadDelay(%d) = %v, want %v", i+1, got, w)
		}
	}
	if got := reloadDelay(1 << 30); got != reloadInterval {
		t.Errorf("reloadDelay after many failures = %v, want %v", got, reloadInterval)
	}
}
