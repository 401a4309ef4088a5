package connector

import (
	"errors"
	"fmt"
	"time"
)

// BPMNError is a business error: the runtime throws it as a BPMN error with
// Code, which an error boundary event or error event subprocess can catch.
type BPMNError struct {
	Code      string         `json:"code"`
	Message   string         `json:"message"`
	Variables map[string]any `json:"variables,omitempty"`
}

func (e *BPMNError) Error() string {
	if e.Message == "" {
		return "BPMN error " + e.Code
	}
	return fmt.Sprintf("BPMN error %s: %s", e.Code, e.Message)
}

// RetryableError is a failure worth another attempt after Backoff (zero: the
// task's retryBackoff header, else immediately). Any other error fails the
// attempt the same way with the task's back-off; a RetryableError only
// lets the connector choose the wait.
type RetryableError struct {
	Err     error
	Backoff time.Duration
}

func (e *RetryableError) Error() string { return "retryable: " + e.Err.Error() }
func (e *RetryableError) Unwrap() error { return e.Err }

// InputError says the request's input is wrong (a missing or malformed
// field). Another attempt would fail the same way, so the runtime fails the
// job with no retries left, which raises an incident naming Field.
type InputError struct {
	Field  string
	Reason string
}

func (e *InputError) Error() string { return fmt.Sprintf("input %s: %s", e.Field, e.Reason) }

// AsBPMNError returns the BPMN error in err's chain, if any.
func AsBPMNError(err error) (*BPMNError, bool) {
	var b *BPMNError
	ok := errors.As(err, &b)
	return b, ok
}
