package store

import (
	"fmt"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// Partitioned is a store divided into partitions that share the state
// tables (docs/scaling.md, "one log per partition in the shared tables").
// Each partition has its own log, a range of positions of the one log
// (PositionBase), its own counters, hash chain, checkpoints and commit
// path, and owns the rows whose keys carry its number (OwnsKey); searches
// read the shared tables as before. The partition count is the one the
// store keeps (PartitionKeeper): call CheckPartitions before Partition.
type Partitioned interface {
	// Partition returns partition p's view (1 <= p <= the kept count; p = 1
	// also before a count is kept). A view implements what the store
	// implements for one partition: Commit writes p's log and the rows p
	// writes (OwnChanges: a partition never writes the rows of another, and
	// only partition 1 the cluster-wide rows), ReadLog reads p's log only,
	// Load returns the rows p owns and every cluster-wide row
	// (OwnSnapshot), and the log compaction, chain verification and
	// recovery detection of the store work on p's log alone. Close of a
	// view releases the view's own resources, never the store's; closing
	// the store closes its views. Asking twice for one partition returns
	// the same open view: a partition has one writer.
	//
	// Partition 1 of a store that keeps one partition behaves exactly as
	// the store did before partitions: same rows, same positions, same
	// meta row.
	Partition(p int32) (Store, error)
}

// MaxPartitions is the most partitions a store can have: 12 bits of a key
// hold the partition.
const MaxPartitions = 1<<(63-record.KeyPartitionShift) - 1

// PositionBase is the position before partition p's first: p's positions
// are PositionBase(p) + n for n >= 1, ((p - 1) << 51) | n, so partition 1's
// are the positions of a store of one partition. An empty partition's
// last position is PositionBase(p).
func PositionBase(p int32) int64 { return int64(p-1) << record.KeyPartitionShift }

// PositionEnd is the first position after partition p's range.
func PositionEnd(p int32) int64 { return int64(p) << record.KeyPartitionShift }

// PositionPartition returns the partition whose log holds position pos
// (pos >= 1).
func PositionPartition(pos int64) int32 {
	return int32(pos>>record.KeyPartitionShift) + 1 // #nosec G115 -- positions hold the partition in bits 51..62
}

// KeyBase is partition p's first key, p << 51 (record.Key(p, 0)): an empty
// partition's last key.
func KeyBase(p int32) int64 { return record.Key(p, 0) }

// KeyEnd is the first key after partition p's range.
func KeyEnd(p int32) int64 { return record.Key(p+1, 0) }

// CheckPartition checks that p names one of count partitions.
func CheckPartition(p, count int32) error {
	if p < 1 || p > count {
		return fmt.Errorf("partition %d does not exist: the store keeps %d partition(s)", p, count)
	}
	return nil
}

// OwnsKey reports whether partition p of count owns the row keyed key. With
// one partition it owns every row. With more, partition p owns the keys of
// its range, and partition 1 also every key below its range (rows that
// name no partition).
func OwnsKey(p, count int32, key int64) bool {
	switch {
	case count <= 1:
		return true
	case p == 1:
		return key < KeyEnd(1)
	}
	return key >= KeyBase(p) && key < KeyEnd(p)
}

// OwnChanges returns the rows of c that partition p of count writes. The
// rows of the cluster-wide tables (process definitions and forms, deleted
// ones too, tenants and their members) are written by partition 1 alone:
// they are deployed or created there, and every other partition applies
// them to its own state (engine distribution, under their keys or its own)
// but never writes them. Of the per-instance tables a partition writes the
// rows it owns (OwnsKey): a row keyed in another partition's range is that
// partition's to write (the message start subscriptions, timers and
// signal subscriptions of start events are partition 1's). With one
// partition c is returned as it is.
func OwnChanges(c state.Changes, p, count int32) state.Changes {
	if count <= 1 {
		return c
	}
	if p != 1 {
		c.Processes, c.DeletedProcesses, c.Forms, c.DeletedForms, c.Tenants, c.TenantMembers = nil, nil, nil, nil, nil, nil
	}
	own := func(k int64) bool { return OwnsKey(p, count, k) }
	c.Elements = keepOwn(c.Elements, func(r *state.ElementRow) bool { return own(r.Key) })
	c.Variables = keepOwn(c.Variables, func(r *state.VariableRow) bool { return own(r.Key) })
	c.Jobs = keepOwn(c.Jobs, func(r *state.Job) bool { return own(r.Key) })
	c.Incidents = keepOwn(c.Incidents, func(r *state.IncidentRow) bool { return own(r.Key) })
	c.Timers = keepOwn(c.Timers, func(r *state.TimerRow) bool { return own(r.Key) })
	c.MessageSubscriptions = keepOwn(c.MessageSubscriptions, func(r *state.MessageSubscriptionRow) bool { return own(r.Key) })
	c.Messages = keepOwn(c.Messages, func(r *state.MessageRow) bool { return own(r.Key) })
	c.StartSubscriptions = keepOwn(c.StartSubscriptions, func(r *state.StartSubscriptionRow) bool { return own(r.Key) })
	c.SignalSubscriptions = keepOwn(c.SignalSubscriptions, func(r *state.SignalSubscriptionRow) bool { return own(r.Key) })
	c.CompensationSubscriptions = keepOwn(c.CompensationSubscriptions, func(r *state.CompensationSubscriptionRow) bool { return own(r.Key) })
	c.UserTasks = keepOwn(c.UserTasks, func(r *state.UserTaskRow) bool { return own(r.Key) })
	return c
}

// OwnSnapshot returns what partition p of count loads from snap, the live
// rows of the whole store: the rows of the per-instance tables (element
// instances, variables, jobs, incidents, timers, message, message start,
// signal and compensation subscriptions, buffered messages, user tasks)
// that p owns, and every row of the cluster-wide tables (process
// definitions and forms, deleted ones too, tenants and their members). The
// counters are left as they are. With one partition snap is returned as
// it is.
func OwnSnapshot(snap *state.Snapshot, p, count int32) *state.Snapshot {
	if count <= 1 || snap == nil {
		return snap
	}
	own := func(k int64) bool { return OwnsKey(p, count, k) }
	out := *snap
	out.Elements = keepOwn(snap.Elements, func(r *state.ElementRow) bool { return own(r.Key) })
	out.Variables = keepOwn(snap.Variables, func(r *state.VariableRow) bool { return own(r.Key) })
	out.Jobs = keepOwn(snap.Jobs, func(r *state.Job) bool { return own(r.Key) })
	out.Incidents = keepOwn(snap.Incidents, func(r *state.IncidentRow) bool { return own(r.Key) })
	out.Timers = keepOwn(snap.Timers, func(r *state.Timer) bool { return own(r.Key) })
	out.MessageSubscriptions = keepOwn(snap.MessageSubscriptions, func(r *state.MessageSubscription) bool { return own(r.Key) })
	out.Messages = keepOwn(snap.Messages, func(r *state.Message) bool { return own(r.Key) })
	out.StartSubscriptions = keepOwn(snap.StartSubscriptions, func(r *state.StartSubscription) bool { return own(r.Key) })
	out.SignalSubscriptions = keepOwn(snap.SignalSubscriptions, func(r *state.SignalSubscription) bool { return own(r.Key) })
	out.CompensationSubscriptions = keepOwn(snap.CompensationSubscriptions, func(r *state.CompensationSubscription) bool { return own(r.Key) })
	out.UserTasks = keepOwn(snap.UserTasks, func(r *state.UserTask) bool { return own(r.Key) })
	return &out
}

// keepOwn returns the rows own keeps, in order, in a new slice (the caller's
// rows are not changed); nil when none is kept, as a load leaves a table
// without rows.
func keepOwn[T any](rows []T, own func(*T) bool) []T {
	var out []T
	for i := range rows {
		if own(&rows[i]) {
			out = append(out, rows[i])
		}
	}
	return out
}
