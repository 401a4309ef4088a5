package auth

import (
	"bufio"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/example/wf-engine/core/syncbuf"
)

// startTestIssuerProcess builds authtest/testissuer and runs it as a
// separate process, returning its URL. The process stops when the test
// ends (its stdin closes).
func startTestIssuerProcess(t *testing.T, args ...string) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool to build testissuer")
	}
	bin := filepath.Join(t.TempDir(), "testissuer")
	build := exec.Command(goBin, "build", "-o", bin, "github.com/example/wf-engine/api/auth/authtest/testissuer")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build testissuer: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = stdin.Close()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("testissuer: %v\n%s", err, stderr.String())
			}
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("testissuer did not stop when its stdin closed")
		}
	})
	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		if s.Scan() {
			line <- s.Text()
		}
		close(line)
	}()
	select {
	case u, ok := <-line:
		if !ok || !strings.HasPrefix(u, "http://127.0.0.1:") {
			t.Fatalf("testissuer printed %q; stderr:\n%s", u, stderr.String())
		}
		return u
	case <-time.After(30 * time.Second):
		t.Fatalf("testissuer printed no URL; stderr:\n%s", stderr.String())
	}
	return ""
}

func TestOIDCAgainstTestIssuerProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a separate process")
	}
	const secret = "e2e-Client-S3cret"
	issuer := startTestIssuerProcess(t, "-audience", "wf-e2e", "-client", "e2e-worker:"+secret+":worker,user:tenant-a")

	logs := &syncbuf.Buffer{}
	o, err := NewOIDC(context.Background(), OIDCConfig{
		Issuer:      issuer,
		Audience:    "wf-e2e",
		ClientRoles: map[string][]string{"e2e-worker": {"operator"}},
		Logger:      slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(o.Close)
	waitFor(t, "the authenticator to be ready", o.Ready)

	ctx := context.Background()
	cc := clientcredentials.Config{ClientID: "e2e-worker", ClientSecret: secret, TokenURL: issuer + "/token"}
	tok, err := cc.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	authenticate := func(token string) (*Principal, error) {
		r := httptest.NewRequest(http.MethodPost, "/v2/jobs/activation", nil)
		r.Header.Set("Authorization", "Bearer "+token)
		return o.Authenticate(ctx, r)
	}
	p, err := authenticate(tok.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if p.ClientID != "e2e-worker" || !p.IsClient() || strings.Join(p.Tenants, ",") != "tenant-a" {
		t.Fatalf("principal %+v", p)
	}
	for _, r := range []Role{RoleOperator, RoleUser, RoleWorker} {
		if !p.Has(r) {
			t.Errorf("principal %+v lacks %s", p, r)
		}
	}

	expiredCC := cc
	expiredCC.EndpointParams = url.Values{"ttl": {"-2m"}}
	expired, err := expiredCC.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = authenticate(expired.AccessToken)
	wantRefused(t, err, "token expired")

	wrong := cc
	wrong.ClientSecret = "not-the-secret"
	if _, err := wrong.Token(ctx); err == nil {
		t.Fatal("the token endpoint accepted a wrong client secret")
	}
	assertNoSecretsLogged(t, logs.String(), secret, tok.AccessToken, expired.AccessToken)
}
