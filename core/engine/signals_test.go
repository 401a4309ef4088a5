package engine_test

import (
	"context"
	"path/filepath"
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
	"github.com/example/wf-engine/core/store/sqlitestore"
	"github.com/example/wf-engine/elements/standard"
)

// signalsXML waits for signal "go" at a catch event, and for "nudge" at a
// non-interrupting boundary event of a task.
const signalsXML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:signal id="go" name="go" />
  <bpmn:signal id="nudge" name="nudge" />
  <bpmn:process id="waits" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fork" />
    <bpmn:parallelGateway id="fork" />
    <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="wait-go" />
    <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="work" />
    <bpmn:intermediateCatchEvent id="wait-go"><bpmn:signalEventDefinition signalRef="go" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="wait-go" targetRef="end-go" />
    <bpmn:endEvent id="end-go" />
    <bpmn:serviceTask id="work"><bpmn:extensionElements><zeebe:taskDefinition type="work" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:boundaryEvent id="nudged" cancelActivity="false" attachedToRef="work"><bpmn:signalEventDefinition signalRef="nudge" /></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f5" sourceRef="work" targetRef="end-work" />
    <bpmn:sequenceFlow id="f6" sourceRef="nudged" targetRef="end-nudge" />
    <bpmn:endEvent id="end-work" />
    <bpmn:endEvent id="end-nudge" />
  </bpmn:process>
</bpmn:definitions>`

// forDurableStores runs fn on SQLite and, with WF_TEST_POSTGRES_URL, on
// PostgreSQL; open opens the same database on each call.
func forDurableStores(t *testing.T, fn func(t *testing.T, open func() store.Store)) {
	ctx := context.Background()
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "wf.db")
		fn(t, func() store.Store {
			st, err := sqlitestore.Open(ctx, path, sqlitestore.Options{Synchronous: "NORMAL"})
			if err != nil {
				t.Fatal(err)
			}
			return st
		})
	})
	t.Run("postgres", func(t *testing.T) {
		url := pgtest.URL(t)
		fn(t, func() store.Store {
			st, err := pgstore.Open(ctx, url, pgstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			return st
		})
	})
}

// runOn starts an engine on the store open returns, runs fn, stops the
// engine and checks that the log replays to the stored state.
func runOn(t *testing.T, open func() store.Store, mc clock.Clock, fn func(e *engine.Engine)) {
	t.Helper()
	ctx := context.Background()
	st := open()
	e, err := engine.Start(ctx, engine.Config{Partition: 1, Clock: mc, Store: st, Registry: standard.Registry()})
	if err != nil {
		t.Fatal(err)
	}
	fn(e)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := replaycheck.Check(ctx, st); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
}

// Signal subscriptions of catch and boundary events survive a restart: the
// stored rows restore them, and a broadcast after the restart reaches them.
func TestSignalSubscriptionsSurviveRestart(t *testing.T) {
	forDurableStores(t, func(t *testing.T, open func() store.Store) {
		ctx := context.Background()
		mc := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		var pi int64
		runOn(t, open, mc, func(e *engine.Engine) {
			if _, err := e.Deploy(ctx, engine.DeployRequest{Resources: []record.Resource{{Name: "s.bpmn", Content: []byte(signalsXML)}}}); err != nil {
				t.Fatal(err)
			}
			ci, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "waits"})
			if err != nil {
				t.Fatal(err)
			}
			pi = ci.ProcessInstanceKey
		})
		runOn(t, open, mc, func(e *engine.Engine) {
			var open int
			if err := e.Read(ctx, func(s *state.State) { open = s.Counts().SignalSubscriptions }); err != nil {
				t.Fatal(err)
			}
			if open != 2 {
				t.Fatalf("%d signal subscriptions after the restart, want 2 (catch and boundary)", open)
			}
			for _, name := range []string{"nudge", "nudge", "go"} {
				if _, err := e.BroadcastSignal(ctx, engine.BroadcastSignalRequest{SignalName: name, Variables: map[string]any{"n": name}}); err != nil {
					t.Fatal(err)
				}
			}
			if err := e.Read(ctx, func(s *state.State) {
				got := s.Summary(pi)
				want := []string{"waits:ACTIVATED", "work:ACTIVATED"}
				if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
					t.Errorf("after the broadcasts the instance holds %v, want %v", got, want)
				}
				if n := len(s.SignalSubscriptionsFor("", "nudge")); n != 1 {
					t.Errorf("%d subscriptions to nudge, want the boundary's 1", n)
				}
				if n := len(s.SignalSubscriptionsFor("", "go")); n != 0 {
					t.Errorf("%d subscriptions to go after the catch event completed, want 0", n)
				}
			}); err != nil {
				t.Fatal(err)
			}
		})
		st := open()
		defer func() { _ = st.Close() }()
		n := 0
		if err := st.ReadLog(ctx, 1, func(r *record.Record) error {
			if v, ok := r.Value.(*record.ProcessInstanceValue); ok && r.Kind == record.KindEvent && r.Intent == record.IntentElementCompleted && (v.ElementID == "nudged" || v.ElementID == "wait-go") {
				n++
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if n != 3 {
			t.Fatalf("the catch and boundary events completed %d times after the restart, want 3 (two nudges and go)", n)
		}
	})
}

// kickXML is a process started by signal "kick"; name tells its versions
// apart.
func kickXML(name string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:signal id="s" name="kick" />
  <bpmn:process id="kicked" name="` + name + `" isExecutable="true">
    <bpmn:startEvent id="go"><bpmn:signalEventDefinition signalRef="s" /></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="go" targetRef="wait" />
    <bpmn:userTask id="wait" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`)
}

// Signal start subscriptions follow the versions through the public API: a
// new version's replaces the previous one's, deleting it restores the
// previous one's, and that one survives a restart and starts instances of
// its version only.
func TestSignalStartFollowsVersions(t *testing.T) {
	forDurableStores(t, func(t *testing.T, open func() store.Store) {
		ctx := context.Background()
		mc := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		var v1, v2 record.ProcessMetadata
		// subs returns how many signal start subscriptions versions 1 and
		// 2 have.
		subs := func(e *engine.Engine) [2]int {
			var out [2]int
			if err := e.Read(ctx, func(s *state.State) {
				out = [2]int{len(s.StartSignalSubscriptionsOf(v1.ProcessDefinitionKey)), len(s.StartSignalSubscriptionsOf(v2.ProcessDefinitionKey))}
				if n := len(s.SignalSubscriptionsFor("", "kick")); n != out[0]+out[1] {
					t.Errorf("%d subscriptions to kick, but versions 1 and 2 hold %v", n, out)
				}
			}); err != nil {
				t.Fatal(err)
			}
			return out
		}
		broadcast := func(e *engine.Engine) {
			if _, err := e.BroadcastSignal(ctx, engine.BroadcastSignalRequest{SignalName: "kick"}); err != nil {
				t.Fatal(err)
			}
		}
		deploy := func(e *engine.Engine, name string) record.ProcessMetadata {
			d, err := e.Deploy(ctx, engine.DeployRequest{Resources: []record.Resource{{Name: "k.bpmn", Content: kickXML(name)}}})
			if err != nil {
				t.Fatal(err)
			}
			return d.Processes[0]
		}
		runOn(t, open, mc, func(e *engine.Engine) {
			v1 = deploy(e, "one")
			if got := subs(e); got != [2]int{1, 0} {
				t.Fatalf("after version 1: subscriptions %v, want [1 0]", got)
			}
			v2 = deploy(e, "two")
			if got := subs(e); got != [2]int{0, 1} {
				t.Fatalf("after version 2: subscriptions %v, want [0 1]", got)
			}
			broadcast(e)
		})
		st := open()
		created := instancesOf(t, st)
		_ = st.Close()
		if len(created) != 1 || created[0].def != v2.ProcessDefinitionKey {
			t.Fatalf("the broadcast started %v, want one instance of version 2 (%d)", created, v2.ProcessDefinitionKey)
		}
		runOn(t, open, mc, func(e *engine.Engine) {
			if err := e.CancelInstance(ctx, created[0].key); err != nil {
				t.Fatal(err)
			}
			if err := e.DeleteResource(ctx, engine.DeleteResourceRequest{Key: v2.ProcessDefinitionKey}); err != nil {
				t.Fatal(err)
			}
			if got := subs(e); got != [2]int{1, 0} {
				t.Fatalf("after deleting version 2: subscriptions %v, want [1 0]", got)
			}
		})
		runOn(t, open, mc, func(e *engine.Engine) {
			if got := subs(e); got != [2]int{1, 0} {
				t.Fatalf("after the restart: subscriptions %v, want [1 0]", got)
			}
			broadcast(e)
		})
		st = open()
		created = instancesOf(t, st)
		_ = st.Close()
		if len(created) != 2 || created[1].def != v1.ProcessDefinitionKey {
			t.Fatalf("the broadcast after the restart started %v, want a second instance, of version 1 (%d)", created, v1.ProcessDefinitionKey)
		}
	})
}

type createdInstance struct{ key, def int64 }

// instancesOf returns the process instances a store's log created, in
// order.
func instancesOf(t *testing.T, st store.Store) []createdInstance {
	t.Helper()
	var out []createdInstance
	if err := st.ReadLog(context.Background(), 1, func(r *record.Record) error {
		if v, ok := r.Value.(*record.ProcessInstanceCreationValue); ok && r.Kind == record.KindEvent && r.Intent == record.IntentProcessInstanceCreated {
			out = append(out, createdInstance{v.ProcessInstanceKey, v.ProcessDefinitionKey})
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}
