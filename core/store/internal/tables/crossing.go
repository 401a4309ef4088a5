package tables

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

// The crossing tables: a partition's rows of other partitions (postgres
// migration 0036), written and read only by a store of several
// partitions. They are not in State: their keys are not the partition's
// own keys (a remote subscription keeps the instance partition's key), so
// they take no part in the highest key, and they are always upserted.

// PartitionInbox holds, per target and source partition, the highest
// source position whose inter-partition command the target applied; key
// is record.Key(target, source).
var PartitionInbox = &Table{Name: "partition_inbox", Upsert: true, Columns: []Column{
	{"key", Int}, {"position", Int},
}}

// RemoteSubscriptions holds, on a message's partition, the message
// subscriptions of instances on other partitions.
var RemoteSubscriptions = &Table{Name: "remote_message_subscriptions", Upsert: true, Columns: []Column{
	{"key", Int}, {"live", Int}, {"partition", Int}, {"message_key", Int}, {"element_id", Text},
	{"element_instance_key", Int}, {"process_instance_key", Int}, {"process_definition_key", Int},
	{"bpmn_process_id", Text}, {"message_name", Text}, {"correlation_key", Text}, {"interrupting", Int},
	{"tenant_id", Text},
}}

// Crossing lists the crossing tables in the order Commit writes them.
var Crossing = []*Table{PartitionInbox, RemoteSubscriptions}

// EncodeCrossing returns partition p's crossing rows of a batch, one Rows
// per table that has any.
func EncodeCrossing(c *state.Changes, p int32) []*Rows {
	var out []*Rows
	if len(c.Inbox) > 0 {
		r := newRows(PartitionInbox, len(c.Inbox))
		for _, in := range c.Inbox {
			r.i(record.Key(p, int64(in.Source)))
			r.i(in.Position)
			r.end()
		}
		out = append(out, r)
	}
	if len(c.RemoteSubscriptions) > 0 {
		subs := lastOfEachKey(c.RemoteSubscriptions, func(m *state.RemoteSubscriptionRow) int64 { return m.Key })
		r := newRows(RemoteSubscriptions, len(subs))
		for i := range subs {
			m := &subs[i]
			v := &m.Value
			r.i(m.Key)
			r.i(flag(m.Live))
			r.i(int64(p))
			r.i(m.MessageKey)
			r.s(v.ElementID)
			r.i(v.ElementInstanceKey)
			r.i(v.ProcessInstanceKey)
			r.i(v.ProcessDefinitionKey)
			r.s(v.BPMNProcessID)
			r.s(v.MessageName)
			r.s(v.CorrelationKey)
			r.i(flag(v.Interrupting))
			r.s(v.TenantID)
			r.end()
		}
		out = append(out, r)
	}
	return out
}

// crossingParts reads partition p's inbox and live remote subscriptions.
func (p Part) crossingParts() []loadPart {
	if !p.Split() {
		return nil
	}
	inbox := PartitionInbox.Select("WHERE " + p.Keys("key") + " ORDER BY key")
	remote := RemoteSubscriptions.Select(fmt.Sprintf("WHERE live = 1 AND partition = %d ORDER BY key", p.P))
	return []loadPart{
		part(inbox, ScanInbox, func(s *state.Snapshot) *[]state.InboxRow { return &s.Inbox }),
		part(remote, ScanRemoteSubscription, func(s *state.Snapshot) *[]state.RemoteSubscription { return &s.RemoteSubscriptions }),
	}
}

// ScanInbox reads a partition_inbox row.
func ScanInbox(scan Scan) (state.InboxRow, error) {
	var key, pos int64
	if err := scan(&key, &pos); err != nil {
		return state.InboxRow{}, fmt.Errorf("read inbox: %w", err)
	}
	return state.InboxRow{Source: int32(key & (1<<record.KeyPartitionShift - 1)), Position: pos}, nil // #nosec G115 -- a partition number
}

// ScanRemoteSubscription reads a remote_message_subscriptions row.
func ScanRemoteSubscription(scan Scan) (state.RemoteSubscription, error) {
	var m state.RemoteSubscription
	v := &m.Value
	var live, partition, interrupting int64
	if err := scan(&m.Key, &live, &partition, &m.MessageKey, &v.ElementID, &v.ElementInstanceKey, &v.ProcessInstanceKey,
		&v.ProcessDefinitionKey, &v.BPMNProcessID, &v.MessageName, &v.CorrelationKey, &interrupting, &v.TenantID); err != nil {
		return m, fmt.Errorf("read remote message subscription: %w", err)
	}
	v.Interrupting = interrupting != 0
	return m, nil
}

// InboxFloor returns the highest position the partition's log compaction
// may reach in a store of several partitions: the lowest inbox position
// for it over the other partitions (a command of its log above it may not
// be applied yet; a partition without a row has applied none). ok is false
// for a store of one partition.
func (p Part) InboxFloor(ctx context.Context, fetch Fetch) (floor int64, ok bool, err error) {
	if !p.Split() {
		return 0, false, nil
	}
	keys := make([]string, 0, p.Count-1)
	for t := int32(1); t <= p.Count; t++ {
		if t != p.P {
			keys = append(keys, strconv.FormatInt(record.Key(t, int64(p.P)), 10))
		}
	}
	var n, low int64
	q := "SELECT count(*), coalesce(min(position), 0) FROM partition_inbox WHERE key IN (" + strings.Join(keys, ", ") + ")"
	if err := fetch(ctx, q, nil, func(scan Scan) error { return scan(&n, &low) }); err != nil {
		return 0, false, fmt.Errorf("read the inboxes of partition %d's commands: %w", p.P, err)
	}
	if n < int64(len(keys)) {
		return store.PositionBase(p.P), true, nil
	}
	return low, true, nil
}

// DeleteClosedRemoteRows is the statement, run with DeleteInstanceRows,
// that deletes the closed remote message subscriptions of removed process
// instances (in as for DeleteInstanceRows); an open one stays with its
// message partition's state. Only stores with the crossing tables run it.
func DeleteClosedRemoteRows(in string) string {
	return `DELETE FROM remote_message_subscriptions WHERE live = 0 AND process_instance_key ` + in
}
