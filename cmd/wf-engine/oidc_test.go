package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/example/wf-engine/api/auth/authtest"
)

// TestOIDCAuthentication runs the server with auth.mode oidc against a
// test issuer: every kind of bad token gets a 401 problem with a
// challenge, never a 500, and neither the tokens nor the client secret
// reach the log.
func TestOIDCAuthentication(t *testing.T) {
	const clientSecret = "client-secret-3f9a7c"
	is, err := authtest.Start(authtest.Options{Audience: "wf-engine",
		Clients: []authtest.Client{{ID: "billing-worker", Secret: clientSecret, Roles: []string{"worker"}}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(is.Close)
	base, log := serveArgs(t, []string{"--auth.mode", "oidc", "--auth.oidc.issuer", is.URL(), "--auth.oidc.audience", "wf-engine",
		"--log.level", "debug"}, "WF_DATABASE_URL=memory")

	op := is.Token("olga", "operator")
	waitForIssuer(t, base, op)

	claims := func(mod func(map[string]any)) map[string]any {
		c := is.Claims("olga")
		c["roles"] = []string{"operator"}
		mod(c)
		return c
	}
	now := time.Now()
	bad := map[string]string{
		"expired":       is.Sign(claims(func(c map[string]any) { c["exp"] = now.Add(-time.Hour).Unix() }), authtest.SignOptions{}),
		"not yet valid": is.Sign(claims(func(c map[string]any) { c["nbf"] = now.Add(time.Hour).Unix() }), authtest.SignOptions{}),
		"wrong issuer":  is.Sign(claims(func(c map[string]any) { c["iss"] = "https://idp.example.com" }), authtest.SignOptions{}),
		"wrong aud":     is.Sign(claims(func(c map[string]any) { c["aud"] = "someone-else" }), authtest.SignOptions{}),
		"alg none":      is.Sign(claims(func(map[string]any) {}), authtest.SignOptions{Alg: "none"}),
		"bad signature": op[:len(op)-4] + "AAAA",
		"not a jwt":     "abc.def",
		"unknown kid":   is.Sign(claims(func(map[string]any) {}), authtest.SignOptions{KID: "no-such-key"}),
	}
	for name, tok := range bad {
		status, h, body := sendAs(t, http.MethodGet, base+"/v2/topology", "", "Authorization", "Bearer "+tok)
		if status != http.StatusUnauthorized || !strings.Contains(h.Get("WWW-Authenticate"), `error="invalid_token"`) ||
			!strings.Contains(body, `"status":401`) || strings.Contains(body, tok) {
			t.Errorf("%s: %d %q %s", name, status, h.Get("WWW-Authenticate"), body)
		}
	}
	// A worker may work on jobs but not deploy.
	worker := is.Token("billing-worker", "worker")
	if status, _, body := sendAs(t, http.MethodPost, base+"/v2/process-instances/search", "{}", "Authorization", "Bearer "+worker); status != http.StatusForbidden {
		t.Fatalf("a worker searched instances: %d %s", status, body)
	}
	if status, _, body := sendAs(t, http.MethodPost, base+"/v2/jobs/activation", `{"type":"x","timeout":1000,"maxJobsToActivate":1,"requestTimeout":1}`,
		"Authorization", "Bearer "+worker); status != http.StatusOK {
		t.Fatalf("a worker activates jobs: %d %s", status, body)
	}
	status, _, body := sendAs(t, http.MethodGet, base+"/v2/authentication/me", "", "Authorization", "Bearer "+op)
	if status != http.StatusOK || !strings.Contains(body, `"operator"`) || strings.Contains(body, op) {
		t.Fatalf("me: %d %s", status, body)
	}
	logText := log.String()
	for _, secret := range append([]string{op, worker, clientSecret}, mapValues(bad)...) {
		if strings.Contains(logText, secret) {
			t.Fatalf("the log holds a token or secret:\n%s", logText)
		}
	}
}

// TestOIDCIssuerDownAtStart: the engine starts without its issuer and
// answers 503 until the issuer answers, then authenticates.
func TestOIDCIssuerDownAtStart(t *testing.T) {
	is, err := authtest.Start(authtest.Options{Audience: "wf-engine"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(is.Close)
	is.SetDown(true)
	base, _ := serveArgs(t, []string{"--auth.mode", "oidc", "--auth.oidc.issuer", is.URL(), "--auth.oidc.audience", "wf-engine"}, "WF_DATABASE_URL=memory")
	tok := is.Token("olga", "operator")
	status, h, body := sendAs(t, http.MethodGet, base+"/v2/topology", "", "Authorization", "Bearer "+tok)
	if status != http.StatusServiceUnavailable || h.Get("Retry-After") == "" || !strings.Contains(body, "issuer") {
		t.Fatalf("issuer down: %d %v %s", status, h, body)
	}
	if status, _, _ := sendAs(t, http.MethodGet, base+"/readyz", ""); status != http.StatusOK {
		t.Fatalf("/readyz while the issuer is down: %d (the engine itself is ready)", status)
	}
	is.SetDown(false)
	deadline := time.Now().Add(30 * time.Second)
	for {
		status, _, body = sendAs(t, http.MethodGet, base+"/v2/topology", "", "Authorization", "Bearer "+tok)
		if status == http.StatusOK {
			return
		}
		if status != http.StatusServiceUnavailable || time.Now().After(deadline) {
			t.Fatalf("after the issuer came up: %d %s", status, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
