package crashtest

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/replaycheck"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/pgstore"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
	"github.com/example/wf-engine/elements/standard"
)

// A crossing child is this test binary started with envCross set to its
// run number; it runs two partitions of the PostgreSQL store in envTarget
// until the parent kills it (docs/scaling.md, "Outbox and exactly-once
// apply").
const envCross = "WF_CRASHTEST_CROSS"

// crossXML waits for the message "paid" of an order.
const crossXML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:message id="m" name="paid"><bpmn:extensionElements><zeebe:subscription correlationKey="=order" /></bpmn:extensionElements></bpmn:message>
  <bpmn:process id="wait" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="catch" />
    <bpmn:intermediateCatchEvent id="catch"><bpmn:messageEventDefinition messageRef="m" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="catch" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`

func init() {
	run := os.Getenv(envCross)
	if run == "" {
		return
	}
	if err := runCrossChild(run, os.Getenv(envTarget)); err != nil {
		fmt.Fprintln(os.Stderr, "crossing crash test child:", err)
		os.Exit(2)
	}
	os.Exit(0)
}

// holding is a partition's store that, once armed, says "holding" and
// blocks for ever at the first commit of a batch that applies a command
// delivered from the other partition: the process dies between the
// sender's commit and the receiver's.
type holding struct {
	store.Store
	armed *atomic.Bool
}

func (h *holding) Commit(ctx context.Context, b *store.Batch) error {
	if h.armed.Load() && appliesDelivery(b.Records) {
		fmt.Println("holding")
		select {} // until killed
	}
	return h.Store.Commit(ctx, b)
}

func (h *holding) Load(ctx context.Context) (*state.Snapshot, error) {
	return h.Store.(store.Loader).Load(ctx)
}

// appliesDelivery reports whether recs hold a command delivered from
// another partition.
func appliesDelivery(recs []*record.Record) bool {
	for _, r := range recs {
		if rt, ok := r.Value.(record.Routed); ok && r.Kind == record.KindCommand && rt.Routing().SourcePosition > 0 {
			return true
		}
	}
	return false
}

// startCrossing starts the two partitions of s, each on wrap(view),
// connected for inter-partition commands.
func startCrossing(ctx context.Context, s store.Store, wrap func(store.Store) store.Store) (*engine.Router, error) {
	ps, ok := s.(store.Partitioned)
	if !ok {
		return nil, fmt.Errorf("store %T has no partition views", s)
	}
	if err := store.CheckPartitions(ctx, s, 2); err != nil {
		return nil, err
	}
	crossing := engine.NewCrossing(2, ps.Partition, engine.ForwarderOptions{Poll: 10 * time.Millisecond})
	var engines []*engine.Engine
	for p := int32(1); p <= 2; p++ {
		v, err := ps.Partition(p)
		if err != nil {
			return nil, err
		}
		e, err := engine.Start(ctx, engine.Config{Partition: p, Clock: clock.System{}, Store: wrap(v), Registry: standard.Registry(), Crossing: crossing})
		if err != nil {
			return nil, err
		}
		engines = append(engines, e)
	}
	return engine.NewRouter(ctx, engines, nil)
}

// runCrossChild creates instances that wait for their order's message on
// both partitions and publishes each order's message (buffered), printing
// "created <instance> <order>" and "published <order>" once acknowledged;
// after ten orders it arms the stores to hold the next delivery.
func runCrossChild(run, target string) error {
	ctx := context.Background()
	s, err := pgstore.Open(ctx, target, pgstore.Options{})
	if err != nil {
		return err
	}
	var armed atomic.Bool
	r, err := startCrossing(ctx, s, func(v store.Store) store.Store { return &holding{Store: v, armed: &armed} })
	if err != nil {
		return err
	}
	if _, err := r.Deploy(ctx, engine.DeployRequest{Resources: []record.Resource{{Name: "cross.bpmn", Content: []byte(crossXML)}}}); err != nil {
		return err
	}
	for i := 0; ; i++ {
		order := fmt.Sprintf("r%s-%d", run, i)
		ci, err := r.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "wait", Variables: map[string]any{"order": order}})
		if err != nil {
			return err
		}
		fmt.Printf("created %d %s\n", ci.ProcessInstanceKey, order)
		if _, err := r.PublishMessage(ctx, engine.PublishMessageRequest{Name: "paid", CorrelationKey: order, TimeToLive: time.Hour}); err != nil {
			return err
		}
		fmt.Printf("published %s\n", order)
		if i == 10 {
			armed.Store(true)
		}
	}
}

// pendingDeliveries counts the inter-partition commands of the two
// partitions' logs that their target has not applied, and fails on a
// command applied twice.
func pendingDeliveries(t *testing.T, s store.Store) int {
	t.Helper()
	ctx := context.Background()
	ps := s.(store.Partitioned)
	if err := store.CheckPartitions(ctx, s, 2); err != nil {
		t.Fatal(err)
	}
	sent, applied := map[int64]bool{}, map[int64]int{}
	for p := int32(1); p <= 2; p++ {
		v, err := ps.Partition(p)
		if err != nil {
			t.Fatal(err)
		}
		err = v.ReadLog(ctx, 1, func(r *record.Record) error {
			if rt, ok := r.Value.(record.Routed); ok && r.Kind == record.KindCommand {
				if rt.Routing().SourcePosition == 0 {
					sent[r.Position] = true
				} else {
					applied[rt.Routing().SourcePosition]++
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	pending := 0
	for pos := range sent {
		switch applied[pos] {
		case 0:
			pending++
		case 1:
		default:
			t.Errorf("the command at position %d was applied %d times", pos, applied[pos])
		}
	}
	return pending
}

// A process running two partitions is killed three times while a
// command one partition committed for the other is being applied there
// (its batch held before the commit): after a restart every instance
// whose creation and message were acknowledged ends, and every
// inter-partition command was applied exactly once.
func TestCrossPartitionCommandsSurviveKill(t *testing.T) {
	url := pgtest.URL(t)
	acked := map[string]int64{}
	published := map[string]bool{}
	for run := range 3 {
		held := false
		killed, err := killChild(t, "^$", []string{envCross + "=" + strconv.Itoa(run), envTarget + "=" + url}, func(line string) bool {
			f := strings.Fields(line)
			switch {
			case len(f) == 3 && f[0] == "created":
				k, err := strconv.ParseInt(f[1], 10, 64)
				if err != nil {
					t.Fatalf("child printed %q", line)
				}
				acked[f[2]] = k
			case len(f) == 2 && f[0] == "published":
				published[f[1]] = true
			case line == "holding":
				held = true
				return true
			}
			return false
		})
		if !killed || !held {
			t.Fatalf("child run %d was not killed while holding a delivery: %v", run, err)
		}
		s := mustOpen(t, "postgres", url, nil)
		pending := pendingDeliveries(t, s)
		_ = s.Close()
		if pending == 0 {
			t.Fatalf("child run %d was killed with no command left to apply", run)
		}
		t.Logf("run %d: killed with %d inter-partition commands not applied", run, pending)
	}
	ctx := context.Background()
	s := mustOpen(t, "postgres", url, nil)
	t.Cleanup(func() { _ = s.Close() })
	r, err := startCrossing(ctx, s, func(v store.Store) store.Store { return v })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	deadline := time.Now().Add(30 * time.Second)
	for order, k := range acked {
		if !published[order] {
			continue
		}
		for {
			var active bool
			if err := r.ReadFor(ctx, k, func(st *state.State) { active = st.Element(k) != nil }); err != nil {
				t.Fatal(err)
			}
			if !active {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("instance %d of order %s, whose creation and message were acknowledged, still waits", k, order)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	for pendingDeliveries(t, s) > 0 {
		if time.Now().After(deadline) {
			t.Fatal("inter-partition commands still unapplied 30 s after the restart")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	ps := s.(store.Partitioned)
	for p := int32(1); p <= 2; p++ {
		v, err := ps.Partition(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := replaycheck.Check(ctx, v); err != nil {
			t.Errorf("partition %d: %v", p, err)
		}
	}
}
