package main

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
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
	cfg, err := loadConfig(fs, environ("WF_SECRET_TOKEN=from-env", "WF_SECRET_OTHER=o", "WF_CONNECTORS_ALLOW_PRIVATE_ADDRESSES=true", "WF_CONNECTORS_BUILTIN_HTTP=false"))
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
	if want := map[string]string{"TOKEN": "from-env", "Api_Key": "k1", "OTHER": "o"}; !reflect.DeepEqual(c.Secrets, want) {
		t.Fatalf("secrets: got %d entries with names %v, want the environment to win over the file", len(c.Secrets), keys(c.Secrets))
	}
	if len(c.Plugins) != 1 || c.Plugins[0].Name != "mail" || c.Plugins[0].Path != "/opt/plugins/mail" || c.Plugins[0].Env["HOME"] != "/var/lib/mail" ||
		len(c.Plugins[0].SHA256) != 64 {
		t.Fatalf("plugins %+v", c.Plugins)
	}
	if err := cfg.validate(); err != nil {
		t.Fatal(err)
	}
}

func keys(m map[string]string) []string {
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
	// Disabled, the section's other values are not judged.
	cfg, err := loadConfig(flagSet(), environ("WF_CONNECTORS_ENABLED=false", "WF_CONNECTORS_MAX_CONCURRENT=0"))
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
	bpmn, err := os.ReadFile(filepath.Join("..", "..", "connectors", "runtime", "testdata", "rest-secret.bpmn"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	part, _ := w.CreateFormFile("resources", "rest-secret.bpmn")
	_, _ = part.Write(bpmn)
	_ = w.Close()
	if status, body := send(t, http.MethodPost, base+"/v2/deployments", w.FormDataContentType(), &buf); status != http.StatusOK {
		t.Fatalf("deploy: %d %s", status, body)
	}
	vars, _ := json.Marshal(map[string]any{"processDefinitionId": "rest-secret", "variables": map[string]any{"baseUrl": api.URL, "path": "/ok", "item": "x"}})
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
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		_, inst := send(t, http.MethodGet, base+"/v2/process-instances/"+created.ProcessInstanceKey, "", nil)
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
