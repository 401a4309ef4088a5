package memstore

import (
	"maps"
	"slices"

	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

// crossing holds a partition's rows of other partitions: its inbox (the
// highest position of each source partition's log whose inter-partition
// command it applied) and the remote subscriptions of the messages it
// keeps (docs/scaling.md, "Cross-partition messages").
type crossing struct {
	inbox  map[int32]int64
	remote map[int64]state.RemoteSubscriptionRow
}

// keep writes a committed batch's crossing rows; the caller holds the lock.
func (c *crossing) keep(ch *state.Changes) {
	for _, r := range ch.Inbox {
		if c.inbox == nil {
			c.inbox = map[int32]int64{}
		}
		c.inbox[r.Source] = r.Position
	}
	upsert(&c.remote, ch.RemoteSubscriptions, func(r *state.RemoteSubscriptionRow) int64 { return r.Key })
}

// load adds the inbox and the live remote subscriptions to snap.
func (c *crossing) load(snap *state.Snapshot) {
	for _, src := range slices.Sorted(maps.Keys(c.inbox)) {
		snap.Inbox = append(snap.Inbox, state.InboxRow{Source: src, Position: c.inbox[src]})
	}
	for _, k := range sortedKeys(c.remote) {
		if r := c.remote[k]; r.Live {
			snap.RemoteSubscriptions = append(snap.RemoteSubscriptions, r.RemoteSubscription)
		}
	}
}

// inboxOf returns the partition's inbox position for source, 0 if none.
func (c *crossing) inboxOf(source int32) (int64, bool) {
	p, ok := c.inbox[source]
	return p, ok
}

// inboxFloor returns, for the partition whose log is pl in a store of
// several partitions, the highest position its log compaction may reach:
// the lowest inbox position for it over the other partitions (a command
// of pl's log above it may not be applied yet). ok is false with one
// partition. The caller holds the lock.
func (s *Store) inboxFloor(pl *partLog) (floor int64, ok bool) {
	count := s.partitions
	if count <= 1 {
		return 0, false
	}
	logs := map[int32]*partLog{1: &s.partLog}
	for p, v := range s.views {
		if p != 1 {
			logs[p] = v.pl
		}
	}
	var src int32
	for p, l := range logs {
		if l == pl {
			src = p
		}
	}
	if src == 0 {
		return 0, false
	}
	floor = store.PositionEnd(src)
	for t := int32(1); t <= count; t++ {
		if t == src {
			continue
		}
		pos := store.PositionBase(src)
		if l := logs[t]; l != nil {
			if in, found := l.crossing.inboxOf(src); found {
				pos = in
			}
		}
		floor = min(floor, pos)
	}
	return floor, true
}

// dropClosedRemote deletes, in every partition, the closed remote
// subscriptions of the process instances pis and returns how many it
// deleted; the caller holds the lock.
func (s *Store) dropClosedRemote(pis map[int64]bool) int {
	logs := []*partLog{&s.partLog}
	for _, p := range slices.Sorted(maps.Keys(s.views)) {
		if p != 1 {
			logs = append(logs, s.views[p].pl)
		}
	}
	n := 0
	for _, l := range logs {
		n += drop(l.crossing.remote, func(r *state.RemoteSubscriptionRow) bool { return !r.Live && pis[r.Value.ProcessInstanceKey] })
	}
	return n
}
