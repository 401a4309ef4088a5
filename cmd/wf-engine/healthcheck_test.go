package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// healthcheck runs `wf-engine healthcheck` with args and an empty
// environment, and returns its output and error.
func healthcheck(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), append([]string{"healthcheck"}, args...), environ(), &out, nil)
	return out.String(), err
}

// An engine that runs and is ready passes; its address is what the
// configuration says.
func TestHealthcheckPassesForAReadyEngine(t *testing.T) {
	base := serveFor(t, "WF_DATABASE_URL=memory")
	addr := strings.TrimPrefix(base, "http://")
	out, err := healthcheck(t, "--http.address", addr)
	if err != nil {
		t.Fatalf("healthcheck: %v", err)
	}
	if want := "http://" + addr + "/readyz: ready\n"; out != want {
		t.Fatalf("printed %q, want %q", out, want)
	}
	// The same through the environment, as in the image.
	var buf bytes.Buffer
	if err := run(context.Background(), []string{"healthcheck"}, environ("WF_HTTP_ADDRESS="+addr), &buf, nil); err != nil {
		t.Fatalf("healthcheck with WF_HTTP_ADDRESS: %v", err)
	}
}

// Over HTTPS the check trusts the configured certificate and no other.
func TestHealthcheckOverTLSPinsTheConfiguredCertificate(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	writeCert(t, certFile, keyFile, 7)
	base, _ := serveArgs(t, []string{"--http.tls_cert_file", certFile, "--http.tls_key_file", keyFile}, "WF_DATABASE_URL=memory")
	addr := strings.TrimPrefix(base, "http://")
	out, err := healthcheck(t, "--http.address", addr, "--http.tls_cert_file", certFile, "--http.tls_key_file", keyFile)
	if err != nil || !strings.HasPrefix(out, "https://") {
		t.Fatalf("healthcheck over TLS: %v, printed %q", err, out)
	}
	otherCert, otherKey := filepath.Join(dir, "other.crt"), filepath.Join(dir, "other.key")
	writeCert(t, otherCert, otherKey, 8)
	_, err = healthcheck(t, "--http.address", addr, "--http.tls_cert_file", otherCert, "--http.tls_key_file", otherKey)
	if err == nil || !strings.Contains(err.Error(), "not the one in http.tls_cert_file") {
		t.Fatalf("another server's certificate: got %v, want it refused", err)
	}
}

// Every answer but 200 fails the check, with the status and the engine's
// reason; nothing listening and no answer in time fail it too.
func TestHealthcheckFailures(t *testing.T) {
	notReady := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"status":"DOWN","reason":"the store does not answer reads"}`))
	}))
	defer notReady.Close()
	redirect := httptest.NewServer(http.RedirectHandler("/elsewhere", http.StatusFound))
	defer redirect.Close()
	hang := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-hang }))
	defer slow.Close()
	defer close(hang) // before slow.Close, which waits for the handler
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	_ = closed.Close()

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"not ready", []string{"--http.address", strings.TrimPrefix(notReady.URL, "http://")}, "not ready (503 Service Unavailable): the store does not answer reads"},
		{"redirect", []string{"--http.address", strings.TrimPrefix(redirect.URL, "http://")}, "not ready (302 Found)"},
		{"nothing listening", []string{"--http.address", closedAddr}, "not reachable"},
		{"no answer in time", []string{"--http.address", strings.TrimPrefix(slow.URL, "http://"), "--timeout", "200ms"}, "no answer in time"},
		{"bad timeout", []string{"--timeout", "0s"}, "--timeout must be positive"},
		{"argument", []string{"now"}, "usage: wf-engine healthcheck"},
		{"invalid configuration", []string{"--http.address", "0.0.0.0:8080"}, "allowed on loopback addresses only"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, err := healthcheck(t, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error with %q", err, tc.want)
			}
			if elapsed := time.Since(start); elapsed > 10*time.Second {
				t.Fatalf("took %s", elapsed)
			}
		})
	}
}

// An unspecified host is asked on 127.0.0.1; a named one as it is.
func TestHealthcheckURL(t *testing.T) {
	for addr, want := range map[string]string{
		"0.0.0.0:8080":     "http://127.0.0.1:8080/readyz",
		":8080":            "http://127.0.0.1:8080/readyz",
		"[::]:9000":        "http://127.0.0.1:9000/readyz",
		"127.0.0.1:8080":   "http://127.0.0.1:8080/readyz",
		"[::1]:8080":       "http://[::1]:8080/readyz",
		"engine.lan:8443":  "http://engine.lan:8443/readyz",
		"192.168.1.5:8080": "http://192.168.1.5:8080/readyz",
	} {
		url, _, err := readyzClient(HTTPConfig{Address: addr}, time.Second)
		if err != nil || url != want {
			t.Errorf("%s: got %q, %v; want %q", addr, url, err, want)
		}
	}
	if _, _, err := readyzClient(HTTPConfig{Address: "127.0.0.1:1", TLSCertFile: filepath.Join(t.TempDir(), "missing.crt")}, time.Second); err == nil ||
		!strings.Contains(err.Error(), "http.tls_cert_file") {
		t.Fatalf("a missing certificate file: got %v", err)
	}
}
