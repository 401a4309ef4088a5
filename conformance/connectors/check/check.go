package check

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/example/wf-engine/sdk/connector"
)

// DefaultBound is how long a check waits for Execute to return after its
// context ended before it calls the connector stuck. It is a generous
// ceiling for "returns after cancellation", not a performance target.
const DefaultBound = 10 * time.Second

// Request builds the request the checks send: the first job type of d and
// input.
func Request(d connector.Descriptor, jobKey int64, input map[string]any) connector.Request {
	jobType := ""
	if len(d.JobTypes) > 0 {
		jobType = d.JobTypes[0]
	}
	return connector.Request{
		JobKey: jobKey, JobType: jobType, ProcessInstanceKey: 2251799813685249, BPMNProcessID: "conformance",
		ElementID: "connector-task", Retries: 3, Input: input,
	}
}

// Execute calls c.Execute and turns a panic into an error, so that a check
// reports a panicking connector instead of dying with it.
func Execute(ctx context.Context, c connector.Connector, req connector.Request) (res connector.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			res, err = connector.Result{}, fmt.Errorf("%w: %v", ErrPanic, p)
		}
	}()
	return c.Execute(ctx, req)
}

// ErrPanic marks an Execute or Describe that panicked.
var ErrPanic = errors.New("connector panicked")

// describe calls c.Describe and turns a panic into an error.
func describe(c connector.Connector) (d connector.Descriptor, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w in Describe: %v", ErrPanic, p)
		}
	}()
	return c.Describe(), nil
}

// Describe checks that the descriptor is valid and the same on every call.
func Describe(c connector.Connector) error {
	d, err := describe(c)
	if err != nil {
		return err
	}
	if err := d.Validate(); err != nil {
		return fmt.Errorf("descriptor is invalid: %w", err)
	}
	again, err := describe(c)
	if err != nil {
		return err
	}
	if !reflect.DeepEqual(d, again) {
		return fmt.Errorf("descriptor changed between two calls: %+v, then %+v", d, again)
	}
	return nil
}

// EmptyInput checks that Execute with a nil and with an empty input map
// answers (a result or an error: a connector without required fields may
// succeed) instead of panicking. It returns what each call answered.
func EmptyInput(ctx context.Context, c connector.Connector) (string, error) {
	d, err := describe(c)
	if err != nil {
		return "", err
	}
	var answers []string
	for i, input := range []map[string]any{nil, {}} {
		name := [...]string{"nil input", "empty input"}[i]
		_, err := Execute(ctx, c, Request(d, int64(i+1), input))
		switch {
		case errors.Is(err, ErrPanic) || errors.Is(err, connector.ErrPluginCall):
			return "", fmt.Errorf("%s: expected a result or an error, but the call failed: %w", name, err)
		case err != nil:
			answers = append(answers, fmt.Sprintf("%s: error %s", name, errorKind(err)))
		default:
			answers = append(answers, name+": result")
		}
	}
	return strings.Join(answers, "; "), nil
}

// errorKind names the typed error in err's chain.
func errorKind(err error) string {
	var b *connector.BPMNError
	var r *connector.RetryableError
	var in *connector.InputError
	var e *connector.Error
	switch {
	case errors.As(err, &in):
		return "*connector.InputError (field " + in.Field + ")"
	case errors.As(err, &b):
		return "*connector.BPMNError (code " + b.Code + ")"
	case errors.As(err, &r):
		return "*connector.RetryableError"
	case errors.As(err, &e):
		return "*connector.Error (code " + e.Code + ")"
	}
	return "(untyped)"
}

// Outcome judges the error an Execute returned: nil when it is the expected
// outcome, else an error saying what was expected and what came.
type Outcome func(err error) error

// IsInputError accepts a *connector.InputError or a *connector.BPMNError,
// the two ways a connector may reject input.
func IsInputError(err error) error {
	var b *connector.BPMNError
	var in *connector.InputError
	switch {
	case err == nil:
		return errors.New("expected an *InputError or a *BPMNError for bad input, but Execute succeeded")
	case errors.As(err, &in):
		if strings.TrimSpace(in.Field) == "" {
			return fmt.Errorf("expected the InputError to name a field, but it has none: %w", err)
		}
		return nil
	case errors.As(err, &b):
		return nil
	}
	return fmt.Errorf("expected an *InputError or a *BPMNError for bad input, but got %T: %w", err, err)
}

// IsBPMNError accepts a *connector.BPMNError with code.
func IsBPMNError(code string) Outcome {
	return func(err error) error {
		b, ok := connector.AsBPMNError(err)
		switch {
		case !ok:
			return fmt.Errorf("expected a *BPMNError with code %q, but got %T: %w", code, err, err)
		case b.Code != code:
			return fmt.Errorf("expected BPMN error code %q, but got %q", code, b.Code)
		}
		return nil
	}
}

// IsError accepts an error whose chain holds a *connector.Error with code
// (an I/O failure the model may handle with an errorExpression), and no
// *connector.BPMNError: a coded error is the model's to judge, not a BPMN
// error thrown by the connector.
func IsError(code string) Outcome {
	return func(err error) error {
		var e *connector.Error
		switch {
		case !errors.As(err, &e):
			return fmt.Errorf("expected a *connector.Error with code %q, but got %T: %w", code, err, err)
		case e.Code != code:
			return fmt.Errorf("expected error code %q, but got %q", code, e.Code)
		}
		if b, ok := connector.AsBPMNError(err); ok {
			return fmt.Errorf("expected a *connector.Error with code %q alone, but the error is also a BPMN error %q", code, b.Code)
		}
		return nil
	}
}

// IsRetryable accepts a *connector.RetryableError.
func IsRetryable(err error) error {
	var r *connector.RetryableError
	if !errors.As(err, &r) {
		return fmt.Errorf("expected a *RetryableError, but got %T: %w", err, err)
	}
	return nil
}

// Expect runs Execute with input and applies want to its error.
func Expect(ctx context.Context, c connector.Connector, input map[string]any, want Outcome) error {
	d, err := describe(c)
	if err != nil {
		return err
	}
	_, err = Execute(ctx, c, Request(d, 10, input))
	if errors.Is(err, ErrPanic) {
		return err
	}
	return want(err)
}

// Cancelled checks that Execute with an already cancelled context returns an
// error that errors.Is context.Canceled, within bound.
func Cancelled(ctx context.Context, c connector.Connector, input map[string]any, bound time.Duration) error {
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	return awaitContextError(cctx, c, input, nil, context.Canceled, bound)
}

// CancelInFlight starts Execute with input (one that makes the connector
// wait on something outside until ctx ends), cancels it once started has
// returned (nil: 100 ms after the call), and checks that Execute returns an
// error that errors.Is context.Canceled within bound of the cancel.
func CancelInFlight(ctx context.Context, c connector.Connector, input map[string]any, started func(context.Context) error, bound time.Duration) error {
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	trigger := func() error {
		if err := waitStarted(ctx, started); err != nil {
			return err
		}
		cancel()
		return nil
	}
	return awaitContextError(cctx, c, input, trigger, context.Canceled, bound)
}

// DeadlineInFlight gives Execute with input (one that makes the connector
// wait on something outside) a deadline timeout from now, and checks that
// Execute returns an error that errors.Is context.DeadlineExceeded within
// bound after the deadline. The deadline is a real one, so it travels with
// the call (across a plugin boundary too) and expires there on its own.
func DeadlineInFlight(ctx context.Context, c connector.Connector, input map[string]any, timeout, bound time.Duration) error {
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return awaitContextError(dctx, c, input, nil, context.DeadlineExceeded, timeout+bound)
}

func waitStarted(ctx context.Context, started func(context.Context) error) error {
	if started != nil {
		if err := started(ctx); err != nil {
			return fmt.Errorf("wait for the connector to start waiting: %w", err)
		}
		return nil
	}
	t := time.NewTimer(100 * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// awaitContextError runs Execute on ctx, fires trigger (which ends ctx), and
// requires an error that errors.Is want within bound after trigger.
func awaitContextError(ctx context.Context, c connector.Connector, input map[string]any, trigger func() error, want error, bound time.Duration) error {
	d, err := describe(c)
	if err != nil {
		return err
	}
	type answer struct {
		res connector.Result
		err error
	}
	done := make(chan answer, 1)
	go func() {
		res, err := Execute(ctx, c, Request(d, 20, input))
		done <- answer{res, err}
	}()
	if trigger != nil {
		if err := trigger(); err != nil {
			return err
		}
	}
	timer := time.NewTimer(bound)
	defer timer.Stop()
	select {
	case a := <-done:
		switch {
		case a.err == nil:
			return fmt.Errorf("expected %s after the context ended, but Execute succeeded with %v", want.Error(), a.res.Response)
		case !errors.Is(a.err, want):
			return fmt.Errorf("expected an error that errors.Is %s after the context ended, but got %T: %w", want.Error(), a.err, a.err)
		}
		return nil
	case <-timer.C:
		return fmt.Errorf("expected Execute to return after its context ended (%s), but it had not returned %s later", want.Error(), bound)
	}
}

// Concurrent runs n goroutines that each call Describe and Execute with
// input at the same time, and applies verify (nil: success required) to
// every answer. Run it with the race detector for it to mean much.
func Concurrent(ctx context.Context, c connector.Connector, input map[string]any, n int, verify func(connector.Result, error) error) error {
	d, err := describe(c)
	if err != nil {
		return err
	}
	if verify == nil {
		verify = func(_ connector.Result, err error) error { return err }
	}
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			got, err := describe(c)
			if err != nil {
				errs[i] = fmt.Errorf("goroutine %d: %w", i, err)
				return
			}
			if !reflect.DeepEqual(got, d) {
				errs[i] = fmt.Errorf("goroutine %d: Describe answered %+v, not %+v", i, got, d)
				return
			}
			res, err := Execute(ctx, c, Request(d, int64(100+i), input))
			if errors.Is(err, ErrPanic) || errors.Is(err, connector.ErrPluginCall) {
				errs[i] = fmt.Errorf("goroutine %d: %w", i, err)
				return
			}
			if err := verify(res, err); err != nil {
				errs[i] = fmt.Errorf("goroutine %d: %w", i, err)
			}
		})
	}
	close(start)
	wg.Wait()
	return errors.Join(errs...)
}

// Secret returns a fresh random secret value for a leak check. It is random
// so that no connector can filter it by recognising it, and long so that it
// cannot turn up by chance.
func Secret() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "s3cr3t-" + hex.EncodeToString(b)
}

// NoLeak runs Execute with input (which carries secret where the connector
// uses it as a credential) and checks that the secret appears nowhere in
// the result or the error: its text, a BPMN error's message and variables,
// a retryable error's cause.
func NoLeak(ctx context.Context, c connector.Connector, input map[string]any, secret string) error {
	d, err := describe(c)
	if err != nil {
		return err
	}
	res, err := Execute(ctx, c, Request(d, 30, input))
	var leaks []string
	if b, mErr := json.Marshal(res.Response); mErr == nil && strings.Contains(string(b), secret) {
		leaks = append(leaks, "the result")
	} else if mErr != nil && strings.Contains(fmt.Sprint(res.Response), secret) {
		leaks = append(leaks, "the result")
	}
	if err != nil {
		if strings.Contains(err.Error(), secret) {
			leaks = append(leaks, "the error text")
		}
		if b, ok := connector.AsBPMNError(err); ok {
			vars, _ := json.Marshal(b.Variables)
			if strings.Contains(b.Message, secret) || strings.Contains(string(vars), secret) {
				leaks = append(leaks, "the BPMN error")
			}
		}
		var r *connector.RetryableError
		if errors.As(err, &r) && r.Err != nil && strings.Contains(r.Err.Error(), secret) {
			leaks = append(leaks, "the retryable error")
		}
	}
	if len(leaks) > 0 {
		// Never print the secret itself, not even in a test failure.
		return fmt.Errorf("expected the secret to stay out of the outcome, but it appears in %s", strings.Join(leaks, ", "))
	}
	return nil
}
