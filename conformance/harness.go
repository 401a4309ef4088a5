package conformance

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/memstore"
	"github.com/example/wf-engine/elements/standard"
)

// Epoch is the manual clock's start in every conformance run.
var Epoch = time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)

// Harness is an in-process engine on a memory store and a manual clock.
type Harness struct {
	T      testing.TB
	Engine *engine.Engine
	Store  store.Store
	Clock  *clock.Manual
	Ctx    context.Context
	read   int64 // log position printed so far
}

// NewHarness starts an engine with the standard elements on a memory
// store; it stops with the test.
func NewHarness(t testing.TB) *Harness {
	t.Helper()
	return NewHarnessOn(t, memstore.New(memstore.Options{}))
}

// NewHarnessOn starts an engine with the standard elements on a store; it
// stops with the test.
func NewHarnessOn(t testing.TB, s store.Store) *Harness {
	t.Helper()
	h := &Harness{T: t, Store: s, Clock: clock.NewManual(Epoch), Ctx: context.Background()}
	e, err := engine.Start(h.Ctx, engine.Config{Partition: 1, Clock: h.Clock, Store: h.Store, Registry: standard.Registry()})
	if err != nil {
		t.Fatalf("start engine: %v", err)
	}
	h.Engine = e
	t.Cleanup(func() { _ = e.Close() })
	return h
}

// Settle lets the engine handle everything that is due on its clock: job
// deadlines and back-offs, timers and message expiries. Each Read runs a
// batch, and a batch first handles what is due.
func (h *Harness) Settle() {
	h.T.Helper()
	for range 1000 {
		due := false
		now := h.Clock.Now().UnixMilli()
		if err := h.Engine.Read(h.Ctx, func(s *state.State) {
			for _, next := range []func() (int64, bool){s.NextDeadline, s.NextBackoff, s.NextTimer, s.NextMessageExpiry} {
				if t, ok := next(); ok && t <= now {
					due = true
				}
			}
		}); err != nil {
			h.T.Fatalf("settle engine: %v", err)
		}
		if !due {
			return
		}
	}
	h.T.Fatal("settle engine: work stays due after 1000 batches")
}

// Instances returns the keys of every process instance in the log.
func (h *Harness) Instances() []int64 {
	var out []int64
	for _, r := range h.Log() {
		if v, ok := r.Value.(*record.ProcessInstanceValue); ok && r.Intent == record.IntentElementActivating && v.FlowScopeKey <= 0 {
			out = append(out, r.Key)
		}
	}
	return out
}

// State runs fn on the engine's state between batches.
func (h *Harness) State(fn func(*state.State)) {
	h.T.Helper()
	if err := h.Engine.Read(h.Ctx, fn); err != nil {
		h.T.Fatalf("read state: %v", err)
	}
}

// Log returns every record committed so far.
func (h *Harness) Log() []*record.Record {
	h.T.Helper()
	var out []*record.Record
	if err := h.Store.ReadLog(h.Ctx, 1, func(r *record.Record) error { out = append(out, r); return nil }); err != nil {
		h.T.Fatalf("read log: %v", err)
	}
	return out
}

// New returns the records committed since the last call.
func (h *Harness) New() []*record.Record {
	h.T.Helper()
	var out []*record.Record
	if err := h.Store.ReadLog(h.Ctx, h.read+1, func(r *record.Record) error { out = append(out, r); return nil }); err != nil {
		h.T.Fatalf("read log: %v", err)
	}
	if len(out) > 0 {
		h.read = out[len(out)-1].Position
	}
	return out
}

// CheckReplay rebuilds the state from the log and fails when it differs from
// the engine's state.
func (h *Harness) CheckReplay() {
	h.T.Helper()
	replayed := engine.NewState(standard.Registry())
	for _, r := range h.Log() {
		if err := replayed.Apply(r); err != nil {
			h.T.Fatalf("replay: %v", err)
		}
	}
	var live []byte
	h.State(func(s *state.State) { live = s.Dump() })
	if got := replayed.Dump(); string(got) != string(live) {
		h.T.Fatalf("replayed state differs from live state:\nlive:     %s\nreplayed: %s", live, got)
	}
}

// CheckLifecycles fails when an element instance in the log moved through
// its lifecycle in an order BPMN does not allow.
func CheckLifecycles(t testing.TB, log []*record.Record) {
	t.Helper()
	if err := Lifecycles(log); err != nil {
		t.Fatal(err)
	}
}

// legal lists, for each lifecycle event, the events that may come before it
// for the same element instance (0 = none yet).
var legal = map[record.Intent][]record.Intent{
	record.IntentElementActivating:  {0},
	record.IntentElementActivated:   {record.IntentElementActivating},
	record.IntentElementCompleting:  {record.IntentElementActivated},
	record.IntentElementCompleted:   {record.IntentElementCompleting},
	record.IntentElementTerminating: {record.IntentElementActivating, record.IntentElementActivated, record.IntentElementCompleting},
	record.IntentElementTerminated:  {record.IntentElementTerminating},
}

// Lifecycles checks the lifecycle order of every element instance in log.
func Lifecycles(log []*record.Record) error {
	last := map[int64]record.Intent{}
	for _, r := range log {
		if r.Kind != record.KindEvent || r.ValueType != record.TypeProcessInstance {
			continue
		}
		allowed, ok := legal[r.Intent]
		if !ok {
			continue
		}
		prev := last[r.Key]
		fine := false
		for _, a := range allowed {
			fine = fine || a == prev
		}
		if !fine {
			v := r.Value.(*record.ProcessInstanceValue)
			return fmt.Errorf("element %s (instance %d) went from %s to %s at position %d", v.ElementID, r.Key, prev, r.Intent, r.Position)
		}
		last[r.Key] = r.Intent
	}
	return nil
}
