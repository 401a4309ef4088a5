package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

// Config is what an Engine needs; cmd/ builds it.
type Config struct {
	Partition int32
	Clock     clock.Clock
	Store     store.Store
	Registry  *element.Registry
	// MaxBatch bounds how many commands share one store transaction.
	MaxBatch int
	// QueueSize bounds the commands waiting for the processor.
	QueueSize int
	// Limits bound the work and data of one command; zero fields take
	// their defaults.
	Limits Limits
	// Backpressure adapts how many commands may be in flight.
	Backpressure Backpressure
	Logger       *slog.Logger
	// Tracer traces commands, job activations and timers (tracing.go);
	// nil: no spans.
	Tracer trace.TracerProvider
	// OnCommit are told of every store commit of a batch, in commit
	// order, after the store answered: the batch, how long the commit
	// took and its error. They run on the committer before the batch's
	// callers are answered, so they must be quick and never block (count,
	// time, wake a listener).
	OnCommit []func(b *store.Batch, took time.Duration, err error)
	// Crossing connects the engine to the other partitions of its store in
	// the process, for inter-partition commands (forwarder.go); nil with
	// one partition.
	Crossing *Crossing
}

// newProcessor returns the processor of an engine configured by cfg.
func newProcessor(cfg Config, st *state.State) *Processor {
	p := NewProcessor(cfg.Partition, st, cfg.Registry)
	p.SetLimits(cfg.Limits)
	p.partitions = cfg.Crossing.Count()
	return p
}

// ErrStopped is returned for commands sent to an engine that stopped.
var ErrStopped = errors.New("engine is stopped")

// ErrOverloaded is returned when the engine refuses a command to keep its
// latency bounded (backpressure) or its queue is full; the command was not
// applied and may be retried later.
var ErrOverloaded = errors.New("engine is overloaded")

// ErrUnavailable is returned while the store cannot be written: the command
// was not applied and may be retried.
var ErrUnavailable = errors.New("engine store is unavailable")

// ErrOutcomeUnknown is returned for a command whose batch the store may or
// may not have written: the connection was lost during the commit and the
// store could not be asked afterwards. Sending the command again may apply
// it twice.
var ErrOutcomeUnknown = errors.New("engine could not confirm whether the command was written")

// ErrRetryWithIdempotencyKey wraps ErrOutcomeUnknown for a command that
// carried an idempotency key (WithIdempotencyKey): the key was recorded in
// the command's own batch, so the same command sent again with the same
// key gets the batch's answer if it was written and runs once if it was
// not.
var ErrRetryWithIdempotencyKey = errors.New("the command's idempotency key makes sending it again safe")

// reloadInterval is how often a degraded engine tries to reload its state
// at most; the first retries come sooner (reloadDelay).
const reloadInterval = time.Second

type request struct {
	cmd *record.Record
	// checked are the deployment's resources parsed and validated off the
	// loop, in the order of cmd's resources.
	checked []checkedResource
	// idem is the command's idempotency key, if its answer is recorded.
	idem *idempotencyKey
	read func(*state.State)
	done chan reply
	// admitted is the limiter's ticket; counted is false for reads, which
	// it does not count.
	admitted admission
	counted  bool
	// drains is set for a command that finishes started work; it waits
	// in Engine.drains.
	drains bool
	// tr is the command's span, nil when it is not traced.
	tr *commandTrace
	// await, for a create command, receives the created instance's end;
	// awaiting is set by the loop when it registered await (read after
	// the reply).
	await    chan InstanceEnd
	awaiting bool
	// deliver are inter-partition commands delivered by a forwarder
	// (forwarder.go), run in order in one batch instead of cmd.
	deliver []*record.Record
	// poll, for a job activation that long-polls, is its caller's
	// context: when the activation finds no job, the loop parks a copy of
	// it (parked, read after the reply) among the job waiters, to be run
	// into the batch that makes a job activatable (jobwait.go).
	poll   context.Context
	parked *request
}

type reply struct {
	res *Result
	err error
}

// Engine owns one partition: its processor, state and store.
type Engine struct {
	cfg    Config
	tracer trace.Tracer // nil: no spans
	models *models      // the state's parsed resources, warmed by deployments off the loop
	proc   *Processor
	in     chan *request
	// drains holds commands that finish started work (see draining); the
	// loop takes them before the commands of in, so that under load work
	// already in the engine completes before new work starts.
	drains chan *request
	// reloadNow wakes the loop after a failed commit, so that it reloads
	// without waiting for the next command (a node that reports not ready
	// may get none).
	reloadNow chan struct{}
	quit      chan struct{}
	wg        sync.WaitGroup
	// limiter bounds the commands in flight (backpressure.go).
	limiter *limiter

	// commits carries processed batches from the loop to the committer.
	// The loop sends a batch only when the committer is free (it holds
	// idle's token): while one batch commits, the loop runs every command
	// that arrives into the next one, up to MaxBatch, and sends it whole
	// as soon as the commit returns (ADR 40). A command arriving during a
	// commit thus goes into the next commit, never the one after, and
	// batches grow with the store's latency.
	commits chan *processed
	// idle holds one token while the committer has no batch of the loop's:
	// the loop takes it to send one, the committer puts it back once it
	// has answered that batch.
	idle         chan struct{}
	commitFailed atomic.Bool  // set by the committer, cleared by the loop
	waiting      atomic.Int64 // commands run by the loop, not yet sent to the committer

	mu       sync.Mutex
	waiters  map[string][]*jobWaiter      // job type -> long-polls waiting for jobs
	ends     map[int64][]chan InstanceEnd // process instance -> callers awaiting its end
	failed   error
	degraded error // set while the store cannot be written
	// idemHeld are the idempotency keys of commands in flight
	// (idempotency.go).
	idemHeld map[string]bool
	// unknown are batches of unknown outcome with awaited ends, until the
	// next reload tells whether they were written (ends.go).
	unknown []unknownBatch
	// committed are told of the records of every committed batch
	// (forwarder.go).
	committed commitHooks
}

// Start rebuilds the partition's state from the store's log and starts
// processing commands.
func Start(ctx context.Context, cfg Config) (*Engine, error) {
	e, err := newEngine(ctx, cfg)
	if err != nil {
		return nil, err
	}
	e.wg.Add(3)
	go e.loop()
	go e.watchHeap()
	// Commits outlive Start's context: only Close ends them.
	go e.committer(context.WithoutCancel(ctx))
	if cfg.Crossing != nil {
		if err := cfg.Crossing.join(e); err != nil {
			_ = e.Close()
			return nil, err
		}
	}
	return e, nil
}

// newEngine rebuilds the partition's state and returns the engine, not
// yet processing: Start starts its goroutines, StartStepped none.
func newEngine(ctx context.Context, cfg Config) (*Engine, error) {
	if cfg.Clock == nil || cfg.Store == nil || cfg.Registry == nil {
		return nil, errors.New("engine config needs a clock, a store and a registry")
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 256
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = 10000
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	ms := newModels()
	st, err := loadState(ctx, cfg.Store, ms, Semantics(cfg.Registry), cfg.Partition)
	if err != nil {
		return nil, err
	}
	e := &Engine{
		cfg:       cfg,
		models:    ms,
		proc:      newProcessor(cfg, st),
		in:        make(chan *request, cfg.QueueSize),
		drains:    make(chan *request, cfg.QueueSize),
		reloadNow: make(chan struct{}, 1),
		quit:      make(chan struct{}),
		commits:   make(chan *processed),
		idle:      make(chan struct{}, 1),
		limiter:   newLimiter(cfg.Backpressure.withDefaults(cfg.QueueSize)),
		waiters:   map[string][]*jobWaiter{},
		ends:      map[int64][]chan InstanceEnd{},
	}
	e.idle <- struct{}{}
	if cfg.Tracer != nil {
		e.tracer = cfg.Tracer.Tracer(tracerName)
	}
	if err := e.skipKeysIfRecovered(ctx); err != nil {
		return nil, err
	}
	e.proc.watchEnds(e.awaited)
	return e, nil
}

// loadState loads the partition's state from the store's rows, or, for a
// store that keeps no rows, replays its log. A partition above 1 that has
// written nothing yet starts at the beginning of its position and key
// ranges (partitionFloor); partition 1 starts at 0 as it always did.
func loadState(ctx context.Context, s store.Store, ms *models, sem state.Semantics, partition int32) (*state.State, error) {
	if l, ok := s.(store.Loader); ok {
		snap, err := l.Load(ctx)
		if err != nil {
			return nil, fmt.Errorf("load state: %w", err)
		}
		raisePartitionFloor(snap, partition)
		return state.Restore(ms.parse, sem, snap)
	}
	st := state.New(ms.parse, sem)
	if err := s.ReadLog(ctx, 1, func(r *record.Record) error { return st.Apply(r) }); err != nil {
		return nil, fmt.Errorf("replay log: %w", err)
	}
	if pos, _ := partitionFloor(partition); st.LastPosition() < pos {
		// Nothing replayed: an empty log of a partition above 1.
		snap := &state.Snapshot{}
		raisePartitionFloor(snap, partition)
		return state.Restore(ms.parse, sem, snap)
	}
	st.TakeChanges() // the store has these rows already
	return st, nil
}

// Close stops processing after the batch in flight and waits for it.
func (e *Engine) Close() error {
	if e.cfg.Crossing != nil {
		e.cfg.Crossing.leave(e)
	}
	select {
	case <-e.quit:
	default:
		close(e.quit)
	}
	e.wg.Wait()
	return nil
}

// Err returns why the engine stopped by itself, if it did.
func (e *Engine) Err() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.failed
}

// mergedRecords bounds the records of a batch that waits for the
// committer: once it holds as many, the loop takes no more commands nor
// due work until the batch is handed over (due work alone adds up to
// 4,000 per run: the due limit of each kind).
const mergedRecords = 8192

func (e *Engine) loop() {
	defer e.wg.Done()
	defer close(e.commits) // the committer answers what was sent, then ends
	var timer <-chan time.Time
	var armed int64 // due time the timer is armed for (Unix ms), 0 = none
	var retry <-chan time.Time
	var retries int        // failed reloads in a row
	var pending *processed // run, waiting for the committer to be free
	for {
		in, drains, due, idle, room := e.in, e.drains, timer, (chan struct{})(nil), e.cfg.MaxBatch
		if pending != nil {
			idle, room = e.idle, e.cfg.MaxBatch-len(pending.batch)
			if pending.full(e.cfg.MaxBatch) { // it waits for the committer only
				in, drains, due = nil, nil, nil
			}
		}
		batch := make([]*request, 0, max(room, 1))
		// Commands that finish started work go first (fill keeps them
		// first too): a select between ready channels picks at random.
		if r := e.takeDraining(drains); r != nil {
			batch = append(batch, r)
		} else {
			select {
			case <-e.quit:
				if pending != nil { // it ran: it commits before the committer ends
					e.handOver(pending, false)
				}
				e.drain(ErrStopped)
				return
			case <-idle:
				if err := e.runParked(pending); err != nil {
					e.halt(pending, err)
					return
				}
				e.handOver(pending, true)
				pending = nil
				continue
			case r := <-drains:
				batch = append(batch, r)
			case r := <-in:
				batch = append(batch, r)
			case <-due:
				timer, armed = nil, 0
			case <-e.reloadNow: // commitFailed is set: reloaded below
			case <-retry:
				retry = nil
				if err := e.reload(); err != nil {
					retries++
					retry = e.retryReload(retries, err)
					continue
				}
				retries = 0
				armed, timer = 0, nil
			}
		}
		batch = e.fill(batch, room)
		if e.commitFailed.Load() {
			// The committer answers the failed batch and every batch
			// processed on top of it, pending too, with ErrUnavailable;
			// the in-memory state holds their changes, so it is
			// replaced by the store's.
			if pending != nil {
				e.handOver(pending, false)
				pending = nil
			}
			e.settle()
			e.commitFailed.Store(false)
			if err := e.reload(); err != nil {
				retries = 1
				retry = e.retryReload(retries, err)
			}
			armed, timer = 0, nil
		}
		if err := e.Degraded(); err != nil {
			e.refuse(batch, err)
			continue
		}
		if pending == nil {
			pending = &processed{}
		}
		if err := e.runBatch(pending, batch); err != nil {
			e.halt(pending, err)
			return
		}
		select {
		case <-e.idle:
			if err := e.runParked(pending); err != nil {
				e.halt(pending, err)
				return
			}
			e.handOver(pending, true)
			pending = nil
		default:
			e.waiting.Store(int64(len(pending.batch)))
		}
		if next, ok := e.nextDue(); ok && (armed == 0 || next < armed) {
			armed = next
			timer = e.cfg.Clock.After(time.Duration(next-e.cfg.Clock.Now().UnixMilli()) * time.Millisecond)
		}
	}
}

// halt stops the partition after running into p failed: the state holds
// part of a batch it could not apply, so nothing of p is committed.
func (e *Engine) halt(p *processed, err error) {
	e.cfg.Logger.Error("partition stopped", "partition", e.cfg.Partition, "error", err)
	e.waiting.Store(0)
	e.stop(p.batch, err)
}

// handOver hands p to the committer: sealed (its rows taken from the state)
// when the loop holds idle's token, which goes with it; else it waits for
// the token first. A batch the committer will fail (a commit before it
// failed) or that commits as the engine stops goes the same way.
func (e *Engine) handOver(p *processed, holdsToken bool) {
	if !holdsToken {
		<-e.idle
	}
	e.seal(p)
	e.waiting.Store(0)
	e.commits <- p
}

// processed is a batch the loop has run, on its way to the committer: its
// callers are answered once its records are durable.
type processed struct {
	batch   []*request
	replies []reply
	records []*record.Record
	ends    []InstanceEnd // awaited ends, with their final variables
	write   *store.Batch  // nil when the batch wrote nothing
	settled chan struct{} // set on the marker settle sends instead of a batch
	times   *batchTimes   // nil unless a command of the batch is traced
	// read: a read ran on the state after the batch's last run; nothing
	// more runs into it, so that the read saw what the batch commits.
	read bool
}

// full reports whether the loop runs nothing more into p: it holds
// MaxBatch commands or mergedRecords records, or a read saw its state.
func (p *processed) full(maxBatch int) bool {
	return p.read || len(p.batch) >= maxBatch || len(p.records) >= mergedRecords
}

// committer commits the processed batches in the order the loop ran them
// and answers their callers. While it commits one batch, the loop already
// runs the next on the in-memory state; that batch's callers are answered
// only after its own commit, so after every batch it builds on. Once a
// commit fails, every batch after it fails too (it was processed on top of
// changes that are not durable) until the loop has settled and reloads.
func (e *Engine) committer(ctx context.Context) {
	defer e.wg.Done()
	var failed error
	for p := range e.commits {
		if p.settled != nil {
			failed = nil
			close(p.settled)
			continue
		}
		failed = e.commitProcessed(ctx, p, failed)
		e.idle <- struct{}{}
	}
}

// commitProcessed commits one processed batch and answers its callers;
// failed is the commit failure of a batch before it that the loop has not
// settled yet (nil: none). It returns the failure that holds after p.
func (e *Engine) commitProcessed(ctx context.Context, p *processed, failed error) error {
	if failed == nil && p.write != nil {
		err := store.Prepare(e.cfg.Store, p.write) // a store that cannot encode the batch fails it as a commit would
		if err == nil {
			start := time.Now()
			err = e.cfg.Store.Commit(ctx, p.write)
			end := time.Now()
			if p.times != nil {
				p.times.commitStart, p.times.commitEnd = start, end
			}
			for _, observe := range e.cfg.OnCommit {
				observe(p.write, end.Sub(start), err)
			}
			if err == nil {
				e.committed.tell(p.records)
			}
		}
		if err != nil {
			failed = err
			// Have the loop reload from the store, and answer the
			// batch by what the store holds.
			e.cfg.Logger.Error("commit failed; reloading state from the store", "partition", e.cfg.Partition, "error", err)
			e.setDegraded(err) // before answering: a caller may ask Ready() at once
			e.commitFailed.Store(true)
			select {
			case e.reloadNow <- struct{}{}:
			default: // a wake-up is pending already
			}
			switch e.outcome(ctx, p, err) {
			case batchWritten:
				e.cfg.Logger.Warn("the failed commit was written after all; its callers get their answers", "partition", e.cfg.Partition)
				e.committed.tell(p.records)
				e.answerBatch(p)
				return failed
			case batchOutcomeUnknown:
				e.keepUnknownEnds(p)
				for _, r := range p.batch {
					unknown := fmt.Errorf("%w: %w", ErrOutcomeUnknown, err)
					if r.idem != nil { // its key was recorded in the same batch
						unknown = fmt.Errorf("%w: %w", ErrRetryWithIdempotencyKey, unknown)
					}
					e.answer(r, reply{err: unknown})
				}
				return failed
			}
		}
	}
	if failed != nil {
		for _, r := range p.batch {
			e.answer(r, reply{err: fmt.Errorf("%w: %w", ErrUnavailable, failed)})
		}
		return failed
	}
	e.answerBatch(p)
	return nil
}

// answerBatch answers a written batch's callers and its instances' awaiters.
func (e *Engine) answerBatch(p *processed) {
	var answered time.Time
	if p.times != nil {
		answered = time.Now()
	}
	for i, r := range p.batch {
		if r.tr != nil {
			e.endTrace(r.tr, p.replies[i], p.times, answered)
			r.tr = nil
		}
		e.answer(r, p.replies[i])
	}
	e.wakeEnds(p.records, p.ends)
}

// What a failed commit left in the store.
const (
	batchNotWritten = iota
	batchWritten
	batchOutcomeUnknown
)

// outcomeCheckTimeout bounds asking the store whether a batch whose
// commit failed was written.
const outcomeCheckTimeout = 5 * time.Second

// outcome tells whether a batch whose commit failed with err was written:
// only a store error wrapping store.ErrCommitUnknown leaves it open, and
// then the log says whether the batch's records are there (storeHolds).
func (e *Engine) outcome(ctx context.Context, p *processed, err error) int {
	if !errors.Is(err, store.ErrCommitUnknown) || len(p.records) == 0 {
		return batchNotWritten
	}
	ctx, cancel := context.WithTimeout(ctx, outcomeCheckTimeout)
	defer cancel()
	written, readErr := storeHolds(ctx, e.cfg.Store, p.records)
	switch {
	case readErr == nil && written:
		return batchWritten
	case readErr == nil:
		return batchNotWritten
	}
	e.cfg.Logger.Error("could not ask the store whether the failed commit was written", "partition", e.cfg.Partition, "error", readErr)
	return batchOutcomeUnknown
}

// errStopReading ends a log read early.
var errStopReading = errors.New("stop reading")

// settle returns once the committer has answered every batch sent before.
func (e *Engine) settle() {
	done := make(chan struct{})
	e.commits <- &processed{settled: done}
	<-done
}

// reload replaces the in-memory state with the store's.
func (e *Engine) reload() error {
	st, err := loadState(context.Background(), e.cfg.Store, e.models, Semantics(e.cfg.Registry), e.cfg.Partition)
	if err != nil {
		e.setDegraded(err)
		return err
	}
	e.proc = newProcessor(e.cfg, st)
	e.proc.watchEnds(e.awaited)
	if err := e.skipKeysAfterFailover(); err != nil {
		e.setDegraded(err)
		return err
	}
	e.wakeUnknownEnds(st.LastPosition())
	e.setDegraded(nil)
	e.cfg.Logger.Info("state reloaded from the store", "partition", e.cfg.Partition, "position", st.LastPosition())
	return nil
}

func (e *Engine) setDegraded(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.degraded = err
}

// Degraded returns why the engine cannot process commands right now (the
// store cannot be written), or nil.
func (e *Engine) Degraded() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.degraded
}

// Ready reports whether the engine processes commands: it is running and
// its store is writable.
func (e *Engine) Ready() bool {
	select {
	case <-e.quit:
		return false
	default:
	}
	return e.Err() == nil && e.Degraded() == nil
}

func (e *Engine) nextDue() (int64, bool) {
	st := e.proc.State()
	var next int64
	var any bool
	for _, f := range []func() (int64, bool){st.NextDeadline, st.NextBackoff, st.NextTimer, st.NextMessageExpiry} {
		if t, ok := f(); ok && (!any || t < next) {
			next, any = t, true
		}
	}
	return next, any
}

// fill adds waiting requests to batch up to the batch size, those that
// finish started work first, and orders them first in the batch (the
// batch's first request may have come from either queue). Only the loop
// receives from the queues, so a queue that holds requests never blocks
// it.
func (e *Engine) fill(batch []*request, limit int) []*request {
	for _, q := range []chan *request{e.drains, e.in} {
		for len(batch) < limit && len(q) > 0 {
			batch = append(batch, <-q)
		}
	}
	if len(batch) > 1 && !batch[0].drains && batch[1].drains {
		i := 1 + slices.IndexFunc(batch[1:], func(r *request) bool { return !r.drains })
		if i == 0 { // every request after the first drains
			i = len(batch)
		}
		first := batch[0]
		copy(batch, batch[1:i])
		batch[i-1] = first
	}
	return batch
}

// takeDraining returns a command waiting in drains (nil: none, or drains is
// nil) without blocking.
func (e *Engine) takeDraining(drains chan *request) *request {
	if drains == nil {
		return nil
	}
	select {
	case r := <-drains:
		return r
	default:
		return nil
	}
}

// queueOf returns the queue a request waits in.
func (e *Engine) queueOf(r *request) chan *request {
	if r.cmd != nil && draining(r.cmd) {
		r.drains = true
		return e.drains
	}
	return e.in
}

// drain answers every queued command with err.
// refuse answers a batch that a degraded engine (its store cannot be
// written, see Degraded) does not run: ErrUnavailable, retryable.
func (e *Engine) refuse(batch []*request, err error) {
	for _, r := range batch {
		e.answer(r, reply{err: fmt.Errorf("%w: %w", ErrUnavailable, err)})
	}
}

// stop records that the partition stopped on err (its state could not
// apply its own events) and answers batch and every queued command with
// ErrStopped.
func (e *Engine) stop(batch []*request, err error) {
	e.mu.Lock()
	e.failed = err
	e.mu.Unlock()
	for _, r := range batch {
		e.answer(r, reply{err: fmt.Errorf("%w: %w", ErrStopped, err)})
	}
	e.drain(err)
}

func (e *Engine) drain(err error) {
	for _, q := range []chan *request{e.drains, e.in} {
		for len(q) > 0 {
			e.answer(<-q, reply{err: err})
		}
	}
	e.dropParked(err)
}

// runBatch runs batch into p, after the batches p holds already: due timers
// first, then the commands and reads. On an error the state holds part of
// the batch and p must not be committed.
func (e *Engine) runBatch(p *processed, batch []*request) error {
	now := e.cfg.Clock.Now().UnixMilli()
	base := len(p.batch)
	p.batch = append(p.batch, batch...)
	p.replies = append(p.replies, make([]reply, len(batch))...)
	if p.times == nil {
		p.times = startBatchTimes(batch)
	}
	st := e.proc.State()
	internal := func(intent record.Intent, key int64, v record.Value) error {
		res, err := e.proc.Process(&record.Record{Key: key, ValueType: v.ValueType(), Intent: intent, Version: 1, Timestamp: now, Value: v})
		if err != nil {
			return err
		}
		p.records = append(p.records, res.Records...)
		p.ends = append(p.ends, res.Ended...)
		return nil
	}
	const dueLimit = 1000 // per batch; the rest follow in the next one
	for _, k := range st.DueDeadlines(now, dueLimit) {
		if err := internal(record.IntentJobTimeOut, k, &record.JobValue{}); err != nil {
			return err
		}
	}
	for _, k := range st.DueBackoffs(now, dueLimit) {
		if err := internal(record.IntentJobRecurAfterBackoff, k, &record.JobValue{}); err != nil {
			return err
		}
	}
	for _, k := range st.DueTimers(now, dueLimit) {
		if err := internal(record.IntentTimerTrigger, k, &record.TimerValue{TraceParent: e.traceTimer(k)}); err != nil {
			return err
		}
	}
	for _, k := range st.ExpiredMessages(now, dueLimit) {
		if err := internal(record.IntentMessageExpire, k, &record.MessageValue{}); err != nil {
			return err
		}
	}
	for i, r := range batch {
		if r.read != nil {
			continue
		}
		if r.deliver != nil {
			if err := e.processDelivered(p, base+i, r, now); err != nil {
				return err
			}
			continue
		}
		r.cmd.Timestamp = now
		e.linkInstance(r)
		e.proc.checked, e.proc.idem = r.checked, r.idem
		res, err := e.proc.Process(r.cmd)
		e.proc.checked, e.proc.idem = nil, nil
		if err != nil {
			return err
		}
		p.records = append(p.records, res.Records...)
		p.ends = append(p.ends, res.Ended...)
		p.replies[base+i] = reply{res: res}
		if r.await != nil {
			r.awaiting = e.registerAwait(res, r.await)
		}
		if r.poll != nil {
			r.parked = e.park(r, res)
		}
		e.traceCorrelated(r, res.Records)
	}
	// Reads see the state after the whole batch, as its callers will once
	// it is committed; they are answered with it.
	for _, r := range batch {
		if r.read != nil {
			r.read(st)
			p.read = true
		}
	}
	if p.times != nil {
		p.times.ran, p.times.commands, p.times.records = time.Now(), len(p.batch), len(p.records)
	}
	return nil
}

// seal takes the rows the batches run into p changed from the state: p
// is then what the committer writes.
func (e *Engine) seal(p *processed) {
	st := e.proc.State()
	if len(p.records) > 0 {
		p.write = &store.Batch{Records: p.records, Changes: st.TakeChanges()}
	}
	// A long poll woken now activates in a later batch, which commits
	// after this one; woken once per batch, a worker finds all of the
	// batch's jobs at once.
	e.wakeWaiters(st)
}

// QueueDepth returns how many commands wait for the processor.
func (e *Engine) QueueDepth() int { return len(e.in) + len(e.drains) }

// submit sends a command and waits for its answer.
func (e *Engine) submit(ctx context.Context, cmd *record.Record) (*Result, error) {
	return e.submitChecked(ctx, cmd, nil)
}

// submitAwaiting is submit for a create command whose instance's end is
// awaited (await not nil): the loop registers await for the created
// instance's end as it processes the command, before any later command.
// It reports whether await was registered (not for a refused command, an
// instance that ended within it, or a repeated idempotent command).
func (e *Engine) submitAwaiting(ctx context.Context, cmd *record.Record, await chan InstanceEnd) (*Result, bool, error) {
	r := &request{cmd: cmd, await: await}
	res, err := e.submitRequest(ctx, r)
	if err != nil {
		return res, false, err // the loop may not be done with r
	}
	return res, r.awaiting, nil
}

// submitChecked is submit for a deployment whose resources were checked
// off the loop.
func (e *Engine) submitChecked(ctx context.Context, cmd *record.Record, checked []checkedResource) (*Result, error) {
	return e.submitRequest(ctx, &request{cmd: cmd, checked: checked})
}

// submitRequest submits r's command and waits for its answer.
func (e *Engine) submitRequest(ctx context.Context, r *request) (*Result, error) {
	if res, done, err := e.send(ctx, r); done {
		return res, err
	}
	select {
	case rep := <-r.done:
		return rep.result()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// send queues r's command for the loop. done is true when the command is
// answered without the loop (res and err are its answer): an idempotent
// replay, or a refusal.
func (e *Engine) send(ctx context.Context, r *request) (res *Result, done bool, err error) {
	cmd := r.cmd
	cmd.Principal = principalOf(ctx) // for the log only: processing never reads it
	idem := takeIdempotencyKey(ctx, cmd)
	if idem != nil {
		if !e.holdIdempotencyKey(idem) {
			return nil, true, ErrIdempotencyKeyInFlight
		}
		if res, done, err := e.replayIdempotent(ctx, cmd, idem); done {
			e.releaseIdempotencyKey(idem)
			return res, true, err
		}
	}
	r.idem, r.done = idem, make(chan reply, 1)
	r.tr = e.traceCommand(ctx, cmd)
	admitted, ok := e.limiter.acquire(draining(cmd))
	if !ok {
		err := fmt.Errorf("%w: %s", ErrOverloaded, e.limiter.refusal())
		e.releaseIdempotencyKey(idem)
		e.untrace(r, err)
		return nil, true, err
	}
	r.admitted, r.counted = admitted, true
	if err := e.enqueue(ctx, r); err != nil {
		e.limiter.release(admitted)
		e.releaseIdempotencyKey(idem)
		e.untrace(r, err)
		return nil, true, err
	}
	return nil, false, nil
}

// result is what a command's caller gets for the reply: its result, and
// its rejection or error.
func (rep reply) result() (*Result, error) {
	if rep.err != nil {
		return nil, rep.err
	}
	if rep.res.Rejection != nil {
		return rep.res, rep.res.Rejection
	}
	return rep.res, nil
}

func (e *Engine) enqueue(ctx context.Context, r *request) error {
	select {
	case <-e.quit:
		return ErrStopped
	default:
	}
	if err := e.Err(); err != nil {
		return fmt.Errorf("%w: %w", ErrStopped, err)
	}
	select {
	case e.queueOf(r) <- r:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	default:
		return fmt.Errorf("%w: the command queue of %d is full", ErrOverloaded, cap(e.in))
	}
}

// answer sends a request its reply and, for a command, ends its time in
// flight.
func (e *Engine) answer(r *request, rep reply) {
	if r.tr != nil {
		e.endTrace(r.tr, rep, nil, time.Now())
		r.tr = nil
	}
	if r.counted {
		e.limiter.release(r.admitted)
	}
	e.releaseIdempotencyKey(r.idem) // answered after the commit: a retry finds the answer
	r.done <- rep
}

// Read runs fn on the partition's state between two batches. fn must not
// keep references into the state or change it.
func (e *Engine) Read(ctx context.Context, fn func(*state.State)) error {
	return e.run(ctx, &request{read: fn, done: make(chan reply, 1)})
}

// run enqueues r, a request answered only by its error, and waits for the
// answer or the end of ctx.
func (e *Engine) run(ctx context.Context, r *request) error {
	if err := e.enqueue(ctx, r); err != nil {
		return err
	}
	select {
	case rep := <-r.done:
		return rep.err
	case <-ctx.Done():
		return ctx.Err()
	}
}
