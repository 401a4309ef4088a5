package memstore

import (
	"maps"
	"slices"

	"github.com/example/wf-engine/core/state"
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
