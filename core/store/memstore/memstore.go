package memstore

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

// Options choose what the store keeps.
type Options struct {
	// DiscardLog drops records after commit; ReadLog then sees nothing.
	// Benchmarks use it to measure the kernel alone.
	DiscardLog bool
	// DiscardRows drops state rows after commit.
	DiscardRows bool
	// LogArchive, when set, is where ReadLog reads the records that log
	// compaction archived; without it, reading them is a
	// *store.CompactedError.
	LogArchive store.LogArchive
}

// Store is an in-memory store.Store.
type Store struct {
	opts Options

	mu     sync.RWMutex
	closed bool
	// partLog is partition 1's log and counters, the store's own;
	// other partitions' are in views (partitions.go).
	partLog
	commits   int
	processes map[int64]record.ProcessValue
	forms     map[int64]record.FormValue
	// deletedProcesses and deletedForms are the deleted definitions and
	// forms: out of the searches, kept for the versions they used.
	deletedProcesses map[int64]record.ProcessValue
	deletedForms     map[int64]record.FormValue
	elements         map[int64]state.ElementRow
	variables        map[int64]state.VariableRow
	jobs             map[int64]state.Job
	incidents        map[int64]state.IncidentRow
	events           events
	tenants          tenantRows
	docs             documents
	sess             sessions
	retained         retained
	idempotency      idempotencyKeys // answers of commands sent with an Idempotency-Key (idempotency.go)
	partitions       int32           // the partition count kept (cluster.go); 0 until asked
	views            map[int32]*view // Partition's views (partitions.go)
}

// partLog is one partition's log and counters.
type partLog struct {
	log          []*record.Record
	lastKey      int64
	lastPosition int64
	logEnd       int64 // position of the last committed record
	compaction   compaction
	crossing     crossing // the partition's rows of other partitions (crossing.go)
}

// New returns an empty store.
func New(opts Options) *Store {
	return &Store{
		opts:      opts,
		processes: map[int64]record.ProcessValue{},
		forms:     map[int64]record.FormValue{},
		elements:  map[int64]state.ElementRow{},

		deletedProcesses: map[int64]record.ProcessValue{},
		deletedForms:     map[int64]record.FormValue{},
		variables:        map[int64]state.VariableRow{},
		jobs:             map[int64]state.Job{},
		incidents:        map[int64]state.IncidentRow{},
	}
}

// Commit implements store.Store.
func (s *Store) Commit(_ context.Context, b *store.Batch) error {
	return s.commit(&s.partLog, whole, b)
}

// part names the partition a log belongs to, and how many the store
// keeps; whole is the store's own log, unsplit.
type part struct{ p, count int32 }

var whole = part{1, 1}

// commit commits b to the log pl of partition in, and the rows it owns.
func (s *Store) commit(pl *partLog, in part, b *store.Batch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return store.ErrClosed
	}
	// Like a durable store's primary key on the log: positions only grow,
	// and a batch that breaks that is refused whole; a partition's stay in
	// its range.
	last := pl.logEnd
	for _, r := range b.Records {
		if r == nil {
			return fmt.Errorf("commit: nil record after position %d", last)
		}
		if r.Position <= last {
			return fmt.Errorf("commit: record position %d is not after position %d", r.Position, last)
		}
		if in.count > 1 && r.Position >= store.PositionEnd(in.p) {
			return fmt.Errorf("commit: record position %d is beyond partition %d's positions", r.Position, in.p)
		}
		last = r.Position
	}
	pl.logEnd = last
	s.commits++
	if !s.opts.DiscardLog {
		if len(b.Records) > 0 {
			pl.compaction.batchStarts = append(pl.compaction.batchStarts, b.Records[0].Position)
		}
		pl.log = append(pl.log, b.Records...)
	}
	pl.lastKey = b.Changes.LastKey
	pl.lastPosition = b.Changes.LastPosition
	pl.crossing.keep(&b.Changes)
	s.keepIdempotencyKeys(b)
	if s.opts.DiscardRows {
		return nil
	}
	own := store.OwnChanges(b.Changes, in.p, in.count)
	c := &own
	for _, p := range c.Processes {
		s.processes[p.ProcessDefinitionKey] = p
	}
	for _, f := range c.Forms {
		s.forms[f.FormKey] = f
	}
	for _, p := range c.DeletedProcesses {
		delete(s.processes, p.ProcessDefinitionKey)
		s.deletedProcesses[p.ProcessDefinitionKey] = p
	}
	for _, f := range c.DeletedForms {
		delete(s.forms, f.FormKey)
		s.deletedForms[f.FormKey] = f
	}
	for _, e := range c.Elements {
		s.elements[e.Key] = e
	}
	for _, v := range c.Variables {
		s.variables[v.Key] = v
	}
	for _, j := range c.Jobs {
		s.jobs[j.Key] = j
	}
	for _, i := range c.Incidents {
		s.incidents[i.Key] = i
	}
	s.events.commit(c)
	s.tenants.commit(c)
	return nil
}

// Load implements store.Loader: the rows that are still live.
func (s *Store) Load(_ context.Context) (*state.Snapshot, error) {
	return s.load(&s.partLog, whole)
}

// load returns the live rows that partition in owns, and its counters.
func (s *Store) load(pl *partLog, in part) (*state.Snapshot, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, store.ErrClosed
	}
	if s.opts.DiscardRows && s.commits > 0 {
		return nil, errors.New("memstore discards its rows: it cannot load a state")
	}
	snap := &state.Snapshot{LastKey: pl.lastKey, LastPosition: pl.lastPosition}
	for _, k := range sortedKeys(s.processes) {
		snap.Processes = append(snap.Processes, s.processes[k])
	}
	for _, k := range sortedKeys(s.forms) {
		snap.Forms = append(snap.Forms, s.forms[k])
	}
	for _, k := range sortedKeys(s.deletedProcesses) {
		snap.DeletedProcesses = append(snap.DeletedProcesses, s.deletedProcesses[k])
	}
	for _, k := range sortedKeys(s.deletedForms) {
		snap.DeletedForms = append(snap.DeletedForms, s.deletedForms[k])
	}
	live := map[int64]bool{}
	for _, k := range sortedKeys(s.elements) {
		if e := s.elements[k]; !e.State.Final() {
			snap.Elements = append(snap.Elements, e)
			live[k] = true
		}
	}
	for _, k := range sortedKeys(s.variables) {
		if v := s.variables[k]; live[v.ScopeKey] {
			snap.Variables = append(snap.Variables, v)
		}
	}
	for _, k := range sortedKeys(s.jobs) {
		if j := s.jobs[k]; j.Live() {
			snap.Jobs = append(snap.Jobs, j)
		}
	}
	for _, k := range sortedKeys(s.incidents) {
		if i := s.incidents[k]; !i.Resolved {
			snap.Incidents = append(snap.Incidents, i)
		}
	}
	s.events.load(snap)
	s.tenants.load(snap)
	pl.crossing.load(snap)
	return store.OwnSnapshot(snap, in.p, in.count), nil
}

func sortedKeys[V any](m map[int64]V) []int64 {
	keys := make([]int64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}

// ReadLog implements store.Store.
func (s *Store) ReadLog(ctx context.Context, from int64, fn func(*record.Record) error) error {
	return s.readLog(ctx, &s.partLog, from, fn)
}

// readLog reads the log pl.
func (s *Store) readLog(ctx context.Context, pl *partLog, from int64, fn func(*record.Record) error) error {
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return store.ErrClosed
	}
	i := sort.Search(len(pl.log), func(i int) bool { return pl.log[i].Position >= from })
	recs := pl.log[i:len(pl.log):len(pl.log)]
	anchor := pl.compaction.anchor.Position
	s.mu.RUnlock()
	if anchor > 0 && from <= anchor {
		if s.opts.LogArchive == nil {
			return &store.CompactedError{From: from, FirstAvailable: anchor + 1}
		}
		if err := s.opts.LogArchive.ReadArchived(ctx, from, anchor, fn); err != nil {
			return fmt.Errorf("read archived log from position %d: %w", from, err)
		}
	}
	for _, r := range recs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// Close implements store.Store.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

// Commits returns how many batches were committed.
func (s *Store) Commits() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.commits
}

// Interface guards
var (
	_ store.Store  = (*Store)(nil)
	_ store.Loader = (*Store)(nil)
)
