package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDeployPrintsTheDeployedProcesses(t *testing.T) {
	_, wf := startEngine(t)
	out := ok(t, wf("deploy", "testdata/order.bpmn", "testdata/payment.bpmn"))
	for _, want := range []string{"deployment ", "PROCESS", "order", "payment", "order.bpmn", "payment.bpmn"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}

	var d struct {
		DeploymentKey string `json:"deploymentKey"`
		Deployments   []struct {
			ProcessDefinition struct {
				ProcessDefinitionID      string `json:"processDefinitionId"`
				ProcessDefinitionVersion int    `json:"processDefinitionVersion"`
				ResourceName             string `json:"resourceName"`
			} `json:"processDefinition"`
		} `json:"deployments"`
	}
	decodeJSON(t, ok(t, wf("deploy", "-o", "json", "testdata/order-v2.bpmn")), &d)
	if d.DeploymentKey == "" || len(d.Deployments) != 1 {
		t.Fatalf("deployment %+v: want a key and one process", d)
	}
	if p := d.Deployments[0].ProcessDefinition; p.ProcessDefinitionID != "order" || p.ProcessDefinitionVersion != 2 || p.ResourceName != "order-v2.bpmn" {
		t.Errorf("deployed %+v, want order version 2 from order-v2.bpmn", p)
	}
}

func TestDeployRejectionIsOneLineWithEveryProblem(t *testing.T) {
	_, wf := startEngine(t)
	r := wf("deploy", "testdata/invalid.bpmn")
	failsWith(t, r, exitFailure, "wf: deploy: INVALID_ARGUMENT: the deployment is invalid: invalid.bpmn: line 17: element 'to-end'",
		"; invalid.bpmn: line 19: element 'to-nowhere'", "; invalid.bpmn: line 23: element 'refund'", "; invalid.bpmn: line 13: element 'charge'")
}

func TestDeployOfAMissingFileIsAUsageError(t *testing.T) {
	_, wf := startEngine(t)
	failsWith(t, wf("deploy", "testdata/missing.bpmn"), exitUsage, "wf: deploy: read testdata/missing.bpmn: ")
	failsWith(t, wf("deploy"), exitUsage, "missing argument <file.bpmn>")
}

func TestCreateInstance(t *testing.T) {
	_, wf := startEngine(t)
	ok(t, wf("deploy", "testdata/order.bpmn"))
	ok(t, wf("deploy", "testdata/order-v2.bpmn"))

	out := ok(t, wf("create", "instance", "order", "--variables", `{"orderId": "A-1"}`))
	if !strings.HasPrefix(out, "process instance ") || !strings.Contains(out, "of order version 2") {
		t.Errorf("table %q: want the new instance of order version 2", out)
	}

	var ci struct {
		ProcessInstanceKey       string `json:"processInstanceKey"`
		ProcessDefinitionID      string `json:"processDefinitionId"`
		ProcessDefinitionVersion int    `json:"processDefinitionVersion"`
	}
	decodeJSON(t, ok(t, wf("create", "instance", "order", "--version", "1", "-o", "json")), &ci)
	if ci.ProcessDefinitionID != "order" || ci.ProcessDefinitionVersion != 1 || ci.ProcessInstanceKey == "" {
		t.Errorf("created %+v, want an instance of order version 1", ci)
	}
	if got := instanceState(t, wf, ci.ProcessInstanceKey); got != "ACTIVE" {
		t.Errorf("state %s, want ACTIVE", got)
	}
}

func TestCreateInstanceAwaitReturnsTheVariables(t *testing.T) {
	_, wf := startEngine(t)
	ok(t, wf("deploy", "testdata/noop.bpmn"))
	var ci struct {
		Variables map[string]any `json:"variables"`
	}
	decodeJSON(t, ok(t, wf("create", "instance", "noop", "--await", "--variables", `{"n": 7, "who": "cli"}`, "-o", "json")), &ci)
	if ci.Variables["n"] != float64(7) || ci.Variables["who"] != "cli" {
		t.Errorf("variables %v, want n=7 and who=cli", ci.Variables)
	}
	out := ok(t, wf("create", "instance", "noop", "--await", "--variables", `{"n": 8}`))
	if !strings.Contains(out, " completed\n") || !strings.Contains(out, "VARIABLE") || !strings.Contains(out, "n ") {
		t.Errorf("table %q: want the completed instance and its variables", out)
	}
}

func TestVariablesFromAFileAndFromStandardInput(t *testing.T) {
	srv, wfAt := startEngine(t)
	ok(t, wfAt("deploy", "testdata/noop.bpmn"))
	path := filepath.Join(t.TempDir(), "vars.json")
	if err := os.WriteFile(path, []byte(`{"source": "file"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	var ci struct {
		Variables map[string]any `json:"variables"`
	}
	decodeJSON(t, ok(t, wfAt("create", "instance", "noop", "--await", "--variables", "@"+path, "-o", "json")), &ci)
	if ci.Variables["source"] != "file" {
		t.Errorf("variables %v, want source=file", ci.Variables)
	}
	in := invocation{stdin: strings.NewReader(`{"source": "stdin"}`)}
	decodeJSON(t, ok(t, in.wf(t, "--address", srv.URL, "create", "instance", "noop", "--await", "--variables", "@-", "-o", "json")), &ci)
	if ci.Variables["source"] != "stdin" {
		t.Errorf("variables %v, want source=stdin", ci.Variables)
	}
}

func TestCancel(t *testing.T) {
	_, wf := startEngine(t)
	ok(t, wf("deploy", "testdata/order.bpmn"))
	key := createInstance(t, wf, "order")
	if out := ok(t, wf("cancel", key)); out != "process instance "+key+" canceled\n" {
		t.Errorf("cancel printed %q", out)
	}
	if got := instanceState(t, wf, key); got != "TERMINATED" {
		t.Errorf("state %s after cancel, want TERMINATED", got)
	}
	var done keyed
	key = createInstance(t, wf, "order")
	decodeJSON(t, ok(t, wf("cancel", key, "-o", "json")), &done)
	if done.ProcessInstanceKey != key || done.Result != "canceled" {
		t.Errorf("cancel answered %+v", done)
	}
}

func TestInstancesFilters(t *testing.T) {
	_, wf := startEngine(t)
	ok(t, wf("deploy", "testdata/order.bpmn", "testdata/noop.bpmn"))
	first := createInstance(t, wf, "order")
	second := createInstance(t, wf, "order")
	createInstance(t, wf, "noop")
	ok(t, wf("cancel", first))

	type row struct {
		ProcessInstanceKey  string `json:"processInstanceKey"`
		ProcessDefinitionID string `json:"processDefinitionId"`
		State               string `json:"state"`
	}
	var rows []row
	decodeJSON(t, ok(t, wf("instances", "--process", "order", "-o", "json")), &rows)
	if len(rows) != 2 || rows[0].ProcessInstanceKey != second || rows[1].ProcessInstanceKey != first {
		t.Fatalf("order instances %+v, want %s then %s (newest first)", rows, second, first)
	}
	decodeJSON(t, ok(t, wf("instances", "--process", "order", "--state", "active", "-o", "json")), &rows)
	if len(rows) != 1 || rows[0].ProcessInstanceKey != second || rows[0].State != "ACTIVE" {
		t.Errorf("active order instances %+v, want only %s", rows, second)
	}
	decodeJSON(t, ok(t, wf("instances", "--state", "COMPLETED", "-o", "json")), &rows)
	if len(rows) != 1 || rows[0].ProcessDefinitionID != "noop" {
		t.Errorf("completed instances %+v, want the noop one", rows)
	}
	decodeJSON(t, ok(t, wf("instances", "--limit", "1", "-o", "json")), &rows)
	if len(rows) != 1 {
		t.Errorf("--limit 1 gave %d instances", len(rows))
	}
	out := ok(t, wf("instances", "--limit", "2"))
	if !strings.Contains(out, "KEY") || !strings.Contains(out, "(2 of 3 shown; raise --limit for more)") {
		t.Errorf("table %q: want a header and the count of what is not shown", out)
	}
	decodeJSON(t, ok(t, wf("instances", "--process", "nothing", "-o", "json")), &rows)
	if len(rows) != 0 {
		t.Errorf("instances of an unknown process: %+v", rows)
	}
	failsWith(t, wf("instances", "--state", "RUNNING"), exitUsage, "--state: expected one of ACTIVE, COMPLETED, TERMINATED, got \"RUNNING\"")
	failsWith(t, wf("instances", "--limit", "0"), exitUsage, "--limit: expected 1 to 10000, got 0")
}

func TestInstanceShowsElementPathVariablesAndIncidents(t *testing.T) {
	_, wf := startEngine(t)
	ok(t, wf("deploy", "testdata/order.bpmn"))
	key := createInstance(t, wf, "order", "--variables", `{"orderId": "A-7", "amount": 12.5}`)
	var jobs []keyed
	decodeJSON(t, ok(t, wf("jobs", "activate", "charge-card", "-o", "json")), &jobs)
	if len(jobs) != 1 {
		t.Fatalf("activated %d jobs, want 1", len(jobs))
	}
	ok(t, wf("jobs", "fail", jobs[0].JobKey, "--retries", "0", "--message", "card declined"))

	var v struct {
		Instance struct {
			ProcessInstanceKey string `json:"processInstanceKey"`
			State              string `json:"state"`
			HasIncident        bool   `json:"hasIncident"`
		} `json:"instance"`
		Elements []struct {
			ElementID string `json:"elementId"`
			Type      string `json:"type"`
			State     string `json:"state"`
		} `json:"elements"`
		Variables []struct {
			Name  string `json:"name"`
			Value any    `json:"value"`
		} `json:"variables"`
		Incidents []struct {
			ErrorType    string `json:"errorType"`
			ErrorMessage string `json:"errorMessage"`
			ElementID    string `json:"elementId"`
			State        string `json:"state"`
		} `json:"incidents"`
	}
	eventually(t, "the incident to show", func() bool {
		decodeJSON(t, ok(t, wf("instance", key, "-o", "json")), &v)
		return len(v.Incidents) == 1
	})
	if v.Instance.ProcessInstanceKey != key || v.Instance.State != "ACTIVE" || !v.Instance.HasIncident {
		t.Errorf("instance %+v, want %s ACTIVE with an incident", v.Instance, key)
	}
	var path []string
	for _, e := range v.Elements {
		path = append(path, e.ElementID+"/"+e.Type+"/"+e.State)
	}
	want := "order/PROCESS/ACTIVE received/START_EVENT/COMPLETED charge/SERVICE_TASK/ACTIVE"
	if got := strings.Join(path, " "); got != want {
		t.Errorf("element path %q, want %q", got, want)
	}
	vars := map[string]any{}
	for _, vr := range v.Variables {
		vars[vr.Name] = vr.Value
	}
	if vars["orderId"] != "A-7" || vars["amount"] != 12.5 {
		t.Errorf("variables %v, want orderId=A-7 and amount=12.5", vars)
	}
	if in := v.Incidents[0]; in.ErrorType != "JOB_NO_RETRIES" || in.ElementID != "charge" || in.State != "ACTIVE" || in.ErrorMessage != "card declined" {
		t.Errorf("incident %+v", in)
	}

	out := ok(t, wf("instance", key))
	for _, want := range []string{"INSTANCE", key, "STATE", "ACTIVE", "ELEMENT", "charge", "SERVICE_TASK", "VARIABLE", "orderId", `"A-7"`, "JOB_NO_RETRIES", "card declined"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestJobs(t *testing.T) {
	_, wf := startEngine(t)
	ok(t, wf("deploy", "testdata/order.bpmn"))
	key := createInstance(t, wf, "order", "--variables", `{"orderId": "A-1"}`)

	var jobs []struct {
		JobKey             string         `json:"jobKey"`
		Type               string         `json:"type"`
		ProcessInstanceKey string         `json:"processInstanceKey"`
		ElementID          string         `json:"elementId"`
		Worker             string         `json:"worker"`
		Retries            int            `json:"retries"`
		Deadline           string         `json:"deadline"`
		Variables          map[string]any `json:"variables"`
	}
	decodeJSON(t, ok(t, wf("jobs", "activate", "charge-card", "--worker", "tester", "--timeout", "1m", "--max", "5", "-o", "json")), &jobs)
	if len(jobs) != 1 {
		t.Fatalf("activated %d jobs, want 1", len(jobs))
	}
	j := jobs[0]
	if j.Type != "charge-card" || j.ProcessInstanceKey != key || j.ElementID != "charge" || j.Worker != "tester" || j.Retries != 3 ||
		j.Deadline == "" || j.Variables["orderId"] != "A-1" {
		t.Errorf("job %+v", j)
	}
	decodeJSON(t, ok(t, wf("jobs", "activate", "charge-card", "-o", "json")), &jobs)
	if len(jobs) != 0 {
		t.Errorf("activated a locked job again: %+v", jobs)
	}

	// A failure with retries left makes the job activatable again.
	if out := ok(t, wf("jobs", "fail", j.JobKey, "--retries", "2", "--message", "try again")); out != "job "+j.JobKey+" failed\n" {
		t.Errorf("fail printed %q", out)
	}
	out := ok(t, wf("jobs", "activate", "charge-card"))
	if !strings.Contains(out, "KEY") || !strings.Contains(out, j.JobKey) || !strings.Contains(out, "charge-card") {
		t.Fatalf("table %q: want job %s again", out, j.JobKey)
	}
	if out := ok(t, wf("jobs", "complete", j.JobKey, "--variables", `{"charged": true}`)); out != "job "+j.JobKey+" completed\n" {
		t.Errorf("complete printed %q", out)
	}
	eventually(t, "the instance to complete", func() bool { return instanceState(t, wf, key) == "COMPLETED" })
	var v struct {
		Variables []struct {
			Name  string `json:"name"`
			Value any    `json:"value"`
		} `json:"variables"`
	}
	decodeJSON(t, ok(t, wf("instance", key, "-o", "json")), &v)
	found := false
	for _, vr := range v.Variables {
		found = found || vr.Name == "charged" && vr.Value == true
	}
	if !found {
		t.Errorf("variables %+v lack charged=true", v.Variables)
	}

	failsWith(t, wf("jobs", "complete", j.JobKey), exitNotFound, "wf: jobs complete: NOT_FOUND: ")
	failsWith(t, wf("jobs", "fail", j.JobKey), exitUsage, `required flag(s) "retries" not set`)
	failsWith(t, wf("jobs", "fail", j.JobKey, "--retries", "-1"), exitUsage, "--retries: expected 0 or more, got -1")
	failsWith(t, wf("jobs", "activate", "charge-card", "--timeout", "soon"), exitUsage, `invalid argument "soon" for "--timeout"`)
}

func TestFailWithBackoffKeepsTheJobBack(t *testing.T) {
	_, wf := startEngine(t)
	ok(t, wf("deploy", "testdata/order.bpmn"))
	createInstance(t, wf, "order")
	var jobs []keyed
	decodeJSON(t, ok(t, wf("jobs", "activate", "charge-card", "-o", "json")), &jobs)
	if len(jobs) != 1 {
		t.Fatalf("activated %d jobs, want 1", len(jobs))
	}
	ok(t, wf("jobs", "fail", jobs[0].JobKey, "--retries", "1", "--backoff", "1h"))
	decodeJSON(t, ok(t, wf("jobs", "activate", "charge-card", "-o", "json")), &jobs)
	if len(jobs) != 0 {
		t.Errorf("a job failed with a one-hour backoff was activated again: %+v", jobs)
	}
}

func TestPublishMessage(t *testing.T) {
	_, wf := startEngine(t)
	ok(t, wf("deploy", "testdata/payment.bpmn"))
	key := createInstance(t, wf, "payment", "--variables", `{"orderId": "A-9"}`)
	var mp struct {
		MessageKey string `json:"messageKey"`
	}
	decodeJSON(t, ok(t, wf("publish", "message", "paid", "--correlation-key", "A-9", "--variables", `{"paidBy": "card"}`, "-o", "json")), &mp)
	if mp.MessageKey == "" {
		t.Error("no message key")
	}
	eventually(t, "the message to complete the instance", func() bool { return instanceState(t, wf, key) == "COMPLETED" })

	// A buffered message reaches an instance that starts later.
	out := ok(t, wf("publish", "message", "paid", "--correlation-key", "A-10", "--ttl", "1h"))
	if !strings.HasPrefix(out, "message paid published (key ") {
		t.Errorf("publish printed %q", out)
	}
	later := createInstance(t, wf, "payment", "--variables", `{"orderId": "A-10"}`)
	eventually(t, "the buffered message to complete the instance", func() bool { return instanceState(t, wf, later) == "COMPLETED" })
	failsWith(t, wf("publish", "message", "paid", "--ttl", "-1s"), exitUsage, "--ttl: ")
}

func TestTasks(t *testing.T) {
	_, wf := startEngine(t)
	ok(t, wf("deploy", "testdata/approval.bpmn"))
	key := createInstance(t, wf, "approval")

	type task struct {
		UserTaskKey        string   `json:"userTaskKey"`
		Name               string   `json:"name"`
		State              string   `json:"state"`
		Assignee           string   `json:"assignee"`
		CandidateGroups    []string `json:"candidateGroups"`
		ProcessInstanceKey string   `json:"processInstanceKey"`
	}
	var tasks []task
	eventually(t, "the user task", func() bool {
		decodeJSON(t, ok(t, wf("tasks", "list", "--group", "managers", "--state", "CREATED", "-o", "json")), &tasks)
		return len(tasks) == 1
	})
	tk := tasks[0]
	if tk.Name != "Review the request" || tk.ProcessInstanceKey != key || tk.Assignee != "" || len(tk.CandidateGroups) != 1 {
		t.Errorf("task %+v", tk)
	}
	decodeJSON(t, ok(t, wf("tasks", "list", "--group", "sales", "-o", "json")), &tasks)
	if len(tasks) != 0 {
		t.Errorf("tasks of group sales: %+v", tasks)
	}

	if out := ok(t, wf("tasks", "assign", tk.UserTaskKey, "alice")); out != "user task "+tk.UserTaskKey+" assigned to alice\n" {
		t.Errorf("assign printed %q", out)
	}
	failsWith(t, wf("tasks", "assign", tk.UserTaskKey, "bob"), exitFailure, "wf: tasks assign: INVALID_STATE: ")
	ok(t, wf("tasks", "assign", tk.UserTaskKey, "bob", "--override"))
	eventually(t, "bob to hold the task", func() bool {
		decodeJSON(t, ok(t, wf("tasks", "list", "--assignee", "bob", "-o", "json")), &tasks)
		return len(tasks) == 1 && tasks[0].UserTaskKey == tk.UserTaskKey
	})
	out := ok(t, wf("tasks", "list", "--instance", key))
	if !strings.Contains(out, "ASSIGNEE") || !strings.Contains(out, "bob") || !strings.Contains(out, "managers") {
		t.Errorf("table %q: want the task held by bob", out)
	}

	ok(t, wf("tasks", "complete", tk.UserTaskKey, "--variables", `{"approved": true}`))
	eventually(t, "the instance to complete", func() bool { return instanceState(t, wf, key) == "COMPLETED" })
	failsWith(t, wf("tasks", "list", "--state", "OPEN"), exitUsage, "--state: expected one of CREATING, CREATED")
	failsWith(t, wf("tasks", "assign", tk.UserTaskKey), exitUsage, "missing argument <assignee>")
}

func TestIncidents(t *testing.T) {
	_, wf := startEngine(t)
	ok(t, wf("deploy", "testdata/order.bpmn"))
	key := createInstance(t, wf, "order")
	var jobs []keyed
	decodeJSON(t, ok(t, wf("jobs", "activate", "charge-card", "-o", "json")), &jobs)
	if len(jobs) != 1 {
		t.Fatalf("activated %d jobs, want 1", len(jobs))
	}
	ok(t, wf("jobs", "fail", jobs[0].JobKey, "--retries", "0", "--message", "no funds"))

	type incident struct {
		IncidentKey        string `json:"incidentKey"`
		ErrorType          string `json:"errorType"`
		ErrorMessage       string `json:"errorMessage"`
		State              string `json:"state"`
		ProcessInstanceKey string `json:"processInstanceKey"`
		JobKey             string `json:"jobKey"`
	}
	var incs []incident
	eventually(t, "the incident", func() bool {
		decodeJSON(t, ok(t, wf("incidents", "list", "--state", "ACTIVE", "-o", "json")), &incs)
		return len(incs) == 1
	})
	in := incs[0]
	if in.ErrorType != "JOB_NO_RETRIES" || in.ProcessInstanceKey != key || in.JobKey != jobs[0].JobKey || in.ErrorMessage != "no funds" {
		t.Errorf("incident %+v", in)
	}
	out := ok(t, wf("incidents", "list", "--instance", key))
	if !strings.Contains(out, "JOB_NO_RETRIES") || !strings.Contains(out, "no funds") {
		t.Errorf("table %q: want the incident", out)
	}

	if out := ok(t, wf("incidents", "resolve", in.IncidentKey, "--retries", "2")); out != "incident "+in.IncidentKey+" resolved\n" {
		t.Errorf("resolve printed %q", out)
	}
	eventually(t, "the incident to be resolved", func() bool {
		decodeJSON(t, ok(t, wf("incidents", "list", "--state", "ACTIVE", "-o", "json")), &incs)
		return len(incs) == 0
	})
	var again []struct {
		JobKey  string `json:"jobKey"`
		Retries int    `json:"retries"`
	}
	decodeJSON(t, ok(t, wf("jobs", "activate", "charge-card", "-o", "json")), &again)
	if len(again) != 1 || again[0].JobKey != jobs[0].JobKey || again[0].Retries != 2 {
		t.Errorf("after resolving, activated %+v; want job %s with 2 retries", again, jobs[0].JobKey)
	}
	failsWith(t, wf("incidents", "resolve", "12345"), exitNotFound, "wf: incidents resolve: NOT_FOUND: ")
}

func TestStatus(t *testing.T) {
	srv, wf := startEngine(t)
	out := ok(t, wf("status"))
	for _, want := range []string{"ADDRESS", srv.URL, "READY", "yes", "PARTITION", "leader", "healthy"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	var s struct {
		Address  string `json:"address"`
		Profile  string `json:"profile"`
		Ready    bool   `json:"ready"`
		Topology struct {
			ClusterSize int `json:"clusterSize"`
			Brokers     []struct {
				Partitions []struct {
					Role   string `json:"role"`
					Health string `json:"health"`
				} `json:"partitions"`
			} `json:"brokers"`
		} `json:"topology"`
	}
	decodeJSON(t, ok(t, wf("status", "-o", "json")), &s)
	if s.Address != srv.URL || s.Profile != "local" || !s.Ready || s.Topology.ClusterSize != 1 || len(s.Topology.Brokers) != 1 ||
		len(s.Topology.Brokers[0].Partitions) != 1 || s.Topology.Brokers[0].Partitions[0].Health != "healthy" {
		t.Errorf("status %+v", s)
	}
}

func TestCompletionScripts(t *testing.T) {
	for shell, marker := range map[string]string{"bash": "__start_wf", "zsh": "#compdef wf", "fish": "complete -c wf"} {
		t.Run(shell, func(t *testing.T) {
			out := ok(t, wf(t, "completion", shell))
			if !strings.Contains(out, marker) {
				t.Errorf("%s script lacks %q (%d bytes)", shell, marker, len(out))
			}
		})
	}
	failsWith(t, wf(t, "completion", "tcsh"), exitUsage, `unsupported shell "tcsh"`)
	failsWith(t, wf(t, "completion"), exitUsage, "missing argument bash|zsh|fish")
}

func TestHelpExitsZero(t *testing.T) {
	out := ok(t, wf(t, "--help"))
	for _, cmd := range []string{"deploy", "validate", "create", "cancel", "instances", "instance", "jobs", "publish", "tasks", "incidents", "status", "completion"} {
		if !strings.Contains(out, "\n  "+cmd+" ") {
			t.Errorf("help lacks the command %s", cmd)
		}
	}
}
