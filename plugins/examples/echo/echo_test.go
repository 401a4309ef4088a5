package main

import (
	"errors"
	"fmt"
	"log/slog"
	"testing"

	"github.com/hashicorp/go-plugin"

	connectorsuite "github.com/example/wf-engine/conformance/connectors"
	"github.com/example/wf-engine/plugins/host"
	"github.com/example/wf-engine/sdk/connector"
)

// cases provoke every outcome the echo connector can produce.
func cases() connectorsuite.Cases {
	return connectorsuite.Cases{
		Valid: map[string]any{"message": "hello", "n": 2.0},
		CheckResult: func(res connector.Result) error {
			r, ok := res.Response.(map[string]any)
			if !ok || r["message"] != "hello" {
				return fmt.Errorf("expected the message echoed, got %#v", res.Response)
			}
			return nil
		},
		Invalid:   map[string]any{"message": 42},
		BPMNError: &connectorsuite.BPMNCase{Input: map[string]any{"message": "m", "action": "bpmn-error", "code": "ECHO_FAIL"}, Code: "ECHO_FAIL"},
		Retryable: map[string]any{"message": "try later", "action": "retryable"},
		Block:     map[string]any{"message": "wait", "action": "block"},
		Secret: func(s string) map[string]any {
			return map[string]any{"message": "hi", "token": s}
		},
		SecretFailure: func(s string) map[string]any {
			return map[string]any{"message": "failing", "action": "retryable", "token": s}
		},
	}
}

func TestEchoConformsInProcess(t *testing.T) {
	t.Parallel()
	connectorsuite.Run(t, &Echo{Version: "1.0.0"}, cases())
}

func TestEchoConformsThroughGRPCShims(t *testing.T) {
	t.Parallel()
	client, _ := plugin.TestPluginGRPCConn(t, false, connector.PluginSet(&Echo{Version: "1.0.0"}))
	t.Cleanup(func() { _ = client.Close() })
	raw, err := client.Dispense(connector.PluginName)
	if err != nil {
		t.Fatal(err)
	}
	connectorsuite.Run(t, raw.(connector.Connector), cases())
}

func TestEchoConformsAsAPluginBinary(t *testing.T) {
	t.Parallel()
	path, sum := connectorsuite.BuildPlugin(t, "github.com/example/wf-engine/plugins/examples/echo")
	h, err := host.Start(t.Context(), []host.PluginConfig{{Name: "echo", Path: path, SHA256: sum}}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	connectorsuite.Run(t, h.Connectors()[0], cases())
}

func TestEchoRefusesCrashInProcess(t *testing.T) {
	t.Parallel()
	_, err := (&Echo{Version: "1.0.0"}).Execute(t.Context(), connector.Request{Input: map[string]any{"message": "x", "action": "crash"}})
	var in *connector.InputError
	if !errors.As(err, &in) || in.Field != "action" {
		t.Fatalf("got %v, want an InputError on action", err)
	}
}

func TestEchoRejectsUnknownAction(t *testing.T) {
	t.Parallel()
	_, err := (&Echo{Version: "1.0.0"}).Execute(t.Context(), connector.Request{Input: map[string]any{"message": "x", "action": "dance"}})
	var in *connector.InputError
	if !errors.As(err, &in) || in.Field != "action" {
		t.Fatalf("got %v, want an InputError on action", err)
	}
}
