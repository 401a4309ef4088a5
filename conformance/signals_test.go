package conformance

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/state"
)

// signalCorpus lists the executable Camunda models under beyond-m1/ that use
// signals, with the signal that starts them ("" for a none start) and the
// rejection of those that also use what is not registered yet. Before
// signals were registered every one was refused as unsupported.
var signalCorpus = []struct {
	file   string
	start  string // the signal of a signal start event; "" creates the instance
	reject string // a deploy rejection must contain this
}{
	{file: "camunda-js-sdk/beyond-m1/Signal.bpmn", start: "test-signal"},
	{file: "camunda-js-sdk/beyond-m1/Red-Tenant-Process.bpmn"},
	{file: "zeebe-apache/beyond-m1/clients-go/signal_start_event.bpmn", start: "Start Process"},
	{file: "zeebe-camunda-license/beyond-m1/timerProcess_v_2.bpmn", start: "-"},      // a timer start event
	{file: "zeebe-camunda-license/beyond-m1/signalEvent.bpmn", start: "startSignal"}, // with signal event subprocesses
}

// TestCorpusSignals deploys the signal models of the corpus and runs each
// to completion: started by its signal (or timer, or created), driven like
// the corpus run, with the signal each waiting catch or boundary event
// waits for broadcast when nothing else is left to do.
func TestCorpusSignals(t *testing.T) {
	corpusFiles(t) // skips without the corpus
	for _, c := range signalCorpus {
		t.Run(c.file, func(t *testing.T) {
			h, dep, err := deployCorpusFile(t, c.file)
			if c.reject != "" {
				if rj, ok := engine.AsRejection(err); !ok || !strings.Contains(rj.Reason, c.reject) {
					t.Fatalf("want a rejection containing %q, got %v", c.reject, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("deploy: %v", err)
			}
			switch c.start {
			case "":
				for _, p := range dep.Processes {
					if _, err := h.Engine.CreateInstance(h.Ctx, engine.CreateInstanceRequest{ProcessDefinitionKey: p.ProcessDefinitionKey}); err != nil {
						t.Fatal(err)
					}
				}
			case "-":
				var due int64
				h.State(func(s *state.State) { due, _ = s.NextTimer() })
				h.Clock.Set(time.UnixMilli(due))
				h.Settle()
			default:
				if _, err := h.Engine.BroadcastSignal(h.Ctx, engine.BroadcastSignalRequest{SignalName: c.start, Variables: map[string]any{"from": "corpus"}}); err != nil {
					t.Fatal(err)
				}
			}
			instances := h.Instances()
			if len(instances) == 0 {
				t.Fatal("no instance started")
			}
			for _, pi := range instances {
				if msg := driveWithSignals(h, pi); msg != "" {
					t.Fatalf("instance %d: %s", pi, msg)
				}
			}
			CheckLifecycles(t, h.Log())
			h.CheckReplay()
		})
	}
}

// driveWithSignals drives an instance as the corpus run does and, when it
// is stuck, broadcasts the signal one of its catch or boundary events
// waits for.
func driveWithSignals(h *Harness, pi int64) string {
	for range 20 {
		msg := drive(h, pi, nil)
		if !strings.HasPrefix(msg, "stuck") {
			return msg
		}
		var sub *state.SignalSubscription
		h.State(func(s *state.State) {
			for _, x := range s.SignalSubscriptions() {
				if x.Value.ProcessInstanceKey == pi {
					sub = x
					break
				}
			}
		})
		if sub == nil {
			return msg
		}
		if _, err := h.Engine.BroadcastSignal(h.Ctx, engine.BroadcastSignalRequest{SignalName: sub.Value.SignalName, TenantID: sub.Value.TenantID}); err != nil {
			return "broadcast: " + err.Error()
		}
	}
	return "still waiting after 20 signals"
}

// TestCompatLintSignals checks camunda-compat-lint's signal pairs: the
// linter-valid signal-reference fixture deploys and its twin (a signal
// event without a signal) is rejected naming the event; so is the signal
// event subprocess pair (its start event lies outside the event subprocess,
// and the twin's events have no signal), as Camunda rejects them.
func TestCompatLintSignals(t *testing.T) {
	corpusFiles(t)
	dir := filepath.Join(corpusDir, "camunda-compat-lint", "beyond-m1")
	checkCompat(t, filepath.Join(dir, "signal-reference.bpmn"), "", "")
	checkCompat(t, filepath.Join(dir, "signal-reference-errors.bpmn"), "attribute 'signalRef'", "")
	checkCompat(t, filepath.Join(dir, "no-signal-event-sub-process.bpmn"), "element 'SubProcess_1': an event subprocess must have exactly one start event", whyEventSubStart)
	checkCompat(t, filepath.Join(dir, "no-signal-event-sub-process-errors.bpmn"), "element 'SignalStartEvent_1': attribute 'signalRef'", "")
}
