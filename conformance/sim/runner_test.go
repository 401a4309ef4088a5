package sim

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/replaycheck"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/elements/standard"
)

// epoch is the simulated clock's start.
var epoch = time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)

// heavyEvery is how many engine steps pass between the checks that
// compare the engine's state with the stored one, replayEvery between
// those that replay the whole log too (both also run at every restart and
// at the end of a run).
const (
	heavyEvery  = 100
	replayEvery = 300
)

var registry = standard.Registry()

// violation is a broken invariant: its name (what the shrinker keeps
// failing on), where, and what was seen.
type violation struct {
	name   string
	step   int
	detail string
}

func (v *violation) Error() string {
	return fmt.Sprintf("step %d: %s: %s", v.step, v.name, v.detail)
}

// request is a client's request: what it sends, and sends again when it
// retries.
type request struct {
	kind   opKind
	target int64
	build  func() *record.Record
	idem   *engine.IdempotencyKey
	// last is what happened to its last copy that got no answer the
	// client could use: the reason its client gives up, if it does.
	last string
}

// lose puts a keyed request on the client's list of requests to retry,
// with why its last copy got no usable answer.
func (r *runner) lose(req *request, why string) {
	if req.idem != nil {
		req.last = why
		r.lost = append(r.lost, req)
	}
}

// failureOf names an answer's error for the give-up reasons.
func failureOf(err error) string {
	for _, e := range []error{engine.ErrIdempotencyKeyInFlight, engine.ErrRetryWithIdempotencyKey, engine.ErrOutcomeUnknown,
		engine.ErrUnavailable, engine.ErrOverloaded, engine.ErrStopped, engine.ErrIdempotencyKeyReused} {
		if errors.Is(err, e) {
			return "answered: " + e.Error()
		}
	}
	s := err.Error()
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return "answered: " + s
}

// call is a request sent to the engine, waiting for its answer.
type call struct {
	req        *request
	c          *engine.Call
	ctx        context.Context
	dropAnswer bool
	invoked    int      // step it was sent at
	node       *simNode // the node it was sent to
}

// delivery is a request the network delivers at a later engine step.
type delivery struct {
	req        *request
	at         int
	dropAnswer bool
}

// runner executes one run's operations on one goroutine.
type runner struct {
	ops  []op
	step int // index of the operation running
	ctx  context.Context
	clk  *clock.Manual
	st   *simStore
	// eng and stp are the engine of the front node: the holder clients
	// send to (or, while no node serves, the last one's, for its state).
	eng *engine.Engine
	stp *engine.Stepper
	reg *element.Registry
	// real is real time (lease_test.go); nodes are the node processes,
	// front the one clients send to.
	real      *realClock
	nodes     []*simNode
	front     *simNode
	nodeSeq   int
	nodeCount int   // node processes at once (2 or 3)
	lastEpoch int64 // the greatest lease epoch taken
	ending    bool  // the run ended: stopped nodes are not restarted
	// firstFencedMessage is the step of the first fenced batch in which
	// a message correlated (-1: none).
	firstFencedMessage int

	pipelined bool
	maxBatch  int // 0: 16
	engSteps  int
	calls     []*call
	wire      []*delivery
	lost      []*request // idempotent requests without an answer: the client retries them
	procs     []string   // process ids deployed
	idemSeq   int
	chk       *checker
	fail      *violation
	stats     stats
	// polls, awaits and reads are the clients of clients_test.go: long
	// polls, creates that await their instance's end, and reads.
	polls  []*poll
	awaits []*awaiter
	reads  []*read
	// models are the files the run's deploying operations deployed, by
	// operation index; notes say what operations did, for scenario files.
	models map[int]string
	notes  map[int]string
	// gaveUp counts keyed requests whose client gave up, by the last
	// answer it got (giveUp).
	gaveUp map[string]int
}

// stats count what runs did, to show that the faults and paths happen.
type stats struct {
	runs, restarts, faults, failedAnswers, acked, rejected, replayed, lost, records int
	// long polls: answered with jobs, woken to activate again, parked by
	// the engine, timed out, answered with an error, cut by a crash.
	pollJobs, pollWakes, pollParked, pollTimeouts, pollErrors, pollsCut int
	// awaiting creates: ends delivered by the engine's watch, ended
	// within the creation, ended before a replayed create awaited (read
	// from the store), refused (an error, a crash of an unkeyed one), and
	// still running at the end.
	awaitEnds, awaitWithin, awaitStored, awaitRefused, awaitRunning int
	// reads answered (and compared with the store), refused.
	reads, readsRefused int
	// gaveUp: keyed requests whose client gave up, by reason.
	gaveUp map[string]int
	// leases: lease faults by kind, takeovers (a node that took the
	// lease started serving), commits refused by their epoch, commits
	// stalled holding the lease row and those whose session a takeover
	// ended, failed renewals, leases released, Keeps that gave up,
	// requests refused while no node served.
	leaseFaults                                   [leaseFaultCount]int
	takeovers, fencedCommits, stalls, stallsEnded int
	renewalsFailed, released, keepLost, unserved  int
	// fencedMessages: fenced batches in which a message correlated.
	fencedMessages int
}

func (s *stats) add(o stats) {
	s.runs += o.runs
	s.restarts += o.restarts
	s.faults += o.faults
	s.failedAnswers += o.failedAnswers
	s.acked += o.acked
	s.rejected += o.rejected
	s.replayed += o.replayed
	s.lost += o.lost
	s.records += o.records
	s.pollJobs += o.pollJobs
	s.pollWakes += o.pollWakes
	s.pollParked += o.pollParked
	s.pollTimeouts += o.pollTimeouts
	s.pollErrors += o.pollErrors
	s.pollsCut += o.pollsCut
	s.awaitEnds += o.awaitEnds
	s.awaitWithin += o.awaitWithin
	s.awaitStored += o.awaitStored
	s.awaitRefused += o.awaitRefused
	s.awaitRunning += o.awaitRunning
	s.reads += o.reads
	s.readsRefused += o.readsRefused
	for i, n := range o.leaseFaults {
		s.leaseFaults[i] += n
	}
	s.takeovers += o.takeovers
	s.fencedCommits += o.fencedCommits
	s.stalls += o.stalls
	s.stallsEnded += o.stallsEnded
	s.renewalsFailed += o.renewalsFailed
	s.released += o.released
	s.keepLost += o.keepLost
	s.unserved += o.unserved
	s.fencedMessages += o.fencedMessages
	for k, n := range o.gaveUp {
		if s.gaveUp == nil {
			s.gaveUp = map[string]int{}
		}
		s.gaveUp[k] += n
	}
}

// run executes ops and returns the first broken invariant, or nil.
func run(ops []op) *violation {
	_, v := execute(ops)
	return v
}

// execute runs ops and returns the runner after the run.
func execute(ops []op) (r *runner, v *violation) {
	r = &runner{ops: ops, ctx: context.Background(), clk: clock.NewManual(epoch), reg: registry,
		models: map[int]string{}, notes: map[int]string{}, gaveUp: map[string]int{},
		real: &realClock{now: epoch}, nodeCount: 2, firstFencedMessage: -1}
	r.st = newSimStore(r.clk)
	r.chk = newChecker()
	defer func() {
		if p := recover(); p != nil {
			v = &violation{name: "panic", step: r.step, detail: fmt.Sprint(p)}
		}
		r.shutdown()
	}()
	if i := slices.IndexFunc(ops, func(o op) bool { return o.kind == opNodes }); i >= 0 {
		r.nodeCount = 2 + int(ops[i].a%2)
	}
	// The first node takes the lease at once; the others stand by.
	for range r.nodeCount {
		r.spawn()
	}
	r.afterOp()
	if r.front == nil || r.eng == nil {
		return r, &violation{name: "start", detail: cmp.Or(r.failText(), "no node took the lease")}
	}
	for i, o := range ops {
		r.step = i
		r.tick()
		r.do(o)
		r.afterOp()
		if r.fail != nil {
			return r, r.fail
		}
	}
	r.step = len(ops)
	r.quiesce()
	r.stats.runs, r.stats.lost, r.stats.records = 1, len(r.lost), int(r.chk.lastPos)
	r.stats.gaveUp = r.gaveUp
	return r, r.fail
}

// note records what the operation running did, for scenario files.
func (r *runner) note(format string, args ...any) {
	if r.step < len(r.ops) {
		r.notes[r.step] = fmt.Sprintf(format, args...)
	}
}

// noteMore adds to the note of the operation running (what a node did
// meanwhile).
func (r *runner) noteMore(format string, args ...any) {
	if r.step < len(r.ops) {
		if n := r.notes[r.step]; n != "" {
			r.notes[r.step] = n + "; " + fmt.Sprintf(format, args...)
		} else {
			r.notes[r.step] = fmt.Sprintf(format, args...)
		}
	}
}

func (r *runner) violate(name, format string, args ...any) {
	if r.fail == nil {
		d := fmt.Sprintf(format, args...)
		if len(d) > 600 {
			d = d[:600] + "…"
		}
		r.fail = &violation{name: name, step: r.step, detail: d}
	}
}

func (r *runner) failText() string {
	if r.fail == nil {
		return ""
	}
	return r.fail.Error()
}

// start starts (or restarts) node n's engine on the store: it loads the
// store's state and commits through n's connection, fenced by its lease.
func (r *runner) start(n *simNode) error {
	var err error
	for range 3 { // a load fault fails one start
		n.eng, n.stp, err = engine.StartStepped(r.ctx, engine.Config{Partition: 1, Clock: r.clk, Store: n.view, Registry: r.reg,
			MaxBatch: cmp.Or(r.maxBatch, 16), Backpressure: engine.Backpressure{Off: true},
			OnCommit: []func(*store.Batch, time.Duration, error){func(_ *store.Batch, _ time.Duration, err error) {
				// The node's hook (cmd/wf-engine): a fenced commit proves
				// that another node holds the lease: it stops.
				if errors.Is(err, store.ErrLeaseLost) {
					n.lost = true
				}
			}}})
		if err == nil {
			n.stp.Pipelined = r.pipelined
			if n == r.front {
				r.eng, r.stp = n.eng, n.stp
			}
			return nil
		}
	}
	return err
}

// crash crashes the front node's engine.
func (r *runner) crash() {
	if r.front != nil && r.front.running() && r.front.frozen == 0 {
		r.crashNode(r.front)
	}
}

// crashNode drops node n's engine: answers in flight are lost, the
// clients of idempotent requests retry later. The front node restarts its
// engine from the store, keeping its lease (as if its process came back
// at once under the same lease: a process that dies and loses its lease
// is leaseKill); another node stops and a new process stands by.
func (r *runner) crashNode(n *simNode) {
	r.st.crashed, r.st.armed, r.st.failRead = false, faultNone, false
	if n != r.front {
		r.stopNode(n, "the node crashed while it was in flight")
		return
	}
	_ = n.eng.Close()
	r.dropCalls(n, "the node crashed while it was in flight")
	r.cutClients()
	r.stats.restarts++
	if err := r.start(n); err != nil {
		r.violate("restart", "%v", err)
		return
	}
	r.resumeClients()
	if last, acked := r.stp.State().LastPosition(), r.chk.maxAcked; last < acked {
		r.violate("acknowledged-lost", "after the restart the state ends at position %d, but position %d was acknowledged", last, acked)
	}
	// A crash changes nothing stored: the restarted state must be the
	// stored one (the log's replay is checked on its own schedule).
	r.compare(false)
}

func (r *runner) do(o op) {
	switch o.kind {
	case opStep:
		r.deliver()
		if n := r.stepTarget(o.a); n != nil {
			r.engineStep(n, n.stp.Step)
		}
	case opMerge:
		r.deliver()
		if n := r.stepTarget(o.a); n != nil {
			r.engineStep(n, n.stp.Merge)
		}
	case opFlush:
		r.flushFront()
	case opClock:
		r.clk.Advance(time.Duration(o.a) * time.Millisecond)
		r.note("the clock moves %s", time.Duration(o.a)*time.Millisecond)
	case opCrash:
		r.note("the node crashes and restarts")
		r.crash()
	case opLongPoll, opAwait, opRead:
		if n := r.front; n == nil || !n.running() {
			r.stats.unserved++ // answered 503: no node holds the lease
			return
		}
		switch o.kind {
		case opLongPoll:
			r.startPoll(o)
		case opAwait:
			r.startAwait(o)
		default:
			r.startRead()
		}
	case opEncode:
		r.st.encode = o.a%2 == 1
	case opNodes:
	case opBatch:
		r.maxBatch = int(o.a%64) + 1
		r.flushFront()
		r.crash()
	case opFault:
		f := fault(o.a % faultCount)
		if f == faultLoadFails {
			r.st.loadFails = true
			return
		}
		r.st.armed = f
		r.stats.faults++
		r.st.slowBy = time.Duration(o.b%60_000) * time.Millisecond
		r.note("the next commit: %s", f)
	case opLease:
		r.leaseFault(o)
	case opPipeline:
		r.pipelined = o.a%2 == 1
		if !r.pipelined {
			r.flushFront()
		}
		for _, n := range r.nodes {
			if n.running() && (!r.pipelined || n.frozen == 0) {
				n.stp.Pipelined = r.pipelined
			}
		}
	case opRetry:
		if len(r.lost) == 0 {
			return
		}
		i := int(o.a % uint32(len(r.lost)))
		req := r.lost[i]
		r.lost = slices.Delete(r.lost, i, i+1)
		r.note("retry a keyed %s request", opNames[req.kind])
		r.submit(req, false)
	default:
		if req := r.request(o); req != nil {
			r.send(req, o.net, o.b)
		}
	}
}

// flushFront commits the batch the front node's engine pipelined, unless
// that node is paused.
func (r *runner) flushFront() {
	if n := r.front; n != nil && n.running() && n.frozen == 0 {
		r.engineStep(n, n.flush)
	}
}

// stepTarget is the node whose engine an opStep runs: the front node,
// or (a%4 == 0) another node that still runs an engine (a former holder
// that has not noticed yet that it lost its lease); nil when neither
// runs unpaused.
func (r *runner) stepTarget(a uint32) *simNode {
	if a%4 == 0 {
		for _, n := range r.nodes {
			if n != r.front && n.running() && n.frozen == 0 {
				return n
			}
		}
	}
	if n := r.front; n != nil && n.running() && n.frozen == 0 {
		return n
	}
	return nil
}

// engineStep runs fn, a step of node n's engine (Step, Merge, or a Flush
// of the pipelined batches), then collects the answers and checks the
// invariants; a crash fault crashes the node instead.
func (r *runner) engineStep(n *simNode, fn func() error) {
	if n.frozen > 0 || n.step != nil {
		return // paused (perhaps in the middle of a commit): it runs nothing
	}
	r.engSteps++
	if n.stallFor > 0 {
		// Its commit may stall: the step ends when the node resumes.
		if c, stalled := stepStalling(n, fn); !stalled {
			r.endStep(n, c)
		}
		return
	}
	r.endStep(n, &engineCall{err: fn()})
}

// endStep ends an engine step of node n (c: how it ended; nil: fine).
func (r *runner) endStep(n *simNode, c *engineCall) {
	if c != nil && c.err != nil {
		r.violate("partition-stopped", "%s: %v", n.name, c.err)
		return
	}
	if r.st.crashed {
		r.crashNode(n)
		return
	}
	r.collect()
	r.chk.tail(r)
	if n != r.front {
		return
	}
	r.stepClients()
	if err := r.stp.State().Check(); err != nil {
		r.violate("state-check", "%v", err)
	}
	if r.engSteps%heavyEvery == 0 {
		r.compare(r.engSteps%replayEvery == 0)
	}
}

// heavy checks what needs the whole log: replay gives the stored rows
// byte for byte, and a settled engine holds exactly the stored state.
func (r *runner) heavy() { r.compare(true) }

// compare checks that a settled engine holds exactly the stored state and,
// with replay, that replaying the log gives the stored rows byte for byte.
func (r *runner) compare(replay bool) {
	if r.fail != nil {
		return
	}
	if replay {
		if err := replaycheck.Check(r.ctx, r.st.Store); err != nil {
			r.violate("replay", "%v", err)
			return
		}
	}
	if r.front == nil || !r.front.running() || !r.stp.Settled() {
		return
	}
	snap, err := r.st.Store.Load(r.ctx)
	if err != nil {
		r.violate("load", "%v", err)
		return
	}
	restored, err := engine.RestoreState(r.reg, snap)
	if err != nil {
		r.violate("restore", "%v", err)
		return
	}
	if live, stored := r.stp.State().Dump(), restored.Dump(); !bytes.Equal(live, stored) {
		if err := replaycheck.Compare(r.stp.State(), restored); err != nil {
			r.violate("live-vs-stored", "%v", err)
		} else {
			r.violate("live-vs-stored", "dumps differ")
		}
	}
}

// send puts a request on the simulated network.
func (r *runner) send(req *request, net netMode, b uint32) {
	switch net {
	case netDelay:
		r.wire = append(r.wire, &delivery{req: req, at: r.engSteps + int(b%3) + 1})
	case netDrop:
		r.lose(req, "the network dropped it")
	case netDup:
		r.submit(req, false)
		r.wire = append(r.wire, &delivery{req: req, at: r.engSteps + int(b%3)})
	case netDropAnswer:
		r.submit(req, true)
	default:
		r.submit(req, false)
	}
}

// deliver submits the requests the network delivers now.
func (r *runner) deliver() {
	kept := r.wire[:0]
	for _, d := range r.wire {
		if d.at <= r.engSteps {
			r.submit(d.req, d.dropAnswer)
		} else {
			kept = append(kept, d)
		}
	}
	clear(r.wire[len(kept):])
	r.wire = kept
}

// submit sends req to the front node now: while no node serves, it is
// answered 503 with Retry-After (as a standby answers when it knows no
// live holder).
func (r *runner) submit(req *request, dropAnswer bool) {
	n := r.front
	if n == nil || !n.running() {
		r.stats.unserved++
		r.lose(req, "answered 503: no node holds the lease")
		return
	}
	ctx := r.ctx
	if req.idem != nil {
		ctx = engine.WithIdempotencyKey(ctx, *req.idem)
	}
	c := &call{req: req, c: n.stp.Submit(ctx, req.build()), ctx: ctx, dropAnswer: dropAnswer, invoked: r.step, node: n}
	if c.c.Answered() {
		r.answered(c)
		return
	}
	r.calls = append(r.calls, c)
}

// collect takes the answers the last step gave.
func (r *runner) collect() {
	kept := r.calls[:0]
	for _, c := range r.calls {
		if c.c.Answered() {
			r.answered(c)
		} else {
			kept = append(kept, c)
		}
	}
	clear(r.calls[len(kept):])
	r.calls = kept
}

// answered handles an answer that reached the engine's side of the
// network: what the client sees, and the checks of acknowledged commands.
func (r *runner) answered(c *call) {
	res, err := c.c.Result()
	_, rejected := engine.AsRejection(err)
	if err != nil && !rejected {
		r.stats.failedAnswers++
		r.lose(c.req, failureOf(err))
		return
	}
	replayed := engine.IdempotentReplay(c.ctx)
	switch {
	case replayed:
		r.stats.replayed++
	case rejected:
		r.stats.rejected++
	default:
		r.stats.acked++
	}
	if res != nil {
		if d, ok := res.Response.(*engine.Deployment); ok {
			r.deployed(d)
		}
	}
	if !replayed {
		// The answer came from a batch: its command must be durable.
		if res == nil || len(res.Records) == 0 {
			r.violate("acknowledged-lost", "%s answered without records", opNames[c.req.kind])
			return
		}
		r.chk.acked(r, res.Records)
	}
	if c.req.idem != nil {
		r.chk.idempotent(r, c.req, res, err)
	}
	if c.dropAnswer {
		r.lose(c.req, "the network lost its answer")
		return
	}
	if !replayed {
		r.chk.linearizable(r, c, err)
	}
}
