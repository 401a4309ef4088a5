package connector

import (
	"context"
	"errors"
	"time"
)

// Error kinds of the outcome document. They are part of the plugin protocol:
// add kinds, never change one's meaning.
const (
	kindBPMN      = "bpmn"
	kindRetryable = "retryable"
	kindInput     = "input"
	kindCanceled  = "canceled"
	kindDeadline  = "deadline"
	kindPlain     = "plain"
)

// outcome is the JSON document an Execute call answers with: a result or an
// error, never both.
type outcome struct {
	Result *Result    `json:"result,omitempty"`
	Error  *wireError `json:"error,omitempty"`
}

// wireError is a connector error in transit. Message is the whole error text
// as the connector returned it; the other fields carry the typed error found
// in its chain.
type wireError struct {
	Kind    string     `json:"kind"`
	Message string     `json:"message"`
	BPMN    *BPMNError `json:"bpmn,omitempty"`
	// Retryable: the text of RetryableError.Err and the back-off.
	Cause   string `json:"cause,omitempty"`
	Backoff int64  `json:"backoffNanos,omitempty"`
	// Input: InputError's fields.
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// typedError is implemented by the connector errors that cross the plugin
// boundary as their own types.
type typedError interface {
	error
	crossesTyped()
}

func (*BPMNError) crossesTyped()      {}
func (*RetryableError) crossesTyped() {}
func (*InputError) crossesTyped()     {}

// encodeOutcome turns Execute's return values into the outcome document. The
// outermost typed error in err's chain decides the kind (errors.As order).
func encodeOutcome(res Result, err error) outcome {
	if err == nil {
		return outcome{Result: &res}
	}
	w := &wireError{Kind: kindPlain, Message: err.Error()}
	var typed typedError
	if errors.As(err, &typed) {
		switch t := typed.(type) {
		case *BPMNError:
			w.Kind, w.BPMN = kindBPMN, t
		case *RetryableError:
			w.Kind, w.Backoff = kindRetryable, int64(t.Backoff)
			if t.Err != nil {
				w.Cause = t.Err.Error()
			}
		case *InputError:
			w.Kind, w.Field, w.Reason = kindInput, t.Field, t.Reason
		}
		return outcome{Error: w}
	}
	switch {
	case errors.Is(err, context.Canceled):
		w.Kind = kindCanceled
	case errors.Is(err, context.DeadlineExceeded):
		w.Kind = kindDeadline
	}
	return outcome{Error: w}
}

// decode turns the outcome document back into Execute's return values.
func (o outcome) decode() (Result, error) {
	if o.Error == nil {
		if o.Result == nil {
			return Result{}, nil
		}
		return *o.Result, nil
	}
	w := o.Error
	var typed error
	switch w.Kind {
	case kindBPMN:
		b := &BPMNError{}
		if w.BPMN != nil {
			b = w.BPMN
		}
		typed = b
	case kindRetryable:
		typed = &RetryableError{Err: errors.New(w.Cause), Backoff: time.Duration(w.Backoff)}
	case kindInput:
		typed = &InputError{Field: w.Field, Reason: w.Reason}
	case kindCanceled:
		typed = context.Canceled
	case kindDeadline:
		typed = context.DeadlineExceeded
	default:
		return Result{}, errors.New(w.Message)
	}
	if typed.Error() == w.Message {
		return Result{}, typed
	}
	return Result{}, &remoteError{message: w.Message, err: typed}
}

// remoteError keeps the connector's own error text around the typed error it
// wrapped.
type remoteError struct {
	message string
	err     error
}

func (e *remoteError) Error() string { return e.message }
func (e *remoteError) Unwrap() error { return e.err }
