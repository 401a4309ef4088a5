package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	connectorsuite "github.com/example/wf-engine/conformance/connectors"
	"github.com/example/wf-engine/core/syncbuf"
)

// pluginServer is a whole wf-engine started with a configuration file, and
// its log.
type pluginServer struct {
	base string
	log  *syncbuf.Buffer
}

// serveWithConfig starts the server with the YAML configuration yaml (and
// the environment env) and stops it when the test ends.
func serveWithConfig(t *testing.T, yaml string, env ...string) *pluginServer {
	t.Helper()
	file := filepath.Join(t.TempDir(), "wf.yaml")
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	base, log := serveArgs(t, []string{"--config", file}, env...)
	return &pluginServer{base: base, log: log}
}

// echoPluginConfig declares the echo plugin built for the test, with
// ECHO_TAG in its environment.
func echoPluginConfig(t *testing.T) string {
	t.Helper()
	path, sum := connectorsuite.BuildPlugin(t, "github.com/example/wf-engine/plugins/examples/echo")
	return fmt.Sprintf(`connectors:
  plugins:
    - name: echo
      path: %q
      sha256: %s
      env:
        ECHO_TAG: from-config
`, path, sum)
}

// deploy deploys the fixture testdata/name.
func (s *pluginServer) deploy(t *testing.T, name string) {
	t.Helper()
	bpmn, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	s.deployBytes(t, name, bpmn)
}

// deployBytes deploys the model bpmn as the resource name.
func (s *pluginServer) deployBytes(t *testing.T, name string, bpmn []byte) {
	t.Helper()
	deploy(t, s.base, name, bpmn)
}

// call sends a JSON request and decodes the JSON answer, which must be
// status.
func (s *pluginServer) call(t *testing.T, method, path string, body any, status int) map[string]any {
	t.Helper()
	var r *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	} else {
		r = bytes.NewReader(nil)
	}
	got, text := send(t, method, s.base+path, "application/json", r)
	if got != status {
		t.Fatalf("%s %s: %d %s, want %d", method, path, got, text, status)
	}
	out := map[string]any{}
	if text != "" {
		if err := json.Unmarshal([]byte(text), &out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, text)
		}
	}
	return out
}

// create starts an instance of process with vars and returns its key.
func (s *pluginServer) create(t *testing.T, process string, vars map[string]any) string {
	t.Helper()
	created := s.call(t, http.MethodPost, "/v2/process-instances", map[string]any{"processDefinitionId": process, "variables": vars}, http.StatusOK)
	key, _ := created["processInstanceKey"].(string)
	if key == "" {
		t.Fatalf("no instance key in %v", created)
	}
	return key
}

// search runs POST /v2/<what>/search filtered by the instance.
func (s *pluginServer) search(t *testing.T, what, instance string) []map[string]any {
	t.Helper()
	res := s.call(t, http.MethodPost, "/v2/"+what+"/search", map[string]any{"filter": map[string]any{"processInstanceKey": instance}}, http.StatusOK)
	raw, _ := res["items"].([]any)
	out := make([]map[string]any, len(raw))
	for i, it := range raw {
		out[i], _ = it.(map[string]any)
	}
	return out
}

// variables returns the instance's variables as JSON text by name.
func (s *pluginServer) variables(t *testing.T, instance string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, v := range s.search(t, "variables", instance) {
		name, _ := v["name"].(string)
		out[name], _ = v["value"].(string)
	}
	return out
}

// eventually polls cond every 10ms until it holds, failing the test with
// what after deadline.
func eventually(t *testing.T, deadline time.Duration, what func() string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("after %s: %s", deadline, what())
		}
		<-tick.C
	}
}

// waitCompleted waits for the instance to complete, and fails at once
// when it gets an incident.
func (s *pluginServer) waitCompleted(t *testing.T, instance string) {
	t.Helper()
	var state any
	eventually(t, 30*time.Second, func() string {
		return fmt.Sprintf("instance %s is %v, not COMPLETED; jobs %v\nlog:\n%s", instance, state, s.search(t, "jobs", instance), s.log)
	}, func() bool {
		if inc := s.search(t, "incidents", instance); len(inc) > 0 {
			t.Fatalf("instance %s has incidents %v\nlog:\n%s", instance, inc, s.log)
		}
		state = s.call(t, http.MethodGet, "/v2/process-instances/"+instance, nil, http.StatusOK)["state"]
		return state == "COMPLETED"
	})
}

// checkEchoed checks the variables the echo task's resultExpression maps.
func (s *pluginServer) checkEchoed(t *testing.T, instance string) {
	t.Helper()
	vars := s.variables(t, instance)
	for name, want := range map[string]string{"echoed": `"hello world"`, "pluginTag": `"from-config"`, "authenticated": `true`} {
		if vars[name] != want {
			t.Errorf("variable %s = %s, want %s (all: %v)", name, vars[name], want, vars)
		}
	}
	if strings.Contains(s.log.String(), "echo-secret-7") {
		t.Errorf("the log holds the secret")
	}
}

// TestServeRunsAConfiguredPlugin starts wf-engine with the echo plugin
// declared under connectors.plugins and runs a model whose service task has
// the plugin's job type: the job crosses to the plugin process (with the
// plugin's declared secret resolved and its configured environment) and the
// instance completes with the mapped result.
func TestServeRunsAConfiguredPlugin(t *testing.T) {
	s := serveWithConfig(t, echoPluginConfig(t), "WF_DATABASE_URL=memory", "WF_SECRET_ECHO_TOKEN=echo-secret-7")
	s.deploy(t, "echo-plugin.bpmn")
	key := s.create(t, "echo-plugin", map[string]any{"name": "world"})
	s.waitCompleted(t, key)
	s.checkEchoed(t, key)
	jobs := s.search(t, "jobs", key)
	if len(jobs) != 1 || jobs[0]["state"] != "COMPLETED" || jobs[0]["retries"] != 3.0 || jobs[0]["type"] != "io.wf-engine:echo:1" {
		t.Fatalf("jobs %v: want one echo job completed at the first attempt", jobs)
	}
	_, metrics := send(t, http.MethodGet, s.base+"/metrics", "", nil)
	if !strings.Contains(metrics, `wf_connector_executions_total{connector="io.wf-engine:echo",outcome="completed",type="io.wf-engine:echo:1"} 1`) {
		t.Errorf("metrics lack the plugin's execution:\n%s", grepLines(metrics, "wf_connector_executions_total"))
	}
	if !regexp.MustCompile(`"msg":"plugin started".*"plugin":"echo"|"plugin":"echo".*"msg":"plugin started"`).MatchString(s.log.String()) {
		t.Errorf("the log does not show the plugin starting:\n%s", s.log)
	}
}

// TestServeRetriesAJobWhosePluginWasKilled kills the echo plugin's process
// while it works on a job: the call fails, the runtime fails the job with a
// retry, the host restarts the plugin, and the second attempt completes the
// instance. The first attempt blocks until cancelled; before the kill the
// test sets action to "echo", which the second activation reads.
func TestServeRetriesAJobWhosePluginWasKilled(t *testing.T) {
	s := serveWithConfig(t, echoPluginConfig(t), "WF_DATABASE_URL=memory", "WF_SECRET_ECHO_TOKEN=echo-secret-7")
	s.deploy(t, "echo-plugin.bpmn")
	started := regexp.MustCompile(`"msg":"plugin started"[^\n]*"pid":(\d+)`)
	var pid int
	eventually(t, 10*time.Second, func() string { return "no plugin pid in the log:\n" + s.log.String() }, func() bool {
		m := started.FindStringSubmatch(s.log.String())
		if m == nil {
			return false
		}
		pid, _ = strconv.Atoi(m[1])
		return pid > 0
	})

	key := s.create(t, "echo-plugin", map[string]any{"name": "world", "action": "block"})
	// The plugin logs once the call has reached it.
	eventually(t, 20*time.Second, func() string { return "the plugin did not get the job:\n" + s.log.String() }, func() bool {
		return strings.Contains(s.log.String(), `"msg":"echo blocks until cancelled"`)
	})
	jobs := s.search(t, "jobs", key)
	if len(jobs) != 1 || jobs[0]["state"] == "COMPLETED" || jobs[0]["retries"] != 3.0 {
		t.Fatalf("jobs %v: want one job in its first attempt", jobs)
	}
	s.call(t, http.MethodPut, "/v2/element-instances/"+key+"/variables", map[string]any{"variables": map[string]any{"action": "echo"}}, http.StatusNoContent)
	// The process the host started, found by its id in the host's log.
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill plugin pid %d: %v", pid, err)
	}

	s.waitCompleted(t, key)
	s.checkEchoed(t, key)
	jobs = s.search(t, "jobs", key)
	if len(jobs) != 1 {
		t.Fatalf("jobs %v: want the one job, retried, not a second one", jobs)
	}
	job := jobs[0]
	msg, _ := job["errorMessage"].(string)
	if job["state"] != "COMPLETED" || job["retries"] != 2.0 || !strings.Contains(msg, `plugin "echo" stopped answering during job`) {
		t.Fatalf("job %v: want it completed after one failed attempt (retries 3 -> 2) cut short by the plugin's end", job)
	}
	_, metrics := send(t, http.MethodGet, s.base+"/metrics", "", nil)
	for _, outcome := range []string{"failed", "completed"} {
		line := fmt.Sprintf(`wf_connector_executions_total{connector="io.wf-engine:echo",outcome=%q,type="io.wf-engine:echo:1"} 1`, outcome)
		if !strings.Contains(metrics, line) {
			t.Errorf("metrics lack %s:\n%s", line, grepLines(metrics, "wf_connector_executions_total"))
		}
	}
	for _, line := range []string{`wf_plugin_restarts_total{plugin="echo"} 1`, `wf_plugin_up{plugin="echo"} 1`} {
		if !strings.Contains(metrics, line+"\n") {
			t.Errorf("metrics lack %s:\n%s", line, grepLines(metrics, "wf_plugin_"))
		}
	}
	restarted := regexp.MustCompile(`"msg":"plugin restarted"[^\n]*"pid":(\d+)`).FindStringSubmatch(s.log.String())
	if restarted == nil || restarted[1] == strconv.Itoa(pid) {
		t.Fatalf("the log does not show the plugin restarted as a new process (killed pid %d):\n%s", pid, s.log)
	}
}

// grepLines returns the lines of text that contain sub.
func grepLines(text, sub string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestServeRunsTheHTTPConnectorAsAPlugin turns the built-in HTTP connector
// off and serves io.camunda:http-json:1 from the plugins/examples/http
// binary: a 404 from the API reaches the task's errorExpression as
// error.code and error.response across the plugin boundary, and the BPMN
// error it throws takes the boundary path.
func TestServeRunsTheHTTPConnectorAsAPlugin(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"message":"no order `+strings.TrimPrefix(r.URL.Path, "/orders/")+`"}`)
	}))
	defer api.Close()
	path, sum := connectorsuite.BuildPlugin(t, "github.com/example/wf-engine/plugins/examples/http")
	s := serveWithConfig(t, fmt.Sprintf(`connectors:
  builtin_http: false
  plugins:
    - name: http
      path: %q
      sha256: %s
      env:
        HTTP_ALLOW_PRIVATE_ADDRESSES: "true"
`, path, sum), "WF_DATABASE_URL=memory")
	bpmn, err := os.ReadFile(filepath.Join("..", "..", "connectors", "runtime", "testdata", "rest-not-found.bpmn"))
	if err != nil {
		t.Fatal(err)
	}
	s.deployBytes(t, "rest-not-found.bpmn", bpmn)
	key := s.create(t, "rest-not-found", map[string]any{"baseUrl": api.URL, "orderId": "9"})
	s.waitCompleted(t, key)
	done := map[string]bool{}
	for _, el := range s.search(t, "element-instances", key) {
		if el["state"] == "COMPLETED" {
			done[el["elementId"].(string)] = true
		}
	}
	if !done["order-missing"] || !done["not-found"] || done["found"] {
		t.Fatalf("the instance did not take the boundary path: completed %v", done)
	}
	_, metrics := send(t, http.MethodGet, s.base+"/metrics", "", nil)
	if !strings.Contains(metrics, `wf_connector_executions_total{connector="io.camunda:http-json",outcome="bpmn_error",type="io.camunda:http-json:1"} 1`) {
		t.Errorf("metrics lack the plugin's execution:\n%s", grepLines(metrics, "wf_connector_executions_total"))
	}
	if !regexp.MustCompile(`"msg":"plugin started"[^\n]*"plugin":"http"`).MatchString(s.log.String()) {
		t.Errorf("the job type was not served by the plugin:\n%s", s.log)
	}
}
