package sim

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/lease"
	"github.com/example/wf-engine/core/store"
)

// Several nodes on one store (issue 21, docs/ha.md "Several engine nodes
// on one database"): every run has two or three nodes. The one that holds
// partition 1's lease runs the engine; the others stand by in
// lease.Acquire. Leases are core/lease's own code (Acquire, Held.Keep),
// run as coroutines on the simulated real clock (task), against the
// simStore's lease table (leaser), which mirrors pgstore's statements
// (core/store/pgstore/lease.go). Every commit of a holder is fenced by its
// lease's epoch (nodeStore.Commit, as wf_fence does).
//
// Two clocks: the engine's (r.clk, the nodes' wall clock, which opClock
// jumps) and real time (r.real): the database's now() and the nodes'
// monotonic clocks, which core/lease measures renewals by. Real time moves
// on by realTick at every operation, and by the length of a pause.

// leaseTTL is the simulated nodes' cluster.lease_ttl (its default).
const leaseTTL = 4 * time.Second

// realTick is how much real time passes at every operation.
const realTick = 50 * time.Millisecond

// leaseFault is what an opLease does; the numbers appear in scenario
// files.
type leaseFault uint8

const (
	// leasePause freezes the holder (SIGSTOP, a stop-the-world pause)
	// for b%8+1 operations while real time moves on by 0.5 to 8.5 s in
	// all (in equal parts at each of them); requests sent meanwhile wait
	// at the paused node until a standby took the lease over, which it
	// does once the lease expired. At its resume
	// its engine steps first (b&8) or its lease's renewal runs first.
	leasePause leaseFault = 0
	// leaseStall pauses the holder in the middle of its next commit,
	// after wf_fence took the lease row: a takeover waits for it and,
	// once the lease expired, ends its session (its commit rolls back,
	// its engine hears of a lost connection: outcome unknown).
	leaseStall leaseFault = 1
	// leaseRenewFails makes the holder's renewals fail for 0.5 to
	// 8.5 s: it gives the lease up after 3.2 s without one.
	leaseRenewFails leaseFault = 2
	// leaseKill kills the holder's process: nothing is released, a
	// standby takes over once the lease expired.
	leaseKill leaseFault = 3
	// leaseStop stops the holder cleanly (SIGTERM): it drains, stops its
	// engine and releases its lease, and a standby takes over at its
	// next look.
	leaseStop leaseFault = 4
)

const leaseFaultCount = 5

var leaseFaultNames = [...]string{"pause", "stall-in-commit", "renewals-fail", "kill", "stop"}

func (f leaseFault) String() string {
	if int(f) < len(leaseFaultNames) {
		return leaseFaultNames[f]
	}
	return fmt.Sprintf("lease-fault(%d)", f)
}

// pauseOf is the length of a pause or of failing renewals drawn from b.
func pauseOf(b uint32) time.Duration {
	return 500*time.Millisecond + time.Duration((b>>4)%8000)*time.Millisecond
}

// realClock is real time: the database's clock and the nodes' monotonic
// clocks.
type realClock struct{ now time.Time }

// task runs one call of core/lease (Acquire or Held.Keep) as a coroutine
// (iter.Pull) on the real clock: the call runs only while the runner
// resumes it, and each wait on its clock hands control back until real
// time reaches the wait's end. One side runs at a time, so a run stays
// deterministic and single-threaded in effect.
type task struct {
	next   func() (time.Time, bool)
	stop   func()
	cancel context.CancelFunc
	wake   time.Time // when its wait ends
	done   bool      // the call returned
}

// taskClock is a task's lease.Clock.
type taskClock struct {
	real     *realClock
	yield    func(time.Time) bool
	stopping bool
}

func (c *taskClock) Now() time.Time { return c.real.now }

// After hands control back to the runner until real time reaches now+d.
// When the task is being ended, it returns a channel that never fires:
// the call's ctx is done, so its select ends it, deterministically.
func (c *taskClock) After(d time.Duration) <-chan time.Time {
	if c.stopping || !c.yield(c.real.now.Add(d)) {
		c.stopping = true
		return nil
	}
	ch := make(chan time.Time, 1)
	ch <- c.real.now
	return ch
}

// startTask starts body as a task waiting on clk and runs it until its
// first wait. A node's tasks share its clock (a Held keeps the clock it
// was acquired with), one task at a time: the task that runs sets its
// yield.
func startTask(clk *taskClock, body func(ctx context.Context)) *task {
	ctx, cancel := context.WithCancel(context.Background())
	t := &task{cancel: cancel}
	t.next, t.stop = iter.Pull(func(yield func(time.Time) bool) {
		clk.yield, clk.stopping = yield, false
		body(ctx)
	})
	t.resume()
	return t
}

// resume runs the task until its next wait or its end.
func (t *task) resume() {
	at, ok := t.next()
	if !ok {
		t.done = true
		t.cancel()
		return
	}
	t.wake = at
}

// end ends a task that has not returned: its ctx is cancelled (Keep then
// releases the lease, unless its node is dead).
func (t *task) end() {
	if t == nil || t.done {
		return
	}
	t.done = true
	t.cancel()
	t.stop()
}

// simNode is one engine node (process) on the store: a standby waiting
// in lease.Acquire, or the holder running an engine and Held.Keep.
type simNode struct {
	name string
	clk  *taskClock
	view *nodeStore
	// acq is its Acquire, keep its Keep; held is the lease Acquire
	// returned.
	acq, keep *task
	held      *lease.Held
	// starting: it holds the lease and starts its engine at the end of
	// the operation.
	starting bool
	eng      *engine.Engine
	stp      *engine.Stepper
	// frozen: operations left in a pause (its tasks and engine do not
	// run); engineFirst: at the resume its engine steps before its lease
	// task runs.
	frozen      int
	engineFirst bool
	pauseStep   time.Duration // real time that passes at each operation of the pause
	// stallFor: its next commit stalls for that long, over stallOps
	// operations (leaseStall).
	stallFor time.Duration
	stallOps int
	// step is its engine step in flight while it is paused in the middle
	// of a commit (a coroutine, resumed with the node).
	step *engineCall
	// renewFailUntil: its renewals fail until then (real time).
	renewFailUntil time.Time
	// dead: the process was killed; its lease statements fail.
	dead bool
	// lost: it lost the lease (Keep gave up, or a commit was fenced):
	// it stops at the end of the operation. gone: it stopped.
	lost, gone bool
}

// running reports whether the node runs an engine.
func (n *simNode) running() bool { return n.eng != nil && !n.gone }

// flush commits the batches its engine has pipelined (engineStep).
func (n *simNode) flush() error { n.stp.Flush(); return nil }

// leaser is a node's connection to the store's lease table (pgstore's
// Leases), deciding expiry by the store's clock (real time).
type leaser struct {
	r *runner
	n *simNode
}

var errLeaseStatement = errors.New("injected lease statement failure")

// leaseRow is partition 1's row of partition_leases.
type leaseRow struct {
	nodeID, address string
	epoch           int64
	expires         time.Time
}

func (l leaser) check() error {
	if l.n.dead {
		return fmt.Errorf("%w: the node is dead", errLeaseStatement)
	}
	return nil
}

// AcquireLease mirrors pgstore's acquireLease: insert the first lease, or
// take over one that expired or was released, with the next epoch. The
// row lock of a commit in flight (wf_fence's FOR SHARE) blocks it; after
// blockedAfter pgstore ends the blocking sessions if the lease is still
// expired (the wait itself is not simulated: the stalled node is paused
// throughout, so nothing else can happen in that second).
func (l leaser) AcquireLease(_ context.Context, c store.LeaseClaim) (store.Lease, bool, error) {
	if err := l.check(); err != nil {
		return store.Lease{}, false, err
	}
	s, now := l.r.st, l.r.real.now
	if s.lease == nil {
		s.lease = &leaseRow{nodeID: c.NodeID, address: c.Address, epoch: 1, expires: now.Add(c.TTL)}
		return store.Lease{Partition: c.Partition, NodeID: c.NodeID, Epoch: 1, Address: c.Address, Remaining: c.TTL}, true, nil
	}
	if s.stall != nil {
		if s.lease.expires.After(now) {
			return store.Lease{}, false, fmt.Errorf("acquire the lease of partition %d: blocked by a commit in flight: %w", c.Partition, context.DeadlineExceeded)
		}
		s.stall.killed = true
		s.stall = nil
		l.r.stats.stallsEnded++
	}
	if s.lease.expires.After(now) {
		return store.Lease{}, false, nil
	}
	s.lease = &leaseRow{nodeID: c.NodeID, address: c.Address, epoch: s.lease.epoch + 1, expires: now.Add(c.TTL)}
	return store.Lease{Partition: c.Partition, NodeID: c.NodeID, Epoch: s.lease.epoch, Address: c.Address, Remaining: c.TTL}, true, nil
}

// RenewLease mirrors pgstore's renewLease: it extends the lease while it
// is still l's epoch, even after its expiry when nobody took it over.
func (l leaser) RenewLease(_ context.Context, held store.Lease, ttl time.Duration) (bool, error) {
	if err := l.check(); err != nil {
		return false, err
	}
	now := l.r.real.now
	if now.Before(l.n.renewFailUntil) {
		l.r.stats.renewalsFailed++
		return false, fmt.Errorf("renew the lease of partition %d (epoch %d): %w", held.Partition, held.Epoch, errLeaseStatement)
	}
	row := l.r.st.lease
	if row == nil || row.nodeID != held.NodeID || row.epoch != held.Epoch {
		return false, nil
	}
	row.expires = now.Add(ttl)
	return true, nil
}

// ReleaseLease mirrors pgstore's releaseLease.
func (l leaser) ReleaseLease(_ context.Context, held store.Lease) error {
	if err := l.check(); err != nil {
		return err
	}
	if row := l.r.st.lease; row != nil && row.nodeID == held.NodeID && row.epoch == held.Epoch {
		row.expires = time.Unix(0, 0).UTC()
		l.r.stats.released++
	}
	return nil
}

// ReadLease mirrors pgstore's readLease.
func (l leaser) ReadLease(_ context.Context, partition int32) (store.Lease, bool, error) {
	if err := l.check(); err != nil {
		return store.Lease{}, false, err
	}
	row := l.r.st.lease
	if row == nil {
		return store.Lease{}, false, nil
	}
	return store.Lease{Partition: partition, NodeID: row.nodeID, Epoch: row.epoch, Address: row.address,
		Remaining: max(row.expires.Sub(l.r.real.now), 0)}, true, nil
}

// spawn starts a node process: it stands by in lease.Acquire.
func (r *runner) spawn() *simNode {
	r.nodeSeq++
	n := &simNode{name: fmt.Sprintf("node-%d", r.nodeSeq), clk: &taskClock{real: r.real}}
	n.view = &nodeStore{simStore: r.st, r: r, n: n}
	cfg := lease.Config{Leaser: leaser{r: r, n: n}, Clock: n.clk,
		Claim: store.LeaseClaim{Partition: 1, NodeID: n.name, Address: "sim://" + n.name, TTL: leaseTTL}}
	n.acq = startTask(n.clk, func(ctx context.Context) {
		if held, err := lease.Acquire(ctx, cfg); err == nil {
			n.held = held
		}
	})
	r.nodes = append(r.nodes, n)
	r.taskEnded(n)
	return n
}

// taskEnded handles n's tasks that returned: an Acquire that won starts
// Keep (the engine starts at the end of the operation), a Keep that
// returned an error lost the lease.
func (r *runner) taskEnded(n *simNode) {
	if n.acq != nil && n.acq.done {
		n.acq = nil
		if n.held != nil && !n.gone {
			l := n.held.Lease()
			if row := r.st.lease; l.Epoch <= r.lastEpoch || row == nil || row.epoch != l.Epoch {
				r.violate("lease-epoch", "%s took the lease at epoch %d, after epoch %d", n.name, l.Epoch, r.lastEpoch)
			}
			r.lastEpoch = max(r.lastEpoch, l.Epoch)
			n.view.epoch = l.Epoch // store.Fencer, as the node does before it starts its engine
			n.starting = true
			held := n.held
			n.keep = startTask(n.clk, func(ctx context.Context) {
				if err := held.Keep(ctx); err != nil {
					n.lost = true
					r.stats.keepLost++
				}
			})
		}
	}
	if n.keep != nil && n.keep.done {
		n.keep = nil
	}
}

// advanceReal moves real time on by d, resuming the lease tasks of the
// nodes that run (not paused, not dead) at their wake times, in time
// order (ties: in node order).
func (r *runner) advanceReal(d time.Duration) {
	end := r.real.now.Add(d)
	for {
		var next *simNode
		var t *task
		for _, n := range r.nodes {
			if n.gone || n.dead || n.frozen > 0 {
				continue
			}
			for _, c := range []*task{n.acq, n.keep} {
				if c != nil && !c.done && !c.wake.After(end) && (t == nil || c.wake.Before(t.wake)) {
					next, t = n, c
				}
			}
		}
		if t == nil {
			break
		}
		if t.wake.After(r.real.now) {
			r.real.now = t.wake
		}
		t.resume()
		r.taskEnded(next)
	}
	if end.After(r.real.now) {
		r.real.now = end
	}
}

// tick runs at the start of every operation: paused nodes count down
// (and resume), and real time moves on by realTick.
func (r *runner) tick() {
	d := realTick
	for _, n := range r.nodes {
		if n.frozen > 0 {
			d = max(d, realTick+n.pauseStep)
		}
	}
	r.advanceReal(d)
	for _, n := range r.nodes {
		if n.frozen > 0 {
			if n.frozen--; n.frozen == 0 {
				r.resumeNode(n)
			}
		}
	}
}

// resumeNode ends n's pause: with engineFirst its engine steps before its
// lease task runs (the race of a SIGCONT: the commit may come first).
func (r *runner) resumeNode(n *simNode) {
	n.frozen = 0
	if c := n.step; c != nil {
		// Paused in the middle of a commit: the commit goes on.
		n.step = nil
		c.next()
		c.stop()
		r.endStep(n, c)
		return
	}
	if n.engineFirst && n.running() && !n.lost {
		r.engineStep(n, n.stp.Step)
	}
}

// afterOp runs at the end of every operation, as a node's goroutines
// would: a node that lost its lease stops, and one that took the lease
// starts its engine and serves.
func (r *runner) afterOp() {
	for i := 0; i < len(r.nodes); i++ { // stopNode spawns nodes
		n := r.nodes[i]
		switch {
		case n.gone:
		case n.lost:
			r.stopNode(n, "the node lost its lease while it was in flight")
		case n.starting && n.frozen == 0:
			n.starting = false
			r.serve(n)
		}
	}
	r.nodes = slices.DeleteFunc(r.nodes, func(n *simNode) bool { return n.gone })
}

// serve starts the engine of a node that took the lease: it loads the
// store's state and becomes the node clients send to. Clients of the
// former holder lose their connections (keyed awaiting creates are sent
// again).
func (r *runner) serve(n *simNode) {
	old := r.front
	r.front = n
	if err := r.start(n); err != nil {
		r.violate("takeover", "%s took the lease but could not start: %v", n.name, err)
		return
	}
	r.eng, r.stp = n.eng, n.stp
	if old != nil && old != n {
		r.noteMore("%s took the lease over (epoch %d) and serves", n.name, n.view.epoch)
		r.stats.takeovers++
		r.cutClients()
		r.resumeClients()
	}
	if last, acked := n.stp.State().LastPosition(), r.chk.maxAcked; last < acked {
		r.violate("acknowledged-lost", "%s took the lease over with the state at position %d, but position %d was acknowledged", n.name, last, acked)
	}
	r.compare(false)
}

// stopNode ends node n's process: its engine stops, its requests in flight
// get no answer (their connections drop), its Keep ends (releasing the
// lease, unless the node is dead or the lease is another's), and its
// supervisor starts a new process, which stands by.
func (r *runner) stopNode(n *simNode, why string) {
	if n.gone {
		return
	}
	n.gone = true
	if !r.ending {
		r.noteMore("%s stops: %s", n.name, strings.TrimSuffix(strings.TrimPrefix(why, "the node "), " while it was in flight"))
	}
	r.dropCalls(n, why)
	if c := n.step; c != nil {
		// It lost its lease (Keep gave up) and then paused in the
		// middle of a commit: the process ends with the commit cut.
		n.step, n.frozen = nil, 0
		c.stop()
	}
	if n.eng != nil {
		_ = n.eng.Close()
	}
	if n == r.front {
		r.cutClients()
	}
	n.keep.end()
	n.acq.end()
	n.keep, n.acq = nil, nil
	if !r.ending {
		r.spawn()
	}
}

// dropCalls ends the calls sent to node n that have no answer: their
// clients saw the connection drop (keyed ones retry).
func (r *runner) dropCalls(n *simNode, why string) {
	kept := r.calls[:0]
	for _, c := range r.calls {
		switch {
		case c.node != n:
			kept = append(kept, c)
		case c.c.Answered():
			r.answered(c)
		default:
			r.lose(c.req, why)
		}
	}
	clear(r.calls[len(kept):])
	r.calls = kept
}

// leaseFault strikes the front node with fault o.a (a leaseFault).
func (r *runner) leaseFault(o op) {
	f := leaseFault(o.a % leaseFaultCount)
	n := r.front
	if n == nil || !n.running() || n.frozen > 0 || n.lost {
		return
	}
	r.stats.leaseFaults[f]++
	d := pauseOf(o.b)
	switch f {
	case leasePause:
		n.frozen, n.engineFirst = int(o.b%8)+1, o.b&8 != 0
		n.pauseStep = d / time.Duration(n.frozen)
		r.note("the holder %s pauses for %s (%d operations)", n.name, d, n.frozen)
	case leaseStall:
		n.stallFor, n.stallOps = d, int(o.b%8)+1
		r.note("the next commit of the holder %s stalls for %s", n.name, d)
	case leaseRenewFails:
		n.renewFailUntil = r.real.now.Add(d)
		r.note("the renewals of the holder %s fail for %s", n.name, d)
	case leaseKill:
		r.note("the holder %s is killed", n.name)
		n.dead = true
		r.stopNode(n, "the node was killed while it was in flight")
	case leaseStop:
		r.note("the holder %s stops cleanly", n.name)
		n.stallFor = 0 // a stall armed for its next commit is for a node that runs on
		// It drains: the engine stops after its batch in flight.
		for range 3 {
			if !n.running() || n.lost || n.frozen > 0 || !r.hasCalls(n) {
				break
			}
			r.engineStep(n, n.stp.Step)
		}
		if n.running() && !n.lost && n.frozen == 0 {
			r.engineStep(n, n.flush)
		}
		r.stopNode(n, "the node stopped while it was in flight")
	}
}

// hasCalls reports whether a call sent to n waits for its answer.
func (r *runner) hasCalls(n *simNode) bool {
	for _, c := range r.calls {
		if c.node == n {
			return true
		}
	}
	return false
}

// endLeaseFaults ends a run's lease faults: paused nodes resume, renewals
// succeed, and real time moves on until one node serves and every former
// holder has stopped (fenced at its next commit, or told by its renewal).
func (r *runner) endLeaseFaults() {
	for _, n := range r.nodes {
		n.stallFor, n.renewFailUntil = 0, time.Time{}
		if n.frozen > 0 {
			r.resumeNode(n)
		}
	}
	for range 400 {
		others := false
		for _, n := range r.nodes {
			if n != r.front && n.running() {
				others = true
				r.engineStep(n, n.stp.Step)
			}
		}
		r.afterOp()
		if r.fail != nil {
			return
		}
		if !others && r.front != nil && r.front.running() {
			return
		}
		r.advanceReal(100 * time.Millisecond)
		r.afterOp()
	}
	r.violate("no-holder", "no node served after 40 s of real time without lease faults")
}

// shutdown ends a run: every engine stops and every lease task ends.
func (r *runner) shutdown() {
	r.ending = true
	for _, n := range r.nodes {
		if c := n.step; c != nil {
			n.step = nil
			c.stop()
		}
		if n.eng != nil {
			_ = n.eng.Close()
		}
		n.dead = true
		func() {
			defer func() { _ = recover() }() // a task that panicked has ended
			n.keep.end()
			n.acq.end()
		}()
	}
}

// engineCall is an engine step run as a coroutine, so that a commit can
// stall in its middle (leaseStall) while the other nodes go on: the
// commit yields, and the step ends when its node resumes.
type engineCall struct {
	next  func() (struct{}, bool)
	stop  func()
	yield func(struct{}) bool
	err   error
}

// stepStalling runs fn as an engineCall; stalled: its commit stalled,
// and n.step holds it until n resumes.
func stepStalling(n *simNode, fn func() error) (c *engineCall, stalled bool) {
	c = &engineCall{}
	c.next, c.stop = iter.Pull(func(yield func(struct{}) bool) {
		c.yield = yield
		c.err = fn()
	})
	n.step = c
	if _, stalled := c.next(); stalled {
		return c, true
	}
	n.step = nil
	c.stop()
	return c, false
}
