package storesuite

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/elements/standard"
)

// PartitionStore is how RunPartitions opens one kind of store.
type PartitionStore struct {
	// Open returns a new, empty store.Partitioned; the suite closes it.
	Open func(t *testing.T) store.Store
	// Reopen closes s and opens the same store again, the way a restarted
	// process would; nil for a store that does not survive its process.
	Reopen func(t *testing.T, s store.Store) store.Store
	// Tamper changes the stored data of partition p's first log segment
	// behind the store's back; nil for a store without a hash chain.
	Tamper func(t *testing.T, s store.Store, p int32)
	// Property runs the rapid property over random interleavings, which
	// opens a store per check: for stores that open in microseconds.
	Property bool
}

// RunPartitions runs the contract of store.Partitioned on a store: several
// partitions committing at once, each with its own log, counters, chain
// and compaction, over shared rows.
func RunPartitions(t *testing.T, c PartitionStore) {
	t.Helper()
	for _, n := range []int32{2, 4} {
		t.Run(fmt.Sprintf("Concurrent%dPartitions", n), func(t *testing.T) { t.Parallel(); partitionsConcurrent(t, c, n) })
	}
	t.Run("OnePartitionIsTheStore", func(t *testing.T) { t.Parallel(); partitionOneIsTheStore(t, c) })
	t.Run("ViewsAndTheirBounds", func(t *testing.T) { t.Parallel(); partitionViews(t, c) })
	t.Run("CompactionPerPartition", func(t *testing.T) { t.Parallel(); partitionCompaction(t, c) })
	t.Run("ChainPerPartition", func(t *testing.T) { t.Parallel(); partitionChains(t, c) })
	t.Run("ReopenKeepsEveryPartition", func(t *testing.T) { t.Parallel(); partitionsReopen(t, c) })
	t.Run("CrossingRowsPerPartition", func(t *testing.T) { t.Parallel(); partitionCrossing(t, c) })
	t.Run("CompactionStopsAtTheInboxes", func(t *testing.T) { t.Parallel(); partitionCompactionFloor(t, c) })
	t.Run("RetentionRemovesClosedRemoteSubscriptions", func(t *testing.T) { t.Parallel(); partitionRetention(t, c) })
	t.Run("InterleavedCommits", func(t *testing.T) {
		t.Parallel()
		rnd := rand.New(rand.NewPCG(21, 1))
		ops := make([]interleaveOp, 60)
		for i := range ops {
			ops[i] = interleaveOp{P: int32(1 + rnd.IntN(3)), Records: 1 + rnd.IntN(4), Foreign: rnd.IntN(4) == 0}
		}
		st := openPartitioned(t, c, 3)
		interleave(t, st, 3, ops)
	})
	if c.Property {
		t.Run("InterleavedCommitsProperty", func(t *testing.T) {
			t.Parallel()
			rapid.Check(t, func(rt *rapid.T) {
				n := rapid.Int32Range(1, 4).Draw(rt, "partitions")
				ops := rapid.SliceOfN(rapid.Custom(func(rt *rapid.T) interleaveOp {
					return interleaveOp{P: rapid.Int32Range(1, n).Draw(rt, "p"), Records: rapid.IntRange(1, 5).Draw(rt, "records"),
						Foreign: rapid.Bool().Draw(rt, "foreign")}
				}), 0, 40).Draw(rt, "commits")
				st := c.Open(t)
				defer func() { _ = st.Close() }()
				if err := store.CheckPartitions(context.Background(), st, n); err != nil {
					rt.Fatal(err)
				}
				interleave(rt, st, n, ops)
			})
		})
	}
}

// openPartitioned opens a store, keeps n partitions and returns it; the
// test closes it.
func openPartitioned(t *testing.T, c PartitionStore, n int32) store.Store {
	t.Helper()
	st := c.Open(t)
	t.Cleanup(func() { _ = st.Close() })
	if err := store.CheckPartitions(context.Background(), st, n); err != nil {
		t.Fatalf("keep %d partitions: %v", n, err)
	}
	return st
}

// views returns partitions 1..n of st.
func views(t *testing.T, st store.Store, n int32) []store.Store {
	t.Helper()
	ps, ok := st.(store.Partitioned)
	if !ok {
		t.Fatalf("%T is not a store.Partitioned", st)
	}
	out := make([]store.Store, n)
	for p := int32(1); p <= n; p++ {
		v, err := ps.Partition(p)
		if err != nil {
			t.Fatalf("partition %d: %v", p, err)
		}
		out[p-1] = v
	}
	return out
}

// partitionWorkload drives a processor of partition p on the state that
// p's view loads, committing to the view. Partition 1 deploys the models
// first: the other partitions load them from the shared rows (until the
// engine distributes deployments, that is how they know them).
func partitionWorkload(t *testing.T, seed uint64, p int32, view store.Store) *workload {
	t.Helper()
	st := restore(t, snapshot(t, view))
	reg := standard.Registry()
	w := &workload{t: t, p: engine.NewProcessor(p, st, reg), rnd: rand.New(rand.NewPCG(seed, uint64(p))), now: epoch,
		stores: []store.Store{view}}
	if p != 1 {
		return w
	}
	var resources []record.Resource
	for _, f := range []string{"w1.bpmn", "fork-join.bpmn", "xor-no-default.bpmn"} {
		b, err := models.ReadFile("testdata/" + f)
		if err != nil {
			t.Fatal(err)
		}
		resources = append(resources, record.Resource{Name: f, Content: b})
	}
	res := w.do(&record.Record{ValueType: record.TypeDeployment, Intent: record.IntentDeploymentCreate, Version: 1,
		Value: &record.DeploymentValue{Resources: resources}})
	if res.Rejection != nil {
		t.Fatalf("deploy: %v", res.Rejection)
	}
	w.flush()
	return w
}

// runPartitions starts a workload on each view (partition 1 first, so the
// others load its deployment) and runs them at the same time, steps
// commands each.
func runPartitions(t *testing.T, vs []store.Store, seed uint64, steps int) []*workload {
	t.Helper()
	ws := make([]*workload, len(vs))
	ws[0] = partitionWorkload(t, seed, 1, vs[0])
	for i := 1; i < len(vs); i++ {
		ws[i] = partitionWorkload(t, seed, int32(i+1), vs[i])
	}
	t.Run("commit", func(t *testing.T) {
		for i, w := range ws {
			t.Run(fmt.Sprintf("partition%d", i+1), func(t *testing.T) {
				t.Parallel()
				w.t = t
				w.run(steps)
			})
		}
	})
	for _, w := range ws {
		w.t = t
	}
	if t.Failed() {
		t.FailNow()
	}
	return ws
}

// checkPartitions checks each partition's log, positions and loaded state
// against its workload.
func checkPartitions(t *testing.T, vs []store.Store, ws []*workload) {
	t.Helper()
	for i, v := range vs {
		p := int32(i + 1)
		w := ws[i]
		recs := readAll(t, v)
		sameRecords(t, recs, w.log)
		for j, r := range recs {
			if got := store.PositionPartition(r.Position); got != p {
				t.Fatalf("partition %d's log holds position %d of partition %d", p, r.Position, got)
			}
			if want := store.PositionBase(p) + int64(j) + 1; r.Position != want {
				t.Fatalf("partition %d's record %d is at position %d, want %d", p, j, r.Position, want)
			}
		}
		snap := snapshot(t, v)
		if got, want := string(restore(t, snap).Dump()), string(w.st().Dump()); got != want {
			t.Fatalf("partition %d: the state its view loads differs from its live state:\ngot  %s\nwant %s", p, got, want)
		}
		if len(snap.Processes) == 0 {
			t.Fatalf("partition %d loaded no process definitions", p)
		}
		owned := func(k int64) {
			if record.Partition(k) != p {
				t.Fatalf("partition %d loaded a row keyed %d of partition %d", p, k, record.Partition(k))
			}
		}
		for _, e := range snap.Elements {
			owned(e.Key)
		}
		for _, j := range snap.Jobs {
			owned(j.Key)
		}
		for _, vr := range snap.Variables {
			owned(vr.Key)
		}
		for _, in := range snap.Incidents {
			owned(in.Key)
		}
		if len(w.instances) == 0 || len(snap.Elements) == 0 {
			t.Fatalf("partition %d: the workload left too little to test with (%d instances, %d live elements)", p, len(w.instances), len(snap.Elements))
		}
	}
}

// partitionsConcurrent runs n partitions at once and checks that each
// keeps its own log, positions and rows.
func partitionsConcurrent(t *testing.T, c PartitionStore, n int32) {
	st := openPartitioned(t, c, n)
	vs := views(t, st, n)
	ws := runPartitions(t, vs, 31+uint64(n), 80)
	checkPartitions(t, vs, ws)
	// The searches read the shared tables: every partition's instances.
	q := querier(t, st)
	for i, w := range ws {
		key := w.instances[0]
		page, err := q.SearchProcessInstances(context.Background(), store.Query{Conditions: []store.Condition{{Field: "processInstanceKey", Op: store.OpEq, Value: key}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != 1 {
			t.Fatalf("searching partition %d's instance %d found %d", i+1, key, len(page.Items))
		}
	}
}

// partitionOneIsTheStore checks that partition 1 of a store of one
// partition reads what the store wrote before it was asked for partitions,
// and writes what the store reads.
func partitionOneIsTheStore(t *testing.T, c PartitionStore) {
	ctx := context.Background()
	st := c.Open(t)
	t.Cleanup(func() { _ = st.Close() })
	w := newWorkload(t, 41, st)
	w.run(60)
	if err := store.CheckPartitions(ctx, st, 1); err != nil {
		t.Fatal(err)
	}
	v := views(t, st, 1)[0]
	sameRecords(t, readAll(t, v), w.log)
	sameSnapshot(t, snapshot(t, v), snapshot(t, st))
	w.stores = []store.Store{v}
	w.run(40)
	sameRecords(t, readAll(t, st), w.log)
	sameSnapshot(t, snapshot(t, st), snapshot(t, v))
	if got, want := string(restore(t, snapshot(t, st)).Dump()), string(w.st().Dump()); got != want {
		t.Fatalf("the store's state after commits through partition 1 differs:\ngot  %s\nwant %s", got, want)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	sameRecords(t, readAll(t, st), w.log) // closing the view left the store open
}

// partitionViews checks the bounds of Partition and that a view's Close
// leaves the store and the other views open.
func partitionViews(t *testing.T, c PartitionStore) {
	ctx := context.Background()
	st := c.Open(t)
	t.Cleanup(func() { _ = st.Close() })
	ps, ok := st.(store.Partitioned)
	if !ok {
		t.Fatalf("%T is not a store.Partitioned", st)
	}
	if _, err := ps.Partition(2); err == nil {
		t.Fatal("partition 2 of a store that keeps no count yet was given")
	}
	if err := store.CheckPartitions(ctx, st, 3); err != nil {
		t.Fatal(err)
	}
	for _, p := range []int32{0, -1, 4} {
		if _, err := ps.Partition(p); err == nil {
			t.Fatalf("partition %d of 3 was given", p)
		}
	}
	vs := views(t, st, 3)
	again, err := ps.Partition(2)
	if err != nil {
		t.Fatal(err)
	}
	if again != vs[1] {
		t.Fatal("asking twice for partition 2 gave two views")
	}
	for p := int32(1); p <= 3; p++ {
		snap := snapshot(t, vs[p-1])
		if snap.LastPosition != store.PositionBase(p) {
			t.Fatalf("partition %d is empty but its last position is %d, want %d", p, snap.LastPosition, store.PositionBase(p))
		}
		if p > 1 && snap.LastKey != store.KeyBase(p) {
			t.Fatalf("partition %d is empty but its last key is %d, want %d", p, snap.LastKey, store.KeyBase(p))
		}
	}
	ws := runPartitions(t, vs, 51, 30)
	if err := vs[1].Close(); err != nil {
		t.Fatal(err)
	}
	if err := vs[1].ReadLog(ctx, 0, func(*record.Record) error { return nil }); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("a closed view read its log: %v", err)
	}
	ws[0].run(10)
	ws[2].run(10)
	reopened, err := ps.Partition(2)
	if err != nil {
		t.Fatal(err)
	}
	vs[1] = reopened
	ws[1].stores = []store.Store{reopened}
	ws[1].run(10)
	checkPartitions(t, vs, ws)
}

// partitionCompaction checks that checkpoints and compaction work on one
// partition's log and leave the others' alone.
func partitionCompaction(t *testing.T, c PartitionStore) {
	ctx := context.Background()
	st := openPartitioned(t, c, 3)
	vs := views(t, st, 3)
	ws := runPartitions(t, vs, 61, 50)
	lc := func(p int32) store.LogCompactor {
		l, ok := vs[p-1].(store.LogCompactor)
		if !ok {
			t.Fatalf("partition %d's view %T is not a store.LogCompactor", p, vs[p-1])
		}
		return l
	}
	at := time.UnixMilli(epoch).Add(time.Hour)
	info, err := lc(2).WriteCheckpoint(ctx, at)
	if err != nil {
		t.Fatal(err)
	}
	last2 := ws[1].log[len(ws[1].log)-1].Position
	if info.Position != last2 {
		t.Fatalf("partition 2's checkpoint is at position %d, want its last %d", info.Position, last2)
	}
	// Partition 2 goes on, so that its checkpoint is not at its last
	// segment and compaction has something to remove.
	ws[1].run(20)
	// Partition 2's log is compacted only up to what the other partitions
	// applied of it (crossingtests.go): they read it up to its checkpoint.
	for _, p := range []int32{1, 3} {
		advanceInbox(t, ws[p-1], 2, info.Position)
	}
	res, err := lc(2).CompactLog(ctx, store.CompactRequest{Before: time.UnixMilli(epoch).Add(1000 * time.Hour), Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if res.Removed == 0 || store.PositionPartition(res.Anchor.Position) != 2 || res.Anchor.Position > info.Position {
		t.Fatalf("compacting partition 2 removed %d segments up to position %d, want some of its own up to %d", res.Removed, res.Anchor.Position, info.Position)
	}
	err = vs[1].ReadLog(ctx, 0, func(*record.Record) error { return nil })
	if !errors.Is(err, store.ErrCompacted) {
		t.Fatalf("reading partition 2's compacted log from its start: %v, want a compacted error", err)
	}
	var kept []*record.Record
	for _, r := range ws[1].log {
		if r.Position > res.Anchor.Position {
			kept = append(kept, r)
		}
	}
	var got []*record.Record
	if err := vs[1].ReadLog(ctx, res.Anchor.Position+1, func(r *record.Record) error { got = append(got, r); return nil }); err != nil {
		t.Fatal(err)
	}
	sameRecords(t, got, kept)
	for _, p := range []int32{1, 3} {
		sameRecords(t, readAll(t, vs[p-1]), ws[p-1].log)
		status, err := lc(p).LogStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if status.Anchor.Position != 0 || status.Checkpoint.Position != 0 {
			t.Fatalf("partition %d's log status changed with partition 2's compaction: %+v", p, status)
		}
		if status.Head != ws[p-1].log[len(ws[p-1].log)-1].Position {
			t.Fatalf("partition %d's head is %d, want %d", p, status.Head, ws[p-1].log[len(ws[p-1].log)-1].Position)
		}
	}
	cp, ok, err := lc(2).LogCheckpoint(ctx)
	if err != nil || !ok {
		t.Fatalf("partition 2's checkpoint: %v (found %v)", err, ok)
	}
	if cp.Position != info.Position || cp.State.LastPosition != info.Position {
		t.Fatalf("partition 2's checkpoint is at %d with a state at %d, want %d", cp.Position, cp.State.LastPosition, info.Position)
	}
	for _, e := range cp.State.Elements {
		if record.Partition(e.Key) != 2 {
			t.Fatalf("partition 2's checkpoint holds element %d of partition %d", e.Key, record.Partition(e.Key))
		}
	}
	// A checkpoint of partition 3 keeps partition 2's.
	if _, err := lc(3).WriteCheckpoint(ctx, at); err != nil {
		t.Fatal(err)
	}
	if cp2, ok, err := lc(2).LogCheckpoint(ctx); err != nil || !ok || cp2.Position != info.Position {
		t.Fatalf("partition 2's checkpoint after partition 3's: %+v, %v, %v", cp2.CheckpointInfo, ok, err)
	}
	if cv, ok := vs[1].(store.ChainVerifier); ok {
		rep, err := cv.VerifyChain(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Broken != nil || rep.AnchorPosition != res.Anchor.Position {
			t.Fatalf("partition 2's chain after compaction: broken %v, anchor %d, want none and %d", rep.Broken, rep.AnchorPosition, res.Anchor.Position)
		}
	}
}

// partitionChains checks that each partition's hash chain verifies on its
// own, and that a changed segment is reported for its partition only.
func partitionChains(t *testing.T, c PartitionStore) {
	if c.Tamper == nil {
		t.Skip("the store keeps no hash chain")
	}
	ctx := context.Background()
	st := openPartitioned(t, c, 3)
	vs := views(t, st, 3)
	ws := runPartitions(t, vs, 71, 40)
	verify := func(p int32) store.ChainReport {
		t.Helper()
		cv, ok := vs[p-1].(store.ChainVerifier)
		if !ok {
			t.Fatalf("partition %d's view %T is not a store.ChainVerifier", p, vs[p-1])
		}
		rep, err := cv.VerifyChain(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	for p := int32(1); p <= 3; p++ {
		rep := verify(p)
		w := ws[p-1]
		if rep.Broken != nil || rep.Partition != p || rep.LastPosition != w.log[len(w.log)-1].Position || rep.Segments != int64(len(w.batches)) || rep.Unchained != 0 {
			t.Fatalf("partition %d's chain: %+v, want unbroken, ending at %d after %d segments", p, rep, w.log[len(w.log)-1].Position, len(w.batches))
		}
	}
	c.Tamper(t, st, 2)
	for p := int32(1); p <= 3; p++ {
		rep := verify(p)
		switch {
		case p == 2 && (rep.Broken == nil || rep.Broken.Problem != store.ChainHashMismatch || store.PositionPartition(rep.Broken.FirstPosition) != 2):
			t.Fatalf("partition 2's changed segment was not reported: %+v", rep)
		case p != 2 && rep.Broken != nil:
			t.Fatalf("partition %d's chain is reported broken after a change to partition 2's: %v", p, rep.Broken)
		}
	}
}

// partitionsReopen checks that every partition's log, rows and chain
// survive a restart, and that each goes on where it stopped.
func partitionsReopen(t *testing.T, c PartitionStore) {
	if c.Reopen == nil {
		t.Skip("the store is not durable")
	}
	ctx := context.Background()
	st := c.Open(t)
	if err := store.CheckPartitions(ctx, st, 2); err != nil {
		t.Fatal(err)
	}
	vs := views(t, st, 2)
	ws := runPartitions(t, vs, 81, 50)
	before := []*state.Snapshot{snapshot(t, vs[0]), snapshot(t, vs[1])}
	st = c.Reopen(t, st)
	t.Cleanup(func() { _ = st.Close() })
	if err := store.CheckPartitions(ctx, st, 2); err != nil {
		t.Fatal(err)
	}
	vs = views(t, st, 2)
	for i := range vs {
		sameSnapshot(t, snapshot(t, vs[i]), before[i])
		ws[i].stores = []store.Store{vs[i]}
	}
	checkPartitions(t, vs, ws)
	for _, w := range ws {
		w.run(30)
	}
	checkPartitions(t, vs, ws)
	for i, v := range vs {
		if cv, ok := v.(store.ChainVerifier); ok {
			rep, err := cv.VerifyChain(ctx)
			if err != nil || rep.Broken != nil {
				t.Fatalf("partition %d's chain after a restart: %v, %v", i+1, err, rep.Broken)
			}
		}
	}
}

// interleaveOp is one commit of InterleavedCommits: Records timer records
// and rows and a tenant row to partition P; when Foreign, the tenant row
// and a timer row more are keyed in another partition (partition 1's, or
// the last one's for partition 1): partition P must not write the timer,
// and writes the tenant only if it is partition 1.
type interleaveOp struct {
	P       int32
	Records int
	Foreign bool
}

// failer is what interleave needs of *testing.T and *rapid.T.
type failer interface {
	Helper()
	Fatalf(format string, args ...any)
}

// interleave commits ops to partitions 1..n of st, one at a time, and
// checks each partition's log, counters and timers, and the tenants every
// partition loads, against a model: a partition writes the per-instance
// rows it owns, partition 1 the cluster-wide ones, and each loads its own
// plus every cluster-wide row.
func interleave(t failer, st store.Store, n int32, ops []interleaveOp) {
	t.Helper()
	ctx := context.Background()
	ps, ok := st.(store.Partitioned)
	if !ok {
		t.Fatalf("%T is not a store.Partitioned", st)
	}
	vs := make([]store.Store, n)
	for p := int32(1); p <= n; p++ {
		v, err := ps.Partition(p)
		if err != nil {
			t.Fatalf("partition %d: %v", p, err)
		}
		vs[p-1] = v
	}
	type model struct {
		positions []int64
		counter   int64 // of the keys handed out
		lastKey   int64
		timers    []int64
	}
	ms := make([]model, n)
	for p := int32(2); p <= n; p++ {
		ms[p-1].lastKey = store.KeyBase(p) // partition 1's starts at 0, as a store's always did
	}
	var tenants []int64
	var foreign int64
	for _, op := range ops {
		m := &ms[op.P-1]
		b := &store.Batch{}
		pos := store.PositionBase(op.P) + int64(len(m.positions))
		for range op.Records {
			pos++
			m.counter++
			m.lastKey = record.Key(op.P, m.counter)
			b.Records = append(b.Records, &record.Record{Position: pos, SourcePosition: -1, Key: m.lastKey, Kind: record.KindEvent,
				ValueType: record.TypeTimer, Intent: record.IntentTimerCreated, Version: 1, Timestamp: epoch,
				Value: &record.TimerValue{ElementID: "t", ElementInstanceKey: m.lastKey, ProcessInstanceKey: m.lastKey, DueDate: epoch}})
			b.Changes.Timers = append(b.Changes.Timers, state.TimerRow{Live: true, Timer: state.Timer{Key: m.lastKey,
				Value: record.TimerValue{ElementID: "t", ElementInstanceKey: m.lastKey, ProcessInstanceKey: m.lastKey, DueDate: epoch, TenantID: "<default>"}}})
			m.positions = append(m.positions, pos)
			m.timers = append(m.timers, m.lastKey)
		}
		m.counter++
		m.lastKey = record.Key(op.P, m.counter)
		key := m.lastKey
		if op.Foreign {
			// A row keyed in another partition: partition 1's for the
			// others, the last partition's for partition 1.
			other := int32(1)
			if op.P == 1 {
				other = n
			}
			foreign++
			key = record.Key(other, 1<<40+foreign)
		}
		b.Changes.Tenants = append(b.Changes.Tenants, state.TenantRow{Live: true, Tenant: state.Tenant{Key: key,
			Value: record.TenantValue{TenantKey: key, TenantID: fmt.Sprintf("tenant-%d", key), Name: "t"}}})
		if op.P == 1 { // only partition 1 writes the cluster-wide rows
			tenants = append(tenants, key)
		}
		if op.Foreign {
			b.Changes.Timers = append(b.Changes.Timers, state.TimerRow{Live: true, Timer: state.Timer{Key: key,
				Value: record.TimerValue{ElementID: "t", ElementInstanceKey: key, ProcessInstanceKey: key, DueDate: epoch, TenantID: "<default>"}}})
			if store.OwnsKey(op.P, n, key) { // one partition: it owns every key
				m.timers = append(m.timers, key)
			}
		}
		b.Changes.LastKey, b.Changes.LastPosition = m.lastKey, pos
		if err := vs[op.P-1].Commit(ctx, b); err != nil {
			t.Fatalf("commit to partition %d: %v", op.P, err)
		}
	}
	slices.Sort(tenants)
	for p := int32(1); p <= n; p++ {
		m := ms[p-1]
		var got []int64
		if err := vs[p-1].ReadLog(ctx, 0, func(r *record.Record) error { got = append(got, r.Position); return nil }); err != nil {
			t.Fatalf("read partition %d's log: %v", p, err)
		}
		if !slices.Equal(got, m.positions) {
			t.Fatalf("partition %d's log holds positions %v, want %v", p, got, m.positions)
		}
		l, ok := vs[p-1].(store.Loader)
		if !ok {
			t.Fatalf("partition %d's view %T is not a store.Loader", p, vs[p-1])
		}
		snap, err := l.Load(ctx)
		if err != nil {
			t.Fatalf("load partition %d: %v", p, err)
		}
		wantPos := store.PositionBase(p)
		if len(m.positions) > 0 {
			wantPos = m.positions[len(m.positions)-1]
		}
		if snap.LastPosition != wantPos || snap.LastKey != m.lastKey {
			t.Fatalf("partition %d's counters are %d, %d; want %d, %d", p, snap.LastKey, snap.LastPosition, m.lastKey, wantPos)
		}
		var timers, ts []int64
		for _, tm := range snap.Timers {
			timers = append(timers, tm.Key)
		}
		slices.Sort(m.timers)
		if !slices.Equal(timers, m.timers) {
			t.Fatalf("partition %d loads timers %v, want %v", p, timers, m.timers)
		}
		for _, tn := range snap.Tenants {
			ts = append(ts, tn.Key)
		}
		if !slices.Equal(ts, tenants) {
			t.Fatalf("partition %d loads tenants %v, want every one a partition owned %v", p, ts, tenants)
		}
	}
}
