package telemetry_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"github.com/example/wf-engine/api/telemetry"
)

// Lines logged with a span in the context carry its trace and span ids; the
// level can be changed while loggers derived from the handler are in use;
// lines are counted by level.
func TestLogHandler(t *testing.T) {
	var out bytes.Buffer
	h := telemetry.NewLogHandler(&out, slog.LevelInfo)
	counts := map[string]int{}
	h.CountWith(func(level string) { counts[level]++ })
	log := slog.New(h).With("component", "test")

	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{1, 2, 3}, SpanID: trace.SpanID{4, 5}, TraceFlags: trace.FlagsSampled})
	log.InfoContext(trace.ContextWithSpanContext(context.Background(), sc), "with span")
	log.Info("without span")
	log.Debug("hidden")
	h.Level().Set(slog.LevelDebug)
	log.Debug("shown")

	var lines []map[string]any
	dec := json.NewDecoder(&out)
	for dec.More() {
		var l map[string]any
		if err := dec.Decode(&l); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, l)
	}
	if len(lines) != 3 {
		t.Fatalf("want 3 JSON lines, got %v", lines)
	}
	if lines[0]["trace_id"] != sc.TraceID().String() || lines[0]["span_id"] != sc.SpanID().String() || lines[0]["component"] != "test" {
		t.Errorf("line with a span: %v", lines[0])
	}
	if _, ok := lines[1]["trace_id"]; ok {
		t.Errorf("line without a span has a trace id: %v", lines[1])
	}
	if lines[2]["msg"] != "shown" {
		t.Errorf("after lowering the level: %v", lines[2])
	}
	if counts["INFO"] != 2 || counts["DEBUG"] != 1 {
		t.Errorf("counts: %v", counts)
	}
}
