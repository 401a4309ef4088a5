package connectorsuite

import (
	"context"
	"testing"
	"time"

	"github.com/example/wf-engine/conformance/connectors/check"
	"github.com/example/wf-engine/sdk/connector"
)

// Cases are the inputs that provoke each outcome of the connector under
// test. Only Valid is required; see the package documentation.
type Cases struct {
	// Valid is an input Execute succeeds with.
	Valid map[string]any
	// CheckResult, when set, checks the result of Valid.
	CheckResult func(connector.Result) error
	// Invalid is an input the connector rejects as wrong.
	Invalid map[string]any
	// BPMNError is an input that makes the connector throw a BPMN error.
	BPMNError *BPMNCase
	// Error is an input that makes the connector return a *connector.Error
	// with a code, an I/O failure the model may handle with an
	// errorExpression (the HTTP connector's 404).
	Error *ErrorCase
	// Retryable is an input that makes the connector return a
	// *connector.RetryableError.
	Retryable map[string]any
	// Block is an input on which Execute waits for something outside (a
	// server that does not answer) until its context ends.
	Block map[string]any
	// Started, when set with Block, returns once the connector is waiting
	// on Block's input (for example when the test server has the request);
	// the suite then cancels. Without it the suite cancels 100 ms after the
	// call.
	Started func(ctx context.Context) error
	// Secret returns an input that carries secret where the connector uses
	// it as a credential.
	Secret func(secret string) map[string]any
	// SecretFailure returns an input that carries secret and makes Execute
	// fail.
	SecretFailure func(secret string) map[string]any
	// Concurrency is the number of goroutines of the concurrency check;
	// zero means 8.
	Concurrency int
	// Bound is how long Execute may take to return after its context ended;
	// zero means check.DefaultBound.
	Bound time.Duration
}

// BPMNCase is an input that makes the connector throw the BPMN error Code.
type BPMNCase struct {
	Input map[string]any
	Code  string
}

// ErrorCase is an input that makes the connector return a *connector.Error
// with Code.
type ErrorCase struct {
	Input map[string]any
	Code  string
}

// Run runs the suite against c. Subtests run in parallel with each other, so
// a connector whose Execute is not safe for concurrent use fails under -race
// here too.
func Run(t *testing.T, c connector.Connector, cases Cases) {
	t.Helper()
	if cases.Valid == nil {
		t.Fatal("connectorsuite: Cases.Valid is required")
	}
	bound := cases.Bound
	if bound == 0 {
		bound = check.DefaultBound
	}
	n := cases.Concurrency
	if n == 0 {
		n = 8
	}
	verify := func(res connector.Result, err error) error {
		if err != nil {
			return err
		}
		if cases.CheckResult != nil {
			return cases.CheckResult(res)
		}
		return nil
	}
	type test struct {
		name string
		run  func(ctx context.Context) error // nil: not applicable
		why  string                          // why it is not applicable
	}
	opt := func(present bool, run func(context.Context) error) func(context.Context) error {
		if !present {
			return nil
		}
		return run
	}
	tests := []test{
		{name: "DescriptorIsValidAndStable", run: func(context.Context) error { return check.Describe(c) }},
		{name: "EmptyInputGetsAnAnswer", run: func(ctx context.Context) error {
			_, err := check.EmptyInput(ctx, c)
			return err
		}},
		{name: "ValidInputSucceeds", run: func(ctx context.Context) error {
			d := c.Describe()
			res, err := check.Execute(ctx, c, check.Request(d, 1, cases.Valid))
			return verify(res, err)
		}},
		{name: "InvalidInputGivesATypedError", why: "Cases.Invalid is not set",
			run: opt(cases.Invalid != nil, func(ctx context.Context) error {
				return check.Expect(ctx, c, cases.Invalid, check.IsInputError)
			})},
		{name: "BPMNErrorCarriesItsCode", why: "Cases.BPMNError is not set",
			run: opt(cases.BPMNError != nil, func(ctx context.Context) error {
				return check.Expect(ctx, c, cases.BPMNError.Input, check.IsBPMNError(cases.BPMNError.Code))
			})},
		{name: "CodedErrorCarriesItsCode", why: "Cases.Error is not set",
			run: opt(cases.Error != nil, func(ctx context.Context) error {
				return check.Expect(ctx, c, cases.Error.Input, check.IsError(cases.Error.Code))
			})},
		{name: "RetryableErrorIsTyped", why: "Cases.Retryable is not set",
			run: opt(cases.Retryable != nil, func(ctx context.Context) error {
				return check.Expect(ctx, c, cases.Retryable, check.IsRetryable)
			})},
		{name: "CancelledContextGivesAContextError", run: func(ctx context.Context) error {
			return check.Cancelled(ctx, c, cases.Valid, bound)
		}},
		{name: "CancelWhileWaitingReturns", why: "Cases.Block is not set",
			run: opt(cases.Block != nil, func(ctx context.Context) error {
				return check.CancelInFlight(ctx, c, cases.Block, cases.Started, bound)
			})},
		{name: "DeadlineWhileWaitingReturns", why: "Cases.Block is not set",
			run: opt(cases.Block != nil, func(ctx context.Context) error {
				return check.DeadlineInFlight(ctx, c, cases.Block, 200*time.Millisecond, bound)
			})},
		{name: "SecretStaysOutOfTheResult", why: "Cases.Secret is not set",
			run: opt(cases.Secret != nil, func(ctx context.Context) error {
				secret := check.Secret()
				return check.NoLeak(ctx, c, cases.Secret(secret), secret)
			})},
		{name: "SecretStaysOutOfTheError", why: "Cases.SecretFailure is not set",
			run: opt(cases.SecretFailure != nil, func(ctx context.Context) error {
				secret := check.Secret()
				return check.NoLeak(ctx, c, cases.SecretFailure(secret), secret)
			})},
		{name: "ConcurrentCallsAreRaceFree", run: func(ctx context.Context) error {
			return check.Concurrent(ctx, c, cases.Valid, n, verify)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.run == nil {
				t.Logf("not run: %s, so the connector is taken not to produce this outcome", tc.why)
				return
			}
			if err := tc.run(t.Context()); err != nil {
				t.Fatal(err)
			}
		})
	}
}
