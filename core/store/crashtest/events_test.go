package crashtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
)

// envEvents makes the child run the timer and message load instead.
const envEvents = "WF_CRASHTEST_EVENTS"

// eventsXML waits for a timer, then for a message with the instance's key.
const eventsXML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:message id="m" name="go"><bpmn:extensionElements><zeebe:subscription correlationKey="=k" /></bpmn:extensionElements></bpmn:message>
  <bpmn:process id="events" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="pause" />
    <bpmn:intermediateCatchEvent id="pause"><bpmn:timerEventDefinition><bpmn:timeDuration>PT2S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="pause" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait"><bpmn:messageEventDefinition messageRef="m" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="wait" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`

const eventInstances = 40

// runEventsChild creates instances that wait on a 2-second timer and
// publishes, for each, the message it will wait for next (buffered for an
// hour); it prints one line per acknowledged command and then waits to be
// killed, before any timer is due.
func runEventsChild(kind, target string) error {
	ctx := context.Background()
	e, err := openEngine(ctx, kind, target)
	if err != nil {
		return err
	}
	if _, err := e.Deploy(ctx, engine.DeployRequest{Resources: []record.Resource{{Name: "events.bpmn", Content: []byte(eventsXML)}}}); err != nil {
		return err
	}
	for i := range eventInstances {
		k := fmt.Sprintf("k-%d", i)
		ci, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "events", Variables: map[string]any{"k": k}})
		if err != nil {
			return err
		}
		if _, err := e.PublishMessage(ctx, engine.PublishMessageRequest{Name: "go", CorrelationKey: k, TimeToLive: time.Hour}); err != nil {
			return err
		}
		_, _ = fmt.Fprintf(os.Stdout, "created %d\n", ci.ProcessInstanceKey)
	}
	_, _ = fmt.Fprintln(os.Stdout, "done 0")
	time.Sleep(time.Minute) // the parent kills us long before
	return fmt.Errorf("the parent never killed the child")
}

func TestCrashTimersAndMessagesSQLite(t *testing.T) {
	crashEvents(t, "sqlite", filepath.Join(t.TempDir(), "data", "wf.db"))
}

func TestCrashTimersAndMessagesPostgres(t *testing.T) {
	crashEvents(t, "postgres", pgtest.URL(t))
}

// crashEvents kills a child whose instances wait on timers and buffered
// messages, restarts an engine on the store and checks that every timer
// fired and every message correlated exactly once.
func crashEvents(t *testing.T, kind, target string) {
	var created []int64
	_, _ = killChild(t, "^$", []string{envChild + "=" + kind, envTarget + "=" + target, envEvents + "=1"}, func(line string) bool {
		word, num, _ := strings.Cut(line, " ")
		if word == "created" {
			k, err := strconv.ParseInt(num, 10, 64)
			if err != nil {
				t.Fatalf("child printed %q", line)
			}
			created = append(created, k)
		}
		return word == "done"
	})
	if len(created) != eventInstances {
		t.Fatalf("child acknowledged %d instances, want %d", len(created), eventInstances)
	}

	ctx := context.Background()
	s := mustOpen(t, kind, target, nil)
	defer func() { _ = s.Close() }()
	e, err := startEngine(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = e.Close() }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		active := 0
		if err := e.Read(ctx, func(st *state.State) {
			for _, k := range created {
				if st.Element(k) != nil {
					active++
				}
			}
		}); err != nil {
			t.Fatal(err)
		}
		if active == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d instances did not finish after the restart: a timer or a buffered message was lost", active)
		}
		time.Sleep(50 * time.Millisecond) // poll: the timers are due on the wall clock
	}
	triggered := map[int64]int{}
	correlated := map[int64]int{}
	if err := s.ReadLog(ctx, 1, func(r *record.Record) error {
		if r.Kind != record.KindEvent {
			return nil
		}
		switch v := r.Value.(type) {
		case *record.TimerValue:
			if r.Intent == record.IntentTimerTriggered {
				triggered[v.ProcessInstanceKey]++
			}
		case *record.MessageSubscriptionValue:
			if r.Intent == record.IntentMessageSubscriptionCorrelated {
				correlated[v.ProcessInstanceKey]++
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, pi := range created {
		if triggered[pi] != 1 || correlated[pi] != 1 {
			t.Errorf("instance %d: timer fired %d times, message correlated %d times; want 1 and 1", pi, triggered[pi], correlated[pi])
		}
	}
}
