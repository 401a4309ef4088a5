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

	mu        sync.RWMutex
	closed    bool
	log       []*record.Record
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
	lastKey          int64
	lastPosition     int64
	logEnd           int64 // position of the last committed record
	events           events
	tenants          tenantRows
	docs             documents
	retained         retained
	idempotency      idempotencyKeys // answers of commands sent with an Idempotency-Key (idempotency.go)
	compaction       compaction
	partitions       int32 // the partition count kept (cluster.go); 0 until asked
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
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return store.ErrClosed
	}
	// Like a durable store's primary key on the log: positions only grow,
	// and a batch that breaks that is refused whole.
	last := s.logEnd
	for _, r := range b.Records {
		if r == nil {
			return fmt.Errorf("commit: nil record after position %d", last)
		}
		if r.Position <= last {
			return fmt.Errorf("commit: record position %d is not after position %d", r.Position, last)
		}
		last = r.Position
	}
	s.logEnd = last
	s.commits++
	if !s.opts.DiscardLog {
		if len(b.Records) > 0 {
			s.compaction.batchStarts = append(s.compaction.batchStarts, b.Records[0].Position)
		}
		s.log = append(s.log, b.Records...)
	}
	s.lastKey = b.Changes.LastKey
	s.lastPosition = b.Changes.LastPosition
	s.keepIdempotencyKeys(b)
	if s.opts.DiscardRows {
		return nil
	}
	c := &b.Changes
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
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, store.ErrClosed
	}
	if s.opts.DiscardRows && s.commits > 0 {
		return nil, errors.New("memstore discards its rows: it cannot load a state")
	}
	snap := &state.Snapshot{LastKey: s.lastKey, LastPosition: s.lastPosition}
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
	return snap, nil
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
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return store.ErrClosed
	}
	i := sort.Search(len(s.log), func(i int) bool { return s.log[i].Position >= from })
	recs := s.log[i:len(s.log):len(s.log)]
	anchor := s.compaction.anchor.Position
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
