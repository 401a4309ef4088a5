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

// Error implements the error interface.
func (e *BPMNError) Error() string {
	if e.Message == "" {
		return "BPMN error " + e.Code
	}
	return fmt.Sprintf("BPMN error %s: %s", e.Code, e.Message)
}

// Error is a failure of the connector's I/O that carries a code the model
// may handle, the counterpart of Camunda's ConnectorException with an error
// code. The runtime offers it to the task's errorExpression as error.code,
// error.message and error.variables (and error.response, when Variables
// has a "response" entry), so that the model decides what the code means:
// bpmnError(...) throws a BPMN error, jobError(...) fails the job its own
// way. Without an errorExpression, or when it gives null, the job fails like
// any other error: one retry less, the task's back-off.
//
// The HTTP connector returns one for a 4xx or 5xx answer: Code is the status
// ("404"), Message "GET https://api.example.com/orders/9 answered 404 Not
// Found", Variables {"response": {status, headers, body}}.
//
// Return a *BPMNError instead when the connector itself knows the failure is
// a business error. To choose the wait before the next attempt, wrap the
// error: &RetryableError{Err: &Error{...}, Backoff: d}; errors.As finds both,
// in process and across the plugin boundary.
type Error struct {
	// Code identifies the failure for the model ("404", "SMTP_550"). Empty
	// is allowed; error.code is then null.
	Code string `json:"code"`
	// Message says what failed. It is the error's text, error.message, and
	// the message of the job's failure (and of the incident, once no
	// retries are left); the code is not added to it.
	Message string `json:"message"`
	// Variables are offered as error.variables: JSON values (maps, slices,
	// strings, numbers, booleans, nil). They cross the plugin boundary as
	// JSON, so numbers arrive as float64.
	Variables map[string]any `json:"variables,omitempty"`
}

// Error returns Message, or names the code when Message is empty.
func (e *Error) Error() string {
	if e.Message == "" {
		return "connector error with code " + e.Code
	}
	return e.Message
}

// RetryableError is a failure worth another attempt after Backoff (zero: the
// task's retryBackoff header, else immediately). Any other error fails the
// attempt the same way with the task's back-off; a RetryableError only
// lets the connector choose the wait.
type RetryableError struct {
	Err     error
	Backoff time.Duration
}

// Error implements the error interface.
func (e *RetryableError) Error() string { return "retryable: " + e.Err.Error() }

// Unwrap returns the wrapped error, for errors.Is and errors.As.
func (e *RetryableError) Unwrap() error { return e.Err }

// InputError says the request's input is wrong (a missing or malformed
// field). Another attempt would fail the same way, so the runtime fails the
// job with no retries left, which raises an incident naming Field.
type InputError struct {
	Field  string
	Reason string
}

// Error implements the error interface.
func (e *InputError) Error() string { return fmt.Sprintf("input %s: %s", e.Field, e.Reason) }

// AsBPMNError returns the BPMN error in err's chain, if any.
func AsBPMNError(err error) (*BPMNError, bool) {
	var b *BPMNError
	ok := errors.As(err, &b)
	return b, ok
}
