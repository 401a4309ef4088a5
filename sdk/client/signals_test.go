package client_test

import (
	"net/http"
	"testing"

	"github.com/example/wf-engine/api/resttest"
	"github.com/example/wf-engine/sdk/client"
)

func TestBroadcastSignal(t *testing.T) {
	e := start(t, resttest.Options{})
	e.deploy(t, "signal.bpmn")
	key := e.create(t, "signal-wait", nil)
	sb, err := e.c.BroadcastSignal(ctx(t), client.BroadcastSignalRequest{SignalName: "go", Variables: map[string]any{"by": "sdk"}})
	if err != nil || sb.SignalKey <= 0 || sb.TenantID != "<default>" {
		t.Fatalf("broadcast: %+v %v", sb, err)
	}
	if s := e.instanceState(t, key); s != "COMPLETED" {
		t.Fatalf("instance after the broadcast: %s", s)
	}
	// Nothing waits any more: the broadcast is answered all the same.
	again, err := e.c.BroadcastSignal(ctx(t), client.BroadcastSignalRequest{SignalName: "go"})
	if err != nil || again.SignalKey <= sb.SignalKey {
		t.Fatalf("broadcast to nobody: %+v %v", again, err)
	}
	if _, err := e.c.BroadcastSignal(ctx(t), client.BroadcastSignalRequest{SignalName: ""}); !client.IsStatus(err, http.StatusBadRequest) {
		t.Fatalf("empty signal name: %v", err)
	}
}
