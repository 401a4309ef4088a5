package main

import (
	"strings"
	"testing"
)

func TestBroadcastSignal(t *testing.T) {
	_, wf := startEngine(t)
	ok(t, wf("deploy", "testdata/signal.bpmn"))
	key := createInstance(t, wf, "signal-wait")
	var sb struct {
		SignalKey string `json:"signalKey"`
		TenantID  string `json:"tenantId"`
	}
	decodeJSON(t, ok(t, wf("broadcast", "signal", "go", "--variables", `{"by": "wf"}`, "-o", "json")), &sb)
	if sb.SignalKey == "" || sb.TenantID != "<default>" {
		t.Errorf("broadcast answered %+v", sb)
	}
	eventually(t, "the signal to complete the instance", func() bool { return instanceState(t, wf, key) == "COMPLETED" })
	// Nothing waits any more: the broadcast is answered all the same.
	if out := ok(t, wf("broadcast", "signal", "go")); !strings.HasPrefix(out, "signal go broadcast (key ") {
		t.Errorf("broadcast printed %q", out)
	}
	failsWith(t, wf("broadcast", "signal", "go", "--variables", "[1]"), exitUsage, "--variables")
}
