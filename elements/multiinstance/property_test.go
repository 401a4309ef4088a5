package multiinstance_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/example/wf-engine/conformance"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// propertyModel is a multi-instance service task (parallel or sequential,
// optionally ending once `stop` instances completed) followed by a task
// whose job shows the variables after the body.
func propertyModel(sequential bool, stop int) string {
	cond := ""
	if stop > 0 {
		cond = fmt.Sprintf("<bpmn:completionCondition>=numberOfCompletedInstances &gt;= %d</bpmn:completionCondition>", stop)
	}
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs" targetNamespace="t">
  <bpmn:process id="prop" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="each" />
    <bpmn:serviceTask id="each">
      <bpmn:extensionElements><zeebe:taskDefinition type="item" /></bpmn:extensionElements>
      <bpmn:multiInstanceLoopCharacteristics isSequential="%v">
        <bpmn:extensionElements>
          <zeebe:loopCharacteristics inputCollection="=items" inputElement="item" outputCollection="results" outputElement="=result" />
        </bpmn:extensionElements>
        %s
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="each" targetRef="check" />
    <bpmn:serviceTask id="check"><bpmn:extensionElements><zeebe:taskDefinition type="check" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f3" sourceRef="check" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`, sequential, cond)
}

// For any collection size, mode, completion order and completion
// condition, the output collection holds each completed instance's result
// at its item's index and null elsewhere, and exactly the instances that
// had to complete did: all of them, or the first `stop` to finish.
func TestOutputCollectionProperty(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(0, 7).Draw(rt, "n")
		sequential := rapid.Bool().Draw(rt, "sequential")
		stop := rapid.IntRange(0, n).Draw(rt, "stop") // 0: no completion condition
		h := conformance.NewHarness(t)
		if _, err := h.Engine.Deploy(h.Ctx, engine.DeployRequest{Resources: []record.Resource{{Name: "prop.bpmn", Content: []byte(propertyModel(sequential, stop))}}}); err != nil {
			rt.Fatalf("deploy: %v", err)
		}
		items := make([]any, n)
		for i := range items {
			items[i] = float64(100 + i)
		}
		if _, err := h.Engine.CreateInstance(h.Ctx, engine.CreateInstanceRequest{BPMNProcessID: "prop", Variables: map[string]any{"items": items}}); err != nil {
			rt.Fatalf("create instance: %v", err)
		}
		want := make([]any, n)
		completed := 0
		var pending []engine.ActivatedJob // activated, not completed, still open
		for step := 0; ; step++ {
			pending = append(pending, activate(rt, h, "item")...)
			h.State(func(s *state.State) {
				open := pending[:0]
				for _, j := range pending {
					if s.Job(j.Key) != nil {
						open = append(open, j)
					}
				}
				pending = open
			})
			if len(pending) == 0 {
				break
			}
			if sequential && len(pending) != 1 {
				rt.Fatalf("a sequential body has %d instances at once", len(pending))
			}
			pick := rapid.IntRange(0, len(pending)-1).Draw(rt, fmt.Sprintf("pick%d", step))
			j := pending[pick]
			pending = append(pending[:pick], pending[pick+1:]...)
			item := j.Value.Variables["item"].(float64)
			counter := int(j.Value.Variables["loopCounter"].(float64))
			if items[counter-1] != item {
				rt.Fatalf("instance %d has item %v, want %v", counter, item, items[counter-1])
			}
			result := fmt.Sprintf("r%v", item)
			if err := h.Engine.CompleteJob(h.Ctx, engine.CompleteJobRequest{Key: j.Key, Variables: map[string]any{"result": result}}); err != nil {
				rt.Fatalf("complete job: %v", err)
			}
			h.Settle()
			want[counter-1] = result
			completed++
		}
		if wantDone := n; stop > 0 && stop < n {
			wantDone = stop
			if completed != wantDone {
				rt.Fatalf("%d instances completed, want %d", completed, wantDone)
			}
		} else if completed != wantDone {
			rt.Fatalf("%d instances completed, want %d", completed, wantDone)
		}
		check := activate(rt, h, "check")
		if len(check) != 1 {
			rt.Fatalf("the body did not complete: %d check jobs", len(check))
		}
		if got := check[0].Value.Variables["results"]; !reflect.DeepEqual(got, want) {
			rt.Fatalf("results = %v, want %v", got, want)
		}
		h.CheckReplay()
	})
}

func activate(rt *rapid.T, h *conformance.Harness, jobType string) []engine.ActivatedJob {
	jobs, err := h.Engine.ActivateJobs(h.Ctx, engine.ActivateJobsRequest{Type: jobType, Worker: "prop", Timeout: time.Minute, MaxJobs: 100})
	if err != nil {
		rt.Fatalf("activate %s jobs: %v", jobType, err)
	}
	return jobs
}
