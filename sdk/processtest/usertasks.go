package processtest

import (
	"context"
	"fmt"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/elements/usertask"
)

// CompleteUserTask completes the oldest open user task on an element with
// variables (which may be nil), as the person it waits for would: a Camunda
// user task, or else the job of a job-worker user task. It fails the test,
// naming the elements with open user tasks, when there is none.
func (e *Engine) CompleteUserTask(elementID string, vars map[string]any) {
	e.t.Helper()
	doing := fmt.Sprintf("CompleteUserTask(%q)", elementID)
	var taskKey, jobKey int64
	var open []string
	e.read(func(s *state.State, _ []*record.Record) {
		for _, k := range s.UserTaskKeys() {
			t := s.UserTask(k)
			if t.State != state.UserTaskCreated {
				continue
			}
			if t.Value.ElementID == elementID && taskKey == 0 {
				taskKey = k
			}
			open = append(open, fmt.Sprintf("%s (instance %d)", t.Value.ElementID, t.Value.ProcessInstanceKey))
		}
		for _, k := range s.JobKeys() {
			j := s.Job(k)
			if j.Value.Type != usertask.JobType || (j.State != state.JobActivatable && j.State != state.JobActivated) {
				continue
			}
			if j.Value.ElementID == elementID && jobKey == 0 {
				jobKey = k
			}
			open = append(open, fmt.Sprintf("%s (job worker, instance %d)", j.Value.ElementID, j.Value.ProcessInstanceKey))
		}
	})
	var err error
	switch {
	case taskKey != 0:
		err = e.eng.CompleteUserTask(context.Background(), engine.CompleteUserTaskRequest{Key: taskKey, Variables: vars})
	case jobKey != 0:
		err = e.eng.CompleteJob(context.Background(), engine.CompleteJobRequest{Key: jobKey, Variables: vars})
	default:
		e.t.Fatalf("processtest: %s: expected an open user task on %s, but there is none; open user tasks: %s", doing, elementID, listOrNone(open))
		return
	}
	if err != nil {
		e.refused(doing, err)
		return
	}
	e.Settle()
}
