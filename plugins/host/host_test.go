package host

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/example/wf-engine/sdk/connector"
)

func echoConfig() PluginConfig {
	return PluginConfig{Name: "echo", Path: echoPath, SHA256: echoSum}
}

// fastOptions make crashes visible and restarts quick.
var fastOptions = []Option{WithHealthInterval(50 * time.Millisecond), WithRestartBackoff(20*time.Millisecond, 500*time.Millisecond)}

func startEcho(t *testing.T, cfg PluginConfig, opts ...Option) (*Host, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	h, err := Start(t.Context(), []PluginConfig{cfg}, jsonLogger(logs), opts...)
	if err != nil {
		t.Fatalf("start: %v\nlog:\n%s", err, logs)
	}
	t.Cleanup(func() { _ = h.Close() })
	return h, logs
}

func request(input map[string]any) connector.Request {
	return connector.Request{JobKey: 77, JobType: "io.wf-engine:echo:1", Input: input}
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(10 * time.Millisecond) // polling interval, not a wait for an event
	}
}

func TestStartRefusesBadDeclarations(t *testing.T) {
	t.Parallel()
	good := echoConfig()
	cases := []struct {
		name    string
		plugins []PluginConfig
		want    []string
	}{
		{"empty name and path", []PluginConfig{{SHA256: echoSum}}, []string{"plugins[0]: name is empty", "plugins[0]: path is empty"}},
		{"duplicate name", []PluginConfig{good, good}, []string{`plugins[1] ("echo"): name is also used by plugins[0]`}},
		{"short checksum", []PluginConfig{{Name: "x", Path: echoPath, SHA256: "abc"}}, []string{`plugins[0] ("x"): sha256 must be 64 hex digits`}},
		{"bad env name", []PluginConfig{{Name: "x", Path: echoPath, SHA256: echoSum, Env: map[string]string{"A-B": "1"}}}, []string{`env name "A-B"`}},
		{"missing binary", []PluginConfig{{Name: "gone", Path: filepath.Join(t.TempDir(), "nope"), SHA256: echoSum}}, []string{`plugin "gone": read binary for its checksum`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, err := Start(t.Context(), tc.plugins, nil)
			if err == nil {
				_ = h.Close()
				t.Fatal("Start accepted the declarations")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestStartRefusesAMismatchedBinary(t *testing.T) {
	t.Parallel()
	cfg := echoConfig()
	cfg.SHA256 = strings.Repeat("0", 64)
	_, err := Start(t.Context(), []PluginConfig{cfg}, nil)
	if err == nil || !strings.Contains(err.Error(), `plugin "echo": binary `+echoPath+` has SHA-256 `+echoSum) ||
		!strings.Contains(err.Error(), "refusing to start it") {
		t.Fatalf("got %v, want a checksum refusal naming the plugin", err)
	}
}

func TestStartRefusesAnInvalidDescriptor(t *testing.T) {
	t.Parallel()
	cfg := echoConfig()
	cfg.Env = map[string]string{"ECHO_VERSION": "not-semver"}
	_, err := Start(t.Context(), []PluginConfig{cfg}, nil)
	if err == nil || !strings.Contains(err.Error(), `plugin "echo"`) || !strings.Contains(err.Error(), `invalid descriptor`) ||
		!strings.Contains(err.Error(), `version "not-semver" is not a semantic version`) {
		t.Fatalf("got %v, want an invalid-descriptor refusal naming the plugin", err)
	}
}

func TestStartRefusesABinaryThatIsNoPlugin(t *testing.T) {
	t.Parallel()
	script := writeScript(t, "#!/bin/sh\necho not a plugin\nexit 0\n")
	sum, err := fileSHA256(script)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Start(t.Context(), []PluginConfig{{Name: "fake", Path: script, SHA256: hexOf(sum)}}, nil, WithStartTimeout(10*time.Second))
	if err == nil || !strings.Contains(err.Error(), `plugin "fake"`) || !strings.Contains(err.Error(), "start") {
		t.Fatalf("got %v, want a start failure naming the plugin", err)
	}
}

func TestExecuteReachesThePluginWithOnlyItsDeclaredEnvironment(t *testing.T) {
	// The engine's environment holds what would make the plugin's
	// descriptor invalid; the plugin must not see it.
	t.Setenv("ECHO_VERSION", "not-semver")
	t.Setenv("ECHO_TAG", "from-the-engine")
	cfg := echoConfig()
	cfg.Env = map[string]string{"ECHO_TAG": "declared"}
	h, _ := startEcho(t, cfg)
	cs := h.Connectors()
	if len(cs) != 1 || cs[0].Describe().ID != "io.wf-engine:echo" {
		t.Fatalf("connectors %v", cs)
	}
	res, err := cs[0].Execute(t.Context(), request(map[string]any{"message": "hello"}))
	if err != nil {
		t.Fatal(err)
	}
	r := res.Response.(map[string]any)
	if r["message"] != "hello" || r["tag"] != "declared" {
		t.Fatalf("response %v", r)
	}
}

func TestCrashDuringExecuteIsRetryableAndTheNextExecuteWorks(t *testing.T) {
	t.Parallel()
	h, logs := startEcho(t, echoConfig(), fastOptions...)
	c := h.Connectors()[0]
	p := h.procs[0]
	before, _ := p.current()
	oldPID := before.pid()

	// Calls in flight when the process dies are not lost either.
	blocked := make(chan error, 3)
	for range 3 {
		go func() {
			_, err := c.Execute(t.Context(), request(map[string]any{"message": "m", "action": "block"}))
			blocked <- err
		}()
	}
	_, err := c.Execute(t.Context(), request(map[string]any{"message": "bye", "action": "crash"}))
	assertRetryableCrash(t, err)
	for range 3 {
		select {
		case err := <-blocked:
			assertRetryableCrash(t, err)
		case <-time.After(30 * time.Second):
			t.Fatal("a call in flight did not return after the crash")
		}
	}

	res, err := c.Execute(t.Context(), request(map[string]any{"message": "again"}))
	if err != nil {
		t.Fatalf("execute after the crash: %v\nlog:\n%s", err, logs)
	}
	if res.Response.(map[string]any)["message"] != "again" {
		t.Fatalf("response %v", res.Response)
	}
	after, restarts := p.current()
	if restarts != 1 || after.pid() == oldPID {
		t.Fatalf("restarts %d, pid %d -> %d", restarts, oldPID, after.pid())
	}
	if !strings.Contains(logs.String(), `"msg":"plugin restarted","plugin":"echo"`) {
		t.Fatalf("no restart in the log:\n%s", logs)
	}
}

func assertRetryableCrash(t *testing.T, err error) {
	t.Helper()
	var r *connector.RetryableError
	if !errors.As(err, &r) || !errors.Is(err, connector.ErrPluginCall) || !strings.Contains(err.Error(), `plugin "echo" stopped answering during job 77`) {
		t.Fatalf("got %T %v, want a RetryableError for the crash", err, err)
	}
}

func TestKilledPluginIsRestartedByTheHealthCheck(t *testing.T) {
	t.Parallel()
	h, _ := startEcho(t, echoConfig(), fastOptions...)
	p := h.procs[0]
	inst, _ := p.current()
	pid := inst.pid()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the host restarted the plugin", func() bool {
		cur, n := p.current()
		return cur != nil && n == 1
	})
	cur, _ := p.current()
	if cur.pid() == pid {
		t.Fatalf("same pid %d after restart", pid)
	}
	if _, err := h.Connectors()[0].Execute(t.Context(), request(map[string]any{"message": "x"})); err != nil {
		t.Fatal(err)
	}
}

func TestAReplacedBinaryIsNotRestarted(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "echo")
	b, err := os.ReadFile(echoPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o700); err != nil { // #nosec G306 -- an executable the test owns
		t.Fatal(err)
	}
	cfg := echoConfig()
	cfg.Path = path
	h, logs := startEcho(t, cfg, fastOptions...)
	// Someone swaps the binary on disk, then the plugin dies.
	swapped := filepath.Join(dir, "echo.new")
	if err := os.WriteFile(swapped, append(b, 0), 0o700); err != nil { // #nosec G306 -- as above
		t.Fatal(err)
	}
	if err := os.Rename(swapped, path); err != nil {
		t.Fatal(err)
	}
	c := h.Connectors()[0]
	_, err = c.Execute(t.Context(), request(map[string]any{"message": "m", "action": "crash"}))
	assertRetryableCrash(t, err)
	eventually(t, "the refused restart is logged", func() bool {
		return strings.Contains(logs.String(), "checksums did not match")
	})
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	_, err = c.Execute(ctx, request(map[string]any{"message": "m"}))
	var r *connector.RetryableError
	if !errors.As(err, &r) || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), `plugin "echo" is restarting`) {
		t.Fatalf("got %v, want a RetryableError while the plugin cannot restart", err)
	}
}

func TestPluginLogLinesGoToTheEngineLog(t *testing.T) {
	t.Parallel()
	h, logs := startEcho(t, echoConfig())
	if _, err := h.Connectors()[0].Execute(t.Context(), request(map[string]any{"message": "hello-from-echo", "action": "log"})); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the plugin's log line reached the engine log", func() bool {
		for _, line := range strings.Split(logs.String(), "\n") {
			if strings.Contains(line, `"level":"WARN"`) && strings.Contains(line, `"msg":"hello-from-echo"`) &&
				strings.Contains(line, `"plugin":"echo"`) && strings.Contains(line, `"job_key":77`) {
				return true
			}
		}
		return false
	})
}

func TestCloseStopsThePlugins(t *testing.T) {
	t.Parallel()
	logs := &logBuffer{}
	second := echoConfig()
	second.Name = "echo-2"
	h, err := Start(t.Context(), []PluginConfig{echoConfig(), second}, jsonLogger(logs))
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, p := range h.procs {
		inst, _ := p.current()
		pids = append(pids, inst.pid())
	}
	if len(pids) != 2 || pids[0] == pids[1] {
		t.Fatalf("pids %v", pids)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	for _, pid := range pids {
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Fatalf("plugin process %d still exists after Close (kill 0: %v)", pid, err)
		}
	}
	if err := h.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	_, err = h.Connectors()[0].Execute(t.Context(), request(map[string]any{"message": "x"}))
	var r *connector.RetryableError
	if !errors.As(err, &r) || !strings.Contains(err.Error(), "the plugin host is closed") {
		t.Fatalf("after Close: %v", err)
	}
}

func TestStartHonoursItsContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := Start(ctx, []PluginConfig{echoConfig()}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestNextBackoff(t *testing.T) {
	cases := []struct {
		name       string
		d, ceiling time.Duration
		want       time.Duration
	}{
		{"doubles", 200 * time.Millisecond, 30 * time.Second, 400 * time.Millisecond},
		{"stops at the ceiling", 20 * time.Second, 30 * time.Second, 30 * time.Second},
		{"stays at the ceiling", 30 * time.Second, 30 * time.Second, 30 * time.Second},
	}
	for _, tc := range cases {
		if got := nextBackoff(tc.d, tc.ceiling); got != tc.want {
			t.Errorf("%s: nextBackoff(%s, %s) = %s, want %s", tc.name, tc.d, tc.ceiling, got, tc.want)
		}
	}
}

func TestAHungPluginIsKilledAndRestarted(t *testing.T) {
	t.Parallel()
	shortPing := func(o *options) { o.pingTimeout = 300 * time.Millisecond }
	h, logs := startEcho(t, echoConfig(), append(fastOptions, shortPing)...)
	p := h.procs[0]
	inst, _ := p.current()
	pid := inst.pid()
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the host replaced the hung plugin", func() bool {
		cur, n := p.current()
		return cur != nil && n == 1
	})
	if !strings.Contains(logs.String(), "plugin health check failed") {
		t.Fatalf("no failed health check in the log:\n%s", logs)
	}
	eventually(t, "the hung process is gone", func() bool {
		return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
	})
	if _, err := h.Connectors()[0].Execute(t.Context(), request(map[string]any{"message": "x"})); err != nil {
		t.Fatal(err)
	}
}

func TestCloseDoesNotHangOnAHungPlugin(t *testing.T) {
	t.Parallel()
	short := func(o *options) { o.stopGrace = 200 * time.Millisecond }
	h, _ := startEcho(t, echoConfig(), short)
	inst, _ := h.procs[0].current()
	pid := inst.pid()
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	closed := make(chan error, 1)
	go func() { closed <- h.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Close hung on a stopped plugin process")
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Fatalf("the hung plugin process %d survived Close (kill 0: %v)", pid, err)
	}
}
