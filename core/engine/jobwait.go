package engine

import "github.com/example/wf-engine/core/state"

// jobWaiter is a long poll waiting for jobs of one type in some tenants.
type jobWaiter struct {
	tenants []string // none: the default tenant
	// wake tells the poll that a job is activatable; it is called at most
	// once, and the waiter is unregistered with it.
	wake func()
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
			if len(st.Activatable(t, w.tenants, 1)) > 0 {
				w.wake()
			} else {
				kept = append(kept, w)
			}
		}
		if len(kept) == 0 {
			delete(e.waiters, t)
		} else {
			clear(list[len(kept):])
			e.waiters[t] = kept
		}
	}
}
