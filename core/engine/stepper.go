package engine

import (
	"context"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// Stepper runs an engine's batches one at a time on its caller's
// goroutine, for deterministic simulation tests (conformance/sim): the
// same processing, commit, failure and reload code as the loop and the
// committer, with no goroutine, timer or wall-clock wait of its own, so
// that a seed decides every interleaving. Production code never uses it.
//
// Pipelined mimics the loop's overlap: Step processes a batch and then
// commits the batch of the Step before, so that a batch runs on changes
// that are not durable yet, as it does while the committer commits; Merge
// runs the queued commands into the batch the next Step sends, as the
// loop does while the committer is busy.
type Stepper struct {
	e   *Engine
	ctx context.Context
	// Pipelined: Step commits the batch processed by the Step before.
	Pipelined bool
	inflight  *processed // processed, not yet committed (Pipelined)
	pending   *processed // run by Merge, not yet sealed (Pipelined)
	failed    error      // a commit failure not yet settled
	retry     bool       // the state must be reloaded before the next batch
	handovers int        // batches sealed for their commit (HandOvers)
}

// StartStepped is Start for a Stepper: it rebuilds the partition's state
// from the store but starts no goroutine; nothing is processed until the
// Stepper's Step.
func StartStepped(ctx context.Context, cfg Config) (*Engine, *Stepper, error) {
	e, err := newEngine(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	return e, &Stepper{e: e, ctx: context.WithoutCancel(ctx)}, nil
}

// Call is a command (or a read) submitted through a Stepper: its answer
// arrives with a later Step.
type Call struct {
	r      *request
	e      *Engine
	done   bool
	res    *Result
	err    error
	answer bool
}

// Submit sends cmd as the Client methods do (idempotency replay,
// admission, queue) without waiting for its answer.
func (s *Stepper) Submit(ctx context.Context, cmd *record.Record) *Call {
	c := &Call{r: &request{cmd: cmd}}
	if res, done, err := s.e.send(ctx, c.r); done {
		c.done, c.answer, c.res, c.err = true, true, res, err
	}
	return c
}

// SubmitAwaiting is Submit for a create command whose instance's end the
// caller awaits, as CreateInstance with AwaitEnd does: once the command is
// answered, Awaiting says whether the end is watched and Ended delivers it
// once its batch is committed.
func (s *Stepper) SubmitAwaiting(ctx context.Context, cmd *record.Record) *Call {
	c := &Call{r: &request{cmd: cmd, await: make(chan InstanceEnd, 1)}, e: s.e}
	if res, done, err := s.e.send(ctx, c.r); done {
		c.done, c.answer, c.res, c.err = true, true, res, err
	}
	return c
}

// SubmitRead queues fn to run on the partition's state as Engine.Read
// does: after the commands of its batch, answered once that batch (and
// every batch before it) is committed, or refused with the batch's error.
func (s *Stepper) SubmitRead(ctx context.Context, fn func(*state.State)) *Call {
	c := &Call{r: &request{read: fn, done: make(chan reply, 1)}}
	if err := s.e.enqueue(ctx, c.r); err != nil {
		c.done, c.answer, c.err = true, true, err
	}
	return c
}

// SubmitPoll is Submit for a job activation that long-polls, as
// ActivateJobs with a request timeout sends it: when it activates no job,
// the engine parks a copy of it (Call.Parked), run into the batch of the
// first Step that finds a job of its type activatable. ctx stands for the
// poll's caller: once it ends, the engine drops the parked copy.
func (s *Stepper) SubmitPoll(ctx context.Context, cmd *record.Record) *Call {
	c := &Call{r: &request{cmd: cmd, poll: ctx}}
	if res, done, err := s.e.send(ctx, c.r); done {
		c.done, c.answer, c.res, c.err = true, true, res, err
	}
	return c
}

// Parked returns the parked copy of an answered SubmitPoll activation that
// found no job, whose answer arrives with a later Step; nil when it was
// not parked.
func (c *Call) Parked() *Call {
	if !c.answer || c.r.parked == nil {
		return nil
	}
	return &Call{r: c.r.parked}
}

// Unpark takes a parked activation back, as a long poll whose time is up
// does; false: a Step took it already, and its answer follows.
func (s *Stepper) Unpark(c *Call) bool { return s.e.unpark(c.r) }

// StillParked reports whether a parked activation still waits among the
// job waiters: no Step took it yet.
func (s *Stepper) StillParked(c *Call) bool { return s.e.isParked(c.r) }

// HandOvers returns how many batches were sealed for their commit, as
// the loop hands them to the committer: each wakes the long polls a job is
// activatable for; a Step's also runs the parked activations such a job
// serves first (a Flush's does not, as the loop's before a reload or a
// stop).
func (s *Stepper) HandOvers() int { return s.handovers }

// WaitForJobs registers a long poll for jobs of a type in the default
// tenant, as ActivateJobs with a request timeout does before each
// activation it sends: the channel is closed once such a job is
// activatable; cancel unregisters.
func (s *Stepper) WaitForJobs(jobType string) (<-chan struct{}, func()) {
	return s.e.waitForJobs(jobType, nil)
}

// Answered reports whether the command has its answer.
func (c *Call) Answered() bool {
	if !c.answer {
		select {
		case rep := <-c.r.done:
			if c.r.read != nil {
				c.err = rep.err
			} else {
				c.res, c.err = rep.result()
			}
			c.answer = true
			if c.err != nil && c.r.await != nil {
				c.e.stopAwaiting(0, c.r.await) // registered, perhaps, before the commit failed
			}
		default:
		}
	}
	return c.answer
}

// Awaiting reports whether the end of the instance an answered
// SubmitAwaiting command created is watched: not for a refused command, an
// instance that ended within the command (its result's End has it), or a
// repeated idempotent command.
func (c *Call) Awaiting() bool { return c.answer && c.err == nil && c.r.awaiting }

// Ended returns the awaited instance's end once the batch that ended it
// is committed; ok is false until then. An end is delivered once.
func (c *Call) Ended() (end InstanceEnd, ok bool) {
	if c.r.await == nil {
		return InstanceEnd{}, false
	}
	select {
	case end = <-c.r.await:
		return end, true
	default:
		return InstanceEnd{}, false
	}
}

// Result returns the command's answer, as the Client methods return it:
// its result, and its rejection or error. Call it once Answered.
func (c *Call) Result() (*Result, error) { return c.res, c.err }

// Queued reports whether the command reached the engine's queue (it was
// not answered on submission).
func (c *Call) Queued() bool { return !c.done }

// State returns the partition's state; it may be read between Steps only.
func (s *Stepper) State() *state.State { return s.e.proc.State() }

// Step runs one batch: what is due on the clock and the queued commands
// (up to the batch size), then commits it, or with Pipelined the batch
// before it, and answers the callers of what was committed. It returns
// an error when the partition stopped (a state that cannot apply its own
// events).
func (s *Stepper) Step() error {
	e := s.e
	room := e.cfg.MaxBatch
	if s.pending != nil {
		room = max(0, room-len(s.pending.batch))
		if s.pending.read {
			room = 0
		}
	}
	batch := e.fill(make([]*request, 0, room), room)
	if e.commitFailed.Load() {
		// As the loop does: settle what was sent to the committer, then
		// replace the state by the store's.
		s.Flush()
		s.failed = nil
		e.commitFailed.Store(false)
		s.retry = e.reload() != nil
	} else if s.retry {
		s.retry = e.reload() != nil
	}
	if err := e.Degraded(); err != nil {
		e.refuse(batch, err)
		s.Flush()
		return nil
	}
	p := s.pending
	s.pending = nil
	if p == nil {
		p = &processed{}
	}
	if !p.read { // nothing runs after a read in its batch
		if err := e.runBatch(p, batch); err != nil {
			e.stop(p.batch, err)
			return err
		}
	}
	s.handovers++
	if err := e.runParked(p); err != nil { // as the loop does before it hands p over
		e.stop(p.batch, err)
		return err
	}
	e.seal(p)
	if !s.Pipelined {
		s.Flush()
		s.failed = e.commitProcessed(s.ctx, p, s.failed)
		return nil
	}
	prev := s.inflight
	s.inflight = p
	if prev != nil {
		s.failed = e.commitProcessed(s.ctx, prev, s.failed)
	}
	return nil
}

// Flush commits the batch a pipelined Step left uncommitted, if any, and
// then the batch Merge ran, as the loop sends it once the committer is
// free.
func (s *Stepper) Flush() {
	if p := s.inflight; p != nil {
		s.inflight = nil
		s.failed = s.e.commitProcessed(s.ctx, p, s.failed)
	}
	if p := s.pending; p != nil {
		s.pending = nil
		s.handovers++
		s.e.seal(p)
		s.failed = s.e.commitProcessed(s.ctx, p, s.failed)
	}
}

// Merge runs what is due and the queued commands (up to the batch size)
// into the batch the next Step commits, and commits nothing: the loop's
// work while the committer is busy. Without a batch in flight, a failed
// commit to settle or a pending reload it is Step.
func (s *Stepper) Merge() error {
	e := s.e
	if !s.Pipelined || s.inflight == nil || e.commitFailed.Load() || s.retry || e.Degraded() != nil {
		return s.Step()
	}
	if s.pending == nil {
		s.pending = &processed{}
	}
	if s.pending.full(e.cfg.MaxBatch) {
		return nil // it waits for the committer
	}
	room := e.cfg.MaxBatch - len(s.pending.batch)
	if err := e.runBatch(s.pending, e.fill(make([]*request, 0, room), room)); err != nil {
		p := s.pending
		s.pending = nil
		e.stop(p.batch, err)
		return err
	}
	return nil
}

// Settled reports whether the state holds exactly what the store does:
// no batch waits for its commit and no failed commit waits for a reload.
func (s *Stepper) Settled() bool {
	return s.inflight == nil && s.pending == nil && !s.e.commitFailed.Load() && !s.retry && s.e.Degraded() == nil
}
