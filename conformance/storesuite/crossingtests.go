package storesuite

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

// partitionCrossing checks the crossing rows of a partition (its inbox
// and the remote message subscriptions it keeps, docs/scaling.md): a
// partition loads its own, with every field, and no other partition's; a
// closed subscription is not loaded; a later inbox row replaces the
// earlier one of its source; and they survive a reopen.
func partitionCrossing(t *testing.T, c PartitionStore) {
	st := openPartitioned(t, c, 3)
	vs := views(t, st, 3)
	remote := func(key int64, name string) state.RemoteSubscription {
		return state.RemoteSubscription{Key: key, MessageKey: store.KeyBase(2) + 9, Value: record.MessageSubscriptionValue{
			ElementID: "catch", ElementInstanceKey: key - 1, ProcessInstanceKey: key - 2, ProcessDefinitionKey: 10,
			BPMNProcessID: "proc", MessageName: name, CorrelationKey: "order-1", Interrupting: true, TenantID: "tenant-a"}}
	}
	open, closed := remote(store.KeyBase(3)+7, "paid"), remote(store.KeyBase(1)+7, "gone")
	open.Value.Interrupting = false
	at := func(p int32, n int64) []*record.Record {
		return []*record.Record{{Position: store.PositionBase(p) + n, Kind: record.KindEvent, ValueType: record.TypePartitionInbox,
			Intent: record.IntentInboxApplied, Version: 1, Timestamp: epoch,
			Value: &record.InboxValue{SourcePartition: 3, SourcePosition: store.PositionBase(3) + n}}}
	}
	commit(t, vs[1], &store.Batch{Records: at(2, 1), Changes: state.Changes{
		Inbox: []state.InboxRow{{Source: 1, Position: 5}, {Source: 3, Position: store.PositionBase(3) + 1}},
		RemoteSubscriptions: []state.RemoteSubscriptionRow{
			{RemoteSubscription: open, Live: true}, {RemoteSubscription: closed, Live: true}},
		LastKey: store.KeyBase(2), LastPosition: store.PositionBase(2) + 1,
	}})
	commit(t, vs[1], &store.Batch{Records: at(2, 2), Changes: state.Changes{
		Inbox:               []state.InboxRow{{Source: 3, Position: store.PositionBase(3) + 2}},
		RemoteSubscriptions: []state.RemoteSubscriptionRow{{RemoteSubscription: closed, Live: false}},
		LastKey:             store.KeyBase(2), LastPosition: store.PositionBase(2) + 2,
	}})
	commit(t, vs[2], &store.Batch{Records: at(3, 1), Changes: state.Changes{
		Inbox:   []state.InboxRow{{Source: 2, Position: store.PositionBase(2) + 1}},
		LastKey: store.KeyBase(3), LastPosition: store.PositionBase(3) + 1,
	}})
	check := func(vs []store.Store) {
		t.Helper()
		got := snapshot(t, vs[1])
		wantInbox := []state.InboxRow{{Source: 1, Position: 5}, {Source: 3, Position: store.PositionBase(3) + 2}}
		if !reflect.DeepEqual(got.Inbox, wantInbox) {
			t.Errorf("partition 2 loaded inbox %+v, want %+v", got.Inbox, wantInbox)
		}
		if want := []state.RemoteSubscription{open}; !reflect.DeepEqual(got.RemoteSubscriptions, want) {
			t.Errorf("partition 2 loaded remote subscriptions %+v, want %+v", got.RemoteSubscriptions, want)
		}
		third := snapshot(t, vs[2])
		if want := []state.InboxRow{{Source: 2, Position: store.PositionBase(2) + 1}}; !reflect.DeepEqual(third.Inbox, want) {
			t.Errorf("partition 3 loaded inbox %+v, want %+v", third.Inbox, want)
		}
		if len(third.RemoteSubscriptions) != 0 {
			t.Errorf("partition 3 loaded partition 2's remote subscriptions: %+v", third.RemoteSubscriptions)
		}
		if first := snapshot(t, vs[0]); len(first.Inbox) != 0 || len(first.RemoteSubscriptions) != 0 {
			t.Errorf("partition 1 loaded others' crossing rows: %+v %+v", first.Inbox, first.RemoteSubscriptions)
		}
	}
	check(vs)
	if c.Reopen != nil {
		st = c.Reopen(t, st)
		t.Cleanup(func() { _ = st.Close() })
		if err := store.CheckPartitions(context.Background(), st, 3); err != nil {
			t.Fatal(err)
		}
		check(views(t, st, 3))
	}
}

// advanceInbox has w's partition note that it applied source's log up to
// position (PARTITION_INBOX ADVANCE, as its forwarder sends it) and
// commits the batch.
func advanceInbox(t *testing.T, w *workload, source int32, position int64) {
	t.Helper()
	w.do(&record.Record{ValueType: record.TypePartitionInbox, Intent: record.IntentInboxAdvance, Version: 1,
		Value: &record.InboxValue{SourcePartition: source, SourcePosition: position}})
	w.flush()
}

// partitionCompactionFloor checks that a partition's log compaction stops
// below the lowest position another partition has not applied of it
// (its inbox there; a partition that applied nothing of it keeps it
// whole), and follows the inboxes as they advance.
func partitionCompactionFloor(t *testing.T, c PartitionStore) {
	ctx := context.Background()
	st := openPartitioned(t, c, 3)
	vs := views(t, st, 3)
	ws := runPartitions(t, vs, 71, 40)
	lc := vs[1].(store.LogCompactor)
	at := time.UnixMilli(epoch).Add(time.Hour)
	info, err := lc.WriteCheckpoint(ctx, at)
	if err != nil {
		t.Fatal(err)
	}
	ws[1].run(10)
	compact := func() store.CompactResult {
		t.Helper()
		res, err := lc.CompactLog(ctx, store.CompactRequest{Before: time.UnixMilli(epoch).Add(1000 * time.Hour), Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := compact(); res.Removed != 0 {
		t.Fatalf("partition 2's log was compacted to %d while no partition applied any of it", res.Anchor.Position)
	}
	mid := ws[1].batches[len(ws[1].batches)/3]
	advanceInbox(t, ws[0], 2, info.Position)
	advanceInbox(t, ws[2], 2, mid)
	res := compact()
	if res.Removed == 0 || res.Anchor.Position > mid {
		t.Fatalf("partition 2's log was compacted to %d (%d segments), want some of it up to partition 3's inbox %d", res.Anchor.Position, res.Removed, mid)
	}
	advanceInbox(t, ws[2], 2, info.Position)
	res = compact()
	if res.Anchor.Position <= mid || res.Anchor.Position > info.Position {
		t.Fatalf("partition 2's log was compacted to %d, want past %d up to its checkpoint %d", res.Anchor.Position, mid, info.Position)
	}
}

// partitionRetention checks that retention removes the closed remote
// subscriptions that a message partition keeps of a removed process
// instance with it, and keeps those still open.
func partitionRetention(t *testing.T, c PartitionStore) {
	ctx := context.Background()
	st := openPartitioned(t, c, 3)
	vs := views(t, st, 3)
	r, ok := st.(store.Retainer)
	if !ok {
		t.Skipf("%T does not implement store.Retainer", st)
	}
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f := NewRetentionFixture(t, vs[0], t0)
	a, b := f.Start("short"), f.Start("short")
	f.End(a)
	f.End(b)
	live := f.StartWaiting("short")
	remote := func(key, pi int64, live bool) state.RemoteSubscriptionRow {
		return state.RemoteSubscriptionRow{Live: live, RemoteSubscription: state.RemoteSubscription{Key: key, Value: record.MessageSubscriptionValue{
			ElementID: "catch", ElementInstanceKey: pi + 1, ProcessInstanceKey: pi, ProcessDefinitionKey: 10, BPMNProcessID: "short",
			MessageName: "paid", CorrelationKey: "o", TenantID: record.DefaultTenant}}}
	}
	open := remote(live+100, live, true)
	commit(t, vs[1], &store.Batch{Records: []*record.Record{{Position: store.PositionBase(2) + 1, Kind: record.KindEvent,
		ValueType: record.TypePartitionInbox, Intent: record.IntentInboxApplied, Version: 1, Timestamp: epoch,
		Value: &record.InboxValue{SourcePartition: 1, SourcePosition: 1}}}, Changes: state.Changes{
		RemoteSubscriptions: []state.RemoteSubscriptionRow{remote(a+100, a, false), remote(a+101, a, false), open},
		LastKey:             store.KeyBase(2), LastPosition: store.PositionBase(2) + 1,
	}})
	p := store.RetentionPolicy{Cutoff: t0.Add(time.Hour)}
	first, err := r.RemoveFinished(ctx, p, 1)
	if err != nil {
		t.Fatal(err)
	}
	second, err := r.RemoveFinished(ctx, p, 1)
	if err != nil {
		t.Fatal(err)
	}
	if first.Instances != 1 || second.Instances != 1 || first.Rows-second.Rows != 2 {
		t.Fatalf("removing instance %d (two closed remote subscriptions) took %d rows, instance %d (none) %d: want two more",
			a, first.Rows, b, second.Rows)
	}
	if got := snapshot(t, vs[1]).RemoteSubscriptions; !reflect.DeepEqual(got, []state.RemoteSubscription{open.RemoteSubscription}) {
		t.Fatalf("partition 2 keeps remote subscriptions %+v after retention, want the open one", got)
	}
}
