package engine

import (
	"fmt"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"

	"github.com/example/wf-engine/core/record"
)

// Backpressure configures the adaptive limit on commands in flight (queued,
// processing or committing). Zero fields take their defaults.
type Backpressure struct {
	// Off turns the limit off: only the queue bound refuses commands.
	Off bool
	// TargetLatency is the time from enqueue to answer that commands
	// should stay under; the limit shrinks while more than 5 % of them take
	// longer (or twice the fastest recent latency, when the store itself is
	// slower than the target).
	TargetLatency time.Duration
	// MinLimit and MaxLimit bound the limit; MaxLimit defaults to the
	// queue size.
	MinLimit, MaxLimit int
	// InitialLimit is the limit at start.
	InitialLimit int
	// Window is how often the limit is adjusted from the latencies
	// measured in it.
	Window time.Duration
	// MaxHeapBytes is the live heap above which commands that start new
	// work are refused until it falls below 90 % of it (0: no bound). The
	// partition's state lives in memory, so this bounds how much started
	// work (active instances, jobs, variables) the engine takes on, as
	// Zeebe's disk watermark does for its state on disk.
	MaxHeapBytes int64
	// HeapBytes reads the live heap; nil reads the Go runtime's.
	HeapBytes func() int64
	// Now measures latency; nil is time.Now (wall time, never the engine's
	// controllable clock).
	Now func() time.Time
}

func (b Backpressure) withDefaults(queueSize int) Backpressure {
	if b.TargetLatency <= 0 {
		b.TargetLatency = 50 * time.Millisecond
	}
	if b.MinLimit <= 0 {
		b.MinLimit = 16
	}
	if b.MaxLimit <= 0 {
		b.MaxLimit = queueSize
	}
	b.MinLimit = min(b.MinLimit, b.MaxLimit)
	if b.InitialLimit <= 0 {
		b.InitialLimit = 256
	}
	b.InitialLimit = max(b.MinLimit, min(b.InitialLimit, b.MaxLimit))
	if b.Window <= 0 {
		b.Window = 100 * time.Millisecond
	}
	if b.Now == nil {
		b.Now = time.Now
	}
	if b.HeapBytes == nil {
		b.HeapBytes = liveHeapBytes
	}
	return b
}

// Bounds of the limit's adjustment per window.
const (
	backoffRatio  = 0.9  // factor on the limit in a window with too many slow answers
	growthRatio   = 0.1  // fraction of the limit added in a window that used it
	slowShare     = 0.05 // share of slow answers a window may have
	baselineSpan  = 10   // windows after which the fastest-latency memory halves its age
	baselineSlack = 2    // a latency this many times the fastest recent one is slow
)

// limiter admits commands while fewer than its limit are in flight and
// adapts the limit from the latency of the answered ones, as Zeebe's
// command rate limiter does: additive-style growth while answers are fast
// and the limit is used, multiplicative decrease while too many are slow.
// Commands that finish work already started (draining) are always admitted
// and counted, so that under overload new work waits while started work
// completes.
type limiter struct {
	cfg Backpressure

	mu       sync.Mutex
	limit    float64
	inflight int
	// window
	windowStart time.Time
	samples     int
	slow        int
	peak        int
	// fastest latency of the current and the previous baseline span
	fastest     [2]time.Duration
	spanWindows int

	rejected atomic.Uint64
	limitNow atomic.Int64 // for metrics without the lock
	inNow    atomic.Int64
	// heapHigh is set while the live heap is above MaxHeapBytes (and until
	// it falls below 90 % of it); heapNow is the last reading.
	heapHigh atomic.Bool
	heapNow  atomic.Int64
}

func newLimiter(cfg Backpressure) *limiter {
	l := &limiter{cfg: cfg, limit: float64(cfg.InitialLimit), windowStart: cfg.Now()}
	l.limitNow.Store(int64(cfg.InitialLimit))
	return l
}

// admission is an admitted command's ticket.
type admission struct {
	at time.Time
	// light is set when fewer than the minimum limit were in flight: the
	// command's latency then shows the store's own speed, not a queue.
	light bool
}

// acquire admits a command, or returns false when it must be refused.
func (l *limiter) acquire(draining bool) (admission, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !draining && !l.cfg.Off && (l.inflight >= int(l.limit) || l.heapHigh.Load()) {
		l.rejected.Add(1)
		return admission{}, false
	}
	a := admission{at: l.cfg.Now(), light: l.inflight < l.cfg.MinLimit}
	l.inflight++
	l.peak = max(l.peak, l.inflight)
	l.inNow.Store(int64(l.inflight))
	return a, true
}

// release records the answer of an admitted command.
func (l *limiter) release(a admission) {
	now := l.cfg.Now()
	latency := now.Sub(a.at)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inflight--
	l.inNow.Store(int64(l.inflight))
	l.samples++
	if latency > l.threshold() {
		l.slow++
	}
	if a.light {
		for i := range l.fastest {
			if l.fastest[i] == 0 || latency < l.fastest[i] {
				l.fastest[i] = latency
			}
		}
	}
	if now.Sub(l.windowStart) >= l.cfg.Window {
		l.adjust(now)
	}
}

// threshold is the latency above which an answer counts as slow: the
// target, or twice the fastest recent latency of a command that found
// few others in flight, when the store alone takes longer than the target
// (then shrinking the limit could not help). Under sustained overload no
// command finds few in flight, the memory of the fastest empties within
// two spans, and the target rules.
func (l *limiter) threshold() time.Duration {
	base := l.fastest[1]
	if base == 0 || l.fastest[0] != 0 && l.fastest[0] < base {
		base = l.fastest[0]
	}
	return max(l.cfg.TargetLatency, baselineSlack*base)
}

// adjust ends a window; the caller holds l.mu.
func (l *limiter) adjust(now time.Time) {
	switch {
	case float64(l.slow) > slowShare*float64(l.samples):
		l.limit = max(float64(l.cfg.MinLimit), l.limit*backoffRatio)
	case float64(l.peak) >= l.limit*0.8:
		l.limit = min(float64(l.cfg.MaxLimit), l.limit+max(1, l.limit*growthRatio))
	}
	l.limitNow.Store(int64(l.limit))
	l.windowStart, l.samples, l.slow, l.peak = now, 0, 0, l.inflight
	// The fastest latency is remembered for one to two spans, so that a
	// store that became slower or faster moves the threshold.
	if l.spanWindows++; l.spanWindows >= baselineSpan {
		l.fastest[1], l.fastest[0], l.spanWindows = l.fastest[0], 0, 0
	}
}

// saturated reports whether a command starting new work would be refused
// now (without the lock: a hint for callers that shed early).
func (l *limiter) saturated() bool {
	return !l.cfg.Off && (l.inNow.Load() >= l.limitNow.Load() || l.heapHigh.Load())
}

// watchHeap reads the live heap and sets or clears the high-water mark.
func (l *limiter) watchHeap() {
	if l.cfg.MaxHeapBytes <= 0 {
		return
	}
	live := l.cfg.HeapBytes()
	l.heapNow.Store(live)
	switch {
	case live > l.cfg.MaxHeapBytes:
		l.heapHigh.Store(true)
	case live < l.cfg.MaxHeapBytes/10*9:
		l.heapHigh.Store(false)
	}
}

// refusal explains why a command was refused.
func (l *limiter) refusal() string {
	if l.heapHigh.Load() {
		return fmt.Sprintf("the live heap of %d MiB is above engine.backpressure.max_heap_bytes (%d MiB): started work must complete first",
			l.heapNow.Load()>>20, l.cfg.MaxHeapBytes>>20)
	}
	return fmt.Sprintf("%d commands in flight reached the adaptive limit of %d (engine.backpressure)", l.inNow.Load(), l.limitNow.Load())
}

// liveHeapBytes returns the heap that was live after the last garbage
// collection.
func liveHeapBytes() int64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(s[0].Value.Uint64())
}

// Saturated returns ErrOverloaded, with the reason, when a command that
// starts new work would be refused by backpressure now, else nil. It is a
// hint for shedding requests before their bodies are read; the limit
// itself decides.
func (e *Engine) Saturated() error {
	if !e.limiter.saturated() {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrOverloaded, e.limiter.refusal())
}

// BackpressureStats is the limiter's state, for metrics.
type BackpressureStats struct {
	// HeapHigh is set while the live heap is above the limit's bound.
	HeapHigh bool
	// Limit is the current limit on commands in flight.
	Limit int
	// InFlight is how many commands are queued, processing or committing.
	InFlight int
	// Rejected counts commands refused by the limit since start.
	Rejected uint64
}

// Backpressure returns the limiter's state.
func (e *Engine) Backpressure() BackpressureStats {
	return BackpressureStats{Limit: int(e.limiter.limitNow.Load()), InFlight: int(e.limiter.inNow.Load()), Rejected: e.limiter.rejected.Load(),
		HeapHigh: e.limiter.heapHigh.Load()}
}

// draining reports whether cmd finishes work that is already in the
// engine (a job's or user task's end, a user task's assignment, a
// cancellation, an incident's resolution, or handing jobs to workers): such commands are never refused
// by the adaptive limit, so that started work completes while new work
// waits.
func draining(cmd *record.Record) bool {
	switch cmd.Intent {
	case record.IntentJobComplete, record.IntentJobFail, record.IntentJobThrowError,
		record.IntentJobBatchActivate, record.IntentProcessInstanceCancel,
		record.IntentIncidentResolve, record.IntentUserTaskAssign, record.IntentUserTaskComplete:
		return true
	}
	return false
}

// watchHeap reads the live heap every backpressure window until the
// engine closes.
func (e *Engine) watchHeap() {
	defer e.wg.Done()
	if e.limiter.cfg.MaxHeapBytes <= 0 {
		return
	}
	t := time.NewTicker(e.limiter.cfg.Window)
	defer t.Stop()
	for {
		select {
		case <-e.quit:
			return
		case <-t.C:
			e.limiter.watchHeap()
		}
	}
}
