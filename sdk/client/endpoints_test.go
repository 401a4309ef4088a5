package client_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/example/wf-engine/api/resttest"
	"github.com/example/wf-engine/sdk/client"
)

func TestTopologyAndStatus(t *testing.T) {
	e := start(t, resttest.Options{})
	topo, err := e.c.Topology(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if topo.ClusterSize != 1 || topo.PartitionsCount != 1 || len(topo.Brokers) != 1 || len(topo.Brokers[0].Partitions) != 1 {
		t.Fatalf("topology: %+v", topo)
	}
	if p := topo.Brokers[0].Partitions[0]; p.Role != "leader" || p.Health != "healthy" {
		t.Fatalf("partition: %+v", p)
	}
	ready, err := e.c.Status(ctx(t))
	if err != nil || !ready {
		t.Fatalf("status: ready=%t err=%v", ready, err)
	}
}

func TestDeploymentAndProcessDefinitions(t *testing.T) {
	for _, sqlite := range []bool{false, true} {
		t.Run("sqlite="+strconv.FormatBool(sqlite), func(t *testing.T) {
			e := start(t, resttest.Options{SQLite: sqlite})
			procs := e.deploy(t, "charge.bpmn", "noop.bpmn")
			charge := procs["sdk-charge"]
			if charge.ProcessDefinitionKey <= 0 || charge.ProcessDefinitionVersion != 1 || charge.ResourceName != "charge.bpmn" {
				t.Fatalf("deployed: %+v", charge)
			}

			found, err := e.c.SearchProcessDefinitions(ctx(t), client.ProcessDefinitionQuery{
				Filter: client.ProcessDefinitionFilter{ProcessDefinitionID: "sdk-charge", Version: 1},
			})
			if err != nil {
				t.Fatal(err)
			}
			if found.Page.TotalItems != 1 || len(found.Items) != 1 || found.Items[0].ProcessDefinitionKey != charge.ProcessDefinitionKey {
				t.Fatalf("search: %+v", found)
			}
			all, err := e.c.SearchProcessDefinitions(ctx(t), client.ProcessDefinitionQuery{
				Sort: []client.Sort{{Field: "processDefinitionId", Order: client.Descending}},
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(all.Items) != 2 || all.Items[0].ProcessDefinitionID != "sdk-noop" || all.Items[1].ProcessDefinitionID != "sdk-charge" {
				t.Fatalf("sorted search: %+v", all.Items)
			}

			older, err := e.c.SearchProcessDefinitions(ctx(t), client.ProcessDefinitionQuery{
				Filter: client.ProcessDefinitionFilter{IsLatestVersion: client.Ptr(false)},
			})
			if err != nil || len(older.Items) != 0 {
				t.Fatalf("older versions of two first deployments: %+v (%v)", older, err)
			}

			def, err := e.c.GetProcessDefinition(ctx(t), charge.ProcessDefinitionKey)
			if err != nil {
				t.Fatal(err)
			}
			if def.Name != "SDK charge" || def.Version != 1 || def.ResourceName != "charge.bpmn" {
				t.Fatalf("get: %+v", def)
			}
			xml, err := e.c.GetProcessDefinitionXML(ctx(t), charge.ProcessDefinitionKey)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := os.ReadFile("testdata/charge.bpmn")
			if !bytes.Equal(xml, want) {
				t.Fatalf("xml: got %d bytes, want the deployed %d bytes", len(xml), len(want))
			}

			again := e.deploy(t, "charge.bpmn")
			if again["sdk-charge"].ProcessDefinitionKey != charge.ProcessDefinitionKey {
				t.Fatalf("redeploying the same file made a new version: %+v", again)
			}
		})
	}
}

func TestDeployRejectsBadInput(t *testing.T) {
	e := start(t, resttest.Options{})
	if _, err := e.c.Deploy(ctx(t), client.DeployRequest{}); err == nil {
		t.Fatal("deploying nothing: no error")
	}
	_, err := e.c.Deploy(ctx(t), client.DeployRequest{Resources: []client.Resource{{Name: "notes.txt", Content: []byte("hello")}}})
	var p *client.Problem
	if !errors.As(err, &p) || p.Status != 400 || p.Title != "INVALID_ARGUMENT" || !bytes.Contains([]byte(p.Detail), []byte("notes.txt")) {
		t.Fatalf("deploying a text file: %v", err)
	}
}

func TestProcessInstanceElementsAndVariables(t *testing.T) {
	e := start(t, resttest.Options{})
	procs := e.deploy(t, "charge.bpmn")
	type order struct {
		OrderID string `json:"orderId"`
		Amount  int    `json:"amount"`
	}
	created, err := e.c.CreateProcessInstance(ctx(t), client.CreateProcessInstanceRequest{
		ProcessDefinitionKey: procs["sdk-charge"].ProcessDefinitionKey, Variables: order{OrderID: "o-1", Amount: 42},
	})
	if err != nil {
		t.Fatal(err)
	}
	key := created.ProcessInstanceKey
	if key <= 0 || created.ProcessDefinitionID != "sdk-charge" || created.ProcessDefinitionVersion != 1 {
		t.Fatalf("created: %+v", created)
	}

	pi, err := e.c.GetProcessInstance(ctx(t), key)
	if err != nil {
		t.Fatal(err)
	}
	if pi.State != "ACTIVE" || pi.ProcessDefinitionKey != procs["sdk-charge"].ProcessDefinitionKey || pi.StartDate.IsZero() || !pi.EndDate.IsZero() {
		t.Fatalf("instance: %+v", pi)
	}
	found, err := e.c.SearchProcessInstances(ctx(t), client.ProcessInstanceQuery{
		Filter: client.ProcessInstanceFilter{ProcessDefinitionID: "sdk-charge", State: "ACTIVE", HasIncident: client.Ptr(false)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found.Items) != 1 || found.Items[0].ProcessInstanceKey != key {
		t.Fatalf("instance search: %+v", found)
	}

	elems, err := e.c.SearchElementInstances(ctx(t), client.ElementInstanceQuery{
		Filter: client.ElementInstanceFilter{ProcessInstanceKey: key, Type: "SERVICE_TASK"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(elems.Items) != 1 || elems.Items[0].ElementID != "charge" || elems.Items[0].State != "ACTIVE" {
		t.Fatalf("element search: %+v", elems)
	}
	task := elems.Items[0]
	got, err := e.c.GetElementInstance(ctx(t), task.ElementInstanceKey)
	if err != nil {
		t.Fatal(err)
	}
	if got.ElementName != "Charge" || got.ProcessInstanceKey != key {
		t.Fatalf("element: %+v", got)
	}

	if err := e.c.SetVariables(ctx(t), key, client.SetVariablesRequest{Variables: map[string]any{"amount": 43, "note": "vip"}}); err != nil {
		t.Fatal(err)
	}
	vars, err := e.c.SearchVariables(ctx(t), client.VariableQuery{
		Filter: client.VariableFilter{ProcessInstanceKey: key},
		Sort:   []client.Sort{{Field: "name"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, v := range vars.Items {
		names[v.Name] = v.Value
	}
	if len(vars.Items) != 3 || names["amount"] != "43" || names["orderId"] != `"o-1"` || names["note"] != `"vip"` {
		t.Fatalf("variables: %+v", vars.Items)
	}
	v, err := e.c.GetVariable(ctx(t), vars.Items[0].VariableKey)
	if err != nil {
		t.Fatal(err)
	}
	var amount int
	if err := v.Decode(&amount); err != nil || v.Name != "amount" || amount != 43 {
		t.Fatalf("variable %+v decoded to %d (%v)", v, amount, err)
	}
	// An operator condition through the raw escape hatch.
	big, err := e.c.SearchVariables(ctx(t), client.VariableQuery{
		Filter: client.VariableFilter{ProcessInstanceKey: key},
		Extra:  client.RawFilter{"name": client.Cond{In: []any{"note", "orderId"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if big.Page.TotalItems != 2 {
		t.Fatalf("$in search: %+v", big)
	}

	if err := e.c.CancelProcessInstance(ctx(t), key); err != nil {
		t.Fatal(err)
	}
	if s := e.instanceState(t, key); s != "TERMINATED" {
		t.Fatalf("after cancel: state %s", s)
	}
	err = e.c.CancelProcessInstance(ctx(t), key)
	if !client.IsNotFound(err) && !client.IsConflict(err) {
		t.Fatalf("cancelling twice: %v", err)
	}
}

func TestCreateAwaitCompletion(t *testing.T) {
	e := start(t, resttest.Options{})
	e.deploy(t, "noop.bpmn")
	created, err := e.c.CreateProcessInstance(ctx(t), client.CreateProcessInstanceRequest{
		ProcessDefinitionID: "sdk-noop", Variables: map[string]any{"n": 12, "who": "ann", "big": int64(9007199254740993)},
		AwaitCompletion: true, FetchVariables: []string{"n", "big"}, RequestTimeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(created.Variables) != 2 || string(created.Variables["n"]) != "12" || string(created.Variables["big"]) != "9007199254740993" {
		t.Fatalf("awaited variables: %s", mustJSON(created.Variables))
	}
	if s := e.instanceState(t, created.ProcessInstanceKey); s != "COMPLETED" {
		t.Fatalf("state %s", s)
	}
}

func TestJobLifecycle(t *testing.T) {
	e := start(t, resttest.Options{})
	e.deploy(t, "charge.bpmn")
	key := e.create(t, "sdk-charge", map[string]any{"amount": 10})

	job := e.activate(t, "sdk-charge")
	if job.ProcessInstanceKey != key || job.Retries != 3 || job.CustomHeaders["currency"] != "EUR" || job.Worker != "test" ||
		job.ElementID != "charge" || string(job.Variables["amount"]) != "10" {
		t.Fatalf("activated: %+v", job)
	}
	if time.Until(job.Deadline) < 30*time.Second || time.Until(job.Deadline) > 2*time.Minute {
		t.Fatalf("deadline %v is not about a minute away", job.Deadline)
	}
	var vars struct {
		Amount int `json:"amount"`
	}
	if err := job.VariablesAs(&vars); err != nil || vars.Amount != 10 {
		t.Fatalf("VariablesAs: %+v %v", vars, err)
	}

	// Nothing else is there: a short long poll returns no jobs.
	none, err := e.c.ActivateJobs(ctx(t), client.ActivateJobsRequest{Type: "sdk-charge", Timeout: time.Minute, MaxJobs: 5, RequestTimeout: 50 * time.Millisecond})
	if err != nil || len(none) != 0 {
		t.Fatalf("second activation: %d jobs, %v", len(none), err)
	}

	if err := e.c.UpdateJob(ctx(t), job.JobKey, client.JobChangeset{Retries: client.Ptr(int32(5)), Timeout: client.Ptr(10 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	got, err := e.c.GetJob(ctx(t), job.JobKey)
	if err != nil {
		t.Fatal(err)
	}
	if got.Retries != 5 || got.Type != "sdk-charge" || time.Until(got.Deadline) < 5*time.Minute {
		t.Fatalf("after update: %+v", got)
	}
	if err := e.c.UpdateJob(ctx(t), job.JobKey, client.JobChangeset{}); err == nil {
		t.Fatal("empty changeset: no error")
	}

	// Fail with retries left and no back-off: the job can be activated
	// again at once.
	if err := e.c.FailJob(ctx(t), job.JobKey, client.FailJobRequest{Retries: 4, ErrorMessage: "card service down"}); err != nil {
		t.Fatal(err)
	}
	failed, err := e.c.SearchJobs(ctx(t), client.JobQuery{Filter: client.JobFilter{ProcessInstanceKey: key, Retries: client.Ptr(int32(4))}})
	if err != nil {
		t.Fatal(err)
	}
	if len(failed.Items) != 1 || failed.Items[0].JobKey != job.JobKey || failed.Items[0].ErrorMessage != "card service down" {
		t.Fatalf("failed jobs: %+v", failed)
	}
	again := e.activate(t, "sdk-charge")
	if again.JobKey != job.JobKey || again.Retries != 4 {
		t.Fatalf("re-activated: %+v", again)
	}

	if err := e.c.CompleteJob(ctx(t), again.JobKey, client.CompleteJobRequest{Variables: map[string]any{"charged": true}}); err != nil {
		t.Fatal(err)
	}
	if s := e.instanceState(t, key); s != "COMPLETED" {
		t.Fatalf("state %s", s)
	}
	err = e.c.CompleteJob(ctx(t), again.JobKey, client.CompleteJobRequest{})
	if !client.IsNotFound(err) && !client.IsConflict(err) {
		t.Fatalf("completing twice: %v", err)
	}
}

func TestThrowJobError(t *testing.T) {
	e := start(t, resttest.Options{})
	e.deploy(t, "card-check.bpmn")
	key := e.create(t, "sdk-card-check", nil)
	job := e.activate(t, "sdk-card-check")
	if err := e.c.ThrowJobError(ctx(t), job.JobKey, client.ThrowJobErrorRequest{
		ErrorCode: "CARD_DECLINED", ErrorMessage: "expired", Variables: map[string]any{"reason": "expired"},
	}); err != nil {
		t.Fatal(err)
	}
	ends, err := e.c.SearchElementInstances(ctx(t), client.ElementInstanceQuery{
		Filter: client.ElementInstanceFilter{ProcessInstanceKey: key, Type: "END_EVENT"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ends.Items) != 1 || ends.Items[0].ElementID != "declined" {
		t.Fatalf("end events: %+v", ends.Items)
	}
	if err := e.c.ThrowJobError(ctx(t), job.JobKey, client.ThrowJobErrorRequest{}); err == nil {
		t.Fatal("empty error code: no error")
	}
}

func TestIncidents(t *testing.T) {
	e := start(t, resttest.Options{})
	e.deploy(t, "charge.bpmn")
	key := e.create(t, "sdk-charge", nil)
	job := e.activate(t, "sdk-charge")
	if err := e.c.FailJob(ctx(t), job.JobKey, client.FailJobRequest{Retries: 0, ErrorMessage: "no retries"}); err != nil {
		t.Fatal(err)
	}

	found, err := e.c.SearchIncidents(ctx(t), client.IncidentQuery{Filter: client.IncidentFilter{ProcessInstanceKey: key, State: "ACTIVE"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(found.Items) != 1 {
		t.Fatalf("incidents: %+v", found)
	}
	inc := found.Items[0]
	if inc.ErrorType != "JOB_NO_RETRIES" || inc.JobKey != job.JobKey || inc.ElementID != "charge" || inc.ErrorMessage != "no retries" {
		t.Fatalf("incident: %+v", inc)
	}
	got, err := e.c.GetIncident(ctx(t), inc.IncidentKey)
	if err != nil || got.IncidentKey != inc.IncidentKey || got.State != "ACTIVE" {
		t.Fatalf("get incident: %+v %v", got, err)
	}
	byInstance, err := e.c.SearchProcessInstanceIncidents(ctx(t), key, client.InstanceIncidentQuery{Page: &client.Page{Limit: 10}})
	if err != nil || len(byInstance.Items) != 1 || byInstance.Items[0].IncidentKey != inc.IncidentKey {
		t.Fatalf("instance incidents: %+v %v", byInstance, err)
	}
	pi, err := e.c.GetProcessInstance(ctx(t), key)
	if err != nil || !pi.HasIncident {
		t.Fatalf("instance with incident: %+v %v", pi, err)
	}

	if err := e.c.UpdateJob(ctx(t), job.JobKey, client.JobChangeset{Retries: client.Ptr(int32(1))}); err != nil {
		t.Fatal(err)
	}
	if err := e.c.ResolveIncident(ctx(t), inc.IncidentKey); err != nil {
		t.Fatal(err)
	}
	resolved, err := e.c.GetIncident(ctx(t), inc.IncidentKey)
	if err != nil || resolved.State != "RESOLVED" {
		t.Fatalf("after resolve: %+v %v", resolved, err)
	}
	retried := e.activate(t, "sdk-charge")
	if retried.JobKey != job.JobKey || retried.Retries != 1 {
		t.Fatalf("after resolve the job is activatable with one retry, got %+v", retried)
	}
}

func TestMessages(t *testing.T) {
	e := start(t, resttest.Options{})
	e.deploy(t, "wait.bpmn")

	// Correlation reaches a waiting instance.
	first := e.create(t, "sdk-wait", map[string]any{"orderId": "o-1"})
	corr, err := e.c.CorrelateMessage(ctx(t), client.CorrelateMessageRequest{Name: "sdk-paid", CorrelationKey: "o-1", Variables: map[string]any{"paid": true}})
	if err != nil {
		t.Fatal(err)
	}
	if corr.MessageKey <= 0 || corr.ProcessInstanceKey != first || corr.TenantID != "<default>" {
		t.Fatalf("correlation: %+v", corr)
	}
	if s := e.instanceState(t, first); s != "COMPLETED" {
		t.Fatalf("correlated instance: %s", s)
	}
	// Nothing waits for o-2: correlation answers 404.
	_, err = e.c.CorrelateMessage(ctx(t), client.CorrelateMessageRequest{Name: "sdk-paid", CorrelationKey: "o-2"})
	if !client.IsNotFound(err) {
		t.Fatalf("correlating to nobody: %v", err)
	}

	// A published message waits (time to live) for the instance.
	pub, err := e.c.PublishMessage(ctx(t), client.PublishMessageRequest{Name: "sdk-paid", CorrelationKey: "o-3", TimeToLive: time.Hour, MessageID: "m-3"})
	if err != nil || pub.MessageKey <= 0 {
		t.Fatalf("publish: %+v %v", pub, err)
	}
	third := e.create(t, "sdk-wait", map[string]any{"orderId": "o-3"})
	if s := e.instanceState(t, third); s != "COMPLETED" {
		t.Fatalf("instance after a buffered message: %s", s)
	}
}

func TestClock(t *testing.T) {
	e := start(t, resttest.Options{})
	e.deploy(t, "wait.bpmn")
	key := e.create(t, "sdk-wait", map[string]any{"orderId": "never"})
	if err := e.c.PinClock(ctx(t), time.Now().Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if s := e.instanceState(t, key); s != "COMPLETED" {
		t.Fatalf("after pinning the clock past the timer: %s", s)
	}
	ends, err := e.c.SearchElementInstances(ctx(t), client.ElementInstanceQuery{
		Filter: client.ElementInstanceFilter{ProcessInstanceKey: key, ElementID: "timed-out"},
	})
	if err != nil || len(ends.Items) != 1 {
		t.Fatalf("timed-out end: %+v %v", ends, err)
	}
	if err := e.c.ResetClock(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if now := e.srv.Clock.Now(); time.Since(now).Abs() > time.Minute {
		t.Fatalf("after reset the engine clock says %v", now)
	}
	if err := e.c.PinClock(ctx(t), time.Unix(-5, 0)); err == nil {
		t.Fatal("pinning before 1970: no error")
	}
}

func TestUserTasks(t *testing.T) {
	e := start(t, resttest.Options{})
	e.deploy(t, "review.bpmn")
	key := e.create(t, "sdk-review", map[string]any{"amount": 7})

	var task client.UserTask
	found, err := e.c.SearchUserTasks(ctx(t), client.UserTaskQuery{
		Filter: client.UserTaskFilter{ProcessInstanceKey: key, CandidateGroup: "managers", State: "CREATED"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found.Items) != 1 {
		t.Fatalf("user tasks: %+v", found)
	}
	task = found.Items[0]
	if task.ElementID != "review" || task.Name != "Review" || len(task.CandidateGroups) != 1 || task.CreationDate.IsZero() {
		t.Fatalf("user task: %+v", task)
	}

	due := "2030-01-02T10:00:00Z"
	if err := e.c.UpdateUserTask(ctx(t), task.UserTaskKey, client.UpdateUserTaskRequest{Changeset: client.UserTaskChangeset{
		DueDate: &due, Priority: client.Ptr(int32(80)), CandidateUsers: &[]string{"ann"},
	}}); err != nil {
		t.Fatal(err)
	}
	if err := e.c.AssignUserTask(ctx(t), task.UserTaskKey, client.AssignUserTaskRequest{Assignee: "ann"}); err != nil {
		t.Fatal(err)
	}
	got, err := e.c.GetUserTask(ctx(t), task.UserTaskKey)
	if err != nil {
		t.Fatal(err)
	}
	if got.Assignee != "ann" || got.Priority != 80 || !got.DueDate.Equal(time.Date(2030, 1, 2, 10, 0, 0, 0, time.UTC)) ||
		len(got.CandidateUsers) != 1 || got.CandidateUsers[0] != "ann" {
		t.Fatalf("after update and assign: %+v", got)
	}
	err = e.c.AssignUserTask(ctx(t), task.UserTaskKey, client.AssignUserTaskRequest{Assignee: "bob", AllowOverride: client.Ptr(false)})
	if !client.IsConflict(err) {
		t.Fatalf("assigning over ann without override: %v", err)
	}
	if err := e.c.UnassignUserTask(ctx(t), task.UserTaskKey); err != nil {
		t.Fatal(err)
	}
	if got, err := e.c.GetUserTask(ctx(t), task.UserTaskKey); err != nil || got.Assignee != "" {
		t.Fatalf("after unassign: %+v %v", got, err)
	}

	vars, err := e.c.SearchUserTaskVariables(ctx(t), task.UserTaskKey, client.UserTaskVariableQuery{Filter: client.UserTaskVariableFilter{Name: "amount"}})
	if err != nil || len(vars.Items) != 1 || vars.Items[0].Value != "7" {
		t.Fatalf("task variables: %+v %v", vars, err)
	}

	if err := e.c.CompleteUserTask(ctx(t), task.UserTaskKey, client.CompleteUserTaskRequest{Variables: map[string]any{"approved": true}}); err != nil {
		t.Fatal(err)
	}
	if s := e.instanceState(t, key); s != "COMPLETED" {
		t.Fatalf("after completing the task: %s", s)
	}
}

// TestNotFoundIsATypedProblem calls every method that names an entity by
// key with a key that names nothing.
func TestNotFoundIsATypedProblem(t *testing.T) {
	e := start(t, resttest.Options{})
	e.deploy(t, "charge.bpmn")
	const missing = int64(2251799813999999)
	c := e.c
	calls := map[string]func() error{
		"GetProcessDefinition":    func() error { _, err := c.GetProcessDefinition(ctx(t), missing); return err },
		"GetProcessDefinitionXML": func() error { _, err := c.GetProcessDefinitionXML(ctx(t), missing); return err },
		"GetProcessInstance":      func() error { _, err := c.GetProcessInstance(ctx(t), missing); return err },
		"CancelProcessInstance":   func() error { return c.CancelProcessInstance(ctx(t), missing) },
		"SearchProcessInstanceIncidents": func() error {
			_, err := c.SearchProcessInstanceIncidents(ctx(t), missing, client.InstanceIncidentQuery{})
			return err
		},
		"GetElementInstance": func() error { _, err := c.GetElementInstance(ctx(t), missing); return err },
		"SetVariables": func() error {
			return c.SetVariables(ctx(t), missing, client.SetVariablesRequest{Variables: map[string]any{"a": 1}})
		},
		"GetVariable":      func() error { _, err := c.GetVariable(ctx(t), missing); return err },
		"GetJob":           func() error { _, err := c.GetJob(ctx(t), missing); return err },
		"UpdateJob":        func() error { return c.UpdateJob(ctx(t), missing, client.JobChangeset{Retries: client.Ptr(int32(2))}) },
		"CompleteJob":      func() error { return c.CompleteJob(ctx(t), missing, client.CompleteJobRequest{}) },
		"FailJob":          func() error { return c.FailJob(ctx(t), missing, client.FailJobRequest{Retries: 1}) },
		"ThrowJobError":    func() error { return c.ThrowJobError(ctx(t), missing, client.ThrowJobErrorRequest{ErrorCode: "X"}) },
		"GetUserTask":      func() error { _, err := c.GetUserTask(ctx(t), missing); return err },
		"UpdateUserTask":   func() error { return c.UpdateUserTask(ctx(t), missing, client.UpdateUserTaskRequest{Action: "update"}) },
		"AssignUserTask":   func() error { return c.AssignUserTask(ctx(t), missing, client.AssignUserTaskRequest{Assignee: "ann"}) },
		"UnassignUserTask": func() error { return c.UnassignUserTask(ctx(t), missing) },
		"CompleteUserTask": func() error { return c.CompleteUserTask(ctx(t), missing, client.CompleteUserTaskRequest{}) },
		"SearchUserTaskVariables": func() error {
			_, err := c.SearchUserTaskVariables(ctx(t), missing, client.UserTaskVariableQuery{})
			return err
		},
		"GetIncident":     func() error { _, err := c.GetIncident(ctx(t), missing); return err },
		"ResolveIncident": func() error { return c.ResolveIncident(ctx(t), missing) },
		"CreateProcessInstance": func() error {
			_, err := c.CreateProcessInstance(ctx(t), client.CreateProcessInstanceRequest{ProcessDefinitionID: "no-such-process"})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			var p *client.Problem
			if !errors.As(err, &p) {
				t.Fatalf("got %v (%T), want a *client.Problem", err, err)
			}
			if !client.IsNotFound(err) || p.Status != 404 || p.Title == "" || p.Detail == "" || p.Instance == "" {
				t.Fatalf("got problem %+v, want a 404 with title, detail and instance", p)
			}
			if client.IsConflict(err) {
				t.Fatal("a 404 is not a conflict")
			}
		})
	}
}

func TestKeysMustBePositive(t *testing.T) {
	e := start(t, resttest.Options{})
	_, err := e.c.GetProcessInstance(ctx(t), 0)
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("/v2/process-instances/{key}")) {
		t.Fatalf("key 0: %v", err)
	}
	var p *client.Problem
	if errors.As(err, &p) {
		t.Fatalf("key 0 was sent to the server: %v", err)
	}
}

func TestVariablesMustBeAnObject(t *testing.T) {
	e := start(t, resttest.Options{})
	_, err := e.c.CreateProcessInstance(ctx(t), client.CreateProcessInstanceRequest{ProcessDefinitionID: "x", Variables: []int{1}})
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("variables: expected something that encodes to a JSON object")) {
		t.Fatalf("array variables: %v", err)
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}
