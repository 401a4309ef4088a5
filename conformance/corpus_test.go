package conformance

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store/pgstore"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
	"github.com/example/wf-engine/core/store/sqlitestore"
)

// corpusDir is the shared corpus beside the repository clone.
const corpusDir = "../../shared/corpus"

// corpusFiles returns the .bpmn files of the given corpus folders, leaving
// out beyond-m1/ and the deliberately invalid *-errors twins.
func corpusFiles(t *testing.T, folders ...string) []string {
	t.Helper()
	if _, err := os.Stat(corpusDir); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("corpus not found at %s: clone the repository beside shared/ to run corpus tests", corpusDir)
	}
	var files []string
	for _, folder := range folders {
		err := filepath.WalkDir(filepath.Join(corpusDir, folder), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == "beyond-m1" {
				return filepath.SkipDir
			}
			if !d.IsDir() && strings.HasSuffix(path, ".bpmn") && !strings.HasSuffix(path, "-errors.bpmn") {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("walk corpus: %v", err)
		}
	}
	sort.Strings(files)
	return files
}

// corpusInvalid lists corpus models that Camunda 8 rejects too, with the
// words our rejection must contain.
var corpusInvalid = map[string]string{
	"camunda-js-sdk/modeller7File.bpmn":     "not well-formed",           // truncated file
	"camunda-js-sdk/Client-BrokenBpmn.bpmn": "zeebe:taskDefinition type", // the SDK's deploy-error test
	// lib-bpmn-engine runs conditions without the leading '='; Zeebe rejects them as static values.
	"lib-bpmn-engine/test-cases/exclusive-gateway-with-condition-and-default.bpmn": "must be a FEEL expression",
	"lib-bpmn-engine/test-cases/exclusive-gateway-with-condition.bpmn":             "must be a FEEL expression",
	"lib-bpmn-engine/test-cases/inclusive-gateway-with-condition-and-default.bpmn": "must be a FEEL expression",
	"lib-bpmn-engine/test-cases/inclusive-gateway-with-condition.bpmn":             "must be a FEEL expression",
	"lib-bpmn-engine/test-cases/simple-count-loop-with-message.bpmn":               "must be a FEEL expression",
	"lib-bpmn-engine/test-cases/subprocess-with-gateways.bpmn":                     "must be a FEEL expression",
	// Service tasks without a job type: Zeebe requires zeebe:taskDefinition.
	"lib-bpmn-engine/test-cases/forked-flow.bpmn":                              "zeebe:taskDefinition type",
	"lib-bpmn-engine/test-cases/subprocess.bpmn":                               "a job type is required",
	"lib-bpmn-engine/test-cases/message-intermediate-invalid-timer-event.bpmn": "a timer definition is required", // the engine's own negative test
	// Deliberately broken FEEL in the mappings.
	"lib-bpmn-engine/test-cases/service-task-invalid-input.bpmn":  "invalid expression",
	"lib-bpmn-engine/test-cases/service-task-invalid-output.bpmn": "invalid expression",
	// A link throw event without its catch event: Zeebe refuses it too
	// ("must appear in pairs").
	"lib-bpmn-engine/test-cases/simple-link-event-broken.bpmn": "no link catch event named 'Link-A'",
}

// corpusInput is what a model needs to run to its end: start variables, and
// the variables a worker answers with (from the job's variables).
type corpusInput struct {
	start  map[string]any
	worker func(vars map[string]any) map[string]any
	// incident is the error type of the incident the model exists to raise.
	incident string
}

// corpusInputs gives the models that branch or loop on data what their
// workers would provide; every other model runs with no variables.
var corpusInputs = map[string]corpusInput{
	"camunda-js-sdk/conditional-pathway.bpmn":                                     {start: map[string]any{"conditionVariable": true}},
	"camunda-js-sdk/conditional-pathway-10c.bpmn":                                 {start: map[string]any{"conditionVariable": false}},
	"camunda-js-sdk/conditional-pathway-wi.bpmn":                                  {start: map[string]any{"conditionVariable": true}},
	"camunda-js-sdk/Worker-Failure1.bpmn":                                         {start: map[string]any{"conditionVariable": true}},
	"camunda-js-sdk/Worker-Failure-Backoff.bpmn":                                  {start: map[string]any{"conditionVariable": true}},
	"camunda-js-sdk/Worker-RaiseIncident.bpmn":                                    {start: map[string]any{"conditionVariable": true}},
	"lib-bpmn-engine/test-cases/exclusive-gateway-multiple-tasks-no-default.bpmn": {start: map[string]any{"price": 0.0}},
	"lib-bpmn-engine/test-cases/simple-count-loop.bpmn": {start: map[string]any{"counter": 0.0}, worker: func(v map[string]any) map[string]any {
		n, _ := v["counter"].(float64)
		return map[string]any{"counter": n + 1}
	}},
	"zeebe-process-test/qa-abstracts/looping-servicetask.bpmn":                    {start: map[string]any{"totalLoops": 3.0}},
	"lib-bpmn-engine/test-cases/message-intermediate-timer-event-expression.bpmn": {start: map[string]any{"timeoutValue": "PT1S"}},
	// a - b is null with no variables: a timer with no duration.
	"lib-bpmn-engine/test-cases/message-intermediate-timer-event-invalid-expression.bpmn": {incident: "EXTRACT_VALUE_ERROR"},
	// Its user task links form test-basic-form, which the corpus does not
	// hold: Camunda raises FORM_NOT_FOUND when the task is created, too.
	"camunda-js-sdk/test-tasks-query.bpmn": {incident: "FORM_NOT_FOUND"},
}

// TestCorpusRunsToCompletion deploys every corpus model of the folders the
// kernel issue names; each one that uses only registered elements must start
// and run to completion, with every job it meets completed.
func TestCorpusRunsToCompletion(t *testing.T) {
	files := corpusFiles(t, "lib-bpmn-engine", "zeebe-process-test", "camunda-js-sdk", "pyzeebe", "zeebe-spec")
	for _, kind := range []string{"memory", "sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			if kind == "postgres" && os.Getenv(pgtest.EnvURL) == "" {
				t.Skipf("%s is not set", pgtest.EnvURL)
			}
			runCorpus(t, files, func(t *testing.T) *Harness { return harnessOn(t, kind) })
		})
	}
}

// harnessOn starts a harness on a fresh store of a kind.
func harnessOn(t *testing.T, kind string) *Harness {
	t.Helper()
	switch kind {
	case "sqlite":
		s, err := sqlitestore.Open(context.Background(), filepath.Join(t.TempDir(), "wf.db"), sqlitestore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return NewHarnessOn(t, s)
	case "postgres":
		s, err := pgstore.Open(context.Background(), pgtest.URL(t), pgstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return NewHarnessOn(t, s)
	}
	return NewHarness(t)
}

func runCorpus(t *testing.T, files []string, newHarness func(*testing.T) *Harness) {
	var ran, unsupported, notStartable int
	for _, path := range files {
		name := strings.TrimPrefix(path, corpusDir+"/")
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(path) // #nosec G304 -- corpus path
			if err != nil {
				t.Fatal(err)
			}
			h := newHarness(t)
			if strings.Contains(string(b), "calledElement") {
				deployNeighbours(h, path)
			}
			dep, err := h.Engine.Deploy(h.Ctx, engine.DeployRequest{Resources: []record.Resource{{Name: filepath.Base(path), Content: b}}})
			if want, invalid := corpusInvalid[name]; invalid {
				if rj, ok := engine.AsRejection(err); !ok || !strings.Contains(rj.Reason, want) {
					t.Errorf("%s: want a rejection containing %q, got %v", name, want, err)
				}
				return
			}
			if err != nil {
				rj, ok := engine.AsRejection(err)
				if ok && strings.Contains(rj.Reason, "unsupported") {
					unsupported++
					return
				}
				t.Errorf("%s: deploy: %v", name, err)
				return
			}
			for _, p := range dep.Processes {
				in := corpusInputs[name]
				ci, err := h.Engine.CreateInstance(h.Ctx, engine.CreateInstanceRequest{ProcessDefinitionKey: p.ProcessDefinitionKey, Variables: startVariables(b, in.start)})
				if rj, ok := engine.AsRejection(err); ok && rj.Type == record.RejectionInvalidState {
					notStartable++ // no none start event: started by other means
					continue
				}
				if err != nil {
					t.Errorf("%s: create instance of %s: %v", name, p.BPMNProcessID, err)
					continue
				}
				msg := drive(h, ci.ProcessInstanceKey, in.worker)
				if in.incident != "" {
					if !strings.HasPrefix(msg, "incident "+in.incident) {
						t.Errorf("%s: process %s: want an incident %s, got %q", name, p.BPMNProcessID, in.incident, msg)
					}
					continue
				}
				if msg != "" {
					t.Errorf("%s: process %s: %s", name, p.BPMNProcessID, msg)
					continue
				}
				ran++
			}
			CheckLifecycles(t, h.Log())
			h.CheckReplay()
		})
	}
	t.Logf("corpus: %d files, %d process instances ran to completion, %d files use elements not registered yet, %d are invalid for Camunda 8 too, %d processes have no none start event",
		len(files), ran, unsupported, len(corpusInvalid), notStartable)
	if ran == 0 {
		t.Fatal("no corpus model ran")
	}
}

// deployNeighbours deploys the other models of a file's folder, so that a
// call activity finds the process it calls; models that do not deploy are
// left out.
func deployNeighbours(h *Harness, path string) {
	others, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*.bpmn"))
	for _, o := range others {
		if o == path {
			continue
		}
		if b, err := os.ReadFile(o); err == nil { // #nosec G304 -- corpus path
			_, _ = h.Engine.Deploy(h.Ctx, engine.DeployRequest{Resources: []record.Resource{{Name: filepath.Base(o), Content: b}}})
		}
	}
}

// startVariables gives every variable that a message correlation key reads
// directly a value, so that subscriptions can open; given start variables win.
func startVariables(xml []byte, given map[string]any) map[string]any {
	vars := map[string]any{}
	if defs, err := model.Parse(bytes.NewReader(xml)); err == nil {
		for _, m := range defs.Messages {
			if m.CorrelationKey == nil {
				continue
			}
			if name := strings.TrimSpace(strings.TrimPrefix(m.CorrelationKey.Source(), "=")); identifier.MatchString(name) {
				vars[name] = "key-" + name
			}
		}
	}
	for k, v := range given {
		vars[k] = v
	}
	return vars
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// drive works an instance until it ends, as its surroundings would: it
// completes every job and user task, publishes the message each open
// subscription waits for, and moves the clock to the next timer. It returns why the instance
// did not end, or "".
func drive(h *Harness, pi int64, worker func(map[string]any) map[string]any) string {
	for range 200 {
		var types []string
		var active bool
		var incident string
		h.State(func(s *state.State) {
			types = s.ActivatableTypes()
			active = s.Element(pi) != nil
			for _, k := range s.IncidentKeys() {
				if i := s.Incident(k); i.Value.ProcessInstanceKey == pi {
					incident = string(i.Value.ErrorType) + " at " + i.Value.ElementID + ": " + i.Value.ErrorMessage
				}
			}
		})
		if !active {
			return ""
		}
		if incident != "" {
			return "incident " + incident
		}
		if len(types) == 0 {
			var subs []*state.MessageSubscription
			var nextTimer int64
			var timerDue bool
			var tasks []int64
			h.State(func(s *state.State) {
				subs = s.Subscriptions()
				nextTimer, timerDue = s.NextTimer()
				tasks = s.UserTaskKeys()
			})
			switch {
			case len(tasks) > 0:
				if err := h.Engine.CompleteUserTask(h.Ctx, engine.CompleteUserTaskRequest{Key: tasks[0]}); err != nil {
					return "complete user task: " + err.Error()
				}
			case len(subs) > 0:
				sub := subs[0].Value
				if _, err := h.Engine.PublishMessage(h.Ctx, engine.PublishMessageRequest{Name: sub.MessageName, CorrelationKey: sub.CorrelationKey}); err != nil {
					return "publish message: " + err.Error()
				}
			case timerDue:
				h.Clock.Set(time.UnixMilli(nextTimer))
				h.Settle()
			default:
				var summary []string
				h.State(func(s *state.State) { summary = s.Summary(pi) })
				return "stuck without jobs, messages or timers in " + strings.Join(summary, ", ")
			}
			continue
		}
		for _, typ := range types {
			jobs, err := h.Engine.ActivateJobs(h.Ctx, engine.ActivateJobsRequest{Type: typ, Worker: "corpus", Timeout: time.Minute, MaxJobs: 100})
			if err != nil {
				return "activate: " + err.Error()
			}
			for _, j := range jobs {
				var vars map[string]any
				if worker != nil {
					vars = worker(j.Value.Variables)
				}
				if err := h.Engine.CompleteJob(h.Ctx, engine.CompleteJobRequest{Key: j.Key, Variables: vars}); err != nil {
					return "complete job: " + err.Error()
				}
			}
		}
	}
	return "did not end after 200 rounds of jobs"
}

// elementNames returns (name, id) pairs of the named elements of a model.
func elementNames(xml []byte) [][2]string {
	var out [][2]string
	if defs, err := model.Parse(bytes.NewReader(xml)); err == nil {
		for _, p := range defs.Processes {
			for _, el := range p.Elements {
				if el.Name != "" {
					out = append(out, [2]string{el.Name, el.ID})
				}
			}
		}
	}
	return out
}

// zeebeInvalid lists models of the Zeebe repository folders that Zeebe
// rejects too (its own negative fixtures and Zeebe 0.x conditions), with the
// words our rejection must contain.
var zeebeInvalid = map[string]string{
	"zeebe-apache/bpmn-model/DefinitionsTest.shouldNotAffectCommentsResult.bpmn":                            "not well-formed",
	"zeebe-apache/bpmn-model/validation/default-flow-inclusive-gateway.bpmn":                                "element 'inclusiveGateway': attribute 'default'",
	"zeebe-apache/bpmn-model/validation/default-flow.bpmn":                                                  "element 'gateway': attribute 'default'",
	"zeebe-apache/bpmn-model/validation/multiple-timer-start-event-sub-process.bpmn":                        "element 'SubProcess_1h0ttun': an embedded subprocess must start with a none start",
	"zeebe-apache/bpmn-model/validation/no-start-event-sub-process.bpmn":                                    "element 'subProcess': an embedded subprocess must have exactly one none start event",
	"zeebe-camunda-license/benchmarks/cecm_sample.bpmn":                                                     "must be a FEEL expression",
	"zeebe-camunda-license/engine/exclusive-gateway.bpmn":                                                   "must be a FEEL expression",
	"zeebe-camunda-license/engine/invalid_process_condition.bpmn":                                           "element 'flow2': attribute 'conditionExpression': invalid expression",
	"zeebe-camunda-license/operate-mocks/instanceMigration.bpmn":                                            "element 'confirmDelivery': attribute 'zeebe:calledElement processId'",
	"zeebe-apache/bpmn-model/DefinitionsTest.shouldImportEmptyDefinitions.bpmn":                             "no process",
	"zeebe-apache/bpmn-model/GenerateIdTest.bpmn":                                                           "no executable process",
	"zeebe-apache/bpmn-model/instance/zeebe/ZeebeExecutionListenersTest.bpmn":                               "unsupported zeebe:executionListeners",
	"zeebe-apache/bpmn-model/validation/ZeebeExecutionListenersValidationTest.testEventTypeNotDefined.bpmn": "unsupported zeebe:executionListeners",
}

// TestCorpusZeebeModelsDeploy deploys every model of the Zeebe repository
// folders (zeebe-apache, zeebe-camunda-license; used as test data only):
// each executable model that uses M1 elements deploys; the others are
// rejected naming what they lack (not executable) or what is unsupported,
// and Zeebe's own negative fixtures are rejected with the expected problem.
// Running them needs per-model inputs and is left to the corpus run above.
func TestCorpusZeebeModelsDeploy(t *testing.T) {
	files := corpusFiles(t, "zeebe-apache", "zeebe-camunda-license")
	var deployed, unsupported, notExecutable int
	for _, path := range files {
		name := strings.TrimPrefix(path, corpusDir+"/")
		_, err := DeployFile(t, path)
		want, invalid := zeebeInvalid[name]
		rj, isRejection := engine.AsRejection(err)
		switch {
		case invalid && (!isRejection || !strings.Contains(rj.Reason, want)):
			t.Errorf("%s: want a rejection containing %q, got %v", name, want, err)
		case invalid:
		case err == nil:
			deployed++
		case !isRejection || rj.Type != record.RejectionInvalidArgument:
			t.Errorf("%s: want a deployment or an INVALID_ARGUMENT rejection, got %v", name, err)
		case strings.Contains(rj.Reason, "no executable process"):
			notExecutable++
		case strings.Contains(rj.Reason, "unsupported element"):
			unsupported++
		default:
			t.Errorf("%s: an executable model was rejected:\n%s", name, rj.Reason)
		}
	}
	t.Logf("Zeebe models: %d files, %d deployed, %d use elements outside M1 (named), %d not executable, %d rejected as Zeebe rejects them",
		len(files), deployed, unsupported, notExecutable, len(zeebeInvalid))
	if deployed == 0 {
		t.Fatal("no Zeebe model deployed")
	}
}

// TestCorpusDescriptiveModelsNeverCrash deploys every model of the folders
// that hold modelling-tool fixtures rather than executable processes
// (bpmn-js, bpmn-moddle, all of MIWG): each deploys, or is rejected as
// invalid with every problem located by line; nothing crashes or fails in
// another way. These models are descriptive: most have no executable
// process, and the executable ones lack what Zeebe needs to run them (job
// types, messages, FEEL conditions).
func TestCorpusDescriptiveModelsNeverCrash(t *testing.T) {
	files := corpusFiles(t, "bpmn-js", "bpmn-moddle", "miwg")
	located := regexp.MustCompile(`^\S+: line \d+: `)
	var deployed, rejected int
	for _, path := range files {
		name := strings.TrimPrefix(path, corpusDir+"/")
		_, err := DeployFile(t, path)
		if err == nil {
			deployed++
			continue
		}
		rj, ok := engine.AsRejection(err)
		if !ok || rj.Type != record.RejectionInvalidArgument {
			t.Errorf("%s: want a deployment or an INVALID_ARGUMENT rejection, got %v", name, err)
			continue
		}
		rejected++
		lines := strings.Split(strings.TrimSpace(rj.Reason), "\n")
		for _, l := range lines[1:] {
			if !located.MatchString(strings.TrimSpace(l)) {
				t.Errorf("%s: a problem without file and line: %q", name, l)
			}
		}
	}
	t.Logf("descriptive models: %d files, %d deployed, %d rejected with located problems", len(files), deployed, rejected)
}

// deployCorpusFile deploys one file of the corpus, named by its base name,
// on a fresh harness.
func deployCorpusFile(t *testing.T, file string) (*Harness, *engine.Deployment, error) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(corpusDir, file)) // #nosec G304 -- corpus path
	if err != nil {
		t.Fatal(err)
	}
	h := NewHarness(t)
	dep, err := h.Engine.Deploy(h.Ctx, engine.DeployRequest{Resources: []record.Resource{{Name: filepath.Base(file), Content: b}}})
	return h, dep, err
}
