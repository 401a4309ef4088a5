package rest_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/example/wf-engine/api/rest"
	"github.com/example/wf-engine/core/store/memstore"
)

// deployXML uploads one BPMN document as a deployment.
func deployXML(t *testing.T, c *client, name, xml string) *response {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	part, err := w.CreateFormFile("resources", name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = part.Write([]byte(xml))
	_ = w.Close()
	return c.do(http.MethodPost, "/v2/deployments", w.FormDataContentType(), buf.Bytes())
}

// bpmn wraps a process body into a definitions document.
func bpmn(body string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs" targetNamespace="http://example.com">
  <bpmn:process id="checked" isExecutable="true">` + body + `
  </bpmn:process>
</bpmn:definitions>`
}

// timerCatch is a process that waits at a timer catch event.
func timerCatch(kind, value string) string {
	return bpmn(`
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:` + kind + `>` + value + `</bpmn:` + kind + `></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end" />
    <bpmn:endEvent id="end" />`)
}

// timerStart is a process started by a timer.
func timerStart(kind, value string) string {
	return bpmn(`
    <bpmn:startEvent id="tick"><bpmn:timerEventDefinition><bpmn:` + kind + `>` + value + `</bpmn:` + kind + `></bpmn:timerEventDefinition></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="tick" targetRef="end" />
    <bpmn:endEvent id="end" />`)
}

// boundaryTimer is a task with a timer boundary event.
func boundaryTimer(kind, value string) string {
	return bpmn(`
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:serviceTask id="work"><bpmn:extensionElements><zeebe:taskDefinition type="work" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:boundaryEvent id="late" attachedToRef="work"><bpmn:timerEventDefinition><bpmn:` + kind + `>` + value + `</bpmn:` + kind + `></bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
    <bpmn:sequenceFlow id="f3" sourceRef="late" targetRef="end" />
    <bpmn:endEvent id="end" />`)
}

// choice is an exclusive gateway whose flow "yes" has the condition.
func choice(condition string) string {
	return bpmn(`
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="xor" />
    <bpmn:exclusiveGateway id="xor" default="no" />
    <bpmn:sequenceFlow id="yes" sourceRef="xor" targetRef="end"><bpmn:conditionExpression>` + condition + `</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="no" sourceRef="xor" targetRef="end" />
    <bpmn:endEvent id="end" />`)
}

// messageStart is a process started by a message with the name.
func messageStart(name string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs" targetNamespace="http://example.com">
  <bpmn:message id="msg" name="` + name + `" />
  <bpmn:process id="checked" isExecutable="true">
    <bpmn:startEvent id="go"><bpmn:messageEventDefinition messageRef="msg" /></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="go" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`
}

// TestDeployRejectsWhatCannotRun deploys models whose static timer values
// or constant expressions can never work: each is a 400 naming the element,
// the attribute and what is wrong, as Camunda rejects them at deploy.
// Expressions that read variables stay for the run (incidents).
func TestDeployRejectsWhatCannotRun(t *testing.T) {
	c := start(t, memstore.New(memstore.Options{}), rest.Config{})
	for _, tc := range []struct {
		name string
		xml  string
		want []string // every one must be in the problem's detail; none: it deploys
	}{
		{"duration with an unknown designator", timerCatch("timeDuration", "PT5Q"),
			[]string{"element 'wait': attribute 'timeDuration': invalid duration \"PT5Q\""}},
		{"duration that is no duration", timerCatch("timeDuration", "ten seconds"),
			[]string{"element 'wait': attribute 'timeDuration': invalid duration \"ten seconds\""}},
		{"date with month 13", timerCatch("timeDate", "2026-13-01T10:00:00Z"),
			[]string{"element 'wait': attribute 'timeDate': invalid date-time \"2026-13-01T10:00:00Z\""}},
		{"boundary date that is no date", boundaryTimer("timeDate", "tomorrow"),
			[]string{"element 'late': attribute 'timeDate': invalid date-time \"tomorrow\""}},
		{"boundary duration", boundaryTimer("timeDuration", "P1X"),
			[]string{"element 'late': attribute 'timeDuration': invalid duration \"P1X\""}},
		{"start cycle with a bad interval", timerStart("timeCycle", "R3/PT5Q"),
			[]string{"element 'tick': attribute 'timeCycle': invalid time cycle \"R3/PT5Q\""}},
		{"start cycle that is no cron", timerStart("timeCycle", "every day"),
			[]string{"element 'tick': attribute 'timeCycle': invalid cron expression \"every day\""}},
		{"constant FEEL cycle", timerStart("timeCycle", `="R/P1Q"`),
			[]string{"element 'tick': attribute 'timeCycle': invalid time cycle \"R/P1Q\""}},
		{"start timer reading a variable", timerStart("timeCycle", "=interval"),
			[]string{"timeCycle of 'tick' must be a string, but it is null"}},
		{"message start name reading a variable", messageStart("=name"),
			[]string{"element 'go': attribute 'message name': the message of a start event must have a static name"}},
		{"number as a condition", choice("=5"),
			[]string{"element 'yes': attribute 'conditionExpression': expected a boolean condition, but '=5' always gives 5"}},
		{"string as a condition", choice(`="yes"`),
			[]string{"element 'yes': attribute 'conditionExpression': expected a boolean condition, but '=\"yes\"' always gives \"yes\""}},
		{"FEEL syntax error in a condition", choice("=x >"),
			[]string{"element 'yes': attribute 'conditionExpression': invalid expression"}},
		{"FEEL syntax error in a timer", timerCatch("timeDuration", "=duration("),
			[]string{"element 'wait': attribute 'timeDuration': invalid expression"}},
		{"good duration", timerCatch("timeDuration", "PT5M"), nil},
		{"good date", timerCatch("timeDate", "2026-03-01T10:00:00+01:00"), nil},
		{"good cycle", timerStart("timeCycle", "R3/PT1H"), nil},
		{"good cron", timerStart("timeCycle", "0 0 9 * * MON-FRI"), nil},
		{"duration from a variable", timerCatch("timeDuration", "=delay"), nil},
		{"constant boolean condition", choice("=2 > 1"), nil},
		{"null condition", choice("=null"), nil},
		{"condition reading a variable", choice("=amount > 5"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := deployXML(t, c, "checked.bpmn", tc.xml)
			if tc.want == nil {
				want(t, r, http.StatusOK)
				return
			}
			p := want(t, r, http.StatusBadRequest).obj(t)
			detail, _ := p["detail"].(string)
			for _, w := range tc.want {
				if !strings.Contains(detail, w) {
					t.Errorf("the problem does not say %q:\n%s", w, detail)
				}
			}
		})
	}
	// The engine still runs after the start events that failed to open.
	want(t, c.deploy("order.bpmn"), http.StatusOK)
}
