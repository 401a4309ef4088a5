// Package retention runs the engine's background store work on a timer:
// removing finished process instances whose history time to live has passed
// (store.Retainer) and, as further steps, compacting the command log. A
// Runner runs its Steps one small batch at a time, on an injected clock,
// and reports each batch to an Observer for metrics.
//
// It must never run on the single writer's goroutine (the engine's
// processing loop) and never remove a live instance: a step removes only
// what its store reports as finished and due, each batch in one
// transaction, so a crash leaves a unit either whole or gone and the next
// run resumes with what is still due.
package retention
