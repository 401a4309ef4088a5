package escalationevent

import (
	"strings"
	"testing"

	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/expr"
	"github.com/example/wf-engine/core/model"
)

// eventSubprocesses has two event subprocesses with escalation start
// events (one by code, one catch-all) and a third catching the code again.
const eventSubprocesses = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs">
  <bpmn:escalation id="late" escalationCode="LATE" />
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:subProcess id="on-late" triggeredByEvent="true">
      <bpmn:startEvent id="late-start"><bpmn:escalationEventDefinition escalationRef="late" /></bpmn:startEvent>
    </bpmn:subProcess>
    <bpmn:subProcess id="on-any" triggeredByEvent="true">
      <bpmn:startEvent id="any-start" isInterrupting="false"><bpmn:escalationEventDefinition /></bpmn:startEvent>
    </bpmn:subProcess>
    <bpmn:subProcess id="on-late-again" triggeredByEvent="true">
      <bpmn:startEvent id="late-again-start"><bpmn:escalationEventDefinition escalationRef="late" /></bpmn:startEvent>
    </bpmn:subProcess>
  </bpmn:process>
</bpmn:definitions>`

func parse(t *testing.T, src string) *model.Process {
	t.Helper()
	defs, err := model.Parse(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	return defs.Processes[0]
}

func eval(e *expr.Expression) (any, error) {
	return e.Eval(expr.Env{Lookup: func(string) (any, bool) { return nil, false }})
}

// TestStartCatches checks the event subprocess start events' catching:
// exactly their code, every code for the catch-all, no error ever.
func TestStartCatches(t *testing.T) {
	p := parse(t, eventSubprocesses)
	late, all := p.Elements["late-start"], p.Elements["any-start"]
	for _, c := range []struct {
		el   *model.Element
		t    element.Thrown
		want element.Match
	}{
		{late, element.Thrown{Kind: element.ThrowEscalation, Code: "LATE"}, element.MatchExact},
		{late, element.Thrown{Kind: element.ThrowEscalation, Code: "EARLY"}, element.NoMatch},
		{late, element.Thrown{Kind: element.ThrowError, Code: "LATE"}, element.NoMatch},
		{all, element.Thrown{Kind: element.ThrowEscalation, Code: "EARLY"}, element.MatchAll},
		{all, element.Thrown{Kind: element.ThrowError, Code: "EARLY"}, element.NoMatch},
	} {
		if got := (Start{}).Catches(eval, c.el, c.t); got != c.want {
			t.Errorf("%s catches %+v: %v, want %v", c.el.ID, c.t, got, c.want)
		}
	}
}

// TestStartValidate refuses a second escalation start event of the same
// code among the event subprocesses of one scope, naming both, and accepts
// a code next to a catch-all.
func TestStartValidate(t *testing.T) {
	p := parse(t, eventSubprocesses)
	if probs := (Start{}).Validate(p.Elements["any-start"]); len(probs) != 0 {
		t.Errorf("catch-all next to a code: %v", probs)
	}
	probs := (Start{}).Validate(p.Elements["late-start"])
	if len(probs) != 1 || !strings.Contains(probs[0].Msg, "'late-start' and 'late-again-start'") || !strings.Contains(probs[0].Msg, "'LATE'") {
		t.Errorf("two starts catching LATE: %v", probs)
	}
}
