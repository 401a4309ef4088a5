package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// fakeEngine answers the two routes wf status calls and records the
// Authorization header of each request. It also serves an OAuth 2.0 token
// endpoint at /token that hands out "issued-token".
type fakeEngine struct {
	*httptest.Server
	mu       sync.Mutex
	notReady bool // answer /v2/status with 503
	auths    []string
	tokens   []string // token requests as client id/audience/scope
}

func newFakeEngine(t *testing.T) *fakeEngine {
	t.Helper()
	f := &fakeEngine{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/token" {
			_ = r.ParseForm()
			f.mu.Lock()
			id, _, basic := r.BasicAuth()
			if !basic {
				id = r.PostForm.Get("client_id")
			}
			f.tokens = append(f.tokens, id+"/"+r.PostForm.Get("audience")+"/"+r.PostForm.Get("scope"))
			f.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"access_token": "issued-token", "token_type": "Bearer", "expires_in": 3600}`))
			return
		}
		f.mu.Lock()
		f.auths = append(f.auths, r.Header.Get("Authorization"))
		f.mu.Unlock()
		switch r.URL.Path {
		case "/v2/status":
			f.mu.Lock()
			notReady := f.notReady
			f.mu.Unlock()
			if notReady {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		case "/v2/topology":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"brokers": [], "clusterSize": 1, "partitionsCount": 1, "replicationFactor": 1, "gatewayVersion": "fake"}`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.Close)
	return f
}

// seen returns the Authorization headers received so far.
func (f *fakeEngine) seen() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.auths...)
}

// writeConfig writes a configuration file and returns its path.
func writeConfig(t *testing.T, dir, body string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// statusOf runs wf status -o json and returns the address and profile it
// used.
func statusOf(t *testing.T, inv invocation, args ...string) (address, profile string) {
	t.Helper()
	var s struct {
		Address string `json:"address"`
		Profile string `json:"profile"`
	}
	decodeJSON(t, ok(t, inv.wf(t, append([]string{"status", "-o", "json"}, args...)...)), &s)
	return s.Address, s.Profile
}

func TestAddressAndProfilePrecedence(t *testing.T) {
	fileDefault, fileOther, env, flag := newFakeEngine(t), newFakeEngine(t), newFakeEngine(t), newFakeEngine(t)
	xdg := t.TempDir()
	writeConfig(t, filepath.Join(xdg, "wf"), `
profile: main
profiles:
  main:
    address: `+fileDefault.URL+`
  other:
    address: `+fileOther.URL+`/
  "eu.prod":
    address: `+fileOther.URL+`
`)
	base := map[string]string{"XDG_CONFIG_HOME": xdg}
	with := func(extra map[string]string) invocation {
		env := map[string]string{}
		for k, v := range base {
			env[k] = v
		}
		for k, v := range extra {
			env[k] = v
		}
		return invocation{env: env}
	}
	tests := []struct {
		name        string
		env         map[string]string
		args        []string
		wantAddress string
		wantProfile string
	}{
		{name: "the file's profile key picks the profile", wantAddress: fileDefault.URL, wantProfile: "main"},
		{name: "WF_PROFILE beats the file's profile key", env: map[string]string{"WF_PROFILE": "other"}, wantAddress: fileOther.URL, wantProfile: "other"},
		{name: "--profile beats WF_PROFILE", env: map[string]string{"WF_PROFILE": "other"}, args: []string{"--profile", "main"}, wantAddress: fileDefault.URL, wantProfile: "main"},
		{name: "a profile name may hold dots", args: []string{"--profile", "eu.prod"}, wantAddress: fileOther.URL, wantProfile: "eu.prod"},
		{name: "WF_ADDRESS beats the profile's address", env: map[string]string{"WF_ADDRESS": env.URL}, wantAddress: env.URL, wantProfile: "main"},
		{name: "--address beats WF_ADDRESS", env: map[string]string{"WF_ADDRESS": env.URL}, args: []string{"--address", flag.URL}, wantAddress: flag.URL, wantProfile: "main"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr, prof := statusOf(t, with(tc.env), tc.args...)
			if addr != tc.wantAddress || prof != tc.wantProfile {
				t.Errorf("used %s (profile %s), want %s (profile %s)", addr, prof, tc.wantAddress, tc.wantProfile)
			}
		})
	}
}

func TestConfigFileLocation(t *testing.T) {
	home, xdg, named := newFakeEngine(t), newFakeEngine(t), newFakeEngine(t)
	homeDir, xdgDir := t.TempDir(), t.TempDir()
	writeConfig(t, filepath.Join(homeDir, ".config", "wf"), "profiles:\n  local:\n    address: "+home.URL+"\n")
	writeConfig(t, filepath.Join(xdgDir, "wf"), "profiles:\n  local:\n    address: "+xdg.URL+"\n")
	other := writeConfig(t, t.TempDir(), "profiles:\n  local:\n    address: "+named.URL+"\n")

	if addr, _ := statusOf(t, invocation{env: map[string]string{"HOME": homeDir}}); addr != home.URL {
		t.Errorf("without XDG_CONFIG_HOME used %s, want ~/.config/wf/config.yaml's %s", addr, home.URL)
	}
	if addr, _ := statusOf(t, invocation{env: map[string]string{"HOME": homeDir, "XDG_CONFIG_HOME": xdgDir}}); addr != xdg.URL {
		t.Errorf("with XDG_CONFIG_HOME used %s, want %s", addr, xdg.URL)
	}
	if addr, _ := statusOf(t, invocation{env: map[string]string{"HOME": homeDir, "XDG_CONFIG_HOME": xdgDir}}, "--config", other); addr != named.URL {
		t.Errorf("with --config used %s, want %s", addr, named.URL)
	}
}

func TestDefaultsWithoutConfiguration(t *testing.T) {
	// Resolved without a request: an engine may or may not listen on the
	// default address of this machine.
	for name, env := range map[string]map[string]string{
		"no HOME":             {},
		"HOME without a file": {"HOME": t.TempDir()},
		"XDG without a file":  {"XDG_CONFIG_HOME": t.TempDir()},
	} {
		t.Run(name, func(t *testing.T) {
			a := &app{env: func(k string) string { return env[k] }}
			s, err := a.settings()
			if err != nil {
				t.Fatal(err)
			}
			if s.Address != defaultAddress || s.Profile != defaultProfile || s.Auth != nil {
				t.Errorf("settings %+v, want %s, profile %s and no auth", s, defaultAddress, defaultProfile)
			}
		})
	}
}

func TestAuthentication(t *testing.T) {
	f := newFakeEngine(t)
	dir := t.TempDir()
	config := func(auth string) string {
		return writeConfig(t, filepath.Join(dir, strings.ReplaceAll(auth, "\n", "")[:8]), "profiles:\n  local:\n    address: "+f.URL+"\n    auth:\n"+auth)
	}
	tests := []struct {
		name string
		auth string
		env  map[string]string
		want string
	}{
		{name: "none", auth: "      type: none\n", want: ""},
		{name: "bearer", auth: "      type: bearer\n      token: s3cret\n", want: "Bearer s3cret"},
		{name: "basic", auth: "      type: basic\n      username: ann\n      password: pw\n", want: "Basic YW5uOnB3"},
		{name: "oauth2", auth: "      type: oauth2\n      clientId: cli\n      clientSecret: sec\n      tokenUrl: " + f.URL + "/token\n      audience: wf-api\n      scopes: [read, write]\n", want: "Bearer issued-token"},
		{name: "WF_TOKEN beats the profile's auth", auth: "      type: basic\n      username: ann\n", env: map[string]string{"WF_TOKEN": "from-env"}, want: "Bearer from-env"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := len(f.seen())
			ok(t, invocation{env: tc.env}.wf(t, "--config", config(tc.auth), "status"))
			got := f.seen()[before:]
			if len(got) == 0 {
				t.Fatal("the engine saw no request")
			}
			for _, h := range got {
				if h != tc.want {
					t.Errorf("Authorization %q, want %q", h, tc.want)
				}
			}
		})
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.tokens) != 1 || f.tokens[0] != "cli/wf-api/read write" {
		t.Errorf("token requests %q, want one for client cli, audience wf-api, scopes read write", f.tokens)
	}
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name  string
		body  string
		args  []string
		env   map[string]string
		parts []string
	}{
		{name: "unknown top-level key", body: "profile: local\nprofils: {}\n", parts: []string{`unknown key "profils"`, "config.yaml"}},
		{name: "unknown profile key", body: "profiles:\n  local:\n    addr: http://x\n", parts: []string{`unknown key "profiles.local.addr"`, "known here: address, auth"}},
		{name: "unknown auth key", body: "profiles:\n  local:\n    auth:\n      type: bearer\n      tokn: x\n", parts: []string{`unknown key "profiles.local.auth.tokn"`}},
		{name: "unknown auth type", body: "profiles:\n  local:\n    auth:\n      type: jwt\n", parts: []string{"profiles.local.auth.type: expected none, bearer, basic or oauth2, got \"jwt\""}},
		{name: "bearer without a token", body: "profiles:\n  local:\n    auth:\n      type: bearer\n", parts: []string{"profiles.local.auth.token: required for type bearer"}},
		{name: "oauth2 without a token URL", body: "profiles:\n  local:\n    auth: {type: oauth2, clientId: a, clientSecret: b}\n", parts: []string{"profiles.local.auth.tokenUrl: required for type oauth2"}},
		{name: "bad address in the file", body: "profiles:\n  local:\n    address: 127.0.0.1:8080\n", parts: []string{"profiles.local.address: expected an http:// or https:// URL", `got "127.0.0.1:8080"`}},
		{name: "bad --address", body: "{}\n", args: []string{"--address", "ftp://x"}, parts: []string{"--address: expected an http:// or https:// URL"}},
		{name: "bad WF_ADDRESS", body: "{}\n", env: map[string]string{"WF_ADDRESS": "nope"}, parts: []string{"WF_ADDRESS: expected an http:// or https:// URL"}},
		{name: "unknown profile", body: "profiles:\n  local: {address: http://127.0.0.1:1}\n  dev: {address: http://127.0.0.1:2}\n", args: []string{"--profile", "prod"}, parts: []string{`profile "prod" is not in`, "(profiles: dev, local)"}},
		{name: "profiles is not a mapping", body: "profiles: [a, b]\n", parts: []string{"profiles: expected a mapping"}},
		{name: "not YAML", body: "profiles: [\n", parts: []string{"config ", "yaml"}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeConfig(t, filepath.Join(dir, string(rune('a'+i))), tc.body)
			r := invocation{env: tc.env}.wf(t, append([]string{"--config", path, "status"}, tc.args...)...)
			failsWith(t, r, exitUsage, append([]string{"wf: status: "}, tc.parts...)...)
			if strings.Contains(tc.name, "key") && !strings.Contains(r.stderr, path) {
				t.Errorf("stderr %q does not name the file %s", r.stderr, path)
			}
		})
	}
	missing := filepath.Join(dir, "none.yaml")
	failsWith(t, wf(t, "--config", missing, "status"), exitUsage, "config "+missing+": no such file or directory")
}

func TestSecretsStayOutOfErrors(t *testing.T) {
	path := writeConfig(t, t.TempDir(), "profiles:\n  local:\n    address: http://127.0.0.1:1\n    auth: {type: basic, username: ann, password: hunter2, token: s3cret, clientSecret: c5}\n    addr: x\n")
	r := wf(t, "--config", path, "status")
	failsWith(t, r, exitUsage, `unknown key "profiles.local.addr"`)
	for _, secret := range []string{"hunter2", "s3cret", "c5"} {
		if strings.Contains(r.stderr, secret) {
			t.Errorf("stderr %q shows a secret", r.stderr)
		}
	}
}

func TestOfflineCommandsIgnoreABrokenConfiguration(t *testing.T) {
	path := writeConfig(t, t.TempDir(), "bogus: 1\n")
	ok(t, wf(t, "--config", path, "validate", "testdata/order.bpmn"))
	ok(t, wf(t, "--config", path, "completion", "bash"))
}

func TestFakeEngineAnswersLikeTheRealOne(t *testing.T) {
	// The fake is only as good as its likeness: wf status must read it as
	// it reads a real engine.
	f := newFakeEngine(t)
	var s struct {
		Ready    bool `json:"ready"`
		Topology struct {
			GatewayVersion string `json:"gatewayVersion"`
		} `json:"topology"`
	}
	decodeJSON(t, ok(t, wf(t, "--address", f.URL, "status", "-o", "json")), &s)
	if !s.Ready || s.Topology.GatewayVersion != "fake" {
		t.Errorf("status of the fake: %+v", s)
	}
}

func TestStatusOfAnEngineThatIsNotReady(t *testing.T) {
	f := newFakeEngine(t)
	f.mu.Lock()
	f.notReady = true
	f.mu.Unlock()
	r := wf(t, "--address", f.URL, "status")
	if r.code != exitFailure || r.stderr != "wf: status: the engine at "+f.URL+" is not ready\n" {
		t.Errorf("exit %d, stderr %q; want 1 and 'not ready'", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "READY") || !strings.Contains(r.stdout, "no") {
		t.Errorf("stdout %q: want the status table with READY no", r.stdout)
	}
}
