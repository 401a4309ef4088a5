package conformance

import (
	"context"
	"os"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/memstore"
	"github.com/example/wf-engine/elements/standard"
)

// kernel drives a Processor directly, the way the engine loop does, so that
// property tests control every command and timestamp.
type kernel struct {
	t         *rapid.T
	p         *engine.Processor
	now       int64
	log       []*record.Record
	instances []int64
	store     *memstore.Store
}

func (k *kernel) process(cmd *record.Record) *engine.Result {
	cmd.Timestamp = k.now
	res, err := k.p.Process(cmd)
	if err != nil {
		k.t.Fatalf("process %s %s: %v", cmd.ValueType, cmd.Intent, err)
	}
	k.log = append(k.log, res.Records...)
	if err := k.store.Commit(context.Background(), &store.Batch{Records: res.Records, Changes: k.st().TakeChanges()}); err != nil {
		k.t.Fatal(err)
	}
	if err := k.st().Check(); err != nil {
		k.t.Fatalf("after %s %s: %v", cmd.ValueType, cmd.Intent, err)
	}
	return res
}

func (k *kernel) st() *state.State { return k.p.State() }

// tick handles due job deadlines and back-offs as the engine loop does.
func (k *kernel) tick() {
	for _, key := range k.st().DueDeadlines(k.now, 1000) {
		k.process(&record.Record{Key: key, ValueType: record.TypeJob, Intent: record.IntentJobTimeOut, Version: 1, Value: &record.JobValue{}})
	}
	for _, key := range k.st().DueBackoffs(k.now, 1000) {
		k.process(&record.Record{Key: key, ValueType: record.TypeJob, Intent: record.IntentJobRecurAfterBackoff, Version: 1, Value: &record.JobValue{}})
	}
}

func pick[T any](t *rapid.T, label string, xs []T) (T, bool) {
	var zero T
	if len(xs) == 0 {
		return zero, false
	}
	return xs[rapid.IntRange(0, len(xs)-1).Draw(t, label)], true
}

// modifyTargets are the element ids the property test's modifications
// activate: elements of its processes (of one process or another, so some
// are refused) and an unknown one.
var modifyTargets = []string{"task", "end", "a", "b", "join", "fork", "yes", "no", "gw", "start", "nowhere", "each", "mi-sub-task",
	"wait-go", "sig-task", "throw-kick", "esc-note", "esc-again", "esc-stop", "cmp-pay", "cmp-undo", "cmp-refund", "cmp-cancel", "esp-a", "esp-fix", "esp-join", "esp-on-halt"}

// TestPropertyReplayRebuildsState runs random valid command sequences and
// checks the kernel's invariants: log positions strictly increase, element
// lifecycles are legal, and replaying the log's events rebuilds a state that
// is byte-identical to the live one.
func TestPropertyReplayRebuildsState(t *testing.T) {
	var resources []record.Resource
	for _, f := range []string{"w1.bpmn", "fork-join.bpmn", "xor-no-default.bpmn", "multi-instance.bpmn", "signals.bpmn", "escalations.bpmn", "compensations.bpmn", "event-subprocesses.bpmn"} {
		b, err := os.ReadFile("testdata/" + f) // #nosec G304 -- test data path
		if err != nil {
			t.Fatal(err)
		}
		resources = append(resources, record.Resource{Name: f, Content: b})
	}
	processes := []string{"w1", "fork-join", "xor-no-default", "multi-instance", "signals", "kicked", "escalations", "compensations", "event-subs"}
	jobTypes := []string{"w1-work", "a", "b", "mi", "sig", "esc", "cmp", "esp", "unknown"}
	rapid.Check(t, func(t *rapid.T) {
		k := &kernel{t: t, p: engine.NewProcessor(1, engine.NewState(standard.Registry()), standard.Registry()), now: Epoch.UnixMilli(), store: memstore.New(memstore.Options{})}
		res := k.process(&record.Record{ValueType: record.TypeDeployment, Intent: record.IntentDeploymentCreate, Version: 1,
			Value: &record.DeploymentValue{Resources: resources}})
		if res.Rejection != nil {
			t.Fatalf("deploy: %v", res.Rejection)
		}
		t.Repeat(map[string]func(*rapid.T){
			"create": func(t *rapid.T) {
				vars := map[string]any{}
				if rapid.Bool().Draw(t, "has-approved") {
					vars["approved"] = rapid.Bool().Draw(t, "approved")
				}
				res := k.process(&record.Record{ValueType: record.TypeProcessInstanceCreation, Intent: record.IntentProcessInstanceCreate, Version: 1,
					Value: &record.ProcessInstanceCreationValue{BPMNProcessID: rapid.SampledFrom(processes).Draw(t, "process"), Variables: vars}})
				if res.Rejection == nil {
					k.instances = append(k.instances, res.Response.(*engine.CreatedInstance).ProcessInstanceKey)
				}
			},
			"activate": func(t *rapid.T) {
				k.process(&record.Record{ValueType: record.TypeJobBatch, Intent: record.IntentJobBatchActivate, Version: 1,
					Value: &record.JobBatchValue{Type: rapid.SampledFrom(jobTypes).Draw(t, "type"), Worker: "w",
						Timeout: rapid.Int64Range(1, 120000).Draw(t, "timeout"), MaxJobsToActivate: rapid.Int32Range(1, 3).Draw(t, "max")}})
			},
			"complete": func(t *rapid.T) {
				if key, ok := pick(t, "job", k.st().JobKeys()); ok {
					k.process(&record.Record{Key: key, ValueType: record.TypeJob, Intent: record.IntentJobComplete, Version: 1,
						Value: &record.JobValue{Variables: map[string]any{"n": float64(rapid.IntRange(0, 9).Draw(t, "n"))}}})
				}
			},
			"fail": func(t *rapid.T) {
				if key, ok := pick(t, "job", k.st().JobKeys()); ok {
					k.process(&record.Record{Key: key, ValueType: record.TypeJob, Intent: record.IntentJobFail, Version: 1,
						Value: &record.JobValue{Retries: rapid.Int32Range(0, 2).Draw(t, "retries"), ErrorMessage: "boom",
							RetryBackoff: rapid.SampledFrom([]int64{0, 10000}).Draw(t, "backoff")}})
				}
			},
			"throw": func(t *rapid.T) {
				if key, ok := pick(t, "job", k.st().JobKeys()); ok {
					k.process(&record.Record{Key: key, ValueType: record.TypeJob, Intent: record.IntentJobThrowError, Version: 1,
						Value: &record.JobValue{ErrorCode: "E1"}})
				}
			},
			"retries": func(t *rapid.T) {
				if key, ok := pick(t, "job", k.st().JobKeys()); ok {
					k.process(&record.Record{Key: key, ValueType: record.TypeJob, Intent: record.IntentJobUpdateRetries, Version: 1,
						Value: &record.JobValue{Retries: rapid.Int32Range(0, 3).Draw(t, "retries")}})
				}
			},
			"resolve": func(t *rapid.T) {
				if key, ok := pick(t, "incident", k.st().IncidentKeys()); ok {
					k.process(&record.Record{Key: key, ValueType: record.TypeIncident, Intent: record.IntentIncidentResolve, Version: 1, Value: &record.IncidentValue{}})
				}
			},
			"broadcast": func(t *rapid.T) {
				k.process(&record.Record{ValueType: record.TypeSignal, Intent: record.IntentSignalBroadcast, Version: 1,
					Value: &record.SignalValue{SignalName: rapid.SampledFrom([]string{"go", "nudge", "abort", "kick", "halt", "nobody"}).Draw(t, "signal"),
						Variables: map[string]any{"n": float64(rapid.IntRange(0, 9).Draw(t, "n"))}}})
			},
			"cancel": func(t *rapid.T) {
				if key, ok := pick(t, "instance", k.instances); ok {
					k.process(&record.Record{Key: key, ValueType: record.TypeProcessInstance, Intent: record.IntentProcessInstanceCancel, Version: 1, Value: &record.ProcessInstanceValue{}})
				}
			},
			"modify": func(t *rapid.T) {
				key, ok := pick(t, "instance", k.instances)
				if !ok {
					return
				}
				v := &record.ProcessInstanceModificationValue{}
				for n := rapid.IntRange(0, 2).Draw(t, "activations"); n > 0; n-- {
					in := record.ActivateInstruction{ElementID: rapid.SampledFrom(modifyTargets).Draw(t, "element")}
					if rapid.Bool().Draw(t, "vars") {
						in.VariableInstructions = []record.VariableInstruction{{Variables: map[string]any{"m": float64(n)}}}
					}
					v.ActivateInstructions = append(v.ActivateInstructions, in)
				}
				var inside []int64
				var walk func(int64)
				walk = func(scope int64) {
					for _, c := range k.st().Children(scope) {
						inside = append(inside, c.Key)
						walk(c.Key)
					}
				}
				walk(key)
				for n := rapid.IntRange(0, 2).Draw(t, "terminations"); n > 0; n-- {
					if el, ok := pick(t, "terminate", inside); ok {
						v.TerminateInstructions = append(v.TerminateInstructions, record.TerminateInstruction{ElementInstanceKey: el})
					}
				}
				k.process(&record.Record{Key: key, ValueType: record.TypeProcessInstanceModification, Intent: record.IntentProcessInstanceModify, Version: 1, Value: v})
			},
			"time": func(t *rapid.T) {
				k.now += rapid.Int64Range(0, int64(2*time.Minute/time.Millisecond)).Draw(t, "ms")
				k.tick()
			},
			"": func(t *rapid.T) {
				for i, r := range k.log {
					if r.Position != int64(i+1) {
						t.Fatalf("record %d has position %d", i, r.Position)
					}
				}
			},
		})
		if err := Lifecycles(k.log); err != nil {
			t.Fatal(err)
		}
		replayed := engine.NewState(standard.Registry())
		for _, r := range k.log {
			// Through the codec, as a durable store would hand them back.
			b, err := record.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			back, err := record.Unmarshal(b)
			if err != nil {
				t.Fatal(err)
			}
			if err := replayed.Apply(back); err != nil {
				t.Fatalf("replay: %v", err)
			}
		}
		live := string(k.st().Dump())
		if got := string(replayed.Dump()); live != got {
			t.Fatalf("replayed state differs:\nlive:     %s\nreplayed: %s", live, got)
		}
		// A restart loads the stored rows instead: the same state again.
		snap, err := k.store.Load(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		restored, err := engine.RestoreState(standard.Registry(), snap)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(restored.Dump()); live != got {
			t.Fatalf("state restored from rows differs:\nlive:     %s\nrestored: %s", live, got)
		}
	})
}
