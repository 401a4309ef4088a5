package engine_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/expr"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store/memstore"
	"github.com/example/wf-engine/elements/standard"
)

// chainXML returns a process "chain" of n plain tasks between a start and
// an end event: no loop, no wait state.
func chainXML(n int) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="chain" isExecutable="true">
    <bpmn:startEvent id="start" />
`)
	prev := "start"
	for i := range n {
		id := fmt.Sprintf("t%d", i)
		fmt.Fprintf(&b, "    <bpmn:task id=%q />\n    <bpmn:sequenceFlow id=\"f%d\" sourceRef=%q targetRef=%q />\n", id, i, prev, id)
		prev = id
	}
	fmt.Fprintf(&b, "    <bpmn:endEvent id=\"end\" />\n    <bpmn:sequenceFlow id=\"fend\" sourceRef=%q targetRef=\"end\" />\n  </bpmn:process>\n</bpmn:definitions>\n", prev)
	return b.String()
}

// kernel drives a Processor directly, one command at a time.
type kernel struct {
	tb testing.TB
	p  *engine.Processor
}

func newKernel(tb testing.TB, l engine.Limits) *kernel {
	tb.Helper()
	p := engine.NewProcessor(1, engine.NewState(standard.Registry()), standard.Registry())
	p.SetLimits(l)
	return &kernel{tb: tb, p: p}
}

func (k *kernel) process(cmd *record.Record) *engine.Result {
	k.tb.Helper()
	cmd.Timestamp = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	cmd.Version = 1
	res, err := k.p.Process(cmd)
	if err != nil {
		k.tb.Fatal(err)
	}
	return res
}

func (k *kernel) deploy(name, xml string) *engine.Result {
	k.tb.Helper()
	return k.process(&record.Record{ValueType: record.TypeDeployment, Intent: record.IntentDeploymentCreate,
		Value: &record.DeploymentValue{Resources: []record.Resource{{Name: name, Content: []byte(xml)}}}})
}

func (k *kernel) create(id string, vars map[string]any) *engine.Result {
	k.tb.Helper()
	return k.process(&record.Record{ValueType: record.TypeProcessInstanceCreation, Intent: record.IntentProcessInstanceCreate,
		Value: &record.ProcessInstanceCreationValue{BPMNProcessID: id, Variables: vars}})
}

// incidents returns "ELEMENT: message" for every open incident.
func (k *kernel) incidents() []string {
	var out []string
	s := k.p.State()
	for _, key := range s.IncidentKeys() {
		i := s.Incident(key)
		out = append(out, i.Value.ElementID+": "+i.Value.ErrorMessage)
	}
	return out
}

// A chain of 5,000 plain tasks has no loop: one command runs it to its end.
func TestLongChainCompletesInOneCommand(t *testing.T) {
	k := newKernel(t, engine.Limits{})
	if res := k.deploy("chain.bpmn", chainXML(5000)); res.Rejection != nil {
		t.Fatal(res.Rejection)
	}
	res := k.create("chain", nil)
	if res.Rejection != nil {
		t.Fatal(res.Rejection)
	}
	if inc := k.incidents(); len(inc) != 0 {
		t.Fatalf("incidents on a chain without loop: %q", inc)
	}
	last := res.Records[len(res.Records)-1]
	if v, ok := last.Value.(*record.ProcessInstanceValue); !ok || last.Intent != record.IntentElementCompleted || v.BPMNElementType != "PROCESS" {
		t.Fatalf("the command's last record is %s %v, want the process completed", last.Intent, last.Value)
	}
	if c := k.p.State().Counts(); c.Elements != 0 {
		t.Fatalf("after the chain %d element instances remain", c.Elements)
	}
}

// A gateway looping on itself without a wait state is stopped by the flow
// repeat limit, with an incident naming the flow, the element and the key.
func TestLoopIsStoppedByTheFlowRepeatLimit(t *testing.T) {
	k := newKernel(t, engine.Limits{MaxFlowRepeatsPerCommand: 50})
	k.deploy("loop.bpmn", loopXML)
	res := k.create("loop", nil)
	inc := k.incidents()
	want := "gw: sequence flow f2 was taken more than 50 times in one command without reaching a wait state, " +
		"so the model loops (limit engine.max_flow_repeats_per_command); element gw was not activated"
	if len(inc) != 1 || inc[0] != want {
		t.Fatalf("incidents %q, want [%q]", inc, want)
	}
	taken := 0
	for _, r := range res.Records {
		if v, ok := r.Value.(*record.ProcessInstanceValue); ok && r.Intent == record.IntentSequenceFlowTaken && v.ElementID == "f2" {
			taken++
		}
	}
	if taken != 51 {
		t.Fatalf("flow f2 taken %d times, want 51", taken)
	}
}

// The step limit bounds any command, loop or not, and names its key.
func TestStepLimitNamesItsKeyAndElement(t *testing.T) {
	k := newKernel(t, engine.Limits{MaxStepsPerCommand: 100})
	k.deploy("chain.bpmn", chainXML(200))
	k.create("chain", nil)
	inc := k.incidents()
	if len(inc) != 1 || !strings.Contains(inc[0], "more than 100 steps") || !strings.Contains(inc[0], "engine.max_steps_per_command") {
		t.Fatalf("incidents %q, want one naming the step limit", inc)
	}
	el, _, _ := strings.Cut(inc[0], ":")
	if !strings.Contains(inc[0], "element "+el+" was not activated") {
		t.Fatalf("incident %q does not name its element", inc[0])
	}
}

// manyProcessesXML returns one resource with n executable processes
// (start -> service task -> end each).
func manyProcessesXML(n int) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
`)
	for i := range n {
		fmt.Fprintf(&b, `  <bpmn:process id="p%d" isExecutable="true">
    <bpmn:startEvent id="s%d" />
    <bpmn:sequenceFlow id="f%da" sourceRef="s%d" targetRef="t%d" />
    <bpmn:serviceTask id="t%d"><bpmn:extensionElements><zeebe:taskDefinition type="work" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f%db" sourceRef="t%d" targetRef="e%d" />
    <bpmn:endEvent id="e%d" />
  </bpmn:process>
`, i, i, i, i, i, i, i, i, i, i)
	}
	b.WriteString("</bpmn:definitions>\n")
	return b.String()
}

// BenchmarkDeployManyProcesses deploys one resource holding N processes
// through the processor (the single writer's share of a deployment).
func BenchmarkDeployManyProcesses(b *testing.B) {
	for _, n := range []int{500, 1000, 2000, 4000} {
		xml := manyProcessesXML(n)
		b.Run(fmt.Sprintf("processes=%d", n), func(b *testing.B) {
			for b.Loop() {
				k := newKernel(b, engine.Limits{MaxProcessesPerResource: n})
				if res := k.deploy("many.bpmn", xml); res.Rejection != nil {
					b.Fatal(res.Rejection)
				}
			}
		})
	}
}

// A resource may hold up to the limit of processes; one more is rejected
// with a message naming the resource, the count and the limit's key.
func TestProcessesPerResourceAreCapped(t *testing.T) {
	k := newKernel(t, engine.Limits{MaxProcessesPerResource: 300})
	res := k.deploy("many.bpmn", manyProcessesXML(300))
	if res.Rejection != nil {
		t.Fatal(res.Rejection)
	}
	created := 0
	for _, r := range res.Records {
		if r.Intent == record.IntentProcessCreated {
			created++
		}
	}
	if created != 300 {
		t.Fatalf("%d processes created, want 300", created)
	}
	if res := k.create("p299", nil); res.Rejection != nil {
		t.Fatalf("create the last process: %v", res.Rejection)
	}
	res = k.deploy("more.bpmn", manyProcessesXML(301))
	want := "more.bpmn: expected at most 300 processes in one resource (limit engine.max_processes_per_resource), but it holds 301"
	if res.Rejection == nil || res.Rejection.Type != record.RejectionInvalidArgument || !strings.Contains(res.Rejection.Reason, want) {
		t.Fatalf("rejection %v, want INVALID_ARGUMENT containing %q", res.Rejection, want)
	}
}

// runDoubling creates an instance of testdata/doubling.bpmn and returns
// its command's result.
func runDoubling(t *testing.T, l engine.Limits) (*kernel, *engine.Result) {
	t.Helper()
	xml, err := os.ReadFile("testdata/doubling.bpmn")
	if err != nil {
		t.Fatal(err)
	}
	k := newKernel(t, l)
	if res := k.deploy("doubling.bpmn", string(xml)); res.Rejection != nil {
		t.Fatal(res.Rejection)
	}
	res := k.create("doubling", nil)
	if res.Rejection != nil {
		t.Fatal(res.Rejection)
	}
	return k, res
}

// variableBytes sums the sizes of the variable values a command wrote.
func variableBytes(res *engine.Result) (total, largest int) {
	for _, r := range res.Records {
		if v, ok := r.Value.(*record.VariableValue); ok {
			n, _ := expr.Size(v.Value, 1<<40)
			total += n
			largest = max(largest, n)
		}
	}
	return total, largest
}

// The doubling trick stops at the command's variable bound: an incident on
// the doubling element, and the command wrote at most the bound.
func TestDoublingStopsAtTheVariableBound(t *testing.T) {
	k, res := runDoubling(t, engine.Limits{})
	inc := k.incidents()
	if len(inc) != 1 || !strings.HasPrefix(inc[0], "double: ") || !strings.Contains(inc[0], "engine.max_variables_bytes_per_command") {
		t.Fatalf("incidents %q, want one on element double naming the variable bound", inc)
	}
	if total, _ := variableBytes(res); total > engine.DefaultMaxVariableBytesPerCommand {
		t.Fatalf("the command wrote %d bytes of variables, more than the bound %d", total, engine.DefaultMaxVariableBytesPerCommand)
	}
}

// With a generous variable bound, the list of ten 8 MiB strings is refused
// by the bound on one evaluation's result: an incident on element list,
// and no variable larger than a string may be is written.
func TestDoublingStopsAtTheResultBound(t *testing.T) {
	k, res := runDoubling(t, engine.Limits{MaxVariableBytesPerCommand: 1 << 30})
	inc := k.incidents()
	if len(inc) != 1 || !strings.HasPrefix(inc[0], "list: ") || !strings.Contains(inc[0], "result is larger than 10485760 bytes") {
		t.Fatalf("incidents %q, want one on element list naming the result bound", inc)
	}
	if _, largest := variableBytes(res); largest > expr.MaxResultBytes {
		t.Fatalf("a variable of %d bytes was written", largest)
	}
}

// Through an Engine, a deployment is checked off the loop and the engine's
// limits apply: a valid resource deploys and runs, a resource over the cap
// is rejected.
func TestEngineDeployAppliesItsLimits(t *testing.T) {
	ctx := context.Background()
	e, err := engine.Start(ctx, engine.Config{Partition: 1, Clock: clock.NewManual(time.Unix(0, 0)), Store: memstore.New(memstore.Options{}),
		Registry: standard.Registry(), Limits: engine.Limits{MaxProcessesPerResource: 20}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	d, err := e.Deploy(ctx, engine.DeployRequest{Resources: []record.Resource{{Name: "many.bpmn", Content: []byte(manyProcessesXML(20))}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Processes) != 20 {
		t.Fatalf("deployed %d processes, want 20", len(d.Processes))
	}
	if _, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "p19"}); err != nil {
		t.Fatal(err)
	}
	_, err = e.Deploy(ctx, engine.DeployRequest{Resources: []record.Resource{{Name: "more.bpmn", Content: []byte(manyProcessesXML(21))}}})
	var rj *engine.Rejection
	if !errors.As(err, &rj) || !strings.Contains(rj.Reason, "more.bpmn: expected at most 20 processes") {
		t.Fatalf("deploy of 21 processes: %v, want a rejection naming the cap", err)
	}
	_, err = e.Deploy(ctx, engine.DeployRequest{Resources: []record.Resource{{Name: "bad.bpmn", Content: []byte("<nope")}}})
	if !errors.As(err, &rj) || !strings.Contains(rj.Reason, "bad.bpmn") {
		t.Fatalf("deploy of a broken resource: %v, want a rejection naming it", err)
	}
}
