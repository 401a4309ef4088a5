package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/example/wf-engine/api/auth/authtest"
	"github.com/example/wf-engine/api/resttest"
)

// whoamiJSON is the part of wf whoami -o json the tests read.
type whoamiJSON struct {
	Address            string   `json:"address"`
	Profile            string   `json:"profile"`
	Credentials        string   `json:"credentials"`
	Username           string   `json:"username"`
	ClientID           string   `json:"clientId"`
	Roles              []string `json:"roles"`
	Groups             []string `json:"groups"`
	AuthenticationMode string   `json:"authenticationMode"`
	Tenants            []struct {
		TenantID string `json:"tenantId"`
	} `json:"tenants"`
}

// whoami runs wf whoami -o json with inv and args.
func whoami(t *testing.T, inv invocation, args ...string) whoamiJSON {
	t.Helper()
	var v whoamiJSON
	decodeJSON(t, ok(t, inv.wf(t, append(args, "whoami", "-o", "json")...)), &v)
	return v
}

// profiles writes a configuration file with the profiles (name to the
// lines below the profile's auth key) for an engine at addr.
func profiles(t *testing.T, addr string, auths map[string]string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("profiles:\n")
	for _, name := range sortedKeys(anyMap(auths)) {
		fmt.Fprintf(&b, "  %s:\n    address: %s\n    auth:\n%s", name, addr, auths[name])
	}
	return writeConfig(t, t.TempDir(), b.String())
}

func anyMap(m map[string]string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// noSecrets fails the test when r shows any of the secrets.
func noSecrets(t *testing.T, r result, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(r.stdout, s) || strings.Contains(r.stderr, s) {
			t.Errorf("the output shows a secret: stdout %q, stderr %q", r.stdout, r.stderr)
		}
	}
}

func TestWhoamiWithoutAuthentication(t *testing.T) {
	srv, wf := startEngine(t)
	out := ok(t, wf("whoami"))
	for _, want := range []string{"NAME", "anonymous", "ROLES", "admin", "TENANTS", "<default>", "AUTH MODE", "none (wf sent no credentials)", "ADDRESS", srv.URL} {
		if !strings.Contains(out, want) {
			t.Errorf("whoami table lacks %q:\n%s", want, out)
		}
	}
	var v whoamiJSON
	decodeJSON(t, ok(t, wf("whoami", "-o", "json")), &v)
	if v.AuthenticationMode != "none" || v.Credentials != "none" || !slices.Equal(v.Roles, []string{"admin"}) || v.Address != srv.URL || v.Profile != "local" {
		t.Errorf("whoami -o json: %+v", v)
	}
	var y map[string]any
	decodeYAML(t, ok(t, wf("whoami", "-o", "yaml")), &y)
	if y["authenticationMode"] != "none" {
		t.Errorf("whoami -o yaml: %v", y)
	}
}

func TestBasicProfiles(t *testing.T) {
	srv := resttest.Start(t, resttest.Options{Users: []resttest.User{
		{Name: "ada", Password: "ada-pass-1", Roles: []string{"operator"}, Groups: []string{"ops"}},
		{Name: "ann", Password: "ann-pass-1", Roles: []string{"user"}},
	}})
	config := profiles(t, srv.URL, map[string]string{
		"ops":   "      type: basic\n      username: ada\n      password: ada-pass-1\n",
		"desk":  "      type: basic\n      username: ann\n      password: ann-pass-1\n",
		"wrong": "      type: basic\n      username: ada\n      password: not-the-pass\n",
		"none":  "      type: none\n",
	})
	as := func(profile string, args ...string) result {
		return wf(t, append([]string{"--config", config, "--profile", profile}, args...)...)
	}

	v := whoami(t, invocation{}, "--config", config, "--profile", "ops")
	if v.Username != "ada" || v.AuthenticationMode != "basic" || v.Credentials != "basic" || !slices.Equal(v.Roles, []string{"operator"}) || !slices.Equal(v.Groups, []string{"ops"}) {
		t.Errorf("whoami as ada: %+v", v)
	}
	out := ok(t, as("ops", "whoami"))
	if !strings.Contains(out, "ada (user)") || !strings.Contains(out, "basic (wf sent a user name and password)") {
		t.Errorf("whoami table:\n%s", out)
	}
	// The operator works as usual.
	ok(t, as("ops", "deploy", "testdata/order.bpmn"))
	key := createInstance(t, func(args ...string) result { return as("ops", args...) }, "order")
	var jobs []keyed
	decodeJSON(t, ok(t, as("ops", "jobs", "activate", "charge-card", "-o", "json")), &jobs)
	if len(jobs) != 1 {
		t.Fatalf("activated %d jobs, want 1", len(jobs))
	}
	ok(t, as("ops", "jobs", "complete", jobs[0].JobKey))
	if got := instanceState(t, func(args ...string) result { return as("ops", args...) }, key); got != "COMPLETED" {
		t.Errorf("instance %s is %s, want COMPLETED", key, got)
	}

	r := as("wrong", "whoami")
	failsWith(t, r, exitAuth, "wf: whoami: UNAUTHORIZED: ", "(wf sent the user name and password of profiles.wrong.auth of "+config+")")
	noSecrets(t, r, "not-the-pass", "ada-pass-1")

	r = as("none", "instances")
	failsWith(t, r, exitAuth, "wf: instances: UNAUTHORIZED: ", `wf sent no credentials: set --token, WF_TOKEN or the auth of profile "none"`)

	r = as("desk", "deploy", "testdata/order.bpmn")
	failsWith(t, r, exitAuth, "wf: deploy: FORBIDDEN: ", "POST /v2/deployments", "user")
	noSecrets(t, r, "ann-pass-1")
}

func TestOAuth2ProfileAgainstAnIssuer(t *testing.T) {
	is := resttest.StartIssuer(t, authtest.Options{Clients: []authtest.Client{
		{ID: "wf-cli", Secret: "cli-secret-1", Roles: []string{"operator"}, Tenants: []string{"<default>"}},
		{ID: "billing", Secret: "billing-secret-1", Roles: []string{"worker"}},
	}})
	srv := resttest.Start(t, resttest.Options{Issuer: is})
	tokenURL := is.URL() + authtest.TokenPath
	oauth := func(id, secret string) string {
		return fmt.Sprintf("      type: oauth2\n      clientId: %s\n      clientSecret: %s\n      tokenUrl: %s\n      audience: %s\n", id, secret, tokenURL, is.Audience())
	}
	config := profiles(t, srv.URL, map[string]string{
		"prod":     oauth("wf-cli", "cli-secret-1"),
		"billing":  oauth("billing", "billing-secret-1"),
		"badcreds": oauth("wf-cli", "wrong-secret-1"),
	})
	as := func(profile string, args ...string) result {
		return wf(t, append([]string{"--config", config, "--profile", profile}, args...)...)
	}

	v := whoami(t, invocation{}, "--config", config, "--profile", "prod")
	if v.ClientID != "wf-cli" || v.Username != "" || v.AuthenticationMode != "oidc" || v.Credentials != "oauth2" || !slices.Equal(v.Roles, []string{"operator"}) {
		t.Errorf("whoami as wf-cli: %+v", v)
	}
	if out := ok(t, as("prod", "whoami")); !strings.Contains(out, "wf-cli (client)") || !strings.Contains(out, "oidc (wf sent an OAuth2 client-credentials token)") {
		t.Errorf("whoami table:\n%s", out)
	}

	before := is.Requests(authtest.TokenPath)
	ok(t, as("prod", "deploy", "testdata/order.bpmn"))
	key := createInstance(t, func(args ...string) result { return as("prod", args...) }, "order")
	if n := is.Requests(authtest.TokenPath) - before; n != 2 {
		t.Errorf("two wf runs fetched %d tokens, want one each", n)
	}
	// A worker client works jobs, and only jobs.
	var jobs []keyed
	decodeJSON(t, ok(t, as("billing", "jobs", "activate", "charge-card", "-o", "json")), &jobs)
	if len(jobs) != 1 {
		t.Fatalf("activated %d jobs, want 1", len(jobs))
	}
	ok(t, as("billing", "jobs", "complete", jobs[0].JobKey))
	failsWith(t, as("billing", "instance", key), exitAuth, "wf: instance: FORBIDDEN: ", "worker")
	if got := instanceState(t, func(args ...string) result { return as("prod", args...) }, key); got != "COMPLETED" {
		t.Errorf("instance %s is %s, want COMPLETED", key, got)
	}

	r := as("badcreds", "whoami")
	failsWith(t, r, exitAuth, "wf: whoami: the token endpoint "+tokenURL+" refused the client credentials of profiles.badcreds.auth of "+config+": HTTP 401 invalid_client")
	noSecrets(t, r, "wrong-secret-1", "cli-secret-1")

	is.SetDown(true)
	r = as("prod", "whoami")
	is.SetDown(false)
	failsWith(t, r, exitFailure, "wf: whoami: cannot get an access token from the token endpoint "+tokenURL+": HTTP 503 Service Unavailable")
}

func TestTokenFlagAndWFToken(t *testing.T) {
	is := resttest.StartIssuer(t, authtest.Options{})
	srv := resttest.Start(t, resttest.Options{Issuer: is})
	config := profiles(t, srv.URL, map[string]string{"local": "      type: bearer\n      token: " + is.Token("from-profile", "user") + "\n"})
	flag, env := is.Token("from-flag", "operator"), is.Token("from-env", "operator")

	if v := whoami(t, invocation{}, "--config", config); v.Username != "from-profile" || v.Credentials != "bearer" {
		t.Errorf("the profile's token: %+v", v)
	}
	if v := whoami(t, invocation{env: map[string]string{"WF_TOKEN": env}}, "--config", config); v.Username != "from-env" {
		t.Errorf("WF_TOKEN should beat the profile: %+v", v)
	}
	if v := whoami(t, invocation{env: map[string]string{"WF_TOKEN": env}}, "--config", config, "--token", flag); v.Username != "from-flag" || !slices.Equal(v.Roles, []string{"operator"}) {
		t.Errorf("--token should beat WF_TOKEN and the profile: %+v", v)
	}
	// --token works without any configuration.
	if v := whoami(t, invocation{}, "--address", srv.URL, "--token", flag); v.Username != "from-flag" {
		t.Errorf("--token alone: %+v", v)
	}
}

func TestRefusedTokensGiveAClearMessage(t *testing.T) {
	is := resttest.StartIssuer(t, authtest.Options{})
	srv := resttest.Start(t, resttest.Options{Issuer: is})
	past := time.Now().Add(-time.Hour)
	expired := is.Sign(map[string]any{"sub": "ada", "roles": []string{"operator"}, "iat": past.Add(-time.Hour).Unix(), "nbf": past.Add(-time.Hour).Unix(), "exp": past.Unix()}, authtest.SignOptions{})
	other := resttest.StartIssuer(t, authtest.Options{})
	foreign := other.Token("ada", "operator")
	config := profiles(t, srv.URL, map[string]string{"local": "      type: bearer\n      token: " + foreign + "\n"})

	tests := []struct {
		name  string
		inv   invocation
		args  []string
		parts []string
	}{
		{"an expired --token", invocation{}, []string{"--address", srv.URL, "--token", expired},
			[]string{"wf: whoami: UNAUTHORIZED: ", "expired", "(wf sent the bearer token of --token)"}},
		{"an expired WF_TOKEN", invocation{env: map[string]string{"WF_TOKEN": expired}}, []string{"--address", srv.URL},
			[]string{"UNAUTHORIZED: ", "expired", "(wf sent the bearer token of WF_TOKEN)"}},
		{"another issuer's token in the profile", invocation{}, []string{"--config", config},
			[]string{"UNAUTHORIZED: ", "(wf sent the bearer token of profiles.local.auth of " + config + ")"}},
		{"a token that is no JWT", invocation{}, []string{"--address", srv.URL, "--token", "garbage-token-1"},
			[]string{"UNAUTHORIZED: ", "(wf sent the bearer token of --token)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.inv.wf(t, append(tc.args, "whoami")...)
			failsWith(t, r, exitAuth, tc.parts...)
			noSecrets(t, r, expired, foreign, "garbage-token-1")
		})
	}

	// A token wf cannot send is a usage error that does not show it.
	r := wf(t, "--address", srv.URL, "--token", "two words-1", "whoami")
	failsWith(t, r, exitUsage, "wf: whoami: --token: expected a bearer token of visible ASCII characters; character 4 is")
	noSecrets(t, r, "two words-1")
	bad := writeConfig(t, filepath.Join(t.TempDir(), "bad"), "profiles:\n  local:\n    auth: {type: bearer, token: \"tab\\tbed-1\"}\n")
	r = wf(t, "--config", bad, "whoami")
	failsWith(t, r, exitUsage, "profiles.local.auth.token: expected a bearer token")
	noSecrets(t, r, "bed-1")
}

func TestUnreachableTokenEndpoint(t *testing.T) {
	_, wf := startEngine(t)
	tokenURL := closedAddress(t) + "/token"
	config := profiles(t, "http://127.0.0.1:1", map[string]string{"local": "      type: oauth2\n      clientId: a\n      clientSecret: secret-1\n      tokenUrl: " + tokenURL + "\n"})
	r := wf("--config", config, "whoami")
	failsWith(t, r, exitFailure, "wf: whoami: cannot get an access token from the token endpoint "+tokenURL+": ", "connection refused")
	if strings.Contains(r.stderr, "cannot reach the engine") {
		t.Errorf("stderr %q blames the engine", r.stderr)
	}
	noSecrets(t, r, "secret-1")
}
