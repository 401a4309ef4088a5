package engine_test

import (
	"context"
	"fmt"
	"testing"
	"time"

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

// crossXML has two processes waiting for the message "paid" of an order,
// and one that the message "go" starts.
const crossXML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:message id="m" name="paid"><bpmn:extensionElements><zeebe:subscription correlationKey="=order" /></bpmn:extensionElements></bpmn:message>
  <bpmn:message id="g" name="go" />
  <bpmn:process id="wait" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="catch" />
    <bpmn:intermediateCatchEvent id="catch"><bpmn:messageEventDefinition messageRef="m" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="catch" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
  <bpmn:process id="wait2" isExecutable="true">
    <bpmn:startEvent id="start2" />
    <bpmn:sequenceFlow id="g1" sourceRef="start2" targetRef="receive" />
    <bpmn:receiveTask id="receive" messageRef="m" />
    <bpmn:sequenceFlow id="g2" sourceRef="receive" targetRef="end2" />
    <bpmn:endEvent id="end2" />
  </bpmn:process>
  <bpmn:process id="mstart" isExecutable="true">
    <bpmn:startEvent id="s3"><bpmn:messageEventDefinition messageRef="g" /></bpmn:startEvent>
    <bpmn:sequenceFlow id="h1" sourceRef="s3" targetRef="end3" />
    <bpmn:endEvent id="end3" />
  </bpmn:process>
</bpmn:definitions>`

// startCrossing starts n engines on the partition views of s, connected
// for inter-partition commands, behind a router; the test closes them at
// its end (before s, registered earlier).
func startCrossing(t *testing.T, s store.Store, n int32) (*engine.Router, []store.Store) {
	t.Helper()
	ctx := context.Background()
	ps, ok := s.(partitioned)
	if !ok {
		t.Skipf("store %T has no partition views", s)
	}
	crossing := engine.NewCrossing(n, ps.Partition, engine.ForwarderOptions{Poll: 20 * time.Millisecond})
	var engines []*engine.Engine
	var views []store.Store
	for p := int32(1); p <= n; p++ {
		v, err := ps.Partition(p)
		if err != nil {
			t.Fatal(err)
		}
		e, err := engine.Start(ctx, engine.Config{Partition: p, Clock: clock.System{}, Store: v, Registry: standard.Registry(), Crossing: crossing})
		if err != nil {
			t.Fatalf("start partition %d: %v", p, err)
		}
		t.Cleanup(func() { _ = e.Close() })
		engines = append(engines, e)
		views = append(views, v)
	}
	r, err := engine.NewRouter(ctx, engines, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r, views
}

// tb is what the checks need of a test: *testing.T and *rapid.T.
type tb interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Errorf(format string, args ...any)
}

// crossStores are the stores the cross-partition tests run on.
var crossStores = []struct {
	name string
	open func(t *testing.T) store.Store
}{
	{"memory", func(*testing.T) store.Store { return memstore.New(memstore.Options{}) }},
	{"postgres", func(t *testing.T) store.Store {
		s, err := pgstore.Open(context.Background(), pgtest.URL(t), pgstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}},
}

// ended reports whether a process instance ended.
func ended(t *testing.T, r *engine.Router, k int64) bool {
	t.Helper()
	var active bool
	if err := r.ReadFor(context.Background(), k, func(st *state.State) { active = st.Element(k) != nil }); err != nil {
		t.Fatal(err)
	}
	return !active
}

// waitUntil polls cond until it holds, failing the test after a deadline.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func createWaiting(t *testing.T, r *engine.Router, process, order string) int64 {
	t.Helper()
	ci, err := r.CreateInstance(context.Background(), engine.CreateInstanceRequest{BPMNProcessID: process, Variables: map[string]any{"order": order}})
	if err != nil {
		t.Fatal(err)
	}
	return ci.ProcessInstanceKey
}

func publishTo(t *testing.T, r *engine.Router, name, key string, ttl time.Duration) *engine.PublishedMessage {
	t.Helper()
	m, err := r.PublishMessage(context.Background(), engine.PublishMessageRequest{Name: name, CorrelationKey: key, TimeToLive: ttl})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Messages on four partitions follow Camunda's rules wherever the
// instances run: a message lives on its correlation key's partition and
// reaches one waiting instance of every process, buffered messages reach
// later subscriptions from any partition, message start events start
// instances on the message's partition; a restart of every partition
// between the two sides loses nothing; each partition's log replays to its
// stored rows; every inter-partition command is applied exactly once.
func TestMessagesAcrossPartitions(t *testing.T) {
	for _, sc := range crossStores {
		t.Run(sc.name, func(t *testing.T) {
			ctx := context.Background()
			s := sc.open(t)
			t.Cleanup(func() { _ = s.Close() })
			const n = 4
			if err := store.CheckPartitions(ctx, s, n); err != nil {
				t.Fatal(err)
			}
			r, _ := startCrossing(t, s, n)
			if _, err := r.Deploy(ctx, engine.DeployRequest{Resources: []record.Resource{{Name: "cross.bpmn", Content: []byte(crossXML)}}}); err != nil {
				t.Fatal(err)
			}

			// Published after the instances wait: each reaches its instance.
			var waiting []int64
			spread := map[[2]int32]bool{}
			for i := range 12 {
				order := fmt.Sprintf("o-%d", i)
				k := createWaiting(t, r, "wait", order)
				spread[[2]int32{record.Partition(k), record.MessagePartition(order, n)}] = true
				waiting = append(waiting, k)
			}
			for i, k := range waiting {
				// With no time to live a message reaches only subscriptions
				// open on its partition when it is published.
				waitUntil(t, fmt.Sprintf("o-%d is subscribed", i), func() bool { return subscribers(t, r, fmt.Sprintf("o-%d", i), n) == 1 })
				m := publishTo(t, r, "paid", fmt.Sprintf("o-%d", i), 0)
				if got, want := record.Partition(m.Key), record.MessagePartition(fmt.Sprintf("o-%d", i), n); got != want {
					t.Errorf("message of o-%d stored on partition %d, want its key's partition %d", i, got, want)
				}
				if m.ProcessInstanceKey != k {
					t.Errorf("message of o-%d reached instance %d, want %d", i, m.ProcessInstanceKey, k)
				}
				waitUntil(t, fmt.Sprintf("instance %d of o-%d ended", k, i), func() bool { return ended(t, r, k) })
			}
			crossed := 0
			for pair := range spread {
				if pair[0] != pair[1] {
					crossed++
				}
			}
			if crossed == 0 {
				t.Fatalf("no instance waited on another partition than its message's: %v", spread)
			}

			// Buffered first: later subscriptions from any partition get them.
			for i := range 6 {
				publishTo(t, r, "paid", fmt.Sprintf("b-%d", i), time.Hour)
			}
			for i := range 6 {
				k := createWaiting(t, r, "wait", fmt.Sprintf("b-%d", i))
				waitUntil(t, fmt.Sprintf("instance %d of buffered b-%d ended", k, i), func() bool { return ended(t, r, k) })
			}

			// One message reaches one instance of each waiting process.
			a1, a2, b := createWaiting(t, r, "wait", "x"), createWaiting(t, r, "wait", "x"), createWaiting(t, r, "wait2", "x")
			waitUntil(t, "three instances of two processes subscribed on the message's partition", func() bool { return subscribers(t, r, "x", n) == 3 })
			publishTo(t, r, "paid", "x", 0)
			waitUntil(t, "the wait2 instance ended", func() bool { return ended(t, r, b) })
			waitUntil(t, "one wait instance ended", func() bool { return ended(t, r, a1) || ended(t, r, a2) })
			if ended(t, r, a1) && ended(t, r, a2) {
				t.Fatal("one message reached two instances of one process")
			}
			publishTo(t, r, "paid", "x", 0)
			waitUntil(t, "the second wait instance ended", func() bool { return ended(t, r, a1) && ended(t, r, a2) })

			// Message start events start on the message's partition.
			for i := range 4 {
				key := fmt.Sprintf("k-%d", i)
				m := publishTo(t, r, "go", key, 0)
				if m.ProcessInstanceKey == 0 {
					t.Fatalf("message go of %s started nothing", key)
				}
				if got, want := record.Partition(m.ProcessInstanceKey), record.MessagePartition(key, n); got != want {
					t.Errorf("message go of %s started an instance on partition %d, want %d", key, got, want)
				}
			}

			// A restart of every partition while subscriptions are on
			// their way, then again after the messages were published.
			var restarted []int64
			for i := range 8 {
				restarted = append(restarted, createWaiting(t, r, "wait", fmt.Sprintf("r-%d", i)))
			}
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			r, _ = startCrossing(t, s, n)
			for i := range 8 {
				publishTo(t, r, "paid", fmt.Sprintf("r-%d", i), time.Hour)
			}
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			r, views := startCrossing(t, s, n)
			for i, k := range restarted {
				waitUntil(t, fmt.Sprintf("instance %d of r-%d ended after restarts", k, i), func() bool { return ended(t, r, k) })
			}
			waitQuiet(t, views)
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			checkExactlyOnce(t, views)
			for i, v := range views {
				if err := replaycheck.Check(ctx, v); err != nil {
					t.Errorf("partition %d: %v", i+1, err)
				}
			}
		})
	}
}

// subscribers counts the open subscriptions of a correlation key's
// message "paid" on its partition, remote ones included.
func subscribers(t *testing.T, r *engine.Router, key string, n int32) int {
	t.Helper()
	e := r.Partitions()[record.MessagePartition(key, n)-1]
	var count int
	if err := e.Read(context.Background(), func(st *state.State) {
		count = len(st.SubscriptionsFor("<default>", "paid", key)) + len(st.RemoteSubscriptionsFor("<default>", "paid", key))
	}); err != nil {
		t.Fatal(err)
	}
	return count
}

// routed returns the inter-partition commands of each view's log for
// each target, as source positions, and the applied ones of each target.
func routed(t tb, views []store.Store) (sent, applied map[int32][]int64) {
	t.Helper()
	sent, applied = map[int32][]int64{}, map[int32][]int64{}
	for i, v := range views {
		p := int32(i + 1)            // #nosec G115 -- a few partitions
		advances := map[int64]bool{} // positions of PARTITION_INBOX ADVANCE commands
		err := v.ReadLog(context.Background(), 1, func(r *record.Record) error {
			switch {
			case r.Kind == record.KindCommand && r.ValueType == record.TypePartitionMessageSubscription:
				if rt := r.Value.(record.Routed).Routing(); rt.SourcePosition == 0 {
					sent[rt.TargetPartition] = append(sent[rt.TargetPartition], r.Position)
				}
			case r.Kind == record.KindCommand && r.Intent == record.IntentInboxAdvance:
				advances[r.Position] = true
			case r.Kind == record.KindEvent && r.Intent == record.IntentInboxApplied && !advances[r.SourcePosition]:
				applied[p] = append(applied[p], r.Value.(*record.InboxValue).SourcePosition)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return sent, applied
}

// waitQuiet waits until every inter-partition command was applied.
func waitQuiet(t *testing.T, views []store.Store) {
	t.Helper()
	waitUntil(t, "every inter-partition command was applied", func() bool {
		sent, applied := routed(t, views)
		for p := range sent {
			if len(applied[p]) < len(sent[p]) {
				return false
			}
		}
		return true
	})
}

// checkExactlyOnce checks that every target applied exactly the commands
// sent to it, each once, in each source's order.
func checkExactlyOnce(t tb, views []store.Store) {
	t.Helper()
	sent, applied := routed(t, views)
	for p := int32(1); int(p) <= len(views); p++ {
		want, got := map[int64]int{}, map[int64]int{}
		for _, pos := range sent[p] {
			want[pos]++
		}
		last := map[int32]int64{}
		for _, pos := range applied[p] {
			got[pos]++
			src := store.PositionPartition(pos)
			if pos <= last[src] {
				t.Errorf("partition %d applied position %d of partition %d after %d", p, pos, src, last[src])
			}
			last[src] = pos
		}
		if len(want) != len(got) {
			t.Errorf("partition %d: %d commands sent to it, %d applied", p, len(want), len(got))
		}
		for pos, c := range got {
			if c != 1 || want[pos] != 1 {
				t.Errorf("partition %d: command at %d sent %d times, applied %d times", p, pos, want[pos], c)
			}
		}
	}
}

// A partition's inbox for another follows that partition's log even when
// it holds no command for it (PARTITION_INBOX ADVANCE), so that the other
// partition's log compaction, which stops at the lowest inbox for it, goes
// on.
func TestInboxAdvancesWithoutCommands(t *testing.T) {
	ctx := context.Background()
	s := memstore.New(memstore.Options{})
	t.Cleanup(func() { _ = s.Close() })
	if err := store.CheckPartitions(ctx, s, 2); err != nil {
		t.Fatal(err)
	}
	var ps partitioned = s
	crossing := engine.NewCrossing(2, ps.Partition, engine.ForwarderOptions{Poll: 5 * time.Millisecond, Advance: time.Millisecond})
	var engines []*engine.Engine
	for p := int32(1); p <= 2; p++ {
		v, err := ps.Partition(p)
		if err != nil {
			t.Fatal(err)
		}
		e, err := engine.Start(ctx, engine.Config{Partition: p, Clock: clock.System{}, Store: v, Registry: standard.Registry(), Crossing: crossing})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = e.Close() })
		engines = append(engines, e)
	}
	if _, err := engines[0].Deploy(ctx, engine.DeployRequest{Resources: []record.Resource{{Name: "cross.bpmn", Content: []byte(crossXML)}}}); err != nil {
		t.Fatal(err)
	}
	v1, _ := ps.Partition(1)
	var head int64
	if err := v1.ReadLog(ctx, 1, func(r *record.Record) error { head = r.Position; return nil }); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "partition 2's inbox for partition 1 reached partition 1's head", func() bool {
		var in int64
		if err := engines[1].Read(ctx, func(st *state.State) { in = st.Inbox(1) }); err != nil {
			t.Fatal(err)
		}
		return in >= head
	})
}

// boundaryXML has a task with a non-interrupting and an interrupting
// message boundary event, and an event-based gateway between two messages.
const boundaryXML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:message id="mp" name="ping"><bpmn:extensionElements><zeebe:subscription correlationKey="=order" /></bpmn:extensionElements></bpmn:message>
  <bpmn:message id="ms" name="stop"><bpmn:extensionElements><zeebe:subscription correlationKey="=order" /></bpmn:extensionElements></bpmn:message>
  <bpmn:message id="ma" name="a"><bpmn:extensionElements><zeebe:subscription correlationKey="=order" /></bpmn:extensionElements></bpmn:message>
  <bpmn:message id="mb" name="b"><bpmn:extensionElements><zeebe:subscription correlationKey="=order" /></bpmn:extensionElements></bpmn:message>
  <bpmn:process id="guard" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:serviceTask id="work"><bpmn:extensionElements><zeebe:taskDefinition type="guard-work" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="done" />
    <bpmn:endEvent id="done" />
    <bpmn:boundaryEvent id="ping" attachedToRef="work" cancelActivity="false"><bpmn:messageEventDefinition messageRef="mp" /></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="ping" targetRef="pinged" />
    <bpmn:endEvent id="pinged" />
    <bpmn:boundaryEvent id="stop" attachedToRef="work"><bpmn:messageEventDefinition messageRef="ms" /></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="stop" targetRef="stopped" />
    <bpmn:endEvent id="stopped" />
  </bpmn:process>
  <bpmn:process id="race" isExecutable="true">
    <bpmn:startEvent id="rs" />
    <bpmn:sequenceFlow id="r1" sourceRef="rs" targetRef="gw" />
    <bpmn:eventBasedGateway id="gw" />
    <bpmn:sequenceFlow id="r2" sourceRef="gw" targetRef="ca" />
    <bpmn:sequenceFlow id="r3" sourceRef="gw" targetRef="cb" />
    <bpmn:intermediateCatchEvent id="ca"><bpmn:messageEventDefinition messageRef="ma" /></bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="cb"><bpmn:messageEventDefinition messageRef="mb" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="r4" sourceRef="ca" targetRef="ea" />
    <bpmn:sequenceFlow id="r5" sourceRef="cb" targetRef="eb" />
    <bpmn:endEvent id="ea" />
    <bpmn:endEvent id="eb" />
  </bpmn:process>
</bpmn:definitions>`

// waiting counts the open subscriptions (own and remote) of a message
// name and correlation key on the key's partition.
func waiting(t *testing.T, r *engine.Router, name, key string, n int32) int {
	t.Helper()
	e := r.Partitions()[record.MessagePartition(key, n)-1]
	var count int
	if err := e.Read(context.Background(), func(st *state.State) {
		count = len(st.SubscriptionsFor("<default>", name, key))
		for _, s := range st.RemoteSubscriptionsFor("<default>", name, key) {
			if s.MessageKey == 0 {
				count++
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	return count
}

// completedIn counts the completions of an element in a partition's log.
func completedIn(t *testing.T, v store.Store, elementID string) int {
	t.Helper()
	n := 0
	if err := v.ReadLog(context.Background(), 1, func(r *record.Record) error {
		if pv, ok := r.Value.(*record.ProcessInstanceValue); ok && r.Kind == record.KindEvent && r.Intent == record.IntentElementCompleted && pv.ElementID == elementID {
			n++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// Boundary events and an event-based gateway wait across partitions as
// they do on one: a non-interrupting boundary event takes every message
// (its subscription opens again on the message's partition each time), an
// interrupting one ends the task and closes the others there, and the
// event-based gateway's other subscription closes once one message came.
func TestBoundaryAndGatewayMessagesAcrossPartitions(t *testing.T) {
	for _, sc := range crossStores {
		t.Run(sc.name, func(t *testing.T) {
			ctx := context.Background()
			s := sc.open(t)
			t.Cleanup(func() { _ = s.Close() })
			const n = 4
			if err := store.CheckPartitions(ctx, s, n); err != nil {
				t.Fatal(err)
			}
			r, views := startCrossing(t, s, n)
			if _, err := r.Deploy(ctx, engine.DeployRequest{Resources: []record.Resource{{Name: "boundary.bpmn", Content: []byte(boundaryXML)}}}); err != nil {
				t.Fatal(err)
			}
			// An order whose messages live on another partition than the instance.
			var k int64
			var order string
			for i := 0; ; i++ {
				order = fmt.Sprintf("g-%d", i)
				k = createWaiting(t, r, "guard", order)
				if record.Partition(k) != record.MessagePartition(order, n) {
					break
				}
				if err := r.CancelInstance(ctx, k); err != nil {
					t.Fatal(err)
				}
			}
			for ping := 1; ping <= 3; ping++ {
				waitUntil(t, "the ping boundary is subscribed", func() bool { return waiting(t, r, "ping", order, n) == 1 })
				publishTo(t, r, "ping", order, 0)
				waitUntil(t, fmt.Sprintf("ping %d was taken", ping), func() bool { return completedIn(t, views[record.Partition(k)-1], "pinged") == ping })
			}
			if ended(t, r, k) {
				t.Fatal("a non-interrupting boundary event ended the instance")
			}
			waitUntil(t, "the stop boundary is subscribed", func() bool { return waiting(t, r, "stop", order, n) == 1 })
			publishTo(t, r, "stop", order, 0)
			waitUntil(t, "the instance stopped", func() bool { return ended(t, r, k) })
			waitUntil(t, "the ping subscription closed on the message's partition", func() bool {
				return waiting(t, r, "ping", order, n) == 0 && waiting(t, r, "stop", order, n) == 0
			})

			var g int64
			for i := 0; ; i++ {
				order = fmt.Sprintf("e-%d", i)
				g = createWaiting(t, r, "race", order)
				if record.Partition(g) != record.MessagePartition(order, n) {
					break
				}
				if err := r.CancelInstance(ctx, g); err != nil {
					t.Fatal(err)
				}
			}
			publishTo(t, r, "b", order, time.Hour)
			waitUntil(t, "the gateway took b", func() bool { return ended(t, r, g) })
			if got := completedIn(t, views[record.Partition(g)-1], "eb"); got != 1 {
				t.Fatalf("end eb completed %d times, want 1", got)
			}
			waitUntil(t, "a's subscription closed on the message's partition", func() bool { return waiting(t, r, "a", order, n) == 0 })
			// Every partition writes keys of its own, so that its log alone
			// replays to its counters (a partition that only received
			// distributed definitions does not: ADR 32's open point).
			for i := range n {
				if err := r.CancelInstance(ctx, createWaiting(t, r, "race", fmt.Sprintf("x-%d", i))); err != nil {
					t.Fatal(err)
				}
			}
			waitQuiet(t, views)
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			checkExactlyOnce(t, views)
			for i, v := range views {
				if err := replaycheck.Check(ctx, v); err != nil {
					t.Errorf("partition %d: %v", i+1, err)
				}
			}
		})
	}
}

// wait3XML is crossXML's "wait" under another process id.
const wait3XML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d3">
  <bpmn:message id="m" name="paid"><bpmn:extensionElements><zeebe:subscription correlationKey="=order" /></bpmn:extensionElements></bpmn:message>
  <bpmn:process id="wait3" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="catch" />
    <bpmn:intermediateCatchEvent id="catch"><bpmn:messageEventDefinition messageRef="m" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="catch" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`

// An instance migrated to another process while it waits on another
// partition than its message's is that process's there: a message reaches
// one instance of it, not the migrated one as well.
func TestMigratedSubscriptionFollowsOnTheMessagePartition(t *testing.T) {
	ctx := context.Background()
	s := memstore.New(memstore.Options{})
	t.Cleanup(func() { _ = s.Close() })
	const n = 4
	if err := store.CheckPartitions(ctx, s, n); err != nil {
		t.Fatal(err)
	}
	r, _ := startCrossing(t, s, n)
	if _, err := r.Deploy(ctx, engine.DeployRequest{Resources: []record.Resource{{Name: "cross.bpmn", Content: []byte(crossXML)}}}); err != nil {
		t.Fatal(err)
	}
	d, err := r.Deploy(ctx, engine.DeployRequest{Resources: []record.Resource{{Name: "wait3.bpmn", Content: []byte(wait3XML)}}})
	if err != nil {
		t.Fatal(err)
	}
	target := d.Processes[0].ProcessDefinitionKey
	const order = "y"
	var a int64
	for {
		a = createWaiting(t, r, "wait", order)
		if record.Partition(a) != record.MessagePartition(order, n) {
			break
		}
		if err := r.CancelInstance(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	c := createWaiting(t, r, "wait3", order)
	waitUntil(t, "both instances subscribed", func() bool { return waiting(t, r, "paid", order, n) == 2 })
	if err := r.MigrateInstance(ctx, engine.MigrateInstanceRequest{ProcessInstanceKey: a, TargetProcessDefinitionKey: target,
		Mappings: []record.MappingInstruction{{SourceElementID: "catch", TargetElementID: "catch"}}}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the migrated subscription is wait3's on the message's partition", func() bool {
		var procs []string
		e := r.Partitions()[record.MessagePartition(order, n)-1]
		if err := e.Read(ctx, func(st *state.State) {
			for _, rs := range st.RemoteSubscriptionsFor("<default>", "paid", order) {
				procs = append(procs, rs.Value.BPMNProcessID)
			}
			for _, ls := range st.SubscriptionsFor("<default>", "paid", order) {
				procs = append(procs, ls.Value.BPMNProcessID)
			}
		}); err != nil {
			t.Fatal(err)
		}
		return len(procs) == 2 && procs[0] == "wait3" && procs[1] == "wait3"
	})
	publishTo(t, r, "paid", order, 0)
	waitUntil(t, "one instance of wait3 ended", func() bool { return ended(t, r, a) || ended(t, r, c) })
	waitUntil(t, "the message partition heard back", func() bool { return waiting(t, r, "paid", order, n) == 1 })
	if ended(t, r, a) && ended(t, r, c) {
		t.Fatal("one message reached two instances of wait3")
	}
	publishTo(t, r, "paid", order, 0)
	waitUntil(t, "the other instance ended", func() bool { return ended(t, r, a) && ended(t, r, c) })
}
