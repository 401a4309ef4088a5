package engine

import (
	"encoding/json"
	"fmt"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
)

// Inter-partition commands (docs/scaling.md, "Outbox and exactly-once
// apply"): a partition sends one by writing it into its own batch
// (Processor.send), so that it exists exactly when the change that made
// it committed; a Forwarder delivers it to the target partition's loop,
// stamped with its position in the sender's log; the target applies it
// exactly once (Processor.Process: delivered commands at or below the
// inbox position of their source are skipped, and every other one writes
// PARTITION_INBOX APPLIED after its own records).

// send writes an inter-partition command to target into the current
// command's records: a COMMAND record of this partition's log that a
// forwarder delivers once the batch committed.
func (p *Processor) send(target int32, key int64, intent record.Intent, v record.Routed) error {
	*v.Routing() = record.Route{TargetPartition: target}
	r := &record.Record{
		Position: p.st.LastPosition() + 1, SourcePosition: p.cmd.Position, Key: key,
		Kind: record.KindCommand, ValueType: v.ValueType(), Intent: intent, Version: 1,
		Timestamp: p.cmd.Timestamp, Value: v,
	}
	if err := p.st.Apply(r); err != nil {
		return err
	}
	p.out = append(p.out, r)
	return nil
}

// deliveredFrom returns the route of a delivered inter-partition command,
// nil for any other command.
func deliveredFrom(cmd *record.Record) *record.Route {
	if cmd.Kind != record.KindCommand && cmd.Kind != 0 {
		return nil
	}
	rt, ok := cmd.Value.(record.Routed)
	if !ok || rt.Routing().SourcePosition <= 0 {
		return nil
	}
	return rt.Routing()
}

// applied reports whether the partition applied the delivered command at
// route's source position already.
func (p *Processor) applied(route *record.Route) bool {
	return route.SourcePosition <= p.st.Inbox(store.PositionPartition(route.SourcePosition))
}

// noteApplied writes that the delivered command of route was applied.
func (p *Processor) noteApplied(route *record.Route) error {
	return p.write(0, record.IntentInboxApplied, &record.InboxValue{
		SourcePartition: store.PositionPartition(route.SourcePosition), SourcePosition: route.SourcePosition,
	})
}

// advanceInbox handles PARTITION_INBOX ADVANCE: a forwarder read the
// source's log up to the position and delivered every command for this
// partition in it, so the inbox moves there (never back).
func (p *Processor) advanceInbox(v *record.InboxValue) error {
	if v.SourcePartition == p.partition || v.SourcePosition <= 0 || store.PositionPartition(v.SourcePosition) != v.SourcePartition {
		return reject(record.RejectionInvalidArgument, "expected a position of another partition's log, but got position %d of partition %d",
			v.SourcePosition, v.SourcePartition)
	}
	if v.SourcePosition <= p.st.Inbox(v.SourcePartition) {
		return nil
	}
	return p.write(0, record.IntentInboxApplied, &record.InboxValue{SourcePartition: v.SourcePartition, SourcePosition: v.SourcePosition})
}

// routedTo reports whether r is an inter-partition command of its
// sender's log for target.
func routedTo(r *record.Record, target int32) bool {
	if r.Kind != record.KindCommand {
		return false
	}
	rt, ok := r.Value.(record.Routed)
	return ok && rt.Routing().SourcePosition == 0 && rt.Routing().TargetPartition == target
}

// delivery returns the command to submit to the target for r, an
// inter-partition command of its sender's log: a copy of r's value (the
// sender's record is never changed) stamped with r's position, keyless (a
// key names a row of the sender's).
func delivery(r *record.Record) (*record.Record, error) {
	b, err := record.AppendValueJSON(nil, r.Value)
	if err != nil {
		return nil, fmt.Errorf("copy inter-partition command at position %d: %w", r.Position, err)
	}
	v, err := record.NewValue(r.ValueType)
	if err != nil {
		return nil, fmt.Errorf("copy inter-partition command at position %d: %w", r.Position, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return nil, fmt.Errorf("copy inter-partition command at position %d: %w", r.Position, err)
	}
	rt, ok := v.(record.Routed)
	if !ok {
		return nil, fmt.Errorf("copy inter-partition command at position %d: %s is not routed", r.Position, r.ValueType)
	}
	rt.Routing().SourcePosition = r.Position
	return &record.Record{Kind: record.KindCommand, ValueType: r.ValueType, Intent: r.Intent, Version: r.Version, Value: v}, nil
}
