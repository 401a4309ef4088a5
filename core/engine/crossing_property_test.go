package engine_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/replaycheck"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/memstore"
	"github.com/example/wf-engine/core/store/pgstore"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
	"github.com/example/wf-engine/elements/standard"
)

// flaky is a partition's store whose next commits fail (nothing written)
// while fail is above zero: a crash of the partition before its commit, on
// the sending or the receiving side.
type flaky struct {
	store.Store
	fail atomic.Int32
}

var errInjected = errors.New("injected commit failure")

func (f *flaky) Commit(ctx context.Context, b *store.Batch) error {
	if n := f.fail.Load(); n > 0 && f.fail.CompareAndSwap(n, n-1) {
		return errInjected
	}
	return f.Store.Commit(ctx, b)
}

func (f *flaky) Load(ctx context.Context) (*state.Snapshot, error) {
	return f.Store.(store.Loader).Load(ctx)
}

// crossOp is one step of a random interleaving.
type crossOp struct {
	Kind int // 0 create, 1 cancel, 2 publish, 3 restart a partition, 4 fail a partition's next commits
	P    int32
	Key  int
	TTL  bool
	N    int32
}

func (o crossOp) String() string {
	return fmt.Sprintf("%s(p%d k%d ttl=%v n=%d)", [...]string{"create", "cancel", "publish", "restart", "fail"}[o.Kind], o.P, o.Key, o.TTL, o.N)
}

// crossRun runs ops on n partitions of s (kept already) and checks the
// exactly-once invariants once the forwarders are quiet.
type crossRun struct {
	t        tb
	s        store.Store
	n        int32
	crossing *engine.Crossing
	flakies  []*flaky
	r        *engine.Router
	live     []int64
}

func newCrossRun(t tb, s store.Store, n int32) *crossRun {
	ctx := context.Background()
	ps := s.(partitioned)
	c := &crossRun{t: t, s: s, n: n, crossing: engine.NewCrossing(n, ps.Partition, engine.ForwarderOptions{Poll: 10 * time.Millisecond})}
	var engines []*engine.Engine
	for p := int32(1); p <= n; p++ {
		v, err := ps.Partition(p)
		if err != nil {
			t.Fatal(err)
		}
		f := &flaky{Store: v}
		c.flakies = append(c.flakies, f)
		engines = append(engines, c.start(p))
	}
	r, err := engine.NewRouter(ctx, engines, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.r = r
	if _, err := r.Deploy(ctx, engine.DeployRequest{Resources: []record.Resource{{Name: "cross.bpmn", Content: []byte(crossXML)}}}); err != nil {
		t.Fatal(err)
	}
	return c
}

func (c *crossRun) start(p int32) *engine.Engine {
	e, err := engine.Start(context.Background(), engine.Config{Partition: p, Clock: clock.System{}, Store: c.flakies[p-1],
		Registry: standard.Registry(), Crossing: c.crossing})
	if err != nil {
		c.t.Fatalf("start partition %d: %v", p, err)
	}
	return e
}

// retryable reports an error a partition that failed a commit answers
// until it reloaded.
func retryable(err error) bool {
	return errors.Is(err, engine.ErrUnavailable) || errors.Is(err, engine.ErrStopped) || errors.Is(err, engine.ErrOverloaded)
}

func (c *crossRun) do(o crossOp) {
	ctx := context.Background()
	key := fmt.Sprintf("k%d", o.Key)
	switch o.Kind {
	case 0:
		ci, err := c.r.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "wait", Variables: map[string]any{"order": key}})
		if err == nil {
			c.live = append(c.live, ci.ProcessInstanceKey)
		} else if !retryable(err) {
			c.t.Fatalf("create: %v", err)
		}
	case 1:
		if len(c.live) == 0 {
			return
		}
		k := c.live[o.Key%len(c.live)]
		if err := c.r.CancelInstance(ctx, k); err != nil && !retryable(err) {
			if _, ok := engine.AsRejection(err); !ok { // ended already: NOT_FOUND
				c.t.Fatalf("cancel: %v", err)
			}
		}
	case 2:
		ttl := time.Duration(0)
		if o.TTL {
			ttl = time.Hour
		}
		if _, err := c.r.PublishMessage(ctx, engine.PublishMessageRequest{Name: "paid", CorrelationKey: key, TimeToLive: ttl}); err != nil && !retryable(err) {
			c.t.Fatalf("publish: %v", err)
		}
	case 3:
		if e := c.r.Detach(o.P); e != nil {
			_ = e.Close()
		}
		if err := c.r.Attach(ctx, c.start(o.P)); err != nil {
			c.t.Fatal(err)
		}
	case 4:
		c.flakies[o.P-1].fail.Store(o.N)
	}
}

// settle stops failing commits and waits until every inter-partition
// command was applied, twice in a row with the same counts.
func (c *crossRun) settle() {
	for _, f := range c.flakies {
		f.fail.Store(0)
	}
	views := c.views()
	last := -1
	deadline := time.Now().Add(30 * time.Second)
	for {
		sent, applied := routed(c.t, views)
		quiet, total := true, 0
		for p, s := range sent {
			total += len(s)
			if len(applied[p]) < len(s) {
				quiet = false
			}
		}
		if quiet && total == last {
			return
		}
		if quiet {
			last = total
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("inter-partition commands still unapplied after 30 s: sent %v applied %v", sent, applied)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (c *crossRun) views() []store.Store {
	out := make([]store.Store, len(c.flakies))
	for i, f := range c.flakies {
		out[i] = f.Store
	}
	return out
}

// check closes the partitions and checks: every command sent to a
// partition applied there exactly once, in each source's order; the
// subscriptions each message partition keeps for other partitions are
// exactly the open subscriptions of those partitions; no message reached
// two instances of the process; every partition's log replays to its rows.
func (c *crossRun) check() {
	ctx := context.Background()
	if err := c.r.Close(); err != nil {
		c.t.Fatal(err)
	}
	views := c.views()
	checkExactlyOnce(c.t, views)
	remote := map[int64]int32{} // subscription key -> the message partition that keeps it
	for i, v := range views {
		snap, err := v.(store.Loader).Load(ctx)
		if err != nil {
			c.t.Fatal(err)
		}
		for _, rs := range snap.RemoteSubscriptions {
			if rs.MessageKey != 0 {
				c.t.Errorf("partition %d: remote subscription %d still waits for the answer to message %d", i+1, rs.Key, rs.MessageKey)
			}
			remote[rs.Key] = int32(i + 1) // #nosec G115 -- a few partitions
		}
	}
	for i, v := range views {
		p := int32(i + 1) // #nosec G115 -- a few partitions
		snap, err := v.(store.Loader).Load(ctx)
		if err != nil {
			c.t.Fatal(err)
		}
		for _, sub := range snap.MessageSubscriptions {
			m := record.MessagePartition(sub.Value.CorrelationKey, c.n)
			if m == p {
				continue
			}
			if remote[sub.Key] != m {
				c.t.Errorf("subscription %d of partition %d is not open on its message's partition %d", sub.Key, p, m)
			}
			delete(remote, sub.Key)
		}
	}
	for k, m := range remote {
		c.t.Errorf("partition %d keeps subscription %d, which is closed on its partition", m, k)
	}
	reached := map[int64]int{}
	for _, v := range views {
		if err := v.ReadLog(ctx, 1, func(r *record.Record) error {
			if r.Kind == record.KindEvent && r.Intent == record.IntentMessageSubscriptionCorrelated {
				reached[r.Value.(*record.MessageSubscriptionValue).MessageKey]++
			}
			return nil
		}); err != nil {
			c.t.Fatal(err)
		}
	}
	for m, n := range reached {
		if n > 1 {
			c.t.Errorf("message %d reached %d instances of one process", m, n)
		}
	}
	for i, v := range views {
		if err := replaycheck.Check(ctx, v); err != nil {
			c.t.Errorf("partition %d: %v", i+1, err)
		}
	}
}

func drawCrossOp(n int32) *rapid.Generator[crossOp] {
	return rapid.Custom(func(rt *rapid.T) crossOp {
		return crossOp{
			Kind: rapid.IntRange(0, 4).Draw(rt, "kind"), P: rapid.Int32Range(1, n).Draw(rt, "p"),
			Key: rapid.IntRange(0, 5).Draw(rt, "key"), TTL: rapid.Bool().Draw(rt, "ttl"), N: rapid.Int32Range(1, 3).Draw(rt, "n"),
		}
	})
}

// Random interleavings of instances subscribing and cancelled, messages
// published, partitions restarted and commits failing on either side,
// with the forwarders delivering meanwhile: once they are quiet, every
// committed inter-partition command was applied exactly once
// (applied == committed as multisets) and both sides agree (crossRun.check).
func TestCrossPartitionCommandsApplyOnce(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.Int32Range(2, 4).Draw(rt, "partitions")
		ops := rapid.SliceOfN(drawCrossOp(n), 1, 30).Draw(rt, "ops")
		s := memstore.New(memstore.Options{})
		defer func() { _ = s.Close() }()
		if err := store.CheckPartitions(context.Background(), s, n); err != nil {
			rt.Fatal(err)
		}
		c := newCrossRun(rt, s, n)
		defer func() { _ = c.r.Close() }()
		for _, o := range ops {
			c.do(o)
		}
		c.settle()
		c.check()
	})
}

// The same on PostgreSQL partition views: seeded interleavings (a fresh
// database per run is too slow for rapid's hundred).
func TestCrossPartitionCommandsApplyOncePostgres(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			rnd := rand.New(rand.NewPCG(seed, 43))
			s, err := pgstore.Open(context.Background(), pgtest.URL(t), pgstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			const n = 3
			if err := store.CheckPartitions(context.Background(), s, n); err != nil {
				t.Fatal(err)
			}
			c := newCrossRun(t, s, n)
			t.Cleanup(func() { _ = c.r.Close() })
			for range 60 {
				c.do(crossOp{Kind: rnd.IntN(5), P: 1 + rnd.Int32N(n), Key: rnd.IntN(6), TTL: rnd.IntN(2) == 0, N: 1 + rnd.Int32N(3)})
			}
			c.settle()
			c.check()
		})
	}
}
