package conformance

import (
	"strings"
	"testing"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
)

// compensationCorpus lists the models under beyond-m1/ that use
// compensation events, with the activities whose handlers ran, in order.
// Before compensation was registered every one was refused as unsupported.
var compensationCorpus = []struct {
	file        string
	compensated []string // the compensable activities whose handlers completed (COMPENSATION_SUBSCRIPTION COMPLETED), in order
}{
	// Compensated by the intermediate throw event; the end event, naming
	// the same activity, finds nothing left to compensate.
	{file: "zeebe-camunda-license/beyond-m1/compensationEvents.bpmn", compensated: []string{"Activity_17gn2rg"}},
	// No compensation event: the subscription is deleted with the instance.
	{file: "zeebe-camunda-license/beyond-m1/compensation/compensation-boundary-event.bpmn"},
	{file: "zeebe-camunda-license/beyond-m1/compensation/compensation-throw-event.bpmn", compensated: []string{"ActivityToCompensate"}},
	// The end event compensates the completed subprocess, inside it the
	// task and the completed inner subprocess, and inside that its task.
	{file: "zeebe-camunda-license/beyond-m1/compensation/compensation-embedded-subprocess.bpmn", compensated: []string{"ActivityToCompensate", "ActivityToCompensate2"}},
}

// TestCorpusCompensation deploys Zeebe's compensation models of the corpus
// and runs them to completion (driven like the corpus run): the handlers
// that ran are those of the activities that completed, most recent first.
func TestCorpusCompensation(t *testing.T) {
	corpusFiles(t) // skips without the corpus
	for _, c := range compensationCorpus {
		t.Run(c.file, func(t *testing.T) {
			h, dep, err := deployCorpusFile(t, c.file)
			if err != nil {
				t.Fatalf("deploy: %v", err)
			}
			for _, p := range dep.Processes {
				if _, err := h.Engine.CreateInstance(h.Ctx, engine.CreateInstanceRequest{ProcessDefinitionKey: p.ProcessDefinitionKey}); err != nil {
					t.Fatal(err)
				}
			}
			for _, pi := range h.Instances() {
				if msg := drive(h, pi, nil); msg != "" {
					t.Fatalf("instance %d: %s", pi, msg)
				}
			}
			var compensated []string
			for _, r := range h.Log() {
				if v, ok := r.Value.(*record.CompensationSubscriptionValue); ok && r.Intent == record.IntentCompensationSubscriptionCompleted &&
					v.CompensationHandlerID != "" {
					compensated = append(compensated, v.CompensableActivityID)
				}
			}
			if strings.Join(compensated, ",") != strings.Join(c.compensated, ",") {
				t.Errorf("compensated %v, want %v", compensated, c.compensated)
			}
			CheckLifecycles(t, h.Log())
			h.CheckReplay()
		})
	}
}
