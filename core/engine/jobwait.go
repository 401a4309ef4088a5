package engine

import (
	"context"
	"maps"
	"slices"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// jobWaiter is a long poll waiting for jobs of one type in some tenants:
// woken (wake), or activated by the loop itself (parked).
type jobWaiter struct {
	tenants []string // none: the default tenant
	// wake tells the poll that a job is activatable; it is called at most
	// once, and the waiter is unregistered with it.
	wake func()
	// parked is a long poll's activation command that the loop runs into
	// the batch it hands over once a job of the type is activatable
	// (runParked), so that the jobs a batch creates are activated in that
	// same batch and handed out with its commit (as Zeebe's job push does),
	// instead of waking the poll to activate them in a later one. poll is
	// the caller's context: a parked command whose caller went away is
	// dropped.
	parked *request
	poll   context.Context
}

// waitForJobs registers a long poll for jobs of a type in tenants. The
// channel is closed once such a job is activatable; cancel unregisters.
func (e *Engine) waitForJobs(jobType string, tenants []string) (<-chan struct{}, func()) {
	ch := make(chan struct{})
	return ch, e.addJobWaiter(jobType, tenants, func() { close(ch) })
}

// addJobWaiter registers wake to be called once a job of a type in one of
// tenants is activatable; cancel unregisters it. The router registers one
// wake on every partition for a long poll across partitions.
func (e *Engine) addJobWaiter(jobType string, tenants []string, wake func()) (cancel func()) {
	w := &jobWaiter{tenants: tenants, wake: wake}
	e.mu.Lock()
	e.waiters[jobType] = append(e.waiters[jobType], w)
	e.mu.Unlock()
	return func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		list := e.waiters[jobType]
		for i, c := range list {
			if c == w {
				e.waiters[jobType] = append(list[:i:i], list[i+1:]...)
				break
			}
		}
		if len(e.waiters[jobType]) == 0 {
			delete(e.waiters, jobType)
		}
	}
}

// wakeWaiters wakes the long polls for which a job is activatable now: one
// of their type in one of their tenants. A poll waiting for another tenant
// sleeps on.
func (e *Engine) wakeWaiters(st *state.State) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for t, list := range e.waiters {
		if st.ActivatableCount(t) == 0 {
			continue
		}
		kept := list[:0]
		for _, w := range list {
			if w.parked == nil && len(st.Activatable(t, w.tenants, 1)) > 0 {
				w.wake()
			} else {
				kept = append(kept, w)
			}
		}
		e.keepWaiters(t, list, kept)
	}
}

// keepWaiters leaves kept, a prefix of list filtered in place, as the
// waiters of job type t (none: t is dropped). e.mu is held.
func (e *Engine) keepWaiters(t string, list, kept []*jobWaiter) {
	clear(list[len(kept):])
	if len(kept) == 0 {
		delete(e.waiters, t)
	} else {
		e.waiters[t] = kept
	}
}

// park parks a copy of r, a long-polling job activation that the loop just
// ran, when it activated no job: it returns the parked request, whose
// answer the caller then waits for, or nil.
func (e *Engine) park(r *request, res *Result) *request {
	jobs, _ := res.Response.([]ActivatedJob)
	v, ok := r.cmd.Value.(*record.JobBatchValue)
	if res.Rejection != nil || len(jobs) > 0 || !ok || r.poll.Err() != nil {
		return nil
	}
	value := *v
	cmd := &record.Record{ValueType: r.cmd.ValueType, Intent: r.cmd.Intent, Version: r.cmd.Version, Value: &value, Principal: r.cmd.Principal}
	parked := &request{cmd: cmd, done: make(chan reply, 1)}
	e.mu.Lock()
	e.waiters[v.Type] = append(e.waiters[v.Type], &jobWaiter{tenants: v.TenantIDs, parked: parked, poll: r.poll})
	e.mu.Unlock()
	return parked
}

// unpark takes a parked activation back from the waiters; false: the loop
// took it already and answers it with its batch.
func (e *Engine) unpark(parked *request) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, i := e.parkedAt(parked)
	if i < 0 {
		return false
	}
	list := e.waiters[t]
	e.keepWaiters(t, list, slices.Delete(list, i, i+1))
	return true
}

// WaitingPolls returns how many job activation long polls wait for a job,
// by job type: parked ones and those to be woken alike.
func (e *Engine) WaitingPolls() map[string]int {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[string]int, len(e.waiters))
	for t, list := range e.waiters {
		out[t] = len(list)
	}
	return out
}

// isParked reports whether a parked activation still waits among the
// waiters: the loop has not taken it.
func (e *Engine) isParked(parked *request) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	_, i := e.parkedAt(parked)
	return i >= 0
}

// parkedAt returns where parked waits among the waiters of its job type
// (-1: nowhere). e.mu is held.
func (e *Engine) parkedAt(parked *request) (jobType string, i int) {
	t := parked.cmd.Value.(*record.JobBatchValue).Type
	return t, slices.IndexFunc(e.waiters[t], func(w *jobWaiter) bool { return w.parked == parked })
}

// runParked runs into p, before it is handed over, the parked activations
// for which a job is activatable now: of each type, in the order they
// were parked, as many as the activatable jobs may serve. A parked
// activation whose caller went away is dropped. When a read closed p
// (nothing more runs into it), those activations are answered with no job
// instead, and their callers ask again: the next batch serves them.
func (e *Engine) runParked(p *processed) error {
	run := e.takeParked(e.proc.State())
	if len(run) == 0 {
		return nil
	}
	if p.read {
		for _, r := range run {
			e.answer(r, reply{res: &Result{}})
		}
		return nil
	}
	return e.runBatch(p, run)
}

// takeParked takes from the waiters the parked activations that st's
// activatable jobs may serve, and drops those whose caller went away,
// answering them with its context's error: the caller may have found its
// activation gone (unpark false) and wait for that answer.
func (e *Engine) takeParked(st *state.State) []*request {
	e.mu.Lock()
	if len(e.waiters) == 0 {
		e.mu.Unlock()
		return nil
	}
	var run []*request
	var gone []*jobWaiter
	for _, t := range slices.Sorted(maps.Keys(e.waiters)) { // the log's order does not depend on the map's
		left := st.ActivatableCount(t)
		list := e.waiters[t]
		kept := list[:0]
		for _, w := range list {
			switch {
			case w.parked == nil:
				kept = append(kept, w)
			case w.poll.Err() != nil: // its caller went away: dropped
				gone = append(gone, w)
			case left > 0 && len(st.Activatable(t, w.tenants, 1)) > 0:
				run = append(run, w.parked)
				left -= max(1, int(w.parked.cmd.Value.(*record.JobBatchValue).MaxJobsToActivate))
			default:
				kept = append(kept, w)
			}
		}
		e.keepWaiters(t, list, kept)
	}
	e.mu.Unlock()
	for _, w := range gone {
		e.answer(w.parked, reply{err: w.poll.Err()})
	}
	return run
}

// dropParked answers every parked activation with err (the engine stops).
func (e *Engine) dropParked(err error) {
	e.mu.Lock()
	var dropped []*request
	for t, list := range e.waiters {
		kept := list[:0]
		for _, w := range list {
			if w.parked != nil {
				dropped = append(dropped, w.parked)
			} else {
				kept = append(kept, w)
			}
		}
		e.keepWaiters(t, list, kept)
	}
	e.mu.Unlock()
	for _, r := range dropped {
		e.answer(r, reply{err: err})
	}
}
