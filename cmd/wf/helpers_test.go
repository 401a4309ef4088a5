package main

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/example/wf-engine/api/resttest"
)

// result is what one wf run left behind.
type result struct {
	code           int
	stdout, stderr string
}

// invocation is one wf command line with its environment and input.
type invocation struct {
	env   map[string]string
	stdin io.Reader
}

// wf runs a wf command line in process. HOME and XDG_CONFIG_HOME point
// into the test's temporary folder unless env names them, so that no
// developer's configuration leaks in.
func (inv invocation) wf(t testing.TB, args ...string) result {
	t.Helper()
	tmp := t.TempDir()
	env := map[string]string{"HOME": tmp, "XDG_CONFIG_HOME": ""}
	for k, v := range inv.env {
		env[k] = v
	}
	var stdout, stderr strings.Builder
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	code := run(ctx, args, inv.stdin, &stdout, &stderr, func(k string) string { return env[k] })
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// wf runs a wf command line with no environment.
func wf(t testing.TB, args ...string) result {
	t.Helper()
	return invocation{}.wf(t, args...)
}

// startEngine starts a real engine for the test and returns a runner that
// points wf at it with --address.
func startEngine(t testing.TB) (*resttest.Server, func(args ...string) result) {
	t.Helper()
	srv := resttest.Start(t, resttest.Options{})
	return srv, func(args ...string) result {
		t.Helper()
		return wf(t, append([]string{"--address", srv.URL}, args...)...)
	}
}

// ok fails the test unless r exited 0 with nothing on stderr, and returns
// its standard output.
func ok(t testing.TB, r result) string {
	t.Helper()
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q, stdout %q; want exit 0 and no stderr", r.code, r.stderr, r.stdout)
	}
	return r.stdout
}

// failsWith checks that r exited with code and one "wf: " line on stderr
// containing every part, and nothing on stdout.
func failsWith(t testing.TB, r result, code int, parts ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d (stderr %q)", r.code, code, r.stderr)
	}
	if !strings.HasPrefix(r.stderr, "wf: ") || !strings.HasSuffix(r.stderr, "\n") || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("stderr %q: want one line starting with 'wf: '", r.stderr)
	}
	for _, p := range parts {
		if !strings.Contains(r.stderr, p) {
			t.Errorf("stderr %q lacks %q", r.stderr, p)
		}
	}
	if r.stdout != "" {
		t.Errorf("stdout %q: want nothing on a failure", r.stdout)
	}
}

// decodeJSON parses a JSON output into v.
func decodeJSON(t testing.TB, out string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("output is not the expected JSON: %v\n%s", err, out)
	}
}

// decodeYAML parses a YAML output into v.
func decodeYAML(t testing.TB, out string, v any) {
	t.Helper()
	if err := yaml.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("output is not the expected YAML: %v\n%s", err, out)
	}
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

// keyed is the part of wf's JSON answers that names an entity.
type keyed struct {
	ProcessInstanceKey string `json:"processInstanceKey"`
	JobKey             string `json:"jobKey"`
	UserTaskKey        string `json:"userTaskKey"`
	IncidentKey        string `json:"incidentKey"`
	State              string `json:"state"`
	Result             string `json:"result"`
}

// createInstance starts an instance with wf and returns its key.
func createInstance(t testing.TB, wf func(args ...string) result, args ...string) string {
	t.Helper()
	var ci keyed
	decodeJSON(t, ok(t, wf(append([]string{"create", "instance", "-o", "json"}, args...)...)), &ci)
	if ci.ProcessInstanceKey == "" || ci.ProcessInstanceKey == "0" {
		t.Fatalf("create instance %v: no process instance key", args)
	}
	return ci.ProcessInstanceKey
}

// instanceState returns the state of a process instance as wf instance
// shows it.
func instanceState(t testing.TB, wf func(args ...string) result, key string) string {
	t.Helper()
	var v struct {
		Instance keyed `json:"instance"`
	}
	decodeJSON(t, ok(t, wf("instance", key, "-o", "json")), &v)
	return v.Instance.State
}
