package main

import (
	"context"
	"strings"
	"testing"

	"github.com/example/wf-engine/api/resttest"
)

// The benchmarks measure one wf command in process against a local engine
// (the in-memory store behind the real REST API), from argument parsing to
// printed output: the budget is 200 ms per command. Process start-up is not
// included; see docs/cli.md.

// benchWF returns a runner for b that fails on any non-zero exit. Its
// environment is fixed, with no configuration file.
func benchWF(b *testing.B) (*resttest.Server, func(args ...string) string) {
	b.Helper()
	srv := resttest.Start(b, resttest.Options{})
	home := b.TempDir()
	env := func(k string) string {
		if k == "HOME" {
			return home
		}
		return ""
	}
	return srv, func(args ...string) string {
		var stdout, stderr strings.Builder
		args = append([]string{"--address", srv.URL}, args...)
		if code := run(context.Background(), args, nil, &stdout, &stderr, env); code != exitOK {
			b.Fatalf("wf %v: exit %d: %s", args, code, stderr.String())
		}
		return stdout.String()
	}
}

// benchmarkCommand times args after setup.
func benchmarkCommand(b *testing.B, setup func(wf func(args ...string) string) []string) {
	_, wf := benchWF(b)
	args := setup(wf)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		wf(args...)
	}
}

func BenchmarkCommandStatus(b *testing.B) {
	benchmarkCommand(b, func(func(...string) string) []string { return []string{"status"} })
}

func BenchmarkCommandDeploy(b *testing.B) {
	benchmarkCommand(b, func(func(...string) string) []string { return []string{"deploy", "testdata/order.bpmn"} })
}

func BenchmarkCommandCreateInstance(b *testing.B) {
	benchmarkCommand(b, func(wf func(...string) string) []string {
		wf("deploy", "testdata/order.bpmn")
		return []string{"create", "instance", "order", "--variables", `{"orderId": "A-1", "amount": 42}`}
	})
}

func BenchmarkCommandInstances(b *testing.B) {
	benchmarkCommand(b, func(wf func(...string) string) []string {
		wf("deploy", "testdata/order.bpmn")
		for range 200 {
			wf("create", "instance", "order")
		}
		return []string{"instances", "--process", "order", "--state", "ACTIVE", "--limit", "50"}
	})
}

func BenchmarkCommandInstance(b *testing.B) {
	benchmarkCommand(b, func(wf func(...string) string) []string {
		wf("deploy", "testdata/order.bpmn")
		out := wf("create", "instance", "order", "--variables", `{"orderId": "A-1", "amount": 42, "lines": [1, 2, 3]}`, "-o", "json")
		_, rest, _ := strings.Cut(out, `"processInstanceKey": "`)
		key, _, _ := strings.Cut(rest, `"`)
		return []string{"instance", key}
	})
}

func BenchmarkCommandValidate(b *testing.B) {
	// Offline: the engine is started only to share the runner.
	benchmarkCommand(b, func(func(...string) string) []string { return []string{"validate", "testdata/order.bpmn"} })
}

func BenchmarkCommandTasksListJSON(b *testing.B) {
	benchmarkCommand(b, func(wf func(...string) string) []string {
		wf("deploy", "testdata/approval.bpmn")
		for range 50 {
			wf("create", "instance", "approval")
		}
		return []string{"tasks", "list", "--group", "managers", "-o", "json"}
	})
}
