package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/example/wf-engine/api/telemetry/metricsdoc"
)

// serviceProcess is a BPMN process: start, one service task of jobType, end.
func serviceProcess(id, jobType string) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d-%[1]s" targetNamespace="http://example.com">
  <bpmn:process id="%[1]s" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
    <bpmn:serviceTask id="task">
      <bpmn:extensionElements><zeebe:taskDefinition type="%[2]s" retries="3" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`, id, jobType)
}

const timerProcess = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d-wait" targetNamespace="http://example.com">
  <bpmn:process id="wait" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="minute" />
    <bpmn:intermediateCatchEvent id="minute">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1M</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="minute" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`

// scenario drives a server over its API.
type scenario struct {
	t    *testing.T
	base string
}

func (s *scenario) call(method, path string, body any, want int) map[string]any {
	s.t.Helper()
	var r *bytes.Reader
	contentType := ""
	if body != nil {
		b, _ := json.Marshal(body)
		r, contentType = bytes.NewReader(b), "application/json"
	} else {
		r = bytes.NewReader(nil)
	}
	status, text := send(s.t, method, s.base+path, contentType, r)
	if status != want {
		s.t.Fatalf("%s %s: %d, want %d: %s", method, path, status, want, text)
	}
	out := map[string]any{}
	if strings.HasPrefix(strings.TrimSpace(text), "{") {
		if err := json.Unmarshal([]byte(text), &out); err != nil {
			s.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
	return out
}

func (s *scenario) deploy(name, bpmn string) {
	s.t.Helper()
	deploy(s.t, s.base, name, []byte(bpmn))
}

func (s *scenario) create(process string) string {
	s.t.Helper()
	return fmt.Sprint(s.call(http.MethodPost, "/v2/process-instances", map[string]any{"processDefinitionId": process}, http.StatusOK)["processInstanceKey"])
}

// activate activates the one job of a type and returns its key.
func (s *scenario) activate(jobType string, timeout int) string {
	s.t.Helper()
	res := s.call(http.MethodPost, "/v2/jobs/activation", map[string]any{"type": jobType, "timeout": timeout, "maxJobsToActivate": 1, "requestTimeout": 5000}, http.StatusOK)
	jobs, _ := res["jobs"].([]any)
	if len(jobs) != 1 {
		s.t.Fatalf("activate %s: %v", jobType, res)
	}
	return fmt.Sprint(jobs[0].(map[string]any)["jobKey"])
}

// A scenario run over the API moves the counters by what it did, and
// /metrics and docs/metrics.md list the same wf_* metrics: every metric
// documented without "*Only …*" is on /metrics, and every wf_* metric on
// /metrics is documented.
func TestMetricsAreDocumented(t *testing.T) {
	s := &scenario{t: t, base: serveFor(t, "WF_DATABASE_DATA_DIR="+t.TempDir(), "WF_CLOCK_CONTROLLABLE=true", "WF_HTTP_METRICS_AUTH=none")}
	for _, p := range [][2]string{{"w1", "w1-work"}, {"flaky", "flaky"}, {"thrower", "thrower"}, {"slow", "slow"}} {
		s.deploy(p[0]+".bpmn", serviceProcess(p[0], p[1]))
	}
	s.deploy("wait.bpmn", timerProcess)

	// A W1-like instance: one job, activated and completed.
	s.create("w1")
	s.call(http.MethodPost, "/v2/jobs/"+s.activate("w1-work", 60000)+"/completion", map[string]any{}, http.StatusNoContent)
	// A job failed without retries: an incident, resolved after new retries.
	flaky := s.create("flaky")
	job := s.activate("flaky", 60000)
	s.call(http.MethodPost, "/v2/jobs/"+job+"/failure", map[string]any{"retries": 0, "errorMessage": "down"}, http.StatusNoContent)
	found := s.call(http.MethodPost, "/v2/incidents/search", map[string]any{"filter": map[string]any{"processInstanceKey": flaky}}, http.StatusOK)
	items, _ := found["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("incidents of the flaky instance: %v", found)
	}
	s.call(http.MethodPatch, "/v2/jobs/"+job, map[string]any{"changeset": map[string]any{"retries": 1}}, http.StatusNoContent)
	s.call(http.MethodPost, "/v2/incidents/"+fmt.Sprint(items[0].(map[string]any)["incidentKey"])+"/resolution", nil, http.StatusNoContent)
	s.call(http.MethodPost, "/v2/jobs/"+s.activate("flaky", 60000)+"/completion", map[string]any{}, http.StatusNoContent)
	// A BPMN error nobody catches, then the instance is canceled.
	thrower := s.create("thrower")
	s.call(http.MethodPost, "/v2/jobs/"+s.activate("thrower", 60000)+"/error", map[string]any{"errorCode": "boom"}, http.StatusNoContent)
	s.call(http.MethodPost, "/v2/process-instances/"+thrower+"/cancellation", nil, http.StatusNoContent)
	// A job whose deadline passes and a timer that fires, an hour later.
	s.create("slow")
	s.activate("slow", 1000)
	s.create("wait")
	s.call(http.MethodPut, "/v2/clock", map[string]any{"timestamp": time.Now().Add(time.Hour).UnixMilli()}, http.StatusNoContent)
	// A command the engine rejects.
	s.call(http.MethodPost, "/v2/jobs/2251799813685999/completion", map[string]any{}, http.StatusNotFound)

	_, text := send(t, http.MethodGet, s.base+"/metrics", "", nil)
	onPage := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^# TYPE (wf_[a-z0-9_]+) `).FindAllStringSubmatch(text, -1) {
		onPage[m[1]] = true
	}
	documented := map[string]bool{}
	rows, err := metricsdoc.Read("../../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		documented[r.Name] = true
		if !r.Conditional && !onPage[r.Name] {
			t.Errorf("%s is documented but not on /metrics after the scenario", r.Name)
		}
	}
	var undocumented []string
	for name := range onPage {
		if !documented[name] {
			undocumented = append(undocumented, name)
		}
	}
	sort.Strings(undocumented)
	if len(undocumented) > 0 {
		t.Errorf("on /metrics but not in docs/metrics.md: %v", undocumented)
	}
	if len(documented) < 50 {
		t.Errorf("docs/metrics.md lists %d metrics, want at least 50", len(documented))
	}

	for _, line := range []string{
		`wf_process_instances_started_total{process_id="w1"} 1`,
		`wf_process_instances_completed_total{process_id="w1"} 1`,
		`wf_jobs_created_total{type="w1-work"} 1`,
		`wf_jobs_activated_total{type="w1-work"} 1`,
		`wf_jobs_completed_total{type="w1-work"} 1`,
		`wf_incidents_created_total{error_type="JOB_NO_RETRIES"} 1`,
		`wf_incidents_resolved_total{error_type="JOB_NO_RETRIES"} 1`,
		`wf_incidents_open{error_type="JOB_NO_RETRIES"} 0`,
		`wf_incidents_created_total{error_type="UNHANDLED_ERROR_EVENT"} 1`,
		`wf_incidents_resolved_total{error_type="UNHANDLED_ERROR_EVENT"} 1`,
		`wf_incidents_open{error_type="UNHANDLED_ERROR_EVENT"} 0`,
		`wf_jobs_failed_total{type="flaky"} 1`,
		`wf_jobs_completed_total{type="flaky"} 1`,
		`wf_jobs_error_thrown_total{type="thrower"} 1`,
		`wf_jobs_canceled_total{type="thrower"} 1`,
		`wf_process_instances_terminated_total{process_id="thrower"} 1`,
		`wf_jobs_timed_out_total{type="slow"} 1`,
		`wf_jobs_activatable{type="slow"} 1`,
		`wf_timers_scheduled_total 1`,
		`wf_timers_fired_total 1`,
		`wf_process_instances_completed_total{process_id="wait"} 1`,
		`wf_process_instances_active 1`,
		`wf_deployments_total 5`,
		`wf_process_definitions 5`,
		`wf_engine_rejections_total{intent="COMPLETE",rejection_type="NOT_FOUND",value_type="JOB"} 1`,
	} {
		if !strings.Contains(text, line+"\n") {
			t.Errorf("/metrics lacks %s", line)
		}
	}
	if t.Failed() {
		t.Logf("wf_* lines:\n%s", grepLines(text, "wf_"))
	}
}

// The profiling listener has no authentication: without auth it may only
// listen on loopback addresses.
func TestPprofAddressIsLoopbackWithoutAuth(t *testing.T) {
	for _, c := range []struct {
		mode, address string
		ok            bool
	}{
		{authNone, "", true},
		{authNone, "127.0.0.1:6060", true},
		{authNone, "localhost:6060", true},
		{authNone, "0.0.0.0:6060", false},
		{authNone, "10.0.0.5:6060", false},
		{authNone, "6060", false},
		{authBasic, "0.0.0.0:6060", true},
	} {
		var problems []string
		TelemetryConfig{MaxLabelValues: 100, PprofAddress: c.address}.validate(c.mode, func(f string, a ...any) { problems = append(problems, fmt.Sprintf(f, a...)) })
		if (len(problems) == 0) != c.ok {
			t.Errorf("auth %s, pprof address %q: problems %v, want ok=%v", c.mode, c.address, problems, c.ok)
		}
	}
	var problems []string
	TelemetryConfig{MaxLabelValues: 0}.validate(authNone, func(f string, a ...any) { problems = append(problems, fmt.Sprintf(f, a...)) })
	if len(problems) != 1 || !strings.Contains(problems[0], "telemetry.max_label_values") {
		t.Errorf("max_label_values 0: %v", problems)
	}
}

// The startup log shows every key, with secrets redacted.
func TestConfigLogRedactsSecrets(t *testing.T) {
	cfg := defaultConfig()
	cfg.Database.URL = "postgres://wf:db-pass-1@db.internal:5432/wf?sslmode=disable&password=db-pass-2"
	cfg.Auth.OIDC.ClientSecret = "oidc-secret-3"
	cfg.Auth.Basic.Users = []BasicUserConfig{{Name: "ada", PasswordHash: "$2a$10$hash-4", Roles: []string{"admin"}}}
	cfg.Connectors.Secrets = map[string]any{"API_TOKEN": "conn-secret-5"}
	var out bytes.Buffer
	logConfig(newLogger(&out, cfg.Log), cfg)
	text := out.String()
	for _, secret := range []string{"db-pass-1", "db-pass-2", "oidc-secret-3", "hash-4", "conn-secret-5"} {
		if strings.Contains(text, secret) {
			t.Errorf("the configuration log shows %s:\n%s", secret, text)
		}
	}
	for _, shown := range []string{`"API_TOKEN":"[redacted]"`, `"client_secret":"[redacted]"`, `"password_hash":"[redacted]"`, `"name":"ada"`,
		"db.internal:5432", `"max_label_values":100`, `"long_poll_timeout":"10s"`} {
		if !strings.Contains(text, shown) {
			t.Errorf("the configuration log lacks %s:\n%s", shown, text)
		}
	}
}

// telemetry.pprof_address serves net/http/pprof on its own listener.
func TestPprofListener(t *testing.T) {
	base, out := serveArgs(t, nil, "WF_DATABASE_URL=memory", "WF_TELEMETRY_PPROF_ADDRESS=127.0.0.1:0")
	m := regexp.MustCompile(`"msg":"serving net/http/pprof without authentication","address":"([0-9.:]+)"`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no pprof line in the log:\n%s", out)
	}
	if status, body := send(t, http.MethodGet, "http://"+m[1]+"/debug/pprof/cmdline", "", nil); status != http.StatusOK || body == "" {
		t.Errorf("pprof cmdline: %d %q", status, body)
	}
	if status, _ := send(t, http.MethodGet, base+"/debug/pprof/cmdline", "", nil); status == http.StatusOK {
		t.Error("the API listener serves pprof")
	}
}
