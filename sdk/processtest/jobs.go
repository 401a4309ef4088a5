package processtest

import (
	"context"
	"fmt"
	"maps"
	"sort"
	"strings"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// Job is a job of a service-like task (service, send, business rule and
// script tasks with a job worker, job-based events and job-worker user
// tasks), as the kit saw it. Its methods act as a worker would.
type Job struct {
	Key                int64
	Type               string
	ElementID          string
	ProcessInstanceKey int64
	Retries            int32
	// State is the job's state as Camunda names it: CREATED (activatable),
	// ACTIVATED, FAILED, RETRIES_BACKING_OFF, ERROR_THROWN.
	State string
	// Headers are the task's custom headers.
	Headers map[string]string
	// Variables are the variables visible to the job when the kit activated
	// it; nil for jobs listed by Jobs.
	Variables    map[string]any
	ErrorMessage string

	e *Engine
}

// ActivateJob activates the oldest activatable job of a type, as one worker
// would, and returns it. It fails the test, naming the job types that are
// activatable, when there is none.
func (e *Engine) ActivateJob(jobType string) *Job {
	e.t.Helper()
	return e.activate(fmt.Sprintf("ActivateJob(%q)", jobType), jobType)
}

func (e *Engine) activate(doing, jobType string) *Job {
	e.t.Helper()
	e.Settle()
	jobs, err := e.eng.ActivateJobs(context.Background(), engine.ActivateJobsRequest{Type: jobType, Worker: worker, Timeout: JobTimeout, MaxJobs: 1})
	if err != nil {
		e.refused(doing, err)
		return nil
	}
	if len(jobs) == 0 {
		e.t.Fatalf("processtest: %s: %s", doing, e.noJobReason(jobType))
		return nil
	}
	v := jobs[0].Value
	return &Job{
		Key: jobs[0].Key, Type: v.Type, ElementID: v.ElementID, ProcessInstanceKey: v.ProcessInstanceKey,
		Retries: v.Retries, State: state.JobActivated.String(), Headers: maps.Clone(v.CustomHeaders),
		Variables: copyVars(v.Variables), ErrorMessage: v.ErrorMessage, e: e,
	}
}

// noJobReason explains why no job of a type could be activated: which job
// types are activatable, and what the jobs of this type are doing.
func (e *Engine) noJobReason(jobType string) string {
	e.t.Helper()
	var types []string
	var others []string
	e.read(func(s *state.State, _ []*record.Record) {
		types = s.ActivatableTypes()
		for _, k := range s.JobKeys() {
			if j := s.Job(k); j.Value.Type == jobType {
				others = append(others, fmt.Sprintf("job %d on %s is %s", k, j.Value.ElementID, j.State))
			}
		}
	})
	msg := fmt.Sprintf("expected an activatable job of type %q, but there is none", jobType)
	if len(others) > 0 {
		msg += " (" + strings.Join(others, "; ") + ")"
	}
	if len(types) == 0 {
		return msg + "; no job of any type is activatable"
	}
	quoted := make([]string, len(types))
	for i, t := range types {
		quoted[i] = fmt.Sprintf("%q", t)
	}
	return msg + "; activatable job types: " + strings.Join(quoted, ", ")
}

// CompleteJob activates the oldest activatable job of a type and completes
// it with variables (which may be nil). It returns the job as activated,
// so that the test can check the variables and headers it was given.
func (e *Engine) CompleteJob(jobType string, vars map[string]any) *Job {
	e.t.Helper()
	j := e.activate(fmt.Sprintf("CompleteJob(%q)", jobType), jobType)
	if j != nil {
		j.Complete(vars)
	}
	return j
}

// FailJob activates the oldest activatable job of a type and fails it with
// one retry fewer, as a worker does by default: with no retries left, the
// engine raises an incident.
func (e *Engine) FailJob(jobType, errorMessage string) *Job {
	e.t.Helper()
	j := e.activate(fmt.Sprintf("FailJob(%q)", jobType), jobType)
	if j != nil {
		j.Fail(j.Retries-1, errorMessage)
	}
	return j
}

// ThrowError activates the oldest activatable job of a type and throws a
// BPMN error with the code and variables from it.
func (e *Engine) ThrowError(jobType, errorCode string, vars map[string]any) *Job {
	e.t.Helper()
	j := e.activate(fmt.Sprintf("ThrowError(%q, %q)", jobType, errorCode), jobType)
	if j != nil {
		j.ThrowError(errorCode, "", vars)
	}
	return j
}

// Jobs returns the open jobs of a type, whatever their state, oldest first,
// without activating them.
func (e *Engine) Jobs(jobType string) []*Job {
	e.t.Helper()
	var out []*Job
	e.read(func(s *state.State, _ []*record.Record) {
		for _, k := range s.JobKeys() {
			j := s.Job(k)
			if j.Value.Type != jobType || j.State == state.JobCompleted || j.State == state.JobCanceled {
				continue
			}
			out = append(out, &Job{
				Key: k, Type: j.Value.Type, ElementID: j.Value.ElementID, ProcessInstanceKey: j.Value.ProcessInstanceKey,
				Retries: j.Value.Retries, State: j.State.String(), Headers: maps.Clone(j.Value.CustomHeaders),
				ErrorMessage: j.Value.ErrorMessage, e: e,
			})
		}
	})
	sort.Slice(out, func(a, b int) bool { return out[a].Key < out[b].Key })
	return out
}

// String describes the job for a log line.
func (j *Job) String() string {
	return fmt.Sprintf("job %d (%s on %s of instance %d, %s, %d retries)", j.Key, j.Type, j.ElementID, j.ProcessInstanceKey, j.State, j.Retries)
}

// Complete completes the job with variables (which may be nil).
func (j *Job) Complete(vars map[string]any) {
	j.e.t.Helper()
	err := j.e.eng.CompleteJob(context.Background(), engine.CompleteJobRequest{Key: j.Key, Variables: vars})
	j.done(fmt.Sprintf("complete job %d (%s on %s)", j.Key, j.Type, j.ElementID), err)
}

// Fail reports a failed attempt with the retries left: none raises an
// incident on the job's element.
func (j *Job) Fail(retries int32, errorMessage string) {
	j.e.t.Helper()
	err := j.e.eng.FailJob(context.Background(), engine.FailJobRequest{Key: j.Key, Retries: retries, ErrorMessage: errorMessage})
	j.done(fmt.Sprintf("fail job %d (%s on %s)", j.Key, j.Type, j.ElementID), err)
}

// ThrowError throws a BPMN error with a code, a message and variables from
// the job; an error catch event with the code catches it, and an error
// nobody catches becomes an incident.
func (j *Job) ThrowError(errorCode, errorMessage string, vars map[string]any) {
	j.e.t.Helper()
	err := j.e.eng.ThrowError(context.Background(), engine.ThrowErrorRequest{Key: j.Key, ErrorCode: errorCode, ErrorMessage: errorMessage, Variables: vars})
	j.done(fmt.Sprintf("throw error %q from job %d (%s on %s)", errorCode, j.Key, j.Type, j.ElementID), err)
}

// done settles the engine after a job command, or stops the test when the
// engine refused it.
func (j *Job) done(doing string, err error) {
	j.e.t.Helper()
	if err != nil {
		j.e.refused(doing, err)
		return
	}
	j.e.Settle()
}
