package conformance

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
)

// compatCase is what the engine does with one camunda-compat-lint rule's
// pair of fixtures: X.bpmn (valid for the linter rule) and X-errors.bpmn (its
// deliberately invalid twin). An empty expectation means "deploys"; any other
// text must appear in the rejection. See docs/adr/0005 for why some
// linter-valid fixtures are rejected.
type compatCase struct {
	valid  string
	errors string // "-": the rule has no -errors twin
	why    string
}

// Reasons a linter-valid fixture is rejected. Every one of them is a
// Camunda 8 deploy rejection too, or outside the M1 element set.
const (
	whyJobType       = "the fixture has a task without zeebe:taskDefinition; Camunda 8 rejects it at deploy as well"
	whyMessage       = "the fixture has a receive task without a message; Camunda 8 rejects it at deploy as well"
	whyEventSubStart = "the fixture's event subprocess has no start event, or two; Camunda 8 rejects it at deploy as well"
	whyDecision      = "zeebe:calledDecision (DMN) is outside M1 and rejected as unsupported"
	whyBrokenXML     = "the fixture uses the zeebe: prefix without declaring it; no namespace-aware parser reads it"
	whyNoCondition   = "the fixture's gateway has unconditioned flows that are not the default; Camunda 8 rejects it at deploy as well"
	whyVersion       = "the twin uses what older Camunda versions lacked; Camunda 8.8, our level, accepts it"
	whyModelerOnly   = "a Modeler rule (templates, version tags, properties, forms); the engine has nothing to check"
	whyBrokenSource  = "the fixture's sequence flow names a source that does not exist"
)

// compatLint covers every rule fixture in camunda-compat-lint (beyond-m1/
// aside). A new fixture in the corpus fails the test until it is added here.
var compatLint = map[string]compatCase{
	"called-element":                         {valid: "", errors: "element 'Activity_0d1v6z8': attribute 'zeebe:calledElement processId'"},
	"executable-process":                     {valid: "", errors: "no executable process"},
	"feel":                                   {valid: "", errors: "element 'Activity_164sk7r': attribute 'zeebe:taskDefinition retries': invalid expression"},
	"message-reference":                      {valid: "", errors: "element 'StartEvent_1': attribute 'messageRef': a message is required"},
	"no-multiple-none-start-events":          {valid: "", errors: "element 'Process_1': must not have more than one none start event"},
	"subscription":                           {valid: "", errors: "element 'Event_1l9mlt3': attribute 'zeebe:subscription correlationKey'"},
	"event-based-gateway-target":             {valid: "element 'ReceiveTask_1': attribute 'messageRef'", errors: "element 'EventBasedGateway_1'", why: whyMessage},
	"sequence-flow-condition":                {valid: "element 'ReceiveTask_1': attribute 'messageRef'", errors: "element 'ExclusiveGateway_1': sequence flow 'SequenceFlow_1' must have a condition", why: whyMessage},
	"error-reference-throwing":               {valid: "element 'EventSubProcess_2': an event subprocess must have exactly one start event", errors: "element 'EndEvent_2': attribute 'errorRef'", why: whyEventSubStart},
	"error-reference-catching":               {valid: "", errors: "", why: whyVersion},
	"no-loop":                                {valid: "element 'Gateway_1': sequence flow 'SequenceFlow_2' must have a condition", errors: "element 'Gateway_1'", why: whyNoCondition},
	"duplicate-task-headers":                 {valid: "element 'Activity_0ylimvt': attribute 'zeebe:taskDefinition type'", errors: "element 'Activity_0ylimvt'", why: whyJobType},
	"no-template":                            {valid: "element 'Activity_1kgaylb': attribute 'zeebe:taskDefinition type'", errors: "element 'Activity_1kgaylb'", why: whyJobType},
	"version-tag":                            {valid: "element 'CallActivity_1': attribute 'zeebe:calledElement processId'", errors: "element 'CallActivity_1'", why: whyModelerOnly},
	"priority-definition":                    {valid: "undeclared namespace prefix zeebe", errors: "undeclared namespace prefix zeebe", why: whyBrokenXML},
	"task-schedule":                          {valid: "undeclared namespace prefix zeebe", errors: "undeclared namespace prefix zeebe", why: whyBrokenXML},
	"no-priority-definition":                 {valid: "", errors: "undeclared namespace prefix zeebe", why: whyBrokenXML},
	"no-task-schedule":                       {valid: "", errors: "undeclared namespace prefix zeebe", why: whyBrokenXML},
	"sequence-flow-condition-broken-diagram": {valid: "element 'Flow_1r8rdst': attribute 'sourceRef': unknown element 'StartEvent_1'", errors: "-", why: whyBrokenSource},
	"camunda-cloud-8-6-connector-properties": {valid: "", errors: "-"},
	"connector-properties":                   {valid: "", errors: "-"},
	// Rules about what older Camunda versions lacked: both fixtures are
	// models Camunda 8.8 runs.
	"inclusive-gateway":                 {why: whyVersion},
	"io-mapping":                        {why: whyVersion},
	"no-binding-type":                   {why: whyVersion},
	"no-candidate-users":                {why: whyVersion},
	"no-propagate-all-parent-variables": {why: whyVersion},
	"no-zeebe-user-task":                {why: whyVersion},
	"zeebe-user-task":                   {why: whyVersion},
	"user-task-definition":              {why: whyVersion},
	"no-version-tag":                    {why: whyModelerOnly},
	"no-zeebe-properties":               {why: whyModelerOnly},
	"secrets":                           {why: whyModelerOnly},
	"start-event-form-allowed":          {why: whyModelerOnly},
	"start-event-form-not-allowed":      {why: whyModelerOnly},
	"user-task-form-form-id":            {why: whyModelerOnly},
	"user-task-form-form-key":           {why: whyModelerOnly},
}

func init() {
	// Per-version element type, implementation and timer rules. The
	// element-type fixtures put every element kind of a version in one
	// process, job-based tasks without job types among them; the twins add
	// the kinds that version lacked, again without job types.
	for _, v := range []string{"1-0", "1-1", "1-2", "1-3", "8-0", "8-1", "8-2", "8-3", "8-5"} {
		valid := "element 'Activity_0hifi7a': attribute 'zeebe:taskDefinition type'"
		if v == "1-0" {
			valid = "element 'Activity_1vno0ey': attribute 'messageRef'"
		}
		compatLint["camunda-cloud-"+v+"-element-type"] = compatCase{valid: valid, errors: "element 'Activity_0hifi7a': attribute 'zeebe:taskDefinition type'", why: whyJobType}
	}
	for _, v := range []string{"1-0", "1-1", "1-2", "1-3", "8-0", "8-1", "8-2"} {
		valid, why := "", ""
		if v != "1-0" && v != "1-1" && v != "1-2" {
			valid, why = "element 'Activity_1sgdq2g': unsupported zeebe:calledDecision", whyDecision
		}
		compatLint["camunda-cloud-"+v+"-implementation"] = compatCase{valid: valid, errors: "element 'Activity_0yxq5i6': attribute 'zeebe:taskDefinition type'", why: why}
	}
	for _, v := range []string{"1-0", "1-1", "1-2", "1-3", "8-0", "8-1", "8-2", "8-3"} {
		compatLint["camunda-cloud-"+v+"-timer"] = compatCase{valid: "element 'SubProcess_Date': an event subprocess must have exactly one start event", errors: "element 'IntermediateCatchEvent_Cycle'", why: whyEventSubStart}
	}
}

// TestCamundaCompatLint deploys both fixtures of every camunda-compat-lint
// rule: each deploys or is rejected with the expected problem, naming the
// element, and nothing else happens (no crash, no other error kind).
func TestCamundaCompatLint(t *testing.T) {
	files := corpusFiles(t, "camunda-compat-lint")
	seen := map[string]bool{}
	for _, path := range files {
		base := strings.TrimSuffix(filepath.Base(path), ".bpmn")
		c, ok := compatLint[base]
		if !ok {
			t.Errorf("%s: not in the compatLint table; add what the engine must do with it", base)
			continue
		}
		seen[base] = true
		t.Run(base, func(t *testing.T) {
			checkCompat(t, path, c.valid, c.why)
			twin := strings.TrimSuffix(path, ".bpmn") + "-errors.bpmn"
			if c.errors == "-" {
				if _, err := os.Stat(twin); err == nil {
					t.Errorf("%s exists but the table says the rule has no twin", twin)
				}
				return
			}
			checkCompat(t, twin, c.errors, c.why)
		})
	}
	var missing []string
	for base := range compatLint {
		if !seen[base] {
			missing = append(missing, base)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("table entries without a corpus file: %v", missing)
	}
}

// checkCompat deploys one file: want "" means it must deploy, else the
// rejection must be INVALID_ARGUMENT and contain want.
func checkCompat(t *testing.T, path, want, why string) {
	t.Helper()
	_, err := DeployFile(t, path)
	name := filepath.Base(path)
	switch {
	case want == "" && err != nil:
		t.Errorf("%s: want it deployed, got %v", name, err)
	case want == "":
	case err == nil:
		t.Errorf("%s: deployed, want a rejection containing %q (%s)", name, want, why)
	default:
		rj, ok := engine.AsRejection(err)
		if !ok || rj.Type != record.RejectionInvalidArgument {
			t.Errorf("%s: want an INVALID_ARGUMENT rejection, got %v", name, err)
		} else if !strings.Contains(rj.Reason, want) {
			t.Errorf("%s: the rejection does not contain %q:\n%s", name, want, rj.Reason)
		}
	}
}
