package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/example/wf-engine/connectors/runtime"
)

func TestConnectorsConfigDefaults(t *testing.T) {
	cfg, err := loadConfig(flagSet(), environ())
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Connectors
	if !c.Enabled || c.MaxConcurrent != 16 || c.Timeout != time.Minute || !c.BuiltinHTTP || c.AllowPrivateAddresses || c.MaxResponseBytes != 10<<20 ||
		len(c.AllowedHosts) != 0 || len(c.Secrets) != 0 || len(c.Plugins) != 0 {
		t.Fatalf("defaults %+v", c)
	}
	if err := cfg.validate(); err != nil {
		t.Fatal(err)
	}
}

func TestConnectorsConfigLayers(t *testing.T) {
	file := filepath.Join(t.TempDir(), "wf.yaml")
	yaml := `connectors:
  max_concurrent: 4
  allowed_hosts: [api.internal, 10.1.0.0/16]
  max_response_bytes: 2048
  secrets:
    TOKEN: from-file
    Api_Key: k1
    PIN: 1234
    BILLING:
      value: b1
      allowed_hosts: [billing.example.com, "*.billing.example.com", 10.2.0.0/16]
    MAIL:
      value: m1
      allowed_hosts: smtp.example.com, 192.0.2.1
    KEPT:
      value: k2
      allowed_hosts: [kept.example.com]
  plugins:
    - name: mail
      path: /opt/plugins/mail
      sha256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
      env:
        HOME: /var/lib/mail
`
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	fs := flagSet()
	if err := fs.Parse([]string{"--config", file, "--connectors.timeout", "15s"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(fs, environ("WF_SECRET_TOKEN=from-env", "WF_SECRET_OTHER=o", "WF_CONNECTORS_ALLOW_PRIVATE_ADDRESSES=true", "WF_CONNECTORS_BUILTIN_HTTP=false",
		"WF_SECRETHOSTS_OTHER=other.example.com, 127.0.0.1", "WF_SECRETHOSTS_MAIL=mail.example.com", "WF_SECRET_KEPT=k3"))
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Connectors
	if !c.Enabled || c.MaxConcurrent != 4 || c.Timeout != 15*time.Second || !c.AllowPrivateAddresses || c.MaxResponseBytes != 2048 || c.BuiltinHTTP {
		t.Fatalf("scalars %+v", c)
	}
	if !reflect.DeepEqual(c.hosts(), []string{"api.internal", "10.1.0.0/16"}) {
		t.Fatalf("allowed hosts %v", c.AllowedHosts)
	}
	want := runtime.Secrets{
		"TOKEN":   {Value: "from-env"},
		"Api_Key": {Value: "k1"},
		"PIN":     {Value: "1234"},
		"OTHER":   {Value: "o", AllowedHosts: []string{"other.example.com", "127.0.0.1"}},
		"BILLING": {Value: "b1", AllowedHosts: []string{"billing.example.com", "*.billing.example.com", "10.2.0.0/16"}},
		// The environment replaces what it names: MAIL's hosts, KEPT's value.
		"MAIL": {Value: "m1", AllowedHosts: []string{"mail.example.com"}},
		"KEPT": {Value: "k3", AllowedHosts: []string{"kept.example.com"}},
	}
	if got := c.secrets(); !reflect.DeepEqual(got, want) {
		t.Fatalf("secrets: got %d entries with names %v, want the file's two forms with the environment winning", len(got), keys(got))
	}
	if len(c.Plugins) != 1 || c.Plugins[0].Name != "mail" || c.Plugins[0].Path != "/opt/plugins/mail" || c.Plugins[0].Env["HOME"] != "/var/lib/mail" ||
		len(c.Plugins[0].SHA256) != 64 {
		t.Fatalf("plugins %+v", c.Plugins)
	}
	if err := cfg.validate(); err != nil {
		t.Fatal(err)
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestConnectorsConfigRefusals(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  []string
		want string
	}{
		{"an unknown connectors key", nil, []string{"WF_CONNECTORS_BOGUS=1"}, "WF_CONNECTORS_BOGUS"},
		{"no executions", []string{"--connectors.max_concurrent", "0"}, nil, "connectors.max_concurrent: must be between 1 and 10000, got 0"},
		{"no time", []string{"--connectors.timeout", "0s"}, nil, "connectors.timeout: must be positive"},
		{"no response", []string{"--connectors.max_response_bytes", "0"}, nil, "connectors.max_response_bytes: must be positive"},
		{"a bad allowed host", nil, []string{"WF_CONNECTORS_ALLOWED_HOSTS=10.0.0.0/99"}, `connectors.allowed_hosts: "10.0.0.0/99" is not a CIDR prefix`},
		{"a bad secret host", nil, []string{"WF_SECRET_TOKEN=t", "WF_SECRETHOSTS_TOKEN=api.example.com,10.0.0.0/99"},
			`connectors.secrets.TOKEN.allowed_hosts: "10.0.0.0/99" is not a CIDR prefix`},
		{"a bad secret wildcard", nil, []string{"WF_SECRET_TOKEN=t", "WF_SECRETHOSTS_TOKEN=*"}, `connectors.secrets.TOKEN.allowed_hosts: "*" is not a usable wildcard`},
		{"hosts of no secret", nil, []string{"WF_SECRETHOSTS_GHOST=api.example.com"}, "WF_SECRETHOSTS_GHOST: secret GHOST is not configured"},
		{"a secret without hosts when they are required", nil, []string{"WF_SECRET_OPEN=o", "WF_SECRET_TOKEN=t", "WF_SECRETHOSTS_TOKEN=a.example.com",
			"WF_CONNECTORS_SECRETS_REQUIRE_ALLOWED_HOSTS=true"}, "connectors.secrets.OPEN: allowed_hosts is required"},
		{"no secret hosts", nil, []string{"WF_SECRET_TOKEN=t", "WF_SECRETHOSTS_TOKEN= , "}, "WF_SECRETHOSTS_TOKEN: the list of allowed hosts of secret TOKEN is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := run(t.Context(), tc.args, environ(tc.env...), io.Discard, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error about %q", err, tc.want)
			}
		})
	}
	file := filepath.Join(t.TempDir(), "wf.yaml")
	if err := os.WriteFile(file, []byte("connectors:\n  allow_privat_addresses: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := run(t.Context(), []string{"--config", file}, environ(), io.Discard, nil); err == nil || !strings.Contains(err.Error(), `unknown configuration key "connectors.allow_privat_addresses"`) {
		t.Fatalf("a misspelt key: %v", err)
	}
	for _, tc := range []struct{ name, yaml, want string }{
		{"a misspelt secret key", "TOKEN: {value: t, allowed_host: [a.example.com]}", `connectors.secrets.TOKEN: unknown key "allowed_host" (known: value, allowed_hosts)`},
		{"no value", "TOKEN: {allowed_hosts: [a.example.com]}", "connectors.secrets.TOKEN: value is missing"},
		{"an empty host list", "TOKEN: {value: t, allowed_hosts: []}", "connectors.secrets.TOKEN: allowed_hosts is empty"},
		{"a host that is not a string", "TOKEN: {value: t, allowed_hosts: [[a]]}", "connectors.secrets.TOKEN: allowed_hosts: expected a list of host names"},
		{"a list as a secret", "TOKEN: [a, b]", "connectors.secrets.TOKEN: expected a value or {value, allowed_hosts}"},
		{"a bad host", "TOKEN: {value: t, allowed_hosts: [user@host]}", `connectors.secrets.TOKEN.allowed_hosts: "user@host" is not a host name`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "wf.yaml")
			if err := os.WriteFile(file, []byte("connectors:\n  secrets:\n    "+tc.yaml+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			err := run(t.Context(), []string{"--config", file}, environ(), io.Discard, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error about %q", err, tc.want)
			}
		})
	}
	// Required hosts given: no complaint.
	cfg, err := loadConfig(flagSet(), environ("WF_SECRET_TOKEN=t", "WF_SECRETHOSTS_TOKEN=a.example.com", "WF_CONNECTORS_SECRETS_REQUIRE_ALLOWED_HOSTS=true"))
	if err != nil || !cfg.Connectors.SecretsRequireAllowedHosts || cfg.validate() != nil {
		t.Fatalf("a restricted secret with hosts required: %v %v", err, cfg.validate())
	}
	// Disabled, the section's other values are not judged.
	cfg, err = loadConfig(flagSet(), environ("WF_CONNECTORS_ENABLED=false", "WF_CONNECTORS_MAX_CONCURRENT=0"))
	if err != nil || cfg.Connectors.Enabled || cfg.validate() != nil {
		t.Fatalf("disabled connectors: %+v %v %v", cfg.Connectors, err, cfg.validate())
	}
}

// TestServeRunsTheHTTPConnector starts the whole server with the connector
// runtime on, and runs a model with an io.camunda:http-json:1 task whose
// secret comes from a WF_SECRET_ variable.
func TestServeRunsTheHTTPConnector(t *testing.T) {
	const secret = "serve-secret-42"
	var mu sync.Mutex
	var auth string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auth = r.Header.Get("Authorization")
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"accepted":true}`)
	}))
	defer api.Close()
	base := serveFor(t, "WF_DATABASE_URL=memory", "WF_CONNECTORS_ALLOW_PRIVATE_ADDRESSES=true", "WF_SECRET_TOKEN="+secret)
	deployRestSecret(t, base)
	key := createRestSecret(t, base, api.URL)
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		_, inst := send(t, http.MethodGet, base+"/v2/process-instances/"+key, "", nil)
		if strings.Contains(inst, `"state":"COMPLETED"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the instance did not complete: %s", inst)
		}
		<-tick.C
	}
	mu.Lock()
	defer mu.Unlock()
	if auth != "Bearer "+secret {
		t.Fatalf("the API got Authorization %q", auth)
	}
	_, metrics := send(t, http.MethodGet, base+"/metrics", "", nil)
	if !strings.Contains(metrics, `wf_connector_executions_total{connector="io.camunda:http-json",outcome="completed",type="io.camunda:http-json:1"} 1`) {
		t.Errorf("metrics lack the connector execution:\n%s", metrics)
	}
}

// deployRestSecret deploys connectors/runtime/testdata/rest-secret.bpmn: a
// POST to baseUrl + path carrying {{secrets.TOKEN}} in the query and the
// Authorization header.
func deployRestSecret(t *testing.T, base string) {
	t.Helper()
	bpmn, err := os.ReadFile(filepath.Join("..", "..", "connectors", "runtime", "testdata", "rest-secret.bpmn"))
	if err != nil {
		t.Fatal(err)
	}
	deploy(t, base, "rest-secret.bpmn", bpmn)
}

// createRestSecret starts rest-secret against baseURL and returns the
// instance key.
func createRestSecret(t *testing.T, base, baseURL string) string {
	t.Helper()
	vars, _ := json.Marshal(map[string]any{"processDefinitionId": "rest-secret", "variables": map[string]any{"baseUrl": baseURL, "path": "/ok", "item": "x"}})
	status, body := send(t, http.MethodPost, base+"/v2/process-instances", "application/json", bytes.NewReader(vars))
	if status != http.StatusOK {
		t.Fatalf("create: %d %s", status, body)
	}
	var created struct {
		ProcessInstanceKey string `json:"processInstanceKey"`
	}
	if err := json.Unmarshal([]byte(body), &created); err != nil {
		t.Fatal(err)
	}
	return created.ProcessInstanceKey
}

// TestServeKeepsSecretsToTheirAllowedHosts configures a secret restricted to
// 127.0.0.1 (the object form of connectors.secrets) and one without a
// restriction: the first reaches a server on 127.0.0.1, is refused on the
// same server named localhost (an incident naming secret and host, nothing
// sent), and only the second gets a warning at start.
func TestServeKeepsSecretsToTheirAllowedHosts(t *testing.T) {
	const secret = "serve-restricted-secret-77"
	var mu sync.Mutex
	var hosts []string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hosts = append(hosts, r.Host)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"accepted":true}`)
	}))
	defer api.Close()
	yaml := `connectors:
  allow_private_addresses: true
  secrets:
    TOKEN:
      value: ` + secret + `
      allowed_hosts: [127.0.0.1]
    OPEN: anywhere
`
	s := serveWithConfig(t, yaml, "WF_DATABASE_URL=memory")
	deployRestSecret(t, s.base)
	ok := createRestSecret(t, s.base, api.URL)
	port := api.URL[strings.LastIndex(api.URL, ":")+1:]
	refused := createRestSecret(t, s.base, "http://localhost:"+port)

	var incident string
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		_, inst := send(t, http.MethodGet, s.base+"/v2/process-instances/"+ok, "", nil)
		_, incident = send(t, http.MethodPost, s.base+"/v2/incidents/search", "application/json",
			strings.NewReader(`{"filter":{"processInstanceKey":"`+refused+`"}}`))
		if strings.Contains(inst, `"state":"COMPLETED"`) && strings.Contains(incident, "errorMessage") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the allowed call did not complete or the refused one made no incident:\n%s\n%s", inst, incident)
		}
		<-tick.C
	}
	if !strings.Contains(incident, "secret TOKEN may not be sent to host localhost") || strings.Contains(incident, secret) {
		t.Fatalf("incident %s: want secret and host named, no value", incident)
	}
	mu.Lock()
	if len(hosts) != 1 || !strings.HasPrefix(hosts[0], "127.0.0.1:") {
		t.Errorf("the API got requests for %v, want one for 127.0.0.1", hosts)
	}
	mu.Unlock()
	log := s.log.String()
	if !strings.Contains(log, "connector secret may be sent to any host") || !strings.Contains(log, `"secret":"OPEN"`) {
		t.Errorf("no warning for the unrestricted secret:\n%s", log)
	}
	if strings.Contains(log, `"secret":"TOKEN"`) || strings.Contains(log, secret) {
		t.Errorf("the log warns about the restricted secret or holds its value:\n%s", log)
	}
}
