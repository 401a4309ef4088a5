package connector

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"
	"time"
)

func TestLoggerWritesLinesTheHostParses(t *testing.T) {
	var buf bytes.Buffer
	log := newLogger(&buf)
	log.Warn("upstream slow", "status", 503)
	log.Log(t.Context(), slog.LevelDebug-4, "very detailed")
	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got %q", buf.String())
	}
	var first map[string]any
	if err := json.Unmarshal(lines[0], &first); err != nil {
		t.Fatal(err)
	}
	if first["@message"] != "upstream slow" || first["@level"] != "warn" || first["status"] != float64(503) {
		t.Fatalf("line %s", lines[0])
	}
	ts, _ := first["@timestamp"].(string)
	if _, err := time.Parse(hclogTime, ts); err != nil {
		t.Fatalf("timestamp %q: %v", ts, err)
	}
	var second map[string]any
	if err := json.Unmarshal(lines[1], &second); err != nil {
		t.Fatal(err)
	}
	if second["@level"] != "trace" {
		t.Fatalf("line %s", lines[1])
	}
}

func TestHCLogLevel(t *testing.T) {
	for in, want := range map[string]string{
		"ERROR": "error", "ERROR+2": "error", "WARN": "warn", "INFO": "info", "INFO+1": "info",
		"DEBUG": "debug", "DEBUG+2": "debug", "DEBUG-4": "trace",
	} {
		if got := hclogLevel(in); got != want {
			t.Errorf("hclogLevel(%q) = %q, want %q", in, got, want)
		}
	}
}
