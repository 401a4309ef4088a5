package check_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/example/wf-engine/conformance/connectors/check"
	"github.com/example/wf-engine/sdk/connector"
)

var good = connector.Descriptor{ID: "io.example:x", Version: "1.0.0", JobTypes: []string{"x:1"}}

func fn(f func(ctx context.Context, req connector.Request) (connector.Result, error)) connector.Func {
	return connector.Func{Descriptor: good, Fn: f}
}

var ok = fn(func(ctx context.Context, _ connector.Request) (connector.Result, error) {
	if err := ctx.Err(); err != nil {
		return connector.Result{}, err
	}
	return connector.Result{Response: "fine"}, nil
})

// waitsForCtx waits until its context ends, as a connector waiting on a slow
// server should.
var waitsForCtx = fn(func(ctx context.Context, _ connector.Request) (connector.Result, error) {
	<-ctx.Done()
	return connector.Result{}, fmt.Errorf("wait: %w", ctx.Err())
})

func wantErr(t *testing.T, err error, contains string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), contains) {
		t.Fatalf("got %v, want an error containing %q", err, contains)
	}
}

func TestDescribe(t *testing.T) {
	if err := check.Describe(ok); err != nil {
		t.Fatal(err)
	}
	bad := connector.Func{Descriptor: connector.Descriptor{ID: "x", Version: "one"}}
	wantErr(t, check.Describe(bad), "descriptor is invalid")

	var n atomic.Int32
	unstable := &describer{d: func() connector.Descriptor {
		d := good
		d.Version = fmt.Sprintf("1.0.%d", n.Add(1))
		return d
	}}
	wantErr(t, check.Describe(unstable), "descriptor changed")

	panics := &describer{d: func() connector.Descriptor { panic("no descriptor") }}
	err := check.Describe(panics)
	if !errors.Is(err, check.ErrPanic) {
		t.Fatalf("got %v, want ErrPanic", err)
	}
}

type describer struct{ d func() connector.Descriptor }

func (d *describer) Describe() connector.Descriptor { return d.d() }
func (d *describer) Execute(context.Context, connector.Request) (connector.Result, error) {
	return connector.Result{}, nil
}

func TestEmptyInput(t *testing.T) {
	answers, err := check.EmptyInput(t.Context(), ok)
	if err != nil || answers != "nil input: result; empty input: result" {
		t.Fatalf("got %q, %v", answers, err)
	}
	rejects := fn(func(_ context.Context, req connector.Request) (connector.Result, error) {
		if req.Input["url"] == nil {
			return connector.Result{}, &connector.InputError{Field: "url", Reason: "is required"}
		}
		return connector.Result{}, nil
	})
	answers, err = check.EmptyInput(t.Context(), rejects)
	if err != nil || !strings.Contains(answers, "*connector.InputError (field url)") {
		t.Fatalf("got %q, %v", answers, err)
	}
	panicsOnNil := fn(func(_ context.Context, req connector.Request) (connector.Result, error) {
		return connector.Result{Response: req.Input["a"].(string)}, nil
	})
	_, err = check.EmptyInput(t.Context(), panicsOnNil)
	if !errors.Is(err, check.ErrPanic) {
		t.Fatalf("got %v, want ErrPanic", err)
	}
}

func TestOutcomes(t *testing.T) {
	cases := []struct {
		name    string
		want    check.Outcome
		err     error
		failure string // "" when the outcome must be accepted
	}{
		{"input error accepted", check.IsInputError, &connector.InputError{Field: "url", Reason: "bad"}, ""},
		{"wrapped input error accepted", check.IsInputError, fmt.Errorf("x: %w", &connector.InputError{Field: "a"}), ""},
		{"bpmn error accepted as input rejection", check.IsInputError, &connector.BPMNError{Code: "BAD"}, ""},
		{"input error without a field", check.IsInputError, &connector.InputError{Reason: "bad"}, "name a field"},
		{"plain error is not an input error", check.IsInputError, errors.New("bad input"), "but got *errors.errorString"},
		{"success is not an input error", check.IsInputError, nil, "Execute succeeded"},
		{"bpmn code matches", check.IsBPMNError("E1"), &connector.BPMNError{Code: "E1"}, ""},
		{"bpmn code differs", check.IsBPMNError("E1"), &connector.BPMNError{Code: "E2"}, `got "E2"`},
		{"plain error is not bpmn", check.IsBPMNError("E1"), errors.New("E1"), "expected a *BPMNError"},
		{"coded error matches", check.IsError("404"), &connector.Error{Code: "404", Message: "not found"}, ""},
		{"wrapped coded error matches", check.IsError("404"), fmt.Errorf("get: %w", &connector.Error{Code: "404"}), ""},
		{"coded error inside a retryable error matches", check.IsError("503"), &connector.RetryableError{Err: &connector.Error{Code: "503"}}, ""},
		{"coded error's code differs", check.IsError("404"), &connector.Error{Code: "500"}, `got "500"`},
		{"plain error is not a coded error", check.IsError("404"), errors.New("404"), "expected a *connector.Error"},
		{"bpmn error is not a coded error", check.IsError("404"), &connector.BPMNError{Code: "404"}, "expected a *connector.Error"},
		{"coded error joined with a bpmn error", check.IsError("404"), errors.Join(&connector.Error{Code: "404"}, &connector.BPMNError{Code: "X"}), "also a BPMN error"},
		{"retryable", check.IsRetryable, &connector.RetryableError{Err: errors.New("x")}, ""},
		{"plain error is not retryable", check.IsRetryable, errors.New("try again"), "expected a *RetryableError"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := fn(func(context.Context, connector.Request) (connector.Result, error) { return connector.Result{}, tc.err })
			err := check.Expect(t.Context(), c, map[string]any{}, tc.want)
			if tc.failure == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantErr(t, err, tc.failure)
		})
	}
}

func TestCancelled(t *testing.T) {
	if err := check.Cancelled(t.Context(), ok, nil, time.Second); err != nil {
		t.Fatal(err)
	}
	ignores := fn(func(context.Context, connector.Request) (connector.Result, error) {
		return connector.Result{Response: "done anyway"}, nil
	})
	wantErr(t, check.Cancelled(t.Context(), ignores, nil, time.Second), "Execute succeeded")
	hides := fn(func(ctx context.Context, _ connector.Request) (connector.Result, error) {
		return connector.Result{}, errors.New("request aborted") // the context error is not wrapped
	})
	wantErr(t, check.Cancelled(t.Context(), hides, nil, time.Second), "errors.Is context canceled")
}

func TestCancelAndDeadlineInFlight(t *testing.T) {
	started := make(chan struct{}, 1)
	signals := fn(func(ctx context.Context, _ connector.Request) (connector.Result, error) {
		started <- struct{}{}
		<-ctx.Done()
		return connector.Result{}, ctx.Err()
	})
	waitStarted := func(ctx context.Context) error {
		select {
		case <-started:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err := check.CancelInFlight(t.Context(), signals, nil, waitStarted, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := check.CancelInFlight(t.Context(), waitsForCtx, nil, nil, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := check.DeadlineInFlight(t.Context(), waitsForCtx, nil, 50*time.Millisecond, 5*time.Second); err != nil {
		t.Fatal(err)
	}

	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	stuck := fn(func(context.Context, connector.Request) (connector.Result, error) {
		<-release // ignores ctx
		return connector.Result{}, nil
	})
	wantErr(t, check.CancelInFlight(t.Context(), stuck, nil, nil, 200*time.Millisecond), "had not returned")
	wantErr(t, check.DeadlineInFlight(t.Context(), stuck, nil, 50*time.Millisecond, 200*time.Millisecond), "had not returned")

	cancelledNotDeadline := fn(func(ctx context.Context, _ connector.Request) (connector.Result, error) {
		<-ctx.Done()
		return connector.Result{}, context.Canceled
	})
	wantErr(t, check.DeadlineInFlight(t.Context(), cancelledNotDeadline, nil, 50*time.Millisecond, time.Second), "deadline exceeded")
}

func TestNoLeak(t *testing.T) {
	secret := check.Secret()
	if secret == check.Secret() || len(secret) < 32 {
		t.Fatalf("secrets must be fresh and long: %q", secret)
	}
	token := func(req connector.Request) string { s, _ := req.Input["token"].(string); return s }
	cases := []struct {
		name string
		c    connector.Connector
		leak string // "" when nothing leaks
	}{
		{"keeps the secret", fn(func(_ context.Context, req connector.Request) (connector.Result, error) {
			return connector.Result{Response: map[string]any{"authenticated": token(req) != ""}}, nil
		}), ""},
		{"fails without the secret", fn(func(context.Context, connector.Request) (connector.Result, error) {
			return connector.Result{}, errors.New("401 unauthorized")
		}), ""},
		{"echoes it in the result", fn(func(_ context.Context, req connector.Request) (connector.Result, error) {
			return connector.Result{Response: map[string]any{"headers": map[string]any{"Authorization": "Bearer " + token(req)}}}, nil
		}), "the result"},
		{"puts it in the error text", fn(func(_ context.Context, req connector.Request) (connector.Result, error) {
			return connector.Result{}, fmt.Errorf("login as %s failed", token(req))
		}), "the error text"},
		{"puts it in BPMN error variables", fn(func(_ context.Context, req connector.Request) (connector.Result, error) {
			return connector.Result{}, &connector.BPMNError{Code: "DENIED", Variables: map[string]any{"request": token(req)}}
		}), "the BPMN error"},
		{"puts it in a retryable cause", fn(func(_ context.Context, req connector.Request) (connector.Result, error) {
			return connector.Result{}, &connector.RetryableError{Err: errors.New(token(req))}
		}), "the retryable error"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := check.NoLeak(t.Context(), tc.c, map[string]any{"token": secret}, secret)
			if tc.leak == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantErr(t, err, tc.leak)
			if strings.Contains(err.Error(), secret) {
				t.Fatal("the leak report itself shows the secret")
			}
		})
	}
}

func TestConcurrent(t *testing.T) {
	if err := check.Concurrent(t.Context(), ok, nil, 8, nil); err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	flaky := fn(func(context.Context, connector.Request) (connector.Result, error) {
		if calls.Add(1)%3 == 0 {
			return connector.Result{}, errors.New("lost a race")
		}
		return connector.Result{}, nil
	})
	wantErr(t, check.Concurrent(t.Context(), flaky, nil, 9, nil), "lost a race")
	verify := func(res connector.Result, err error) error {
		if res.Response != "fine" {
			return fmt.Errorf("response %v", res.Response)
		}
		return err
	}
	if err := check.Concurrent(t.Context(), ok, nil, 4, verify); err != nil {
		t.Fatal(err)
	}
}
