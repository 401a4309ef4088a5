package compat_test

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/api/rest"
	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/store/sqlitestore"
	"github.com/example/wf-engine/elements/standard"
)

// TestCamundaJavaScriptClient runs js/compat.mjs with the official client
// @camunda8/orchestration-cluster-api 8.8 (installed by npm ci from the
// committed lock file when node_modules is missing), on models from
// testdata/ as Camunda Modeler writes them. The engine clock can be pinned,
// as the script pins it to fire a timer.
func TestCamundaJavaScriptClient(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	dir, err := filepath.Abs("js")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@camunda8", "orchestration-cluster-api")); err != nil {
		npm := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund")
		npm.Dir = dir
		if out, err := npm.CombinedOutput(); err != nil {
			t.Fatalf("npm ci: %v\n%s", err, out)
		}
	}

	gin.SetMode(gin.TestMode)
	st, err := sqlitestore.Open(ctx, filepath.Join(t.TempDir(), "wf.db"), sqlitestore.Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewControlled(clock.System{})
	eng, err := engine.Start(ctx, engine.Config{Partition: 1, Clock: clk, Store: st, Registry: standard.Registry()})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := rest.New(rest.Config{Clock: clk}, eng, st, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer func() {
		srv.Drain()
		hs.Close()
		_ = eng.Close()
		_ = st.Close()
	}()

	bpmn, err := filepath.Abs(filepath.Join("..", "..", "docs", "examples", "order.bpmn"))
	if err != nil {
		t.Fatal(err)
	}
	fixtures, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, node, "compat.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"CAMUNDA_REST_ADDRESS="+hs.URL,
		"CAMUNDA_AUTH_STRATEGY=NONE",
		"CAMUNDA_SDK_VALIDATION=res:strict",
		"CAMUNDA_SDK_LOG_LEVEL=error",
		"WF_COMPAT_BPMN="+bpmn,
		"WF_COMPAT_FIXTURES="+fixtures,
	)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "compat ok") {
		t.Fatalf("the Camunda JavaScript client failed against the server: %v\n%s", err, out)
	}
}
