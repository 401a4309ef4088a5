package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/api/auth"
	"github.com/example/wf-engine/api/auth/authtest"
	"github.com/example/wf-engine/api/rest"
	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/store/sqlitestore"
	"github.com/example/wf-engine/elements/standard"
)

// TestShortRun runs W1 for a moment against an in-process server with
// OIDC authentication on and checks that every created instance
// completed; it asserts no timing.
func TestShortRun(t *testing.T) {
	gin.SetMode(gin.TestMode)
	ctx := context.Background()
	st, err := sqlitestore.Open(ctx, filepath.Join(t.TempDir(), "wf.db"), sqlitestore.Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.Start(ctx, engine.Config{Partition: 1, Clock: clock.System{}, Store: st, Registry: standard.Registry()})
	if err != nil {
		t.Fatal(err)
	}
	is, err := authtest.Start(authtest.Options{Audience: "wf-engine"})
	if err != nil {
		t.Fatal(err)
	}
	defer is.Close()
	oidc, err := auth.NewOIDC(ctx, auth.OIDCConfig{Issuer: is.URL(), Audience: "wf-engine"})
	if err != nil {
		t.Fatal(err)
	}
	defer oidc.Close()
	for deadline := time.Now().Add(20 * time.Second); !oidc.Ready(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the OIDC authenticator did not get the issuer's keys")
		}
	}
	srv, err := rest.New(rest.Config{Authenticator: oidc, AuthMode: "oidc"}, eng, st, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer func() { srv.Drain(); hs.Close(); _ = eng.Close(); _ = st.Close() }()

	var out bytes.Buffer
	if err := run(ctx, []string{"-address", hs.URL, "-duration", "1s", "-warmup", "200ms", "-rate", "100", "-creators", "2", "-workers", "1", "-completers", "2"}, &out, is.Token("bench", "operator")); err != nil {
		t.Fatal(err)
	}
	var res Result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	if res.Created == 0 || res.Completed != res.Created || res.Incomplete != 0 || len(res.Errors) != 0 || res.LatencyMillis.P99 <= 0 {
		t.Fatalf("result: %s", out.String())
	}
}

func TestRefusesOtherAddresses(t *testing.T) {
	for _, addr := range []string{"http://10.0.0.1:8080", "http://example.com", "ftp://127.0.0.1", "127.0.0.1:8080"} {
		err := run(context.Background(), []string{"-address", addr}, &bytes.Buffer{}, "")
		if err == nil || !strings.Contains(err.Error(), "-address") {
			t.Fatalf("%s: %v", addr, err)
		}
	}
	if err := run(context.Background(), []string{"-duration", "1h"}, &bytes.Buffer{}, ""); err == nil {
		t.Fatal("an hour-long run was accepted")
	}
}
