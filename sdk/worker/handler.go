package worker

import (
	"context"
	"fmt"
	"time"

	"github.com/example/wf-engine/sdk/client"
)

// Job is one activated job as the handler sees it.
type Job = client.ActivatedJob

// Handler does the work of one job. Its return decides the outcome:
//
//   - nil error: the job is completed with the returned variables
//     (anything that encodes to a JSON object, or nil), unless
//     auto-completion is off (WithAutoComplete(false));
//   - a BPMNError (value or pointer, possibly wrapped): the error is thrown
//     for an error event to catch;
//   - a *Failure (NoRetries, RetryAfter, or built by hand): the job fails
//     as it says;
//   - any other error: the job fails with one retry fewer after the
//     worker's back-off; with no retries left it becomes an incident.
//
// ctx ends at the job's deadline and when a shutdown stops waiting for the
// job; a handler should return soon after.
type Handler interface {
	Handle(ctx context.Context, job Job) (any, error)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, job Job) (any, error)

// Handle implements Handler.
func (f HandlerFunc) Handle(ctx context.Context, job Job) (any, error) { return f(ctx, job) }

// BPMNError is a business error a handler returns to throw a BPMN error:
// an error boundary event or error event subprocess whose code matches
// catches it, else it becomes an incident.
type BPMNError struct {
	// Code is matched against the catching error events.
	Code string
	// Message is shown in an incident when nothing catches the error.
	Message string
	// Variables are set in the catching scope: anything that encodes to
	// a JSON object, or nil.
	Variables any
}

// Error implements error.
func (e BPMNError) Error() string {
	if e.Message == "" {
		return "BPMN error " + e.Code
	}
	return fmt.Sprintf("BPMN error %s: %s", e.Code, e.Message)
}

// Failure is a failure a handler returns to say how the job fails.
type Failure struct {
	// Err is the cause; its text becomes the job's error message.
	Err error
	// Retries left after this failure; nil means one fewer than the job
	// has. 0 raises an incident.
	Retries *int32
	// Backoff delays the next attempt; nil means the worker's back-off.
	Backoff *time.Duration
	// Variables are set in the task's scope: anything that encodes to a
	// JSON object, or nil.
	Variables any
}

// Error implements error.
func (f *Failure) Error() string {
	if f.Err == nil {
		return "job failed"
	}
	return f.Err.Error()
}

// Unwrap returns the cause.
func (f *Failure) Unwrap() error { return f.Err }

// NoRetries fails the job with no retries left, so that it becomes an
// incident at once: for errors another attempt cannot fix (bad input).
func NoRetries(err error) error {
	zero := int32(0)
	return &Failure{Err: err, Retries: &zero}
}

// RetryAfter fails the job with one retry fewer and a given back-off,
// instead of the worker's.
func RetryAfter(err error, backoff time.Duration) error {
	return &Failure{Err: err, Backoff: &backoff}
}

// Interface guards
var (
	_ Handler = HandlerFunc(nil)
	_ error   = BPMNError{}
	_ error   = (*Failure)(nil)
)
