package main

import (
	"strings"
	"testing"

	"github.com/example/wf-engine/core/engine"
)

// The engine.max_* keys reach engine.Limits, default to the engine's
// defaults and must be positive.
func TestEngineLimitKeys(t *testing.T) {
	fs := flagSet()
	if err := fs.Parse([]string{"--engine.max_steps_per_command", "500"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(fs, environ("WF_ENGINE_MAX_PROCESSES_PER_RESOURCE=7"))
	if err != nil {
		t.Fatal(err)
	}
	want := engine.Limits{MaxStepsPerCommand: 500, MaxFlowRepeatsPerCommand: engine.DefaultMaxFlowRepeatsPerCommand,
		MaxProcessesPerResource: 7, MaxVariableBytesPerCommand: engine.DefaultMaxVariableBytesPerCommand}
	if got := cfg.Engine.limits(); got != want {
		t.Fatalf("limits %+v, want %+v", got, want)
	}
	cfg.Engine.MaxVariablesBytesPerCommand = 0
	if err := cfg.validate(); err == nil || !strings.Contains(err.Error(), "engine.max_variables_bytes_per_command: must be at least 1") {
		t.Fatalf("validate with a zero limit: %v", err)
	}
}
