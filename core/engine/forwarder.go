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

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

// commitHooks are told of the records of every batch a partition
// committed, on its committer, in commit order (after the store answered,
// before the batch's callers are). They must be quick and never block.
type commitHooks struct {
	mu    sync.Mutex
	next  int
	hooks map[int]func([]*record.Record)
	list  atomic.Pointer[[]func([]*record.Record)]
}

// add registers fn and returns what removes it.
func (h *commitHooks) add(fn func([]*record.Record)) (remove func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.hooks == nil {
		h.hooks = map[int]func([]*record.Record){}
	}
	id := h.next
	h.next++
	h.hooks[id] = fn
	h.publish()
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		delete(h.hooks, id)
		h.publish()
	}
}

// publish makes the registered hooks the list tell calls; the caller
// holds mu.
func (h *commitHooks) publish() {
	ids := make([]int, 0, len(h.hooks))
	for id := range h.hooks {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	list := make([]func([]*record.Record), len(ids))
	for i, id := range ids {
		list[i] = h.hooks[id]
	}
	h.list.Store(&list)
}

// tell calls every hook with a committed batch's records.
func (h *commitHooks) tell(recs []*record.Record) {
	if l := h.list.Load(); l != nil {
		for _, fn := range *l {
			fn(recs)
		}
	}
}

// processDelivered runs a forwarder's delivered inter-partition commands
// in order, each applied exactly once (Processor.Process).
func (e *Engine) processDelivered(p *processed, i int, r *request, now int64) error {
	for _, cmd := range r.deliver {
		cmd.Timestamp = now
		res, err := e.proc.Process(cmd)
		if err != nil {
			return err
		}
		p.records = append(p.records, res.Records...)
		p.ends = append(p.ends, res.Ended...)
	}
	p.replies[i] = reply{res: &Result{}}
	return nil
}

// deliver submits delivered inter-partition commands, in source position
// order, and waits until their batch committed. An error leaves it open
// whether they were applied: delivering them again is always safe.
func (e *Engine) deliver(ctx context.Context, cmds []*record.Record) error {
	return e.run(ctx, &request{deliver: cmds, done: make(chan reply, 1)})
}

// Source is a partition whose log a Forwarder reads for inter-partition
// commands to its target.
type Source struct {
	Partition int32
	// Log is the partition's store view (store.Partitioned); only its
	// ReadLog is used.
	Log store.Store
	// Engine, when the partition runs in the same process, tells the
	// forwarder of its commits at once, so that after one read of its
	// log the forwarder delivers from what it is told and reads the log
	// only again to catch up. Nil: the log is read at every wake-up and
	// poll (a partition run by another node).
	Engine *Engine
}

// ForwarderOptions tune a Forwarder.
type ForwarderOptions struct {
	// Poll is how often the forwarder looks for commands without being
	// woken: the fallback for partitions of other processes, and after a
	// failed delivery. Default 200 ms.
	Poll time.Duration
	// Advance is how long the forwarder lets the target's inbox for a
	// source stay behind what it read of the source's log with no command
	// for the target (advance); default 10 s.
	Advance time.Duration
	Logger  *slog.Logger
}

// What one delivery or one read of a log carries at most.
const (
	forwardBatch = 64
	forwardScan  = 4096
	// forwardTail is the most commands told by a partition's commits
	// that wait for delivery; past it the forwarder reads the log again.
	forwardTail = 10000
)

// Forwarder delivers to one partition's engine the inter-partition
// commands that other partitions wrote into their logs for it, in each
// source's position order, from the target's inbox on (docs/scaling.md,
// "Outbox and exactly-once apply"). It runs where the target's loop runs
// and needs no state of its own: the target's inbox says where each
// source's delivery stands, and the target skips what it applied already.
type Forwarder struct {
	target  *Engine
	sources []*forwardSource
	opts    ForwarderOptions
	wake    chan struct{}
	cancel  context.CancelFunc
	done    chan struct{}
}

type forwardSource struct {
	Source
	remove func() // unregisters the commit hook, nil without Engine

	mu       sync.Mutex
	tail     []*record.Record // commands for the target told by commits, in position order
	overflow bool             // tail was dropped: read the log again
	toldEnd  int64            // the last position of the last batch told
	resync   bool             // the engine was attached or detached: read the log again

	next   int64 // next position of the log to read, 0: from the target's inbox
	caught bool  // a read reached the log's end since the hook was added
	// inbox is where the target's inbox for the source stands as far as
	// the forwarder knows, advanced when it is that long or that far
	// behind next (advance).
	inbox    int64
	advanced time.Time
}

// StartForwarder starts delivering to target the inter-partition commands
// of sources' logs. Close stops it.
func StartForwarder(target *Engine, sources []Source, opts ForwarderOptions) *Forwarder {
	if opts.Poll <= 0 {
		opts.Poll = 200 * time.Millisecond
	}
	if opts.Advance <= 0 {
		opts.Advance = advanceEvery
	}
	if opts.Logger == nil {
		opts.Logger = target.cfg.Logger
	}
	ctx, cancel := context.WithCancel(context.Background())
	f := &Forwarder{target: target, opts: opts, wake: make(chan struct{}, 1), cancel: cancel, done: make(chan struct{})}
	t := target.cfg.Partition
	for _, s := range sources {
		if s.Partition == t {
			continue
		}
		fs := &forwardSource{Source: s}
		if s.Engine != nil {
			fs.remove = s.Engine.committed.add(func(recs []*record.Record) { f.told(fs, recs) })
		}
		f.sources = append(f.sources, fs)
	}
	go f.run(ctx)
	return f
}

// Close stops the forwarder and waits for it.
func (f *Forwarder) Close() {
	f.cancel()
	<-f.done
	for _, s := range f.sources {
		s.mu.Lock()
		if s.remove != nil {
			s.remove()
		}
		s.Engine, s.remove = nil, nil
		s.mu.Unlock()
	}
}

// Wake makes the forwarder look for commands now.
func (f *Forwarder) Wake() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// told keeps a committed batch's commands for the target (on the source's
// committer: quick, never blocking).
func (f *Forwarder) told(s *forwardSource, recs []*record.Record) {
	t := f.target.cfg.Partition
	found := false
	s.mu.Lock()
	if len(recs) > 0 {
		s.toldEnd = recs[len(recs)-1].Position
	}
	for _, r := range recs {
		if !routedTo(r, t) {
			continue
		}
		found = true
		if s.overflow {
			continue
		}
		if len(s.tail) >= forwardTail {
			s.tail, s.overflow = nil, true
			continue
		}
		s.tail = append(s.tail, r)
	}
	s.mu.Unlock()
	if found {
		f.Wake()
	}
}

func (f *Forwarder) run(ctx context.Context) {
	defer close(f.done)
	poll := time.NewTimer(f.opts.Poll)
	defer poll.Stop()
	failures := 0
	rescan := false
	for {
		busy, err := f.round(ctx, rescan)
		rescan = false
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			failures++
			if failures == 1 || failures%100 == 0 {
				f.opts.Logger.Warn("inter-partition commands could not be delivered yet; retrying",
					"partition", f.target.cfg.Partition, "failures", failures, "error", err)
			}
			busy = false
		} else {
			failures = 0
		}
		if busy {
			continue
		}
		poll.Reset(f.opts.Poll)
		select {
		case <-ctx.Done():
			return
		case <-f.wake:
		case <-poll.C:
			rescan = true
		}
	}
}

// round delivers what each source has for the target, at most a read and
// a delivery per source; busy reports that more may be waiting. rescan
// reads the logs of sources in the process too, from where their commits
// were told (a fallback: the hooks tell every commit).
func (f *Forwarder) round(ctx context.Context, rescan bool) (busy bool, err error) {
	if rescan {
		for _, s := range f.sources {
			s.caught = false
		}
	}
	var inbox map[int32]int64
	for _, s := range f.sources {
		if s.next == 0 && inbox == nil {
			inbox = map[int32]int64{}
			err := f.target.Read(ctx, func(st *state.State) {
				for _, s := range f.sources {
					inbox[s.Partition] = st.Inbox(s.Partition)
				}
			})
			if err != nil {
				return false, fmt.Errorf("read the inbox of partition %d: %w", f.target.cfg.Partition, err)
			}
		}
	}
	var errs []error
	for _, s := range f.sources {
		b, err := f.forward(ctx, s, inbox)
		if err == nil && !b {
			err = f.advance(ctx, s)
		}
		busy = busy || b
		if err != nil {
			errs = append(errs, fmt.Errorf("from partition %d: %w", s.Partition, err))
		}
	}
	return busy, errors.Join(errs...)
}

// When the forwarder moves a target's inbox past positions of a source
// that hold no command for it: the source's log compaction stops at the
// lowest inbox position for it (store.CompactRequest), so an inbox that
// never moved would keep the source's log for ever.
const (
	advanceGap   = 1 << 16
	advanceEvery = 10 * time.Second
)

// advance moves the target's inbox for s up to where the forwarder read
// s's log when it is far or long behind (PARTITION_INBOX ADVANCE).
func (f *Forwarder) advance(ctx context.Context, s *forwardSource) error {
	to := s.next - 1
	if to <= s.inbox || (to-s.inbox < advanceGap && time.Since(s.advanced) < f.opts.Advance) {
		return nil
	}
	cmd := &record.Record{Kind: record.KindCommand, ValueType: record.TypePartitionInbox, Intent: record.IntentInboxAdvance, Version: 1,
		Value: &record.InboxValue{SourcePartition: s.Partition, SourcePosition: to}}
	if err := f.target.deliver(ctx, []*record.Record{cmd}); err != nil {
		return fmt.Errorf("advance the inbox to position %d: %w", to, err)
	}
	s.inbox, s.advanced = to, time.Now()
	return nil
}

// forward delivers one source's next commands for the target.
func (f *Forwarder) forward(ctx context.Context, s *forwardSource, inbox map[int32]int64) (busy bool, err error) {
	s.mu.Lock()
	if s.overflow || s.resync {
		s.overflow, s.resync, s.caught = false, false, false
	}
	hooked := s.Engine != nil
	s.mu.Unlock()
	if s.next == 0 {
		s.next = max(inbox[s.Partition], store.PositionBase(s.Partition)) + 1
		s.inbox = s.next - 1
	}
	if !hooked || !s.caught {
		return f.scan(ctx, s)
	}
	s.mu.Lock()
	i := 0
	for i < len(s.tail) && s.tail[i].Position < s.next {
		i++ // read from the log already
	}
	s.tail = s.tail[i:]
	take := s.tail[:min(len(s.tail), forwardBatch)]
	if len(take) == 0 {
		// Every batch told since the log was read holds no command for
		// the target: the log is read up to the last one.
		s.next = max(s.next, s.toldEnd+1)
	}
	s.mu.Unlock()
	if len(take) == 0 {
		return false, nil
	}
	if err := f.send(ctx, take); err != nil {
		return false, err
	}
	last := take[len(take)-1].Position
	s.inbox = max(s.inbox, last)
	s.mu.Lock()
	for len(s.tail) > 0 && s.tail[0].Position <= last {
		s.tail = s.tail[1:]
	}
	more := len(s.tail) > 0
	s.mu.Unlock()
	s.next = last + 1
	return more, nil
}

// scan reads a source's log from s.next and delivers its commands for
// the target.
func (f *Forwarder) scan(ctx context.Context, s *forwardSource) (busy bool, err error) {
	t := f.target.cfg.Partition
	var take []*record.Record
	last, read := s.next-1, 0
	err = s.Log.ReadLog(ctx, s.next, func(r *record.Record) error {
		if r.Position < s.next {
			return nil
		}
		if routedTo(r, t) {
			take = append(take, r)
		}
		last, read = r.Position, read+1
		if len(take) >= forwardBatch || read >= forwardScan {
			return errStopReading
		}
		return nil
	})
	stopped := errors.Is(err, errStopReading)
	if err != nil && !stopped {
		return false, fmt.Errorf("read the log from position %d: %w", s.next, err)
	}
	if len(take) > 0 {
		if err := f.send(ctx, take); err != nil {
			return false, err
		}
		s.inbox = max(s.inbox, take[len(take)-1].Position)
	}
	s.next = last + 1
	if !stopped {
		s.caught = true
	}
	return stopped, nil
}

// send delivers commands of one source's log, in position order, to the
// target.
func (f *Forwarder) send(ctx context.Context, recs []*record.Record) error {
	cmds := make([]*record.Record, len(recs))
	for i, r := range recs {
		c, err := delivery(r)
		if err != nil {
			return err
		}
		cmds[i] = c
	}
	return f.target.deliver(ctx, cmds)
}

// attach makes partition p's engine, started in this process, tell the
// forwarder of its commits; the forwarder reads p's log once more to
// catch up.
func (f *Forwarder) attach(e *Engine) {
	for _, s := range f.sources {
		if s.Partition != e.cfg.Partition {
			continue
		}
		s.mu.Lock()
		if s.remove != nil {
			s.remove()
		}
		s.Engine = e
		s.remove = e.committed.add(func(recs []*record.Record) { f.told(s, recs) })
		s.tail, s.resync = nil, true
		s.mu.Unlock()
	}
	f.Wake()
}

// detach stops listening to partition p's commits (its engine stops); the
// forwarder reads p's log at every wake-up and poll until it is attached
// again.
func (f *Forwarder) detach(p int32) {
	for _, s := range f.sources {
		if s.Partition != p {
			continue
		}
		s.mu.Lock()
		if s.remove != nil {
			s.remove()
		}
		s.Engine, s.remove = nil, nil
		s.tail, s.resync = nil, true
		s.mu.Unlock()
	}
}

// Crossing connects the partitions of one store that run in a process
// (Config.Crossing): each engine that starts gets a Forwarder for the
// inter-partition commands of the other partitions' logs, read through
// their store views, and the engines of the process tell each other's
// forwarders of their commits.
type Crossing struct {
	count int32
	view  func(p int32) (store.Store, error)
	opts  ForwarderOptions

	mu         sync.Mutex
	engines    map[int32]*Engine
	forwarders map[int32]*Forwarder
}

// NewCrossing returns the crossing of a store of count partitions whose
// partition p's log view returns (store.Partitioned.Partition).
func NewCrossing(count int32, view func(p int32) (store.Store, error), opts ForwarderOptions) *Crossing {
	return &Crossing{count: count, view: view, opts: opts, engines: map[int32]*Engine{}, forwarders: map[int32]*Forwarder{}}
}

// Count returns how many partitions the store has.
func (c *Crossing) Count() int32 {
	if c == nil {
		return 1
	}
	return c.count
}

// join starts e's forwarder and connects e to the other engines.
func (c *Crossing) join(e *Engine) error {
	if c.count <= 1 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	t := e.cfg.Partition
	if c.engines[t] != nil {
		return fmt.Errorf("partition %d runs already in this process", t)
	}
	var sources []Source
	for p := int32(1); p <= c.count; p++ {
		if p == t {
			continue
		}
		v, err := c.view(p)
		if err != nil {
			return fmt.Errorf("open the log of partition %d for its commands to partition %d: %w", p, t, err)
		}
		sources = append(sources, Source{Partition: p, Log: v, Engine: c.engines[p]})
	}
	c.forwarders[t] = StartForwarder(e, sources, c.opts)
	for p, f := range c.forwarders {
		if p != t {
			f.attach(e)
		}
	}
	c.engines[t] = e
	return nil
}

// leave stops e's forwarder and disconnects it from the others.
func (c *Crossing) leave(e *Engine) {
	if c.count <= 1 {
		return
	}
	c.mu.Lock()
	t := e.cfg.Partition
	if c.engines[t] != e {
		c.mu.Unlock()
		return
	}
	delete(c.engines, t)
	f := c.forwarders[t]
	delete(c.forwarders, t)
	for _, other := range c.forwarders {
		other.detach(t)
	}
	c.mu.Unlock()
	if f != nil {
		f.Close()
	}
}
