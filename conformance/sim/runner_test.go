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
	invoked    int // step it was sent at
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
	eng  *engine.Engine
	stp  *engine.Stepper
	reg  *element.Registry

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
	// long polls: answered with jobs, woken to activate again, timed out,
	// answered with an error, cut by a crash.
	pollJobs, pollWakes, pollTimeouts, pollErrors, pollsCut int
	// awaiting creates: ends delivered by the engine's watch, ended
	// within the creation, ended before a replayed create awaited (read
	// from the store), refused (an error, a crash of an unkeyed one), and
	// still running at the end.
	awaitEnds, awaitWithin, awaitStored, awaitRefused, awaitRunning int
	// reads answered (and compared with the store), refused.
	reads, readsRefused int
	// gaveUp: keyed requests whose client gave up, by reason.
	gaveUp map[string]int
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
		models: map[int]string{}, notes: map[int]string{}, gaveUp: map[string]int{}}
	r.st = newSimStore(r.clk)
	r.chk = newChecker()
	defer func() {
		if p := recover(); p != nil {
			v = &violation{name: "panic", step: r.step, detail: fmt.Sprint(p)}
		}
		if r.eng != nil {
			_ = r.eng.Close()
		}
	}()
	if err := r.start(); err != nil {
		return r, &violation{name: "start", detail: err.Error()}
	}
	for i, o := range ops {
		r.step = i
		r.do(o)
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

func (r *runner) violate(name, format string, args ...any) {
	if r.fail == nil {
		d := fmt.Sprintf(format, args...)
		if len(d) > 600 {
			d = d[:600] + "…"
		}
		r.fail = &violation{name: name, step: r.step, detail: d}
	}
}

// start starts (or restarts) the node on the store.
func (r *runner) start() error {
	var err error
	for range 3 { // a load fault fails one start
		r.eng, r.stp, err = engine.StartStepped(r.ctx, engine.Config{Partition: 1, Clock: r.clk, Store: r.st, Registry: r.reg,
			MaxBatch: cmp.Or(r.maxBatch, 16), Backpressure: engine.Backpressure{Off: true}})
		if err == nil {
			r.stp.Pipelined = r.pipelined
			return nil
		}
	}
	return err
}

// crash drops the node: answers in flight are lost, the clients of
// idempotent requests retry later. The node restarts from the store.
func (r *runner) crash() {
	_ = r.eng.Close()
	for _, c := range r.calls {
		r.lose(c.req, "the node crashed while it was in flight")
	}
	r.calls = r.calls[:0]
	r.cutClients()
	r.st.crashed, r.st.armed, r.st.failRead = false, faultNone, false
	r.stats.restarts++
	if err := r.start(); err != nil {
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
		r.engineStep(r.stp.Step)
	case opFlush:
		r.engineStep(func() error { r.stp.Flush(); return nil })
	case opClock:
		r.clk.Advance(time.Duration(o.a) * time.Millisecond)
		r.note("the clock moves %s", time.Duration(o.a)*time.Millisecond)
	case opCrash:
		r.note("the node crashes and restarts")
		r.crash()
	case opLongPoll:
		r.startPoll(o)
	case opAwait:
		r.startAwait(o)
	case opRead:
		r.startRead()
	case opEncode:
		r.st.encode = o.a%2 == 1
	case opBatch:
		r.maxBatch = int(o.a%64) + 1
		r.engineStep(func() error { r.stp.Flush(); return nil })
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
	case opPipeline:
		r.pipelined = o.a%2 == 1
		if !r.pipelined {
			r.engineStep(func() error { r.stp.Flush(); return nil })
		}
		r.stp.Pipelined = r.pipelined
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

// engineStep runs fn (a batch or a flush), then collects the answers and
// checks the invariants; a crash fault restarts the node instead.
func (r *runner) engineStep(fn func() error) {
	r.engSteps++
	if err := fn(); err != nil {
		r.violate("partition-stopped", "%v", err)
		return
	}
	if r.st.crashed {
		r.crash()
		return
	}
	r.collect()
	r.chk.tail(r)
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
	if !r.stp.Settled() {
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

// submit sends req to the engine now.
func (r *runner) submit(req *request, dropAnswer bool) {
	ctx := r.ctx
	if req.idem != nil {
		ctx = engine.WithIdempotencyKey(ctx, *req.idem)
	}
	c := &call{req: req, c: r.stp.Submit(ctx, req.build()), ctx: ctx, dropAnswer: dropAnswer, invoked: r.step}
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
