package processtest_test

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/example/wf-engine/sdk/processtest"
)

// recorder is a processtest.TB that records what the kit reports instead of
// failing the real test. Its cleanups run when cleanUp is called, or else
// when the real test ends, so the engine still stops with it.
type recorder struct {
	t        *testing.T
	mu       sync.Mutex
	errors   []string
	fatals   []string
	cleanups []func()
}

func newRecorder(t *testing.T) *recorder {
	r := &recorder{t: t}
	t.Cleanup(r.cleanUp)
	return r
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// Fatalf records the message and stops the calling goroutine, as
// testing.T.Fatalf does.
func (r *recorder) Fatalf(format string, args ...any) {
	r.mu.Lock()
	r.fatals = append(r.fatals, fmt.Sprintf(format, args...))
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recorder) Cleanup(fn func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cleanups = append(r.cleanups, fn)
}

// cleanUp runs the registered cleanups, last first, as a test's end would.
func (r *recorder) cleanUp() {
	r.mu.Lock()
	fns := r.cleanups
	r.cleanups = nil
	r.mu.Unlock()
	for i := len(fns) - 1; i >= 0; i-- {
		fns[i]()
	}
}

// run runs fn in a goroutine of its own, as a test body, so that a Fatalf
// inside stops only fn.
func (r *recorder) run(fn func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	<-done
}

// take returns the errors and fatal messages recorded so far and forgets them.
func (r *recorder) take() (errs, fatals []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	errs, fatals = r.errors, r.fatals
	r.errors, r.fatals = nil, nil
	return errs, fatals
}

// wantClean fails the real test when anything was reported.
func (r *recorder) wantClean() {
	r.t.Helper()
	errs, fatals := r.take()
	for _, m := range append(errs, fatals...) {
		r.t.Errorf("unexpected report from the kit:\n%s", m)
	}
}

// wantError fails the real test unless exactly one error (and no fatal)
// was reported and it contains every part, in order.
func (r *recorder) wantError(parts ...string) {
	r.t.Helper()
	errs, fatals := r.take()
	if len(fatals) > 0 || len(errs) != 1 {
		r.t.Fatalf("want exactly one error, got errors %q and fatals %q", errs, fatals)
	}
	containsInOrder(r.t, errs[0], parts...)
}

// wantFatal runs fn and fails the real test unless it stopped with a fatal
// message containing every part, in order, and reported nothing else.
func (r *recorder) wantFatal(fn func(), parts ...string) {
	r.t.Helper()
	r.run(fn)
	errs, fatals := r.take()
	if len(errs) > 0 || len(fatals) != 1 {
		r.t.Fatalf("want exactly one fatal, got errors %q and fatals %q", errs, fatals)
	}
	containsInOrder(r.t, fatals[0], parts...)
}

func containsInOrder(t *testing.T, msg string, parts ...string) {
	t.Helper()
	rest := msg
	for _, p := range parts {
		i := strings.Index(rest, p)
		if i < 0 {
			t.Errorf("message lacks %q (after the parts before it):\n%s", p, msg)
			return
		}
		rest = rest[i+len(p):]
	}
}

// Interface guards
var (
	_ processtest.TB = (*recorder)(nil)
	_ processtest.TB = (*testing.T)(nil)
)
