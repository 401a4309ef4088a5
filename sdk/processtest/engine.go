package processtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store/memstore"
	"github.com/example/wf-engine/elements/standard"
)

// DefaultStart returns the manual clock's time when a test starts, unless
// WithStartTime says otherwise: 2026-01-01 09:00 UTC.
func DefaultStart() time.Time { return time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC) }

// DefaultSettleTimeout bounds how long Settle waits, on the wall clock, for
// the engine to become idle, unless WithSettleTimeout says otherwise.
const DefaultSettleTimeout = 10 * time.Second

// JobTimeout is how long a job activated by the kit stays with the test
// before the engine may hand it out again, as a worker's default timeout.
const JobTimeout = 5 * time.Minute

// worker is the worker name the kit activates jobs as.
const worker = "processtest"

// Option changes how New sets up the engine.
type Option func(*options)

type options struct {
	start  time.Time
	settle time.Duration
}

// WithStartTime sets the manual clock's time when the test starts.
func WithStartTime(t time.Time) Option { return func(o *options) { o.start = t } }

// WithSettleTimeout sets how long Settle waits for the engine to become
// idle before it fails the test.
func WithSettleTimeout(d time.Duration) Option { return func(o *options) { o.settle = d } }

// Engine is an in-process engine for one test: the standard elements on a
// memory store and a manual clock. It stops with the test. Its methods are
// meant for the test's goroutine.
type Engine struct {
	t      TB
	eng    *engine.Engine
	store  *memstore.Store
	clock  *clock.Manual
	settle time.Duration
}

// New starts an engine for the test t and stops it when t ends.
func New(t TB, opts ...Option) *Engine {
	t.Helper()
	o := options{start: DefaultStart(), settle: DefaultSettleTimeout}
	for _, opt := range opts {
		opt(&o)
	}
	if o.settle <= 0 {
		t.Fatalf("processtest: New: expected a positive settle timeout, but it is %s", o.settle)
		return nil
	}
	e := &Engine{t: t, store: memstore.New(memstore.Options{}), clock: clock.NewManual(o.start), settle: o.settle}
	eng, err := engine.Start(context.Background(), engine.Config{Partition: 1, Clock: e.clock, Store: e.store, Registry: standard.Registry()})
	if err != nil {
		t.Fatalf("processtest: start engine: %v", err)
		return nil
	}
	e.eng = eng
	t.Cleanup(func() {
		_ = eng.Close()
		_ = e.store.Close()
	})
	return e
}

// Client returns the engine's client, for commands the kit does not wrap.
// Call Settle before asserting on what they caused when they were sent from
// another goroutine.
func (e *Engine) Client() engine.Client { return e.eng }

// Now returns the time on the engine's manual clock.
func (e *Engine) Now() time.Time { return e.clock.Now() }

// AdvanceTime moves the manual clock forward by d and returns once the
// engine has handled everything that became due: timers (every repetition
// of a cycle that fits in d), job time-outs, retry back-offs and message
// expiries.
func (e *Engine) AdvanceTime(d time.Duration) {
	e.t.Helper()
	if d < 0 {
		e.t.Fatalf("processtest: AdvanceTime(%s): the clock never moves backwards", d)
		return
	}
	e.clock.Advance(d)
	e.Settle()
}

// Settle waits until the engine is idle: no command waits in its queue and
// nothing is due on its clock. It fails the test when that takes longer
// than the settle timeout, or when the engine stopped.
func (e *Engine) Settle() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), e.settle)
	defer cancel()
	for {
		due := false
		// Every Read runs a batch, and a batch first handles what is due.
		err := e.eng.Read(ctx, func(s *state.State) { due = dueWork(s, e.clock.Now().UnixMilli()) })
		if err == nil && !due && e.eng.QueueDepth() == 0 {
			return
		}
		if ctx.Err() != nil {
			e.t.Fatalf("processtest: the engine did not become idle within %s (queue depth %d, work due: %t)", e.settle, e.eng.QueueDepth(), due)
			return
		}
		if err != nil {
			e.fatalEngine("settle engine", err)
			return
		}
	}
}

// dueWork reports whether anything in s is due at now (Unix ms).
func dueWork(s *state.State, now int64) bool {
	for _, next := range []func() (int64, bool){s.NextDeadline, s.NextBackoff, s.NextTimer, s.NextMessageExpiry} {
		if at, ok := next(); ok && at <= now {
			return true
		}
	}
	return false
}

// read settles the engine, then runs fn on its state and log between two
// batches. fn must not keep references into either.
func (e *Engine) read(fn func(s *state.State, log []*record.Record)) {
	e.t.Helper()
	e.Settle()
	var logErr error
	err := e.eng.Read(context.Background(), func(s *state.State) {
		var log []*record.Record
		logErr = e.store.ReadLog(context.Background(), 1, func(r *record.Record) error {
			log = append(log, r)
			return nil
		})
		if logErr == nil {
			fn(s, log)
		}
	})
	if err == nil {
		err = logErr
	}
	if err != nil {
		e.fatalEngine("read engine state", err)
	}
}

// fatalEngine stops the test with what went wrong and, if the engine
// stopped by itself, why.
func (e *Engine) fatalEngine(doing string, err error) {
	e.t.Helper()
	if cause := e.eng.Err(); cause != nil && !errors.Is(err, cause) {
		err = fmt.Errorf("%w (the engine stopped: %w)", err, cause)
	}
	e.t.Fatalf("processtest: %s: %v", doing, err)
}

// refused stops the test because the engine refused a command.
func (e *Engine) refused(doing string, err error) {
	e.t.Helper()
	if rj, ok := engine.AsRejection(err); ok {
		e.t.Fatalf("processtest: %s: the engine rejected it (%s): %s", doing, rj.Type, rj.Reason)
		return
	}
	e.fatalEngine(doing, err)
}

// Deploy deploys BPMN files together, read from the paths given (relative
// to the test's package directory), and returns what was deployed.
func (e *Engine) Deploy(paths ...string) *engine.Deployment {
	e.t.Helper()
	if len(paths) == 0 {
		e.t.Fatalf("processtest: Deploy: expected at least one file, but none was given")
		return nil
	}
	doing := fmt.Sprintf("Deploy(%q)", paths)
	res := make([]record.Resource, 0, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(filepath.Clean(p))
		if err != nil {
			e.t.Fatalf("processtest: %s: read %s: %v", doing, p, err)
			return nil
		}
		res = append(res, record.Resource{Name: filepath.Base(p), Content: b})
	}
	return e.deploy(doing, res)
}

// DeployXML deploys one BPMN document under a resource name.
func (e *Engine) DeployXML(name string, xml []byte) *engine.Deployment {
	e.t.Helper()
	return e.deploy(fmt.Sprintf("DeployXML(%q)", name), []record.Resource{{Name: name, Content: xml}})
}

func (e *Engine) deploy(doing string, res []record.Resource) *engine.Deployment {
	e.t.Helper()
	d, err := e.eng.Deploy(context.Background(), engine.DeployRequest{Resources: res})
	if err != nil {
		e.refused(doing, err)
		return nil
	}
	e.Settle()
	return d
}

// CreateInstance starts an instance of the latest version of a process
// with variables (which may be nil) and returns it once it has moved as far
// as it can without help.
func (e *Engine) CreateInstance(bpmnProcessID string, vars map[string]any) *Instance {
	e.t.Helper()
	ci, err := e.eng.CreateInstance(context.Background(), engine.CreateInstanceRequest{BPMNProcessID: bpmnProcessID, Variables: vars})
	if err != nil {
		e.refused(fmt.Sprintf("CreateInstance(%q)", bpmnProcessID), err)
		return nil
	}
	e.Settle()
	return &Instance{e: e, key: ci.ProcessInstanceKey, processID: ci.BPMNProcessID}
}

// Instances returns every instance of a process in the order they were
// created, however they were started: by CreateInstance, a message, a
// timer or a call activity.
func (e *Engine) Instances(bpmnProcessID string) []*Instance {
	e.t.Helper()
	var out []*Instance
	e.read(func(_ *state.State, log []*record.Record) {
		for _, r := range log {
			v, ok := r.Value.(*record.ProcessInstanceValue)
			if ok && r.Kind == record.KindEvent && r.Intent == record.IntentElementActivating &&
				r.Key == v.ProcessInstanceKey && v.BPMNProcessID == bpmnProcessID {
				out = append(out, &Instance{e: e, key: r.Key, processID: v.BPMNProcessID})
			}
		}
	})
	return out
}

// Instance returns a handle on the process instance with the given key.
func (e *Engine) Instance(processInstanceKey int64) *Instance {
	e.t.Helper()
	inst := &Instance{e: e, key: processInstanceKey}
	var found bool
	e.read(func(_ *state.State, log []*record.Record) {
		h := historyOf(log, processInstanceKey)
		found, inst.processID = h.found, h.processID
	})
	if !found {
		e.t.Fatalf("processtest: Instance(%d): no process instance with that key was created", processInstanceKey)
		return nil
	}
	return inst
}
