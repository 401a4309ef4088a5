package connector_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/example/wf-engine/sdk/connector"
)

var testDescriptor = connector.Descriptor{
	ID: "io.example:test", Version: "1.2.3", JobTypes: []string{"io.example:test:1"},
	InputSchema: []byte(`{"type":"object"}`), Secrets: []string{"TOKEN"},
}

// pluginPair serves c through go-plugin's in-process gRPC pair and returns
// the host's side of it.
func pluginPair(t *testing.T, c connector.Connector) *connector.Client {
	t.Helper()
	client, _ := plugin.TestPluginGRPCConn(t, false, connector.PluginSet(c))
	// Close asks the server to stop (go-plugin's controller Shutdown).
	t.Cleanup(func() { _ = client.Close() })
	raw, err := client.Dispense(connector.PluginName)
	if err != nil {
		t.Fatalf("dispense: %v", err)
	}
	cl, ok := raw.(*connector.Client)
	if !ok {
		t.Fatalf("dispensed %T, want *connector.Client", raw)
	}
	return cl
}

func fn(f func(ctx context.Context, req connector.Request) (connector.Result, error)) connector.Func {
	return connector.Func{Descriptor: testDescriptor, Fn: f}
}

func TestDescribeCrossesTheBoundary(t *testing.T) {
	cl := pluginPair(t, fn(nil))
	if got := cl.Describe(); !reflect.DeepEqual(got, testDescriptor) {
		t.Fatalf("Describe() = %+v, want %+v", got, testDescriptor)
	}
	got, err := cl.DescribeContext(context.Background())
	if err != nil || !reflect.DeepEqual(got, testDescriptor) {
		t.Fatalf("DescribeContext() = %+v, %v", got, err)
	}
}

func TestRequestAndResultCrossTheBoundary(t *testing.T) {
	seenCh := make(chan connector.Request, 1)
	cl := pluginPair(t, fn(func(_ context.Context, req connector.Request) (connector.Result, error) {
		seenCh <- req
		return connector.Result{Response: map[string]any{"n": 3, "s": "x", "list": []any{true, nil}}}, nil
	}))
	req := connector.Request{
		JobKey: 42, JobType: "io.example:test:1", ProcessInstanceKey: 7, BPMNProcessID: "p", ElementID: "task",
		Retries: 3, Input: map[string]any{"a": "b", "n": 1.5}, Headers: map[string]string{"h": "v"},
	}
	res, err := cl.Execute(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if seen := <-seenCh; !reflect.DeepEqual(seen, req) {
		t.Fatalf("plugin saw %+v, want %+v", seen, req)
	}
	want := map[string]any{"n": float64(3), "s": "x", "list": []any{true, nil}}
	if !reflect.DeepEqual(res.Response, want) {
		t.Fatalf("response %#v, want %#v", res.Response, want)
	}
}

func TestErrorsCrossTyped(t *testing.T) {
	cases := []struct {
		name  string
		err   error
		check func(t *testing.T, err error)
	}{
		{"bpmn error", &connector.BPMNError{Code: "NOT_FOUND", Message: "no such order", Variables: map[string]any{"id": "o-1"}},
			func(t *testing.T, err error) {
				b, ok := err.(*connector.BPMNError) //nolint:errorlint // the very type, unwrapped, is what must cross
				if !ok {
					t.Fatalf("got %T %v, want *BPMNError", err, err)
				}
				if b.Code != "NOT_FOUND" || b.Message != "no such order" || !reflect.DeepEqual(b.Variables, map[string]any{"id": "o-1"}) {
					t.Fatalf("got %+v", b)
				}
			}},
		{"wrapped bpmn error keeps its text", fmt.Errorf("call orders: %w", &connector.BPMNError{Code: "GONE"}),
			func(t *testing.T, err error) {
				b, ok := connector.AsBPMNError(err)
				if !ok || b.Code != "GONE" {
					t.Fatalf("got %v, want a BPMN error GONE in the chain", err)
				}
				if err.Error() != "call orders: BPMN error GONE" {
					t.Fatalf("text %q", err.Error())
				}
			}},
		{"retryable error", &connector.RetryableError{Err: errors.New("503 from server"), Backoff: 1500 * time.Millisecond},
			func(t *testing.T, err error) {
				r, ok := err.(*connector.RetryableError) //nolint:errorlint // the very type, unwrapped, is what must cross
				if !ok {
					t.Fatalf("got %T %v, want *RetryableError", err, err)
				}
				if r.Backoff != 1500*time.Millisecond || r.Err.Error() != "503 from server" {
					t.Fatalf("got backoff %s, cause %q", r.Backoff, r.Err)
				}
			}},
		{"input error", &connector.InputError{Field: "url", Reason: "is required"},
			func(t *testing.T, err error) {
				in, ok := err.(*connector.InputError) //nolint:errorlint // the very type, unwrapped, is what must cross
				if !ok || in.Field != "url" || in.Reason != "is required" {
					t.Fatalf("got %T %v, want *InputError url", err, err)
				}
			}},
		{"coded error", &connector.Error{Code: "404", Message: "GET /orders/9 answered 404 Not Found",
			Variables: map[string]any{"response": map[string]any{"status": 404, "body": map[string]any{"msg": "no order 9"}}}},
			func(t *testing.T, err error) {
				e, ok := err.(*connector.Error) //nolint:errorlint // the very type, unwrapped, is what must cross
				if !ok {
					t.Fatalf("got %T %v, want *Error", err, err)
				}
				// Variables cross as JSON: the status arrives as a float64.
				want := map[string]any{"response": map[string]any{"status": 404.0, "body": map[string]any{"msg": "no order 9"}}}
				if e.Code != "404" || e.Message != "GET /orders/9 answered 404 Not Found" || !reflect.DeepEqual(e.Variables, want) {
					t.Fatalf("got %+v", e)
				}
			}},
		{"wrapped coded error keeps its text", fmt.Errorf("call orders: %w", &connector.Error{Code: "E42", Message: "refused"}),
			func(t *testing.T, err error) {
				var e *connector.Error
				if !errors.As(err, &e) || e.Code != "E42" || e.Message != "refused" {
					t.Fatalf("got %v, want an *Error E42 in the chain", err)
				}
				if err.Error() != "call orders: refused" {
					t.Fatalf("text %q", err.Error())
				}
			}},
		{"coded error inside a retryable error keeps both", &connector.RetryableError{
			Err: &connector.Error{Code: "503", Message: "busy", Variables: map[string]any{"retryAfter": "7"}}, Backoff: 7 * time.Second},
			func(t *testing.T, err error) {
				r, ok := err.(*connector.RetryableError) //nolint:errorlint // the very type, unwrapped, is what must cross
				if !ok || r.Backoff != 7*time.Second {
					t.Fatalf("got %T %v, want *RetryableError with a 7s back-off", err, err)
				}
				e, ok := r.Err.(*connector.Error) //nolint:errorlint // the cause itself must be the coded error
				if !ok || e.Code != "503" || e.Message != "busy" || e.Variables["retryAfter"] != "7" {
					t.Fatalf("cause %T %+v, want the *Error 503", r.Err, r.Err)
				}
				if err.Error() != "retryable: busy" {
					t.Fatalf("text %q", err.Error())
				}
			}},
		{"coded error wrapped inside a retryable error keeps the cause's text", &connector.RetryableError{
			Err: fmt.Errorf("upstream: %w", &connector.Error{Code: "429", Message: "slow down"})},
			func(t *testing.T, err error) {
				var r *connector.RetryableError
				var e *connector.Error
				if !errors.As(err, &r) || !errors.As(err, &e) || e.Code != "429" {
					t.Fatalf("got %v, want a retryable error holding the *Error 429", err)
				}
				if r.Err.Error() != "upstream: slow down" || err.Error() != "retryable: upstream: slow down" {
					t.Fatalf("cause %q, text %q", r.Err, err)
				}
			}},
		{"coded error joined with an input error keeps both", errors.Join(&connector.InputError{Field: "to", Reason: "bad"}, &connector.Error{Code: "550"}),
			func(t *testing.T, err error) {
				var in *connector.InputError
				var e *connector.Error
				if !errors.As(err, &in) || in.Field != "to" || !errors.As(err, &e) || e.Code != "550" {
					t.Fatalf("got %v, want an InputError and an *Error 550", err)
				}
				if err.Error() != "input to: bad\nconnector error with code 550" {
					t.Fatalf("text %q", err.Error())
				}
			}},
		{"plain error keeps its message only", fmt.Errorf("disk full: %w", errors.New("ENOSPC")),
			func(t *testing.T, err error) {
				if err.Error() != "disk full: ENOSPC" {
					t.Fatalf("text %q", err)
				}
				var b *connector.BPMNError
				var r *connector.RetryableError
				var in *connector.InputError
				var e *connector.Error
				if errors.As(err, &b) || errors.As(err, &r) || errors.As(err, &in) || errors.As(err, &e) || errors.Is(err, connector.ErrPluginCall) {
					t.Fatalf("plain error came back typed: %#v", err)
				}
			}},
		{"context error of the connector", fmt.Errorf("wait for lock: %w", context.DeadlineExceeded),
			func(t *testing.T, err error) {
				if !errors.Is(err, context.DeadlineExceeded) || err.Error() != "wait for lock: context deadline exceeded" {
					t.Fatalf("got %v, want a deadline error", err)
				}
			}},
		{"joined errors find the typed one", errors.Join(errors.New("first"), &connector.InputError{Field: "body", Reason: "bad"}),
			func(t *testing.T, err error) {
				var in *connector.InputError
				if !errors.As(err, &in) || in.Field != "body" {
					t.Fatalf("got %v, want InputError body", err)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cl := pluginPair(t, fn(func(context.Context, connector.Request) (connector.Result, error) {
				return connector.Result{}, tc.err
			}))
			_, err := cl.Execute(context.Background(), connector.Request{JobKey: 1})
			if err == nil {
				t.Fatal("no error")
			}
			tc.check(t, err)
		})
	}
}

func TestCancellationCrossesTheBoundary(t *testing.T) {
	started := make(chan struct{})
	pluginSawDone := make(chan error, 1)
	cl := pluginPair(t, fn(func(ctx context.Context, _ connector.Request) (connector.Result, error) {
		close(started)
		<-ctx.Done()
		pluginSawDone <- ctx.Err()
		return connector.Result{}, ctx.Err()
	}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := cl.Execute(ctx, connector.Request{JobKey: 9})
		done <- err
	}()
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the plugin connector was not called")
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Execute returned %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Execute did not return after the host cancelled")
	}
	select {
	case err := <-pluginSawDone:
		if err == nil {
			t.Fatal("plugin ctx done without an error")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the cancellation did not reach the plugin connector")
	}
}

func TestDeadlineCrossesTheBoundary(t *testing.T) {
	deadline := time.Now().Add(time.Hour)
	deadlineCh := make(chan time.Time, 1)
	cl := pluginPair(t, fn(func(ctx context.Context, _ connector.Request) (connector.Result, error) {
		d, _ := ctx.Deadline()
		deadlineCh <- d
		return connector.Result{}, nil
	}))
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	if _, err := cl.Execute(ctx, connector.Request{}); err != nil {
		t.Fatal(err)
	}
	pluginDeadline := <-deadlineCh
	// gRPC sends the time left, so the plugin's deadline is the host's give
	// or take the transit time.
	if diff := pluginDeadline.Sub(deadline).Abs(); pluginDeadline.IsZero() || diff > time.Minute {
		t.Fatalf("plugin saw deadline %v, host set %v", pluginDeadline, deadline)
	}

	expired, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	blocking := pluginPair(t, fn(func(ctx context.Context, _ connector.Request) (connector.Result, error) {
		<-ctx.Done()
		return connector.Result{}, ctx.Err()
	}))
	if _, err := blocking.Execute(expired, connector.Request{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want context.DeadlineExceeded", err)
	}
}

func TestPanicInConnectorBecomesAnError(t *testing.T) {
	cl := pluginPair(t, fn(func(context.Context, connector.Request) (connector.Result, error) {
		panic("boom")
	}))
	_, err := cl.Execute(context.Background(), connector.Request{})
	if err == nil || !strings.Contains(err.Error(), "connector panicked") {
		t.Fatalf("got %v, want a panic error", err)
	}
	if errors.Is(err, connector.ErrPluginCall) {
		t.Fatalf("a connector panic is the connector's error, not a call failure: %v", err)
	}
	// The server survived: the next call works.
	if _, err := cl.DescribeContext(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestResultJSONCannotCarryBecomesAnError(t *testing.T) {
	cl := pluginPair(t, fn(func(context.Context, connector.Request) (connector.Result, error) {
		return connector.Result{Response: make(chan int)}, nil
	}))
	_, err := cl.Execute(context.Background(), connector.Request{JobKey: 5})
	if err == nil || !strings.Contains(err.Error(), "encode result of job 5") {
		t.Fatalf("got %v, want an encode error", err)
	}
}

func TestErrorVariablesJSONCannotCarryKeepTheErrorText(t *testing.T) {
	cl := pluginPair(t, fn(func(context.Context, connector.Request) (connector.Result, error) {
		return connector.Result{}, &connector.Error{Code: "E1", Message: "upstream refused", Variables: map[string]any{"c": make(chan int)}}
	}))
	_, err := cl.Execute(context.Background(), connector.Request{JobKey: 5})
	if err == nil || !strings.HasPrefix(err.Error(), "upstream refused (encode the error's variables of job 5: ") {
		t.Fatalf("got %v, want the error's text and the encode failure", err)
	}
	if errors.Is(err, connector.ErrPluginCall) {
		t.Fatalf("an encode failure is the connector's error, not a call failure: %v", err)
	}
}

func TestInputJSONCannotCarryIsAnInputError(t *testing.T) {
	cl := pluginPair(t, fn(func(context.Context, connector.Request) (connector.Result, error) {
		t.Error("the connector must not be called")
		return connector.Result{}, nil
	}))
	_, err := cl.Execute(context.Background(), connector.Request{Input: map[string]any{"f": func() {}}})
	var in *connector.InputError
	if !errors.As(err, &in) || in.Field != "input" {
		t.Fatalf("got %v, want an InputError on input", err)
	}
}

func TestRawGRPCConnAndCallFailure(t *testing.T) {
	conn, server := plugin.TestGRPCConn(t, func(s *grpc.Server) {
		connector.RegisterServer(s, fn(func(_ context.Context, req connector.Request) (connector.Result, error) {
			return connector.Result{Response: req.Input["x"]}, nil
		}))
	})
	t.Cleanup(func() { _ = conn.Close() })
	cl, err := connector.NewClient(context.Background(), conn)
	if err != nil {
		t.Fatal(err)
	}
	res, err := cl.Execute(context.Background(), connector.Request{Input: map[string]any{"x": "y"}})
	if err != nil || res.Response != "y" {
		t.Fatalf("got %v, %v", res, err)
	}
	server.Stop()
	_, err = cl.Execute(context.Background(), connector.Request{JobKey: 3})
	if !errors.Is(err, connector.ErrPluginCall) {
		t.Fatalf("after the server stopped: got %v, want ErrPluginCall", err)
	}
}

func TestHandshakeIsTheConstants(t *testing.T) {
	h := connector.Handshake()
	if h.ProtocolVersion != connector.ProtocolVersion || h.MagicCookieKey != connector.MagicCookieKey || h.MagicCookieValue != connector.MagicCookieValue {
		t.Fatalf("handshake %+v", h)
	}
}
