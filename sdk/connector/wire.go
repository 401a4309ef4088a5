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
	kindCoded     = "coded"
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
	// Coded is the *Error in the chain, whatever the kind: it may be the
	// error itself (kind coded) or the cause of a RetryableError. A host
	// older than this field ignores it (and takes kind coded for plain),
	// which is what it did before the field existed.
	Coded *Error `json:"coded,omitempty"`
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
func (*Error) crossesTyped()          {}

// encodeOutcome turns Execute's return values into the outcome document. The
// outermost typed error in err's chain decides the kind (errors.As order);
// an *Error anywhere in the chain travels as well.
func encodeOutcome(res Result, err error) outcome {
	if err == nil {
		return outcome{Result: &res}
	}
	w := &wireError{Kind: kindPlain, Message: err.Error()}
	var coded *Error
	if errors.As(err, &coded) {
		w.Coded = coded
	}
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
		case *Error:
			w.Kind = kindCoded
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
	// coded is the *Error still to be placed in the chain.
	var coded error
	if w.Coded != nil {
		coded = w.Coded
	}
	var typed error
	switch w.Kind {
	case kindBPMN:
		b := &BPMNError{}
		if w.BPMN != nil {
			b = w.BPMN
		}
		typed = b
	case kindRetryable:
		cause := errors.New(w.Cause)
		if coded != nil {
			cause, coded = withText(w.Cause, coded), nil
		}
		typed = &RetryableError{Err: cause, Backoff: time.Duration(w.Backoff)}
	case kindInput:
		typed = &InputError{Field: w.Field, Reason: w.Reason}
	case kindCoded:
		typed, coded = coded, nil
		if typed == nil {
			typed = &Error{}
		}
	case kindCanceled:
		typed = context.Canceled
	case kindDeadline:
		typed = context.DeadlineExceeded
	default:
		if coded == nil {
			return Result{}, errors.New(w.Message)
		}
		typed, coded = coded, nil
	}
	if coded != nil {
		return Result{}, &remoteError{message: w.Message, errs: []error{typed, coded}}
	}
	return Result{}, withText(w.Message, typed)
}

// withText returns err when its text is text, else err wrapped in text.
func withText(text string, err error) error {
	if err.Error() == text {
		return err
	}
	return &remoteError{message: text, errs: []error{err}}
}

// remoteError keeps the connector's own error text around the typed errors
// it wrapped.
type remoteError struct {
	message string
	errs    []error
}

func (e *remoteError) Error() string   { return e.message }
func (e *remoteError) Unwrap() []error { return e.errs }
