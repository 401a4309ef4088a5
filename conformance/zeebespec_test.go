package conformance

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// zeebeSpec is the YAML test specification format of zeebe-spec: actions on
// an instance, then verifications of element, instance, incident and
// variable states.
type zeebeSpec struct {
	TestCases []struct {
		Name          string     `yaml:"name"`
		Description   string     `yaml:"description"`
		Actions       []specStep `yaml:"actions"`
		Verifications []specStep `yaml:"verifications"`
		Instructions  []specStep `yaml:"instructions"`
	} `yaml:"testCases"`
}

type specStep struct {
	Action       string            `yaml:"action"`
	Verification string            `yaml:"verification"`
	Args         map[string]string `yaml:"args"`
}

// specNotApplicable lists zeebe-spec cases that depend on zeebe-spec's own
// Java test harness rather than on the engine, with the reason.
var specNotApplicable = map[string]string{
	"zeebe-spec/junit-extension/spec-with-external-worker.yaml/complete task": "needs the JUnit extension's external worker that increments x",
	"zeebe-spec/junit-extension/demo2.yaml/complete process":                  "expects the second instance terminated though nothing cancels it (the JUnit harness's behaviour)",
}

// TestZeebeSpecs runs the zeebe-spec YAML specifications of the corpus; their
// expected outcomes must hold. The spec named "fail-verification" checks
// that a wrong expectation fails, so there the failure is expected.
func TestZeebeSpecs(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("corpus not found at %s: clone the repository beside shared/ to run corpus tests", corpusDir)
	}
	specs, _ := filepath.Glob(filepath.Join(corpusDir, "zeebe-spec", "*", "*.yaml"))
	more, _ := filepath.Glob(filepath.Join(corpusDir, "zeebe-spec", "*", "specs", "*.yaml"))
	specs = append(specs, more...)
	if len(specs) == 0 {
		t.Fatal("no zeebe-spec specifications found")
	}
	var cases int
	for _, path := range specs {
		b, err := os.ReadFile(path) // #nosec G304 -- corpus path
		if err != nil {
			t.Fatal(err)
		}
		var spec zeebeSpec
		if err := yaml.Unmarshal(b, &spec); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		dir := filepath.Dir(path)
		if filepath.Base(dir) == "specs" {
			dir = filepath.Dir(dir)
		}
		for _, tc := range spec.TestCases {
			cases++
			name := strings.TrimPrefix(path, corpusDir+"/") + "/" + tc.Name
			if why, skip := specNotApplicable[name]; skip {
				t.Logf("%s: not run: %s", name, why)
				continue
			}
			steps := append(append(append([]specStep(nil), tc.Actions...), tc.Verifications...), tc.Instructions...)
			failures := runSpec(t, dir, steps)
			wantFail := strings.Contains(tc.Name, "fail-verification") || strings.Contains(tc.Description, "should fail")
			switch {
			case wantFail && len(failures) == 0:
				t.Errorf("%s: expected a verification to fail, but all held", name)
			case !wantFail && len(failures) > 0:
				t.Errorf("%s:\n  %s", name, strings.Join(failures, "\n  "))
			}
		}
	}
	t.Logf("zeebe-spec: %d specification files, %d test cases", len(specs), cases)
}

// runSpec deploys the folder's models, runs the steps and returns the
// verifications that did not hold.
func runSpec(t *testing.T, dir string, steps []specStep) []string {
	h := NewHarness(t)
	models, _ := filepath.Glob(filepath.Join(dir, "*.bpmn"))
	names := map[string][]string{} // element name -> element ids
	for _, m := range models {
		b, err := os.ReadFile(m) // #nosec G304 -- corpus path
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.Engine.Deploy(h.Ctx, engine.DeployRequest{Resources: []record.Resource{{Name: filepath.Base(m), Content: b}}}); err != nil {
			return []string{fmt.Sprintf("deploy %s: %v", filepath.Base(m), err)}
		}
		for _, id := range elementNames(b) {
			names[id[0]] = append(names[id[0]], id[1])
		}
	}
	var failures []string
	var pi int64
	aliases := map[string]int64{}
	// complete-task and throw-error register a worker for the job type, as
	// zeebe-spec does: it handles every job of that type from then on.
	workers := map[string]specStep{}
	var order []string
	work := func() error {
		for progress := true; progress; {
			progress = false
			for _, typ := range order {
				w := workers[typ]
				jobs, err := h.Engine.ActivateJobs(h.Ctx, engine.ActivateJobsRequest{Type: typ, Worker: "spec", Timeout: time.Minute, MaxJobs: 100})
				if err != nil {
					return err
				}
				for _, j := range jobs {
					progress = true
					if w.Action == "complete-task" {
						err = h.Engine.CompleteJob(h.Ctx, engine.CompleteJobRequest{Key: j.Key, Variables: specVars(w.Args["variables"])})
					} else {
						err = h.Engine.ThrowError(h.Ctx, engine.ThrowErrorRequest{Key: j.Key, ErrorCode: w.Args["error_code"], ErrorMessage: w.Args["error_message"]})
					}
					if err != nil {
						return err
					}
				}
			}
		}
		return nil
	}
	for _, s := range steps {
		a := s.Args
		var err error
		switch s.Action {
		case "":
		case "create-instance":
			var ci *engine.CreatedInstance
			ci, err = h.Engine.CreateInstance(h.Ctx, engine.CreateInstanceRequest{BPMNProcessID: a["bpmn_process_id"], Variables: specVars(a["variables"])})
			if err == nil {
				pi = ci.ProcessInstanceKey
				if alias := a["process_instance_alias"]; alias != "" {
					aliases[alias] = pi
				}
			}
		case "complete-task", "throw-error":
			if _, known := workers[a["job_type"]]; !known {
				order = append(order, a["job_type"])
			}
			workers[a["job_type"]] = s
		case "publish-message":
			_, err = h.Engine.PublishMessage(h.Ctx, engine.PublishMessageRequest{Name: a["message_name"], CorrelationKey: a["correlation_key"], Variables: specVars(a["variables"])})
		case "await-element-instance-state":
		default:
			err = fmt.Errorf("unknown action %s", s.Action)
		}
		if err == nil {
			err = work()
		}
		h.Settle()
		if err == nil && s.Action == "await-element-instance-state" {
			if got := elementState(h.Log(), pi, ids(names, a)); got != a["state"] {
				err = fmt.Errorf("element %s is %s, awaited %s", elementRef(a), got, a["state"])
			}
		}
		if err != nil {
			failures = append(failures, fmt.Sprintf("%s: %v", s.Action, err))
		}
		target := pi
		if k, ok := aliases[a["process"]]; ok {
			target = k
		}
		if msg := verify(h, s, target, names); msg != "" {
			failures = append(failures, msg)
		}
	}
	return failures
}

func verify(h *Harness, s specStep, pi int64, names map[string][]string) string {
	a := s.Args
	log := h.Log()
	switch s.Verification {
	case "":
		return ""
	case "process-instance-state":
		if got := elementState(log, pi, []string{""}); got != a["state"] {
			return fmt.Sprintf("process instance is %s, want %s", got, a["state"])
		}
	case "element-instance-state":
		if got := elementState(log, pi, ids(names, a)); got != a["state"] {
			return fmt.Sprintf("element %s is %s, want %s", elementRef(a), got, a["state"])
		}
	case "incident-state":
		var got string
		h.State(func(st *state.State) {
			for _, k := range st.IncidentKeys() {
				i := st.Incident(k)
				if i.Value.ProcessInstanceKey == pi && contains(ids(names, a), i.Value.ElementID) && string(i.Value.ErrorType) == a["error_type"] {
					got = "created"
				}
			}
		})
		if got != a["state"] {
			return fmt.Sprintf("incident %s on %s is %q, want %s", a["error_type"], elementRef(a), got, a["state"])
		}
	case "process-instance-variable", "no-process-instance-variable":
		scope := []string{""}
		if a["element_name"] != "" || a["element_id"] != "" {
			scope = ids(names, a)
		}
		v, found := variable(log, pi, scope, a["name"])
		if s.Verification == "no-process-instance-variable" {
			if found {
				return fmt.Sprintf("variable %s exists in %v", a["name"], scope)
			}
			return ""
		}
		var want any
		if err := json.Unmarshal([]byte(a["value"]), &want); err != nil || !found || !reflect.DeepEqual(v, want) {
			return fmt.Sprintf("variable %s is %v (found %v), want %s", a["name"], v, found, a["value"])
		}
	default:
		return "unknown verification " + s.Verification
	}
	return ""
}

func specVars(s string) map[string]any {
	var m map[string]any
	_ = json.Unmarshal([]byte(s), &m) // an empty or absent document is no variables
	return m
}

func elementRef(a map[string]string) string {
	if a["element_id"] != "" {
		return a["element_id"]
	}
	return "named " + a["element_name"]
}

// ids returns the element ids an argument set names ("" is the process).
func ids(names map[string][]string, a map[string]string) []string {
	if id := a["element_id"]; id != "" {
		return []string{id}
	}
	return names[a["element_name"]]
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// elementState returns the state of the newest instance of one of the
// elements in a process instance ("" = the process itself), as zeebe-spec
// names it: activated, completed or terminated.
func elementState(log []*record.Record, pi int64, elementIDs []string) string {
	var last record.Intent
	var key int64
	for _, r := range log {
		v, ok := r.Value.(*record.ProcessInstanceValue)
		if !ok || r.Kind != record.KindEvent || v.ProcessInstanceKey != pi || v.BPMNElementType == "SEQUENCE_FLOW" {
			continue
		}
		isRoot := v.FlowScopeKey <= 0
		match := false
		for _, id := range elementIDs {
			match = match || (id == "" && isRoot) || (id != "" && !isRoot && v.ElementID == id)
		}
		if !match {
			continue
		}
		if r.Intent == record.IntentElementActivating {
			key = r.Key
		}
		if r.Key == key {
			last = r.Intent
		}
	}
	switch last {
	case record.IntentElementActivating, record.IntentElementActivated, record.IntentElementCompleting:
		return "activated"
	case record.IntentElementCompleted:
		return "completed"
	case record.IntentElementTerminating, record.IntentElementTerminated:
		return "terminated"
	}
	return "not activated"
}

// variable returns the latest value of a variable in the scope of the
// process instance ("") or of an element's instances.
func variable(log []*record.Record, pi int64, elementIDs []string, name string) (any, bool) {
	scopes := map[int64]bool{}
	var val any
	var found bool
	for _, r := range log {
		switch v := r.Value.(type) {
		case *record.ProcessInstanceValue:
			if r.Intent == record.IntentElementActivating && v.ProcessInstanceKey == pi {
				for _, id := range elementIDs {
					if (id == "" && v.FlowScopeKey <= 0) || (id != "" && v.FlowScopeKey > 0 && v.ElementID == id) {
						scopes[r.Key] = true
					}
				}
			}
		case *record.VariableValue:
			if r.Kind == record.KindEvent && v.Name == name && scopes[v.ScopeKey] {
				val, found = v.Value, true
			}
		}
	}
	return val, found
}
