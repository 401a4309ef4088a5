package engine_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/replaycheck"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store/sqlitestore"
	"github.com/example/wf-engine/elements/standard"
)

// startedBy is a process started by a timer cycle and by a message; name
// tells its versions apart.
func startedBy(name string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:message id="m" name="go" />
  <bpmn:process id="started" name="` + name + `" isExecutable="true">
    <bpmn:startEvent id="tick"><bpmn:timerEventDefinition><bpmn:timeCycle>R/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>
    <bpmn:startEvent id="go"><bpmn:messageEventDefinition messageRef="m" /></bpmn:startEvent>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="tick" targetRef="end" />
    <bpmn:sequenceFlow id="f2" sourceRef="go" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>`)
}

// A deletion survives a restart on SQLite: the previous version is the
// latest with its timer and message start subscription, the deleted
// version's number is not handed out again, and the stored rows restore
// exactly the state the log replays to.
func TestResourceDeletionSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wf.db")
	mc := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	run := func(fn func(e *engine.Engine)) {
		t.Helper()
		st, err := sqlitestore.Open(ctx, path, sqlitestore.Options{Synchronous: "NORMAL"})
		if err != nil {
			t.Fatal(err)
		}
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
	deploy := func(e *engine.Engine, name string) record.ProcessMetadata {
		t.Helper()
		d, err := e.Deploy(ctx, engine.DeployRequest{Resources: []record.Resource{{Name: "started.bpmn", Content: startedBy(name)}}})
		if err != nil {
			t.Fatal(err)
		}
		return d.Processes[0]
	}
	var v1, v2 record.ProcessMetadata
	run(func(e *engine.Engine) {
		v1, v2 = deploy(e, "one"), deploy(e, "two")
		if err := e.DeleteResource(ctx, engine.DeleteResourceRequest{Key: v2.ProcessDefinitionKey}); err != nil {
			t.Fatal(err)
		}
		err := e.DeleteResource(ctx, engine.DeleteResourceRequest{Key: v2.ProcessDefinitionKey})
		if rj, ok := engine.AsRejection(err); !ok || rj.Type != record.RejectionNotFound || !strings.Contains(rj.Reason, "no such resource") {
			t.Fatalf("deleting twice: %v", err)
		}
	})
	run(func(e *engine.Engine) {
		if err := e.Read(ctx, func(s *state.State) {
			latest := s.LatestProcess("", "started")
			switch {
			case latest == nil || latest.ProcessDefinitionKey != v1.ProcessDefinitionKey:
				t.Errorf("latest after the restart: %+v, want version 1", latest)
			case s.Process(v2.ProcessDefinitionKey) != nil:
				t.Errorf("the deleted version is back after the restart")
			case s.LastVersion("", "started") != 2:
				t.Errorf("highest version after the restart: %d, want 2", s.LastVersion("", "started"))
			case len(s.StartTimersOf(v1.ProcessDefinitionKey)) != 1 || len(s.StartSubscriptionsOf(v1.ProcessDefinitionKey)) != 1:
				t.Errorf("version 1 has %d start timers and %d message start subscriptions, want 1 and 1",
					len(s.StartTimersOf(v1.ProcessDefinitionKey)), len(s.StartSubscriptionsOf(v1.ProcessDefinitionKey)))
			case len(s.StartTimersOf(v2.ProcessDefinitionKey))+len(s.StartSubscriptionsOf(v2.ProcessDefinitionKey)) != 0:
				t.Errorf("the deleted version still has start events")
			}
		}); err != nil {
			t.Fatal(err)
		}
		if v3 := deploy(e, "two"); v3.Version != 3 || v3.Duplicate {
			t.Fatalf("deploying the deleted version's XML after the restart: %+v, want a new version 3", v3)
		}
	})
}
