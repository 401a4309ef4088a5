package engine

import (
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/example/wf-engine/core/record"
)

// fakeTime is a clock the limiter reads; tests move it.
type fakeTime struct{ t time.Time }

func (f *fakeTime) now() time.Time { return f.t }

func newTestLimiter(f *fakeTime, b Backpressure) *limiter {
	b.Now = f.now
	if b.Window == 0 {
		b.Window = 10 * time.Millisecond // short next to the latencies the tests use
	}
	return newLimiter(b.withDefaults(10000))
}

// serve runs n windows in which the callers fill the limit and the i-th
// command admitted in a window takes latency(i) (the last one a window
// longer, to end the window), and returns the limit after them.
func serve(l *limiter, f *fakeTime, windows int, latency func(i int) time.Duration) int {
	for range windows {
		begin := f.t
		var tickets []admission
		for {
			a, ok := l.acquire(false)
			if !ok {
				break
			}
			tickets = append(tickets, a)
		}
		for i, a := range tickets[:len(tickets)-1] {
			if at := begin.Add(latency(i)); at.After(f.t) {
				f.t = at
			}
			l.release(a)
		}
		f.t = f.t.Add(l.cfg.Window)
		l.release(tickets[len(tickets)-1])
	}
	return int(l.limitNow.Load())
}

func constant(d time.Duration) func(int) time.Duration { return func(int) time.Duration { return d } }

// queued is an engine that answers 1,000 commands a second: the i-th
// command in flight waits for the i before it.
func queued(i int) time.Duration { return 5*time.Millisecond + time.Duration(i)*time.Millisecond }

func TestLimiterKeepsQueuedLatencyNearTheTarget(t *testing.T) {
	f := &fakeTime{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := newTestLimiter(f, Backpressure{TargetLatency: 100 * time.Millisecond, InitialLimit: 1000, MinLimit: 10, MaxLimit: 5000})
	// At 1,000 commands a second a 100 ms target allows about 95 in flight.
	got := serve(l, f, 200, queued)
	if got < 60 || got > 120 {
		t.Fatalf("limit %d after 200 windows of a queue answering 1,000/s; want about 95 (60–120)", got)
	}
	for range 50 { // it stays there
		if got := serve(l, f, 1, queued); got < 60 || got > 120 {
			t.Fatalf("limit left the band: %d", got)
		}
	}
}

func TestLimiterToleratesAStoreSlowerThanTheTarget(t *testing.T) {
	f := &fakeTime{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := newTestLimiter(f, Backpressure{TargetLatency: 100 * time.Millisecond, InitialLimit: 100, MinLimit: 10, MaxLimit: 1000})
	// Every commit takes 300 ms however few commands wait: shrinking the
	// limit cannot help, so it must not collapse to the minimum.
	if got := serve(l, f, 50, constant(300*time.Millisecond)); got < 100 {
		t.Fatalf("with a uniformly slow store the limit fell to %d", got)
	}
}

func TestLimiterShrinksToItsMinimumAndGrowsToItsMaximum(t *testing.T) {
	f := &fakeTime{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := newTestLimiter(f, Backpressure{TargetLatency: 100 * time.Millisecond, InitialLimit: 200, MinLimit: 10, MaxLimit: 1000})
	// Latency that grows fast with the queue: 20 ms per command.
	steep := func(i int) time.Duration { return time.Duration(i+1) * 20 * time.Millisecond }
	if got := serve(l, f, 200, steep); got != 10 {
		t.Fatalf("limit %d, want the minimum 10 when even 10 in flight exceed the target", got)
	}
	if got := serve(l, f, 500, constant(time.Millisecond)); got != 1000 {
		t.Fatalf("limit %d after fast windows, want the maximum 1000", got)
	}
}

func TestLimiterAlwaysAdmitsDrainingCommands(t *testing.T) {
	f := &fakeTime{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := newTestLimiter(f, Backpressure{InitialLimit: 16, MinLimit: 16, MaxLimit: 16})
	for range 16 {
		if _, ok := l.acquire(false); !ok {
			t.Fatal("refused below the limit")
		}
	}
	if _, ok := l.acquire(false); ok {
		t.Fatal("admitted a new command at the limit")
	}
	if _, ok := l.acquire(true); !ok {
		t.Fatal("refused a draining command at the limit")
	}
	if st := l.rejected.Load(); st != 1 {
		t.Fatalf("rejected count %d, want 1", st)
	}
	if in := l.inNow.Load(); in != 17 {
		t.Fatalf("in flight %d, want 17 (draining commands count)", in)
	}
}

func TestLimiterOffAdmitsEverything(t *testing.T) {
	f := &fakeTime{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := newTestLimiter(f, Backpressure{Off: true, InitialLimit: 16, MinLimit: 16, MaxLimit: 16})
	for range 100 {
		if _, ok := l.acquire(false); !ok {
			t.Fatal("backpressure off refused a command")
		}
	}
}

// TestLimiterInvariants: whatever the sequence of admissions, answers and
// latencies, the limit stays within its bounds, a new command is admitted
// exactly while fewer than the limit are in flight, and the count in
// flight is admissions minus answers.
func TestLimiterInvariants(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		f := &fakeTime{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
		lo := rapid.IntRange(1, 50).Draw(rt, "min")
		hi := rapid.IntRange(lo, 500).Draw(rt, "max")
		l := newTestLimiter(f, Backpressure{MinLimit: lo, MaxLimit: hi, InitialLimit: rapid.IntRange(1, 600).Draw(rt, "initial"),
			TargetLatency: time.Duration(rapid.IntRange(1, 200).Draw(rt, "target")) * time.Millisecond})
		var open []admission
		for range rapid.IntRange(1, 400).Draw(rt, "steps") {
			if len(open) > 0 && rapid.Bool().Draw(rt, "answer") {
				f.t = f.t.Add(time.Duration(rapid.IntRange(0, 400).Draw(rt, "latency")) * time.Millisecond)
				i := rapid.IntRange(0, len(open)-1).Draw(rt, "which")
				l.release(open[i])
				open = append(open[:i], open[i+1:]...)
			} else {
				drain := rapid.Bool().Draw(rt, "draining")
				limit := int(l.limitNow.Load())
				a, ok := l.acquire(drain)
				if want := drain || len(open) < limit; ok != want {
					rt.Fatalf("acquire(draining=%v) with %d in flight, limit %d: admitted %v", drain, len(open), limit, ok)
				}
				if ok {
					open = append(open, a)
				}
			}
			if lim := int(l.limitNow.Load()); lim < lo || lim > hi {
				rt.Fatalf("limit %d outside [%d, %d]", lim, lo, hi)
			}
			if in := int(l.inNow.Load()); in != len(open) {
				rt.Fatalf("in flight %d, want %d", in, len(open))
			}
		}
	})
}

func TestLimiterRefusesNewWorkWhileTheHeapIsAboveItsBound(t *testing.T) {
	f := &fakeTime{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	heap := int64(100 << 20)
	l := newTestLimiter(f, Backpressure{MaxHeapBytes: 200 << 20, HeapBytes: func() int64 { return heap }})
	l.watchHeap()
	if _, ok := l.acquire(false); !ok {
		t.Fatal("refused below the heap bound")
	}
	heap = 201 << 20
	l.watchHeap()
	if _, ok := l.acquire(false); ok || !l.saturated() {
		t.Fatal("admitted new work above the heap bound")
	}
	if why := l.refusal(); !strings.Contains(why, "engine.backpressure.max_heap_bytes") || !strings.Contains(why, "201 MiB") {
		t.Fatalf("refusal %q does not name the bound and the heap", why)
	}
	if _, ok := l.acquire(true); !ok {
		t.Fatal("refused a draining command above the heap bound")
	}
	heap = 190 << 20 // below the bound but above 90 % of it: still refused
	l.watchHeap()
	if _, ok := l.acquire(false); ok {
		t.Fatal("admitted new work between 90 % and 100 % of the bound after it was exceeded")
	}
	heap = 170 << 20
	l.watchHeap()
	if _, ok := l.acquire(false); !ok || l.saturated() {
		t.Fatal("still refusing after the heap fell below 90 % of the bound")
	}
}

// TestDrainingCommands pins which commands finish work already in the
// engine: a worker or a user working through its backlog is never refused
// by the adaptive limit, new work is.
func TestDrainingCommands(t *testing.T) {
	drains := []record.Intent{record.IntentJobComplete, record.IntentJobFail, record.IntentJobThrowError,
		record.IntentJobBatchActivate, record.IntentProcessInstanceCancel, record.IntentIncidentResolve,
		record.IntentUserTaskAssign, record.IntentUserTaskComplete}
	for _, in := range drains {
		if !draining(&record.Record{Intent: in}) {
			t.Errorf("%s is not draining; it finishes work already in the engine", in)
		}
	}
	for _, in := range []record.Intent{record.IntentProcessInstanceCreate, record.IntentMessagePublish, record.IntentUserTaskUpdate} {
		if draining(&record.Record{Intent: in}) {
			t.Errorf("%s is draining; it brings new work", in)
		}
	}
}
