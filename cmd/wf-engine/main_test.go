package main

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/example/wf-engine/api/auth"
	"github.com/example/wf-engine/core/syncbuf"
)

func environ(vars ...string) func() []string { return func() []string { return vars } }

func TestServeAndShutDown(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	out := &syncbuf.Buffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--http.address", "127.0.0.1:0"}, environ("WF_DATABASE_DATA_DIR="+dir), out, ready)
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("server stopped: %v\n%s", err, out)
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start")
	}
	for _, path := range []string{"/readyz", "/healthz", "/v2/topology", "/metrics"} {
		res, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		_ = res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "wf-engine.db")); err != nil {
		t.Fatalf("the default store is not SQLite under the data dir: %v", err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("server did not stop")
	}
	if !strings.Contains(out.String(), `"msg":"shutting down"`) || !strings.Contains(out.String(), `"store":"sqlite"`) {
		t.Fatalf("log:\n%s", out)
	}
}

func TestVersion(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"--version"}, environ(), &out, nil); err != nil || !strings.HasPrefix(out.String(), "wf-engine ") {
		t.Fatalf("--version: %v %q", err, out.String())
	}
}

func TestMigrateAndReplaycheck(t *testing.T) {
	dir := t.TempDir()
	e := environ("WF_DATABASE_DATA_DIR=" + dir)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"migrate", "up"}, e, &out, nil); err != nil {
		t.Fatalf("migrate up: %v", err)
	}
	if err := run(context.Background(), []string{"migrate", "version"}, e, &out, nil); err != nil || !strings.Contains(out.String(), "schema version") {
		t.Fatalf("migrate version: %v %s", err, out.String())
	}
	if err := run(context.Background(), []string{"replaycheck"}, e, &out, nil); err != nil || !strings.Contains(out.String(), "replay check passed") {
		t.Fatalf("replaycheck: %v %s", err, out.String())
	}
	if err := run(context.Background(), []string{"migrate", "sideways"}, e, &out, nil); err == nil {
		t.Fatal("migrate accepted an unknown direction")
	}
	if err := run(context.Background(), []string{"migrate"}, e, &out, nil); err == nil {
		t.Fatal("migrate without a direction was accepted")
	}
}

func TestConfigLayers(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "wf.yaml")
	yaml := "http:\n  address: 127.0.0.1:9000\n  max_body_bytes: 65536\nengine:\n  max_batch: 64\nlog:\n  level: debug\n"
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	fs := flagSet()
	if err := fs.Parse([]string{"--config", file, "--engine.max_batch", "32"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(fs, environ("WF_HTTP_ADDRESS=127.0.0.1:9100", "WF_DATABASE_URL=postgres://u@127.0.0.1/db", "WF_HTTP_LONG_POLL_TIMEOUT=3s", "HOME=/x"))
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case cfg.HTTP.Address != "127.0.0.1:9100": // environment beats the file
		t.Fatalf("address %q", cfg.HTTP.Address)
	case cfg.HTTP.MaxBodyBytes != 65536: // the file beats the defaults
		t.Fatalf("max body %d", cfg.HTTP.MaxBodyBytes)
	case cfg.Engine.MaxBatch != 32: // flags beat everything
		t.Fatalf("max batch %d", cfg.Engine.MaxBatch)
	case cfg.HTTP.LongPollTimeout != 3*time.Second, cfg.Log.Level != "debug", cfg.Engine.QueueSize != 10000:
		t.Fatalf("config %+v", cfg)
	}
	if kind, _, _ := cfg.Database.store(); kind != storePostgres {
		t.Fatalf("WF_DATABASE_URL=postgres://... selects %s", kind)
	}
	if err := cfg.validate(); err == nil || !strings.Contains(err.Error(), "http.max_variables_bytes") {
		t.Fatalf("variables limit above the body limit must be refused: %v", err)
	}
}

func TestConfigRefusals(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  []string
		want string
	}{
		{"no auth on a public address", []string{"--http.address", "0.0.0.0:8080"}, nil, "allowed on loopback addresses only"},
		{"no auth on all interfaces", []string{"--http.address", ":8080"}, nil, "allowed on loopback addresses only"},
		{"unknown auth mode", []string{"--auth.mode", "ldap"}, nil, "auth.mode: expected none, basic or oidc"},
		{"oidc without an issuer", []string{"--auth.mode", "oidc", "--auth.oidc.audience", "wf"}, nil, "auth.oidc"},
		{"oidc over plain http to another host", []string{"--auth.mode", "oidc", "--auth.oidc.issuer", "http://idp.example.com", "--auth.oidc.audience", "wf"}, nil, "auth.oidc"},
		{"oidc with a symmetric algorithm", []string{"--auth.mode", "oidc", "--auth.oidc.issuer", "https://idp.example.com", "--auth.oidc.audience", "wf", "--auth.oidc.algorithms", "HS256"}, nil, "HS256"},
		{"oidc with alg none", []string{"--auth.mode", "oidc", "--auth.oidc.issuer", "https://idp.example.com", "--auth.oidc.audience", "wf", "--auth.oidc.algorithms", "none"}, nil, "none"},
		{"basic without users", []string{"--auth.mode", "basic", "--http.address", "0.0.0.0:8080"}, nil, "auth.basic.users"},
		{"metrics auth", []string{"--http.metrics_auth", "sometimes"}, nil, "http.metrics_auth"},
		{"half a TLS configuration", []string{"--http.tls_cert_file", "x.crt"}, nil, "tls_key_file"},
		{"an origin with a path", []string{"--http.allowed_origins", "https://app.example.com/ui"}, nil, "http.allowed_origins"},
		{"unknown store", nil, []string{"WF_DATABASE_URL=mysql://x"}, "database.url"},
		{"unknown environment variable", nil, []string{"WF_HTTP_LISTEN=1"}, "WF_HTTP_LISTEN"},
		{"bad duration", []string{"--http.await_timeout", "0s"}, nil, "http.await_timeout"},
		{"bad log level", []string{"--log.level", "loud"}, nil, "log.level"},
		{"unknown command", []string{"frobnicate"}, nil, "unknown command"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := run(context.Background(), tc.args, environ(tc.env...), io.Discard, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error about %q", err, tc.want)
			}
		})
	}
	if !auth.LoopbackHost("::1") || !auth.LoopbackHost("localhost") || !auth.LoopbackHost("127.0.0.2") || auth.LoopbackHost("10.0.0.1") {
		t.Fatal("loopback detection is wrong")
	}
}

// serveFor starts the server with the environment and returns its base URL;
// it stops when the test ends.
func serveFor(t *testing.T, env ...string) string {
	t.Helper()
	base, _ := serveArgs(t, nil, env...)
	return base
}

// serveArgs starts the server with extra command-line arguments and the
// environment, and returns its base URL and its log; it stops when the
// test ends.
func serveArgs(t *testing.T, args []string, env ...string) (string, *syncbuf.Buffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	out := &syncbuf.Buffer{}
	args = append([]string{"--http.address", "127.0.0.1:0"}, args...)
	go func() { done <- run(ctx, args, environ(env...), out, ready) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	select {
	case addr := <-ready:
		return "http://" + addr, out
	case err := <-done:
		t.Fatalf("server stopped: %v\n%s", err, out)
	case <-time.After(60 * time.Second):
		t.Fatal("server did not start")
	}
	return "", nil
}

// deploy deploys the model bpmn to the server at base as the resource name.
func deploy(t *testing.T, base, name string, bpmn []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	part, _ := w.CreateFormFile("resources", name)
	_, _ = part.Write(bpmn)
	_ = w.Close()
	if status, body := send(t, http.MethodPost, base+"/v2/deployments", w.FormDataContentType(), &buf); status != http.StatusOK {
		t.Fatalf("deploy %s: %d %s", name, status, body)
	}
}

func send(t *testing.T, method, url, contentType string, body io.Reader) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestClockControllable(t *testing.T) {
	pin := `{"timestamp": 1767225600000}`
	off := serveFor(t, "WF_DATABASE_URL=memory")
	if status, body := send(t, http.MethodPut, off+"/v2/clock", "application/json", strings.NewReader(pin)); status != http.StatusForbidden || !strings.Contains(body, "clock.controllable") {
		t.Fatalf("clock routes without clock.controllable: %d %s", status, body)
	}
	on := serveFor(t, "WF_DATABASE_URL=memory", "WF_CLOCK_CONTROLLABLE=true")
	if status, body := send(t, http.MethodPut, on+"/v2/clock", "application/json", strings.NewReader(pin)); status != http.StatusNoContent {
		t.Fatalf("pin with clock.controllable: %d %s", status, body)
	}
	if status, body := send(t, http.MethodPost, on+"/v2/clock/reset", "", nil); status != http.StatusNoContent {
		t.Fatalf("reset with clock.controllable: %d %s", status, body)
	}
}

func TestEngineMetrics(t *testing.T) {
	base := serveFor(t, "WF_DATABASE_URL=memory")
	bpmn, err := os.ReadFile(filepath.Join("..", "..", "docs", "examples", "order.bpmn"))
	if err != nil {
		t.Fatal(err)
	}
	deploy(t, base, "order.bpmn", bpmn)
	for range 2 {
		if status, body := send(t, http.MethodPost, base+"/v2/process-instances", "application/json", strings.NewReader(`{"processDefinitionId": "order"}`)); status != http.StatusOK {
			t.Fatalf("create: %d %s", status, body)
		}
	}
	_, metrics := send(t, http.MethodGet, base+"/metrics", "", nil)
	if !strings.Contains(metrics, `wf_jobs_activatable{type="charge-card"} 2`) {
		t.Errorf("metrics lack the two activatable charge-card jobs:\n%s", metrics)
	}
	// The scrape itself may have a read queued while the depth is sampled:
	// the gauge is there with a small value.
	if !regexp.MustCompile(`(?m)^wf_engine_command_queue_depth [01]$`).MatchString(metrics) {
		t.Errorf("metrics lack the command queue depth:\n%s", metrics)
	}
}
