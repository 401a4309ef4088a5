package model

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// wantProblem describes an expected problem; its line is the first line of
// the fixture that contains marker.
type wantProblem struct {
	marker    string
	elementID string
	attribute string
	msg       string // a substring of the message
}

func TestParseReportsEveryProblem(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []wantProblem
	}{
		{"malformed xml names the line of the mismatched end tag", "invalid/malformed.bpmn", []wantProblem{
			{"</bpmn:process>", "", "", "xml is not well-formed: element <bpmn:startEvent> closed by </bpmn:process>"},
		}},
		{"root element is not definitions", "invalid/not-definitions.bpmn", []wantProblem{
			{"<bpmn:process", "", "", "root element must be bpmn:definitions"},
		}},
		{"file without a process", "invalid/no-process.bpmn", []wantProblem{
			{"<bpmn:definitions", "", "", "no process"},
		}},
		{"no process is executable", "invalid/not-executable.bpmn", []wantProblem{
			{"<bpmn:definitions", "", "", `no executable process: set isExecutable="true" on at least one process`},
		}},
		{"duplicate ids across flow nodes and root elements", "invalid/duplicate-ids.bpmn", []wantProblem{
			{`<bpmn:task id="start"`, "start", "id", "duplicate id: already used on line 4"},
			{`<bpmn:message id="task"`, "task", "id", "duplicate id: already used on line 8"},
		}},
		{"sequence flow with missing or unknown ends", "invalid/flow-refs.bpmn", []wantProblem{
			{`id="noSource"`, "noSource", "sourceRef", "missing"},
			{`id="unknownTarget"`, "unknownTarget", "targetRef", "unknown element 'nowhere'"},
		}},
		{"sequence flows crossing scopes", "invalid/cross-scope.bpmn", []wantProblem{
			{`id="declaredInside"`, "declaredInside", "", "sequence flow is declared in 'sub' but connects elements of 'scopes'"},
			{`id="intoSub"`, "intoSub", "", "source 'start' and target 'inner' are in different scopes"},
		}},
		{"default flow unknown or not leaving the element", "invalid/default-flow.bpmn", []wantProblem{
			{`id="gateway"`, "gateway", "default", "sequence flow 'toGateway' does not leave 'gateway'"},
			{`id="other"`, "other", "default", "unknown sequence flow 'missingFlow'"},
		}},
		{"boundary events not attached to an activity of their scope", "invalid/boundary.bpmn", []wantProblem{
			{`id="detached"`, "detached", "attachedToRef", "missing"},
			{`id="onNothing"`, "onNothing", "attachedToRef", "unknown element 'ghost'"},
			{`id="onGateway"`, "onGateway", "attachedToRef", "'gateway' (exclusiveGateway) is not an activity"},
			{`id="fromInside"`, "fromInside", "attachedToRef", "'task' is in a different scope"},
			{`id="interrupting"`, "interrupting", "cancelActivity", `"maybe" is not a boolean`},
		}},
		{"io mappings without target", "invalid/mapping.bpmn", []wantProblem{
			{`<zeebe:input source="a"`, "task", "zeebe:input target", "missing"},
			{`<zeebe:output source="b"`, "task", "zeebe:output target", "missing"},
		}},
		{"invalid expressions name element and attribute", "invalid/expressions.bpmn", []wantProblem{
			{"<bpmn:timeDate", "start", "timeDate", "invalid expression: "},
			{"<zeebe:taskDefinition", "task", "zeebe:taskDefinition type", "invalid expression: "},
			{"<zeebe:taskDefinition", "task", "zeebe:taskDefinition retries", "invalid expression: "},
			{"<zeebe:input", "task", "zeebe:input source", "invalid expression: "},
			{"=(</bpmn:conditionExpression>", "feel", "conditionExpression", "invalid expression: "},
			{"amount &gt; 10</bpmn:conditionExpression>", "notFeel", "conditionExpression", "condition of sequence flow 'notFeel' must be a FEEL expression starting with '='"},
			{`language="CEL"`, "cel", "conditionExpression", "invalid expression: "},
			{"<zeebe:assignmentDefinition", "review", "zeebe:assignmentDefinition assignee", "invalid expression: "},
			{`<bpmn:message id="Message_1"`, "Message_1", "name", "invalid expression: "},
			{"<zeebe:subscription", "Message_1", "zeebe:subscription correlationKey", "invalid expression: "},
			{`<bpmn:error id="Error_1"`, "Error_1", "errorCode", "invalid expression: "},
		}},
		{"unresolvable references", "invalid/references.bpmn", []wantProblem{
			{`messageRef="Message_missing"`, "start", "messageRef", "unknown message 'Message_missing'"},
			{`errorRef="Error_missing"`, "throw", "errorRef", "unknown error 'Error_missing'"},
			{`signalRef="Signal_missing"`, "waitSignal", "signalRef", "unknown signal 'Signal_missing'"},
			{`id="receive"`, "receive", "messageRef", "unknown message 'Message_other'"},
			{"<bpmn:eventDefinitionRef>", "byRef", "eventDefinitionRef", "unknown event definition 'EventDefinition_missing'"},
		}},
		{"several problems in one file, all reported in document order", "invalid/many-problems.bpmn", []wantProblem{
			{`<bpmn:serviceTask id="task"`, "task", "default", "sequence flow 'toTask' does not leave 'task' (it leaves 'start')"},
			{"<zeebe:taskDefinition", "task", "zeebe:taskDefinition type", "invalid expression: "},
			{"<zeebe:output", "task", "zeebe:output target", "missing"},
			{`id="onGateway"`, "onGateway", "attachedToRef", "'gateway' (exclusiveGateway) is not an activity"},
			{`errorRef="Error_unknown"`, "onGateway", "errorRef", "unknown error 'Error_unknown'"},
			{`id="toEnd"`, "toEnd", "targetRef", "unknown element 'nowhere'"},
			{"ok</bpmn:conditionExpression>", "toEnd", "conditionExpression", "must be a FEEL expression starting with '='"},
			{`<bpmn:endEvent id="task"`, "task", "id", "duplicate id: already used on line 8"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := readFixture(t, tt.file)
			defs, err := Parse(bytes.NewReader(data))
			if wellFormed := !errors.Is(err, ErrNotWellFormed); (defs != nil) != wellFormed {
				t.Errorf("Parse returned model %v; want a partial model exactly when the XML is well-formed", defs)
			}
			var probs Problems
			if !errors.As(err, &probs) {
				t.Fatalf("error %v (%T) is not Problems", err, err)
			}
			for i, w := range tt.want {
				if i >= len(probs) {
					t.Errorf("missing problem %d: %+v", i, w)
					continue
				}
				got := probs[i]
				line := lineOf(t, data, w.marker)
				if got.Line != line || got.ElementID != w.elementID || got.Attribute != w.attribute || !strings.Contains(got.Msg, w.msg) {
					t.Errorf("problem %d = %s\n want line %d element %q attribute %q msg containing %q", i, got, line, w.elementID, w.attribute, w.msg)
				}
			}
			for _, extra := range probs[min(len(tt.want), len(probs)):] {
				t.Errorf("unexpected problem: %s", extra)
			}
			if msg := err.Error(); strings.Count(msg, "\n") != len(probs)-1 {
				t.Errorf("Error() should have one line per problem:\n%s", msg)
			}
		})
	}
}

func TestExpressionProblemsCarryTheCompilerError(t *testing.T) {
	_, err := Parse(bytes.NewReader(readFixture(t, "invalid/expressions.bpmn")))
	var probs Problems
	if !errors.As(err, &probs) {
		t.Fatalf("got %v", err)
	}
	for _, p := range probs {
		if p.Attribute == "conditionExpression" && p.ElementID == "notFeel" {
			if p.Err != nil {
				t.Errorf("%s: a static condition is not a compiler error", p)
			}
			continue
		}
		if p.Err == nil || !strings.HasSuffix(p.Msg, p.Err.Error()) || !errors.Is(err, p.Err) {
			t.Errorf("%s: Err = %v, want the compiler's error in the message and the chain", p, p.Err)
		}
	}
	if errors.Is(err, ErrNotWellFormed) {
		t.Error("expression problems are not well-formedness problems")
	}
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		name string
		p    Problem
		want string
	}{
		{"all parts", Problem{Line: 12, ElementID: "task1", Attribute: "type", Msg: "missing"}, "line 12: element 'task1': attribute 'type': missing"},
		{"no line", Problem{ElementID: "task1", Msg: "broken"}, "element 'task1': broken"},
		{"only attribute", Problem{Attribute: "id", Msg: "task has no id"}, "attribute 'id': task has no id"},
		{"only message", Problem{Msg: "no input"}, "no input"},
		{"line and message", Problem{Line: 3, Msg: "no process"}, "line 3: no process"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.String(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	ps := Problems{{Line: 1, Msg: "a"}, {Line: 2, Msg: "b"}}
	if got := ps.Error(); got != "line 1: a\nline 2: b" {
		t.Errorf("Problems.Error() = %q", got)
	}
	if len(ps.Unwrap()) != 0 {
		t.Error("problems without Err unwrap to nothing")
	}
}

func TestParseNilReader(t *testing.T) {
	defs, err := Parse(nil)
	if defs != nil || err == nil {
		t.Fatalf("Parse(nil) = %v, %v", defs, err)
	}
}

func TestParseMissingIDs(t *testing.T) {
	const src = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">
  <bpmn:process isExecutable="true">
    <bpmn:task />
    <bpmn:sequenceFlow sourceRef="a" targetRef="b" />
  </bpmn:process>
  <bpmn:message name="m" />
  <bpmn:error />
  <bpmn:signal />
</bpmn:definitions>`
	_, err := Parse(strings.NewReader(src))
	var probs Problems
	if !errors.As(err, &probs) {
		t.Fatalf("got %v", err)
	}
	want := []string{
		"line 3: attribute 'id': process has no id",
		"line 4: attribute 'id': task has no id",
		"line 5: attribute 'id': sequenceFlow has no id",
		"line 7: attribute 'id': message has no id",
		"line 8: attribute 'id': error has no id",
		"line 9: attribute 'id': signal has no id",
	}
	if len(probs) != len(want) {
		t.Fatalf("got:\n%v", err)
	}
	for i := range want {
		if probs[i].String() != want[i] {
			t.Errorf("got %q, want %q", probs[i], want[i])
		}
	}
}

func TestParseRequiredZeebeAttributes(t *testing.T) {
	const src = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:serviceTask id="noType">
      <bpmn:extensionElements><zeebe:taskDefinition type=" " /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:callActivity id="noProcess">
      <bpmn:extensionElements><zeebe:calledElement propagateAllChildVariables="nope" /></bpmn:extensionElements>
    </bpmn:callActivity>
    <bpmn:scriptTask id="noScript">
      <bpmn:extensionElements><zeebe:script resultVariable="x" /></bpmn:extensionElements>
    </bpmn:scriptTask>
  </bpmn:process>
</bpmn:definitions>`
	_, err := Parse(strings.NewReader(src))
	want := strings.Join([]string{
		"line 5: element 'noType': attribute 'zeebe:taskDefinition type': missing",
		`line 8: element 'noProcess': attribute 'zeebe:calledElement propagateAllChildVariables': "nope" is not a boolean: use true or false`,
		"line 8: element 'noProcess': attribute 'zeebe:calledElement processId': missing",
		"line 11: element 'noScript': attribute 'zeebe:script expression': missing",
	}, "\n")
	if err == nil || err.Error() != want {
		t.Errorf("got:\n%v\nwant:\n%s", err, want)
	}
}

func TestParseCELConditions(t *testing.T) {
	tests := []struct {
		name     string
		language string
		body     string
		wantErr  bool
	}{
		{"lower-case cel", "cel", "amount > 10", false},
		{"upper-case CEL with XML escapes", "CEL", "amount &gt; 10 &amp;&amp; vip", false},
		{"CEL specification URI", "https://github.com/google/cel-spec", "size(items) == 0", false},
		{"invalid CEL", "cel", "amount >", true},
		{"FEEL language attribute is not CEL", "https://www.omg.org/spec/DMN/20191111/FEEL", "=amount > 10", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := xmlDecl + defsOpen + `<bpmn:process id="p" isExecutable="true">
  <bpmn:exclusiveGateway id="g" />
  <bpmn:endEvent id="e" />
  <bpmn:sequenceFlow id="f" sourceRef="g" targetRef="e">
    <bpmn:conditionExpression language="` + tt.language + `">` + tt.body + `</bpmn:conditionExpression>
  </bpmn:sequenceFlow>
</bpmn:process>
</bpmn:definitions>`
			defs, err := Parse(strings.NewReader(src))
			if tt.wantErr {
				var probs Problems
				if !errors.As(err, &probs) || len(probs) != 1 || probs[0].ElementID != "f" || probs[0].Attribute != "conditionExpression" || probs[0].Line != 7 || probs[0].Err == nil {
					t.Errorf("got %v, want one problem on the condition of f", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c := defs.Process("p").Flows["f"].Condition; c == nil || c.IsStatic() {
				t.Errorf("condition = %v", c)
			}
		})
	}
}

func TestParseReturnsThePartialModelWithProblems(t *testing.T) {
	defs, err := Parse(bytes.NewReader(readFixture(t, "invalid/many-problems.bpmn")))
	var probs Problems
	if !errors.As(err, &probs) || defs == nil {
		t.Fatalf("Parse() = %v, %v; want a partial model and problems", defs, err)
	}
	checkPartial(t, defs)
	p := defs.Process("broken")
	if p == nil {
		t.Fatal("no process")
	}
	if task := p.Element("task"); task == nil || task.Type != "serviceTask" || task.Default != nil || task.Task == nil || task.Task.Type != nil {
		t.Errorf("task = %+v; want the first element with that id, its default rejected and its invalid type nil", task)
	}
	if ev := p.Element("onGateway"); ev == nil || ev.AttachedTo != nil || ev.Kind != KindErrorBoundaryEvent {
		t.Errorf("boundary event = %+v; want it unattached", ev)
	}
	if f := p.Flows["toEnd"]; f == nil || f.Source != nil || f.Target != nil || f.Condition != nil {
		t.Errorf("broken flow = %+v; want it unlinked", f)
	}
	if gw := p.Element("gateway"); len(gw.Outgoing) != 0 {
		t.Errorf("gateway outgoing = %v", flowIDs(gw.Outgoing))
	}
	if f := p.Flows["toTask"]; f.Source == nil || f.Target == nil {
		t.Error("a valid flow of a file with problems is still linked")
	}
}
