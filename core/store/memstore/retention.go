package memstore

import (
	"context"
	"sort"
	"time"

	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/search"
)

// retained is what retention removed: the instance keys, whose history
// projected from the kept log is hidden, and the usage counts of removed
// root instances.
type retained struct {
	instances map[int64]bool
	usage     map[search.UsageBucket]int64
}

// gone reports whether the process instance was removed.
func (r *retained) gone(pi int64) bool { return r.instances[pi] }

// due returns the keys of the process instances due under p, in key
// order; the caller holds the lock.
func (s *Store) due(p store.RetentionPolicy) []int64 {
	var keys []int64
	for k, e := range s.elements {
		if e.Value.FlowScopeKey != -1 || e.EndTime <= 0 {
			continue
		}
		if p.Due(e.Value.BPMNProcessID, store.ElementStateName(e.State), time.UnixMilli(e.EndTime)) {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}

// RemoveFinished implements store.Retainer: every row of an instance goes
// at once, under the store's lock.
func (s *Store) RemoveFinished(_ context.Context, p store.RetentionPolicy, limit int) (store.RemovalResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return store.RemovalResult{}, store.ErrClosed
	}
	if limit <= 0 {
		return store.RemovalResult{}, nil
	}
	keys := s.due(p)
	res := store.RemovalResult{More: len(keys) > limit}
	if len(keys) > limit {
		keys = keys[:limit]
	}
	if len(keys) == 0 {
		return res, nil
	}
	pis := make(map[int64]bool, len(keys))
	if s.retained.instances == nil {
		s.retained.instances = map[int64]bool{}
		s.retained.usage = map[search.UsageBucket]int64{}
	}
	for _, k := range keys {
		pis[k] = true
		s.retained.instances[k] = true
		e := s.elements[k]
		if e.Value.ParentProcessInstanceKey <= 0 {
			s.retained.usage[search.UsageBucket{TenantID: e.Value.TenantID, StartMinute: search.MinuteOf(e.StartTime)}]++
		}
	}
	res.Instances = len(keys)
	res.Rows += drop(s.elements, func(r *state.ElementRow) bool { return pis[r.Value.ProcessInstanceKey] })
	res.Rows += drop(s.variables, func(r *state.VariableRow) bool { return pis[r.ProcessInstanceKey] })
	res.Rows += drop(s.jobs, func(r *state.Job) bool { return pis[r.Value.ProcessInstanceKey] })
	res.Rows += drop(s.incidents, func(r *state.IncidentRow) bool { return pis[r.Value.ProcessInstanceKey] })
	res.Rows += drop(s.events.timers, func(r *state.TimerRow) bool { return pis[r.Value.ProcessInstanceKey] })
	res.Rows += drop(s.events.subs, func(r *state.MessageSubscriptionRow) bool { return pis[r.Value.ProcessInstanceKey] })
	res.Rows += drop(s.events.signals, func(r *state.SignalSubscriptionRow) bool { return pis[r.Value.ProcessInstanceKey] })
	res.Rows += drop(s.events.comps, func(r *state.CompensationSubscriptionRow) bool { return pis[r.Value.ProcessInstanceKey] })
	res.Rows += drop(s.events.tasks, func(r *state.UserTaskRow) bool { return pis[r.Value.ProcessInstanceKey] })
	res.Rows += s.dropClosedRemote(pis)
	return res, nil
}

// drop deletes the rows of m that match and returns how many it deleted.
func drop[R any](m map[int64]R, match func(*R) bool) int {
	n := 0
	for k, r := range m {
		if match(&r) {
			delete(m, k)
			n++
		}
	}
	return n
}

// Overdue implements store.Retainer.
func (s *Store) Overdue(_ context.Context, p store.RetentionPolicy) (time.Duration, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return 0, store.ErrClosed
	}
	// The lowest due key of each process, as the SQL stores look.
	first := map[string]bool{}
	var worst time.Duration
	for _, k := range s.due(p) {
		e := s.elements[k]
		if first[e.Value.BPMNProcessID] {
			continue
		}
		first[e.Value.BPMNProcessID] = true
		if d := p.CutoffOf(e.Value.BPMNProcessID).Sub(time.UnixMilli(e.EndTime)); d > worst {
			worst = d
		}
	}
	return worst, nil
}

// Interface guards
var _ store.Retainer = (*Store)(nil)
