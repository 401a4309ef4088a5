package compat_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/example/wf-engine/api/auth/authtest"
	"github.com/example/wf-engine/api/resttest"
)

// TestCamundaJavaScriptClient runs js/compat.mjs with the official client
// @camunda8/orchestration-cluster-api 8.8 (installed by npm ci from the
// committed lock file when node_modules is missing), on models from
// testdata/ as Camunda Modeler writes them. The engine clock can be pinned,
// as the script pins it to fire a timer. It runs once in each of the
// client's validation modes (CAMUNDA_SDK_VALIDATION): none; req:strict,
// where the client checks its own requests and sends int64 fields as JSON
// strings; res:strict, where it checks every answer against its 8.8
// schemas; both; and res:fanatical, where an answer object with a property
// its schema lacks fails too (the client checks plain object schemas, not
// the intersections searches answer with, and writes what it found into
// the capture directory).
func TestCamundaJavaScriptClient(t *testing.T) {
	node := nodeWithClient(t)
	for _, mode := range []string{"req:none,res:none", "req:strict,res:none", "req:none,res:strict", "req:strict,res:strict", "req:strict,res:fanatical"} {
		t.Run(mode, func(t *testing.T) {
			srv := resttest.Start(t, resttest.Options{SQLite: true})
			runCompat(t, node, srv.URL, "CAMUNDA_AUTH_STRATEGY=NONE", "CAMUNDA_SDK_VALIDATION="+mode,
				"CAMUNDA_SDK_VALIDATION_CAPTURE_DIR="+t.TempDir())
		})
	}
}

// TestCamundaJavaScriptClientAuthenticates runs the same script with the
// client's OAUTH strategy (client credentials against a test issuer, over
// http on 127.0.0.1) against an engine in auth.mode oidc, and with its
// BASIC strategy against one in auth.mode basic; without credentials the
// client gets 401.
func TestCamundaJavaScriptClientAuthenticates(t *testing.T) {
	node := nodeWithClient(t)

	t.Run("OAUTH", func(t *testing.T) {
		is := resttest.StartIssuer(t, authtest.Options{Clients: []authtest.Client{
			{ID: "compat", Secret: "compat-secret-1", Roles: []string{"admin"}},
		}})
		srv := resttest.Start(t, resttest.Options{SQLite: true, Issuer: is})
		runCompat(t, node, srv.URL,
			"CAMUNDA_AUTH_STRATEGY=OAUTH",
			"CAMUNDA_CLIENT_ID=compat",
			"CAMUNDA_CLIENT_SECRET=compat-secret-1",
			"CAMUNDA_OAUTH_URL="+is.URL()+authtest.TokenPath,
			"CAMUNDA_TOKEN_AUDIENCE="+is.Audience(),
		)
		// The client caches its token: one for the whole script.
		if n := is.Requests(authtest.TokenPath); n != 1 {
			t.Errorf("the client asked the issuer for %d tokens, want 1", n)
		}
		expectUnauthorized(t, node, srv.URL, "CAMUNDA_AUTH_STRATEGY=NONE")
		// A client the issuer refuses gets no token. The JavaScript client
		// swallows the token error and sends its request without one (its
		// auth interceptor), so what it reports is the engine's 401.
		before := is.Requests(authtest.TokenPath)
		expectUnauthorized(t, node, srv.URL,
			"CAMUNDA_AUTH_STRATEGY=OAUTH",
			"CAMUNDA_CLIENT_ID=compat",
			"CAMUNDA_CLIENT_SECRET=wrong-secret-1",
			"CAMUNDA_OAUTH_URL="+is.URL()+authtest.TokenPath,
			"CAMUNDA_OAUTH_RETRY_MAX=1",
		)
		if is.Requests(authtest.TokenPath) == before {
			t.Error("the client with a wrong secret never asked the issuer for a token")
		}
	})

	t.Run("BASIC", func(t *testing.T) {
		srv := resttest.Start(t, resttest.Options{SQLite: true, Users: []resttest.User{
			{Name: "demo", Password: "demo-pass-1", Roles: []string{"admin"}},
		}})
		runCompat(t, node, srv.URL,
			"CAMUNDA_AUTH_STRATEGY=BASIC",
			"CAMUNDA_BASIC_AUTH_USERNAME=demo",
			"CAMUNDA_BASIC_AUTH_PASSWORD=demo-pass-1",
		)
		expectUnauthorized(t, node, srv.URL, "CAMUNDA_AUTH_STRATEGY=NONE")
		expectUnauthorized(t, node, srv.URL,
			"CAMUNDA_AUTH_STRATEGY=BASIC",
			"CAMUNDA_BASIC_AUTH_USERNAME=demo",
			"CAMUNDA_BASIC_AUTH_PASSWORD=wrong-pass-1",
		)
	})
}

// nodeWithClient returns the node binary, after installing the client with
// npm ci when node_modules lacks it; it skips the test without node.
func nodeWithClient(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	if _, err := os.Stat(filepath.Join("js", "node_modules", "@camunda8", "orchestration-cluster-api")); err != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		npm := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund")
		npm.Dir = "js"
		if out, err := npm.CombinedOutput(); err != nil {
			t.Fatalf("npm ci: %v\n%s", err, out)
		}
	}
	return node
}

// script runs js/compat.mjs against the engine at url with the client's
// configuration in env (KEY=value) and returns its output.
func script(t *testing.T, node, url string, env ...string) (string, error) {
	t.Helper()
	bpmn, err := filepath.Abs(filepath.Join("..", "..", "docs", "examples", "order.bpmn"))
	if err != nil {
		t.Fatal(err)
	}
	fixtures, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "compat.mjs")
	cmd.Dir = "js"
	// Only what the client is told here: no CAMUNDA_* of the caller's.
	var base []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CAMUNDA_") && !strings.HasPrefix(kv, "WF_COMPAT_") {
			base = append(base, kv)
		}
	}
	base = append(base,
		"CAMUNDA_REST_ADDRESS="+url,
		"CAMUNDA_SDK_VALIDATION=res:strict",
		"CAMUNDA_SDK_LOG_LEVEL=error",
		"WF_COMPAT_BPMN="+bpmn,
		"WF_COMPAT_FIXTURES="+fixtures,
	)
	base = append(base, env...)
	cmd.Env = base
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// runCompat runs the whole script and checks that it passed.
func runCompat(t *testing.T, node, url string, env ...string) {
	t.Helper()
	out, err := script(t, node, url, env...)
	if err != nil || !strings.Contains(out, "compat ok") {
		t.Fatalf("the Camunda JavaScript client failed against the server: %v\n%s", err, out)
	}
}

// expectUnauthorized runs the script's unauthorized check: its first call
// must fail with 401.
func expectUnauthorized(t *testing.T, node, url string, env ...string) {
	t.Helper()
	out, err := script(t, node, url, append(env, "WF_COMPAT_EXPECT=unauthorized")...)
	if err != nil || !strings.Contains(out, "compat unauthorized ok") {
		t.Fatalf("the client with %v was not refused with 401: %v\n%s", env, err, out)
	}
}
