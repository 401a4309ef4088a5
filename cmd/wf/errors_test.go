package main

import (
	"context"
	"net"
	"strings"
	"testing"
)

// closedAddress returns the address of a loopback port nothing listens on.
func closedAddress(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := "http://" + l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

func TestErrorsAreOneLineWithTheirExitCode(t *testing.T) {
	_, wf := startEngine(t)
	ok(t, wf("deploy", "testdata/order.bpmn"))
	tests := []struct {
		name  string
		args  []string
		code  int
		parts []string
	}{
		{"unknown instance key", []string{"instance", "4242"}, exitNotFound, []string{"wf: instance: NOT_FOUND: ", "4242"}},
		{"cancel of an unknown instance", []string{"cancel", "4242"}, exitNotFound, []string{"wf: cancel: NOT_FOUND: "}},
		{"unknown process", []string{"create", "instance", "nope"}, exitNotFound, []string{"wf: create instance: NOT_FOUND: ", "'nope'"}},
		{"unknown job", []string{"jobs", "fail", "4242", "--retries", "1"}, exitNotFound, []string{"wf: jobs fail: NOT_FOUND: "}},
		{"unknown user task", []string{"tasks", "complete", "4242"}, exitNotFound, []string{"wf: tasks complete: NOT_FOUND: "}},
		{"bad JSON variables", []string{"create", "instance", "order", "--variables", `{"a": }`}, exitUsage,
			[]string{"wf: create instance: --variables (inline JSON): expected a JSON object: invalid character '}'", "at byte 7"}},
		{"variables that are no object", []string{"jobs", "complete", "1", "--variables", `[1, 2]`}, exitUsage, []string{"--variables (inline JSON): expected a JSON object: got a JSON array"}},
		{"variables that are null", []string{"tasks", "complete", "1", "--variables", `null`}, exitUsage, []string{"expected a JSON object, got null"}},
		{"two variables documents", []string{"publish", "message", "m", "--variables", `{} {}`}, exitUsage, []string{"expected one JSON object, but more follows it"}},
		{"variables file missing", []string{"create", "instance", "order", "--variables", "@testdata/none.json"}, exitUsage, []string{"--variables: read testdata/none.json: no such file or directory"}},
		{"unknown flag", []string{"instances", "--bogus"}, exitUsage, []string{"wf: instances: unknown flag: --bogus", "(see 'wf instances --help')"}},
		{"unknown command", []string{"instanc"}, exitUsage, []string{`wf: unknown command "instanc" for "wf"`, "did you mean instances, instance?"}},
		{"unknown subcommand", []string{"jobs", "finish"}, exitUsage, []string{`wf: jobs: unknown command "finish"; expected one of activate, complete, fail`}},
		{"group without a subcommand", []string{"tasks"}, exitUsage, []string{"wf: tasks: expected a command: assign, complete, list"}},
		{"missing argument", []string{"cancel"}, exitUsage, []string{"wf: cancel: missing argument <instanceKey>"}},
		{"extra argument", []string{"cancel", "1", "2"}, exitUsage, []string{`wf: cancel: unexpected argument "2"`}},
		{"key that is no number", []string{"instance", "abc"}, exitUsage, []string{`wf: instance: <instanceKey>: expected a positive decimal key, got "abc"`}},
		{"flag value of the wrong type", []string{"create", "instance", "order", "--version", "two"}, exitUsage, []string{`invalid argument "two" for "--version"`}},
		{"unknown output format", []string{"status", "-o", "xml"}, exitUsage, []string{`wf: status: --output: expected table, json or yaml, got "xml"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			failsWith(t, wf(tc.args...), tc.code, tc.parts...)
		})
	}
}

func TestUnreachableEngine(t *testing.T) {
	addr := closedAddress(t)
	for _, args := range [][]string{{"status"}, {"instances"}, {"deploy", "testdata/order.bpmn"}, {"jobs", "activate", "x"}} {
		failsWith(t, wf(t, append([]string{"--address", addr}, args...)...), exitFailure, "cannot reach the engine at "+addr+": ", "connection refused")
	}
}

func TestInterruptedCommand(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr strings.Builder
	code := run(ctx, []string{"--address", closedAddress(t), "instances"}, nil, &stdout, &stderr, func(string) string { return "" })
	if code != exitFailure || stderr.String() != "wf: instances: interrupted\n" {
		t.Errorf("exit %d, stderr %q; want 1 and 'interrupted'", code, stderr.String())
	}
}
