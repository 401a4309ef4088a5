package conformance

import (
	"strings"
	"testing"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
)

// escalationLinkCorpus lists the models under beyond-m1/ that use
// escalation or link events, with the rejection of those Camunda refuses
// too or that also use what is not registered yet. Before escalation and
// link events were registered every one was refused as unsupported.
var escalationLinkCorpus = []struct {
	file    string
	reject  string           // a deploy rejection must contain this; "" runs it to completion
	noStart bool             // no none start event: deploying is all
	runs    []map[string]any // one instance per entry (with these variables); nil is one without
	caught  []string         // the catch events of the ESCALATION ESCALATED records, in order
}{
	{file: "camunda-compat-lint/beyond-m1/escalation-boundary-event-attached-to-ref.bpmn", noStart: true},
	{file: "camunda-compat-lint/beyond-m1/escalation-boundary-event-attached-to-ref-errors.bpmn", reject: "an escalation boundary event may only sit on a subprocess or a call activity"},
	{file: "camunda-compat-lint/beyond-m1/escalation-reference.bpmn", reject: "an embedded subprocess must have exactly one none start event"},
	{file: "camunda-compat-lint/beyond-m1/escalation-reference-errors.bpmn", reject: "an embedded subprocess must have exactly one none start event"},
	{file: "camunda-compat-lint/beyond-m1/link-event.bpmn", noStart: true},
	{file: "camunda-compat-lint/beyond-m1/link-event-errors.bpmn", reject: "a link throw event needs a link name"},
	{file: "zeebe-camunda-license/beyond-m1/escalationEvents_v_1.bpmn", runs: []map[string]any{
		{"shipping": 1.0}, // shipped in time: no escalation
		{"shipping": 5.0}, // late: the non-interrupting boundary notifies, the order ships
		// shipping -1 ("no shipment") also satisfies the first condition,
		// which an exclusive gateway takes first, in Zeebe too.
		{"shipping": -1.0},
	}, caught: []string{"lateShipmentBoundary"}},
	{file: "zeebe-camunda-license/beyond-m1/linkEvents.bpmn"},
	{file: "zeebe-camunda-license/beyond-m1/LinkEventTest.testValidEventLink.bpmn"},
}

// TestCorpusEscalationAndLinks deploys the escalation and link models of
// the corpus: those Camunda runs deploy and run to completion (driven like
// the corpus run), the others are refused naming why.
func TestCorpusEscalationAndLinks(t *testing.T) {
	corpusFiles(t) // skips without the corpus
	for _, c := range escalationLinkCorpus {
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
			if c.noStart {
				return
			}
			runs := c.runs
			if runs == nil {
				runs = []map[string]any{nil}
			}
			for _, vars := range runs {
				for _, p := range dep.Processes {
					if _, err := h.Engine.CreateInstance(h.Ctx, engine.CreateInstanceRequest{ProcessDefinitionKey: p.ProcessDefinitionKey, Variables: vars}); err != nil {
						t.Fatal(err)
					}
				}
			}
			instances := h.Instances()
			if len(instances) == 0 {
				t.Fatal("no instance started")
			}
			for _, pi := range instances {
				if msg := drive(h, pi, nil); msg != "" {
					t.Fatalf("instance %d: %s", pi, msg)
				}
			}
			var caught []string
			for _, r := range h.Log() {
				if v, ok := r.Value.(*record.EscalationValue); ok && r.Intent == record.IntentEscalationEscalated {
					caught = append(caught, v.CatchElementID)
				}
			}
			if strings.Join(caught, ",") != strings.Join(c.caught, ",") {
				t.Errorf("escalations caught by %v, want %v", caught, c.caught)
			}
			CheckLifecycles(t, h.Log())
			h.CheckReplay()
		})
	}
}
