package rest_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/example/wf-engine/api/rest"
)

// deployedForms reads the forms of a deployment's answer by form id, and
// the process definition key when one was deployed.
func deployedForms(t *testing.T, r *response) (map[string]rest.DeploymentFormResult, string) {
	t.Helper()
	var out struct {
		Deployments []struct {
			ProcessDefinition *struct {
				ProcessDefinitionKey string `json:"processDefinitionKey"`
			} `json:"processDefinition"`
			Form *rest.DeploymentFormResult `json:"form"`
		} `json:"deployments"`
	}
	want(t, r, http.StatusOK).json(t, &out)
	forms, def := map[string]rest.DeploymentFormResult{}, ""
	for _, d := range out.Deployments {
		if d.Form != nil {
			forms[d.Form.FormID] = *d.Form
		}
		if d.ProcessDefinition != nil {
			def = d.ProcessDefinition.ProcessDefinitionKey
		}
	}
	return forms, def
}

// form gets a form route's answer.
func form(t *testing.T, c *client, path string) rest.FormResult {
	t.Helper()
	var f rest.FormResult
	want(t, c.get(path), http.StatusOK).json(t, &f)
	return f
}

// tasksByElement waits for nothing: the tasks of an instance by element id.
func tasksByElement(t *testing.T, c *client, pi string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, task := range searchTasks(t, c, filter(map[string]any{"processInstanceKey": pi})) {
		out[str(task, "elementId")] = task
	}
	return out
}

// TestForms: .form resources deploy with versions per form id, a user
// task's linked form is resolved when the task is created, embedded forms
// come from the model, and the start form follows its binding.
func TestForms(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		forms, def := deployedForms(t, c.deploy("forms.bpmn", "review.form", "request.form"))
		review, request := forms["review-form"], forms["request-form"]
		if def == "" || review.Version != 1 || request.Version != 1 || review.ResourceName != "review.form" || review.TenantID != "<default>" || review.FormKey == 0 {
			t.Fatalf("deployed forms: %+v, definition %q", forms, def)
		}
		start := form(t, c, "/v2/process-definitions/"+def+"/form")
		if start.FormID != "request-form" || start.Version == nil || *start.Version != 1 || !strings.Contains(start.Schema, `"amount"`) {
			t.Fatalf("start form: %+v", start)
		}

		pi := createProcess(t, c, "forms", nil)
		tasks := tasksByElement(t, c, pi)
		if len(tasks) != 3 {
			t.Fatalf("tasks: %v", tasks)
		}
		linked := form(t, c, "/v2/user-tasks/"+str(tasks["linked"], "userTaskKey")+"/form")
		if linked.FormID != "review-form" || linked.FormKey != strconv.FormatInt(int64(review.FormKey), 10) || *linked.Version != 1 ||
			!strings.Contains(linked.Schema, `"Approved"`) || linked.TenantID != "<default>" {
			t.Fatalf("linked form: %+v (deployed %+v)", linked, review)
		}
		if str(tasks["linked"], "formKey") != linked.FormKey {
			t.Fatalf("the task keeps the resolved form key: %v", tasks["linked"])
		}
		embedded := form(t, c, "/v2/user-tasks/"+str(tasks["embedded"], "userTaskKey")+"/form")
		if embedded.FormKey != "camunda-forms:bpmn:embedded1" || embedded.FormID != "embedded1" || embedded.Version != nil || !strings.Contains(embedded.Schema, "embedded-form") {
			t.Fatalf("embedded form: %+v", embedded)
		}
		want(t, c.get("/v2/user-tasks/"+str(tasks["plain"], "userTaskKey")+"/form"), http.StatusNoContent)

		// A new version: tasks created from now on get it, older ones keep theirs.
		v2, _ := deployedForms(t, c.deploy("review-v2.form"))
		if v2["review-form"].Version != 2 {
			t.Fatalf("second version: %+v", v2)
		}
		again, _ := deployedForms(t, c.deploy("review-v2.form"))
		if again["review-form"].Version != 2 || again["review-form"].FormKey != v2["review-form"].FormKey {
			t.Fatalf("an identical form is the same version: %+v", again)
		}
		later := tasksByElement(t, c, createProcess(t, c, "forms", nil))
		if f := form(t, c, "/v2/user-tasks/"+str(later["linked"], "userTaskKey")+"/form"); *f.Version != 2 || !strings.Contains(f.Schema, "Approve?") {
			t.Fatalf("a task created after v2: %+v", f)
		}
		if f := form(t, c, "/v2/user-tasks/"+str(tasks["linked"], "userTaskKey")+"/form"); *f.Version != 1 {
			t.Fatalf("a task created before v2: %+v", f)
		}
		// The start form is bound to its deployment.
		if f := form(t, c, "/v2/process-definitions/"+def+"/form"); f.FormKey != start.FormKey {
			t.Fatalf("start form after other deployments: %+v", f)
		}

		// Bad input.
		want(t, c.deploy("noid.form"), http.StatusBadRequest)
		want(t, c.get("/v2/user-tasks/999/form"), http.StatusNotFound)
		want(t, c.get("/v2/user-tasks/x1/form"), http.StatusBadRequest)
		want(t, c.get("/v2/process-definitions/999/form"), http.StatusNotFound)
		want(t, c.get("/v2/process-definitions/x1/form"), http.StatusBadRequest)
		orderDef := setup(t, c)
		want(t, c.get("/v2/process-definitions/"+orderDef+"/form"), http.StatusNoContent)
		if got := want(t, c.get("/v2/process-definitions/"+def), http.StatusOK).obj(t); got["hasStartForm"] != true {
			t.Fatalf("a definition with a start form: %v", got)
		}
		found := want(t, c.post("/v2/process-definitions/search", map[string]any{"filter": map[string]any{"processDefinitionId": "order"}}), http.StatusOK).obj(t)
		if items := found["items"].([]any); len(items) != 1 || items[0].(map[string]any)["hasStartForm"] != false {
			t.Fatalf("a definition without one: %v", found)
		}
	})
}

// TestMissingLinkedForm: a user task whose linked form is not deployed gets
// a FORM_NOT_FOUND incident; deploying the form and resolving the incident
// creates the task with it. A start form that is not deployed is 404.
func TestMissingLinkedForm(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		_, def := deployedForms(t, c.deploy("forms.bpmn"))
		want(t, c.get("/v2/process-definitions/"+def+"/form"), http.StatusNotFound)
		pi := createProcess(t, c, "forms", nil)
		r := want(t, c.post("/v2/incidents/search", filter(map[string]any{"processInstanceKey": pi})), http.StatusOK).obj(t)
		items := r["items"].([]any)
		if len(items) != 1 || str(items[0].(map[string]any), "errorType") != "FORM_NOT_FOUND" || str(items[0].(map[string]any), "elementId") != "linked" {
			t.Fatalf("incidents: %v", r)
		}
		if tasks := tasksByElement(t, c, pi); len(tasks) != 2 || tasks["linked"] != nil {
			t.Fatalf("tasks before the form is deployed: %v", tasks)
		}
		forms, _ := deployedForms(t, c.deploy("review.form"))
		want(t, c.post("/v2/incidents/"+str(items[0].(map[string]any), "incidentKey")+"/resolution", nil), http.StatusNoContent)
		tasks := tasksByElement(t, c, pi)
		if tasks["linked"] == nil {
			t.Fatalf("tasks after the resolution: %v", tasks)
		}
		if f := form(t, c, "/v2/user-tasks/"+str(tasks["linked"], "userTaskKey")+"/form"); f.FormID != "review-form" || f.FormKey != strconv.FormatInt(int64(forms["review-form"].FormKey), 10) {
			t.Fatalf("form after the resolution: %+v", f)
		}
	})
}

// TestFormsOfAnotherTenant: forms are per tenant: another tenant's task
// and definition answer 404, and a linked form resolves in the task's own
// tenant only.
func TestFormsOfAnotherTenant(t *testing.T) {
	for _, sc := range stores {
		t.Run(sc.name, func(t *testing.T) {
			c := start(t, sc.open(t), rest.Config{Authenticator: fakeAuth{}, AuthMode: "oidc", Multitenancy: true})
			acme, beta := as("operator", "acme"), as("operator", "beta")
			want(t, deployTo(t, c, "review.form", "beta", beta), http.StatusOK)
			d := want(t, deployTo(t, c, "forms.bpmn", "acme", acme), http.StatusOK).obj(t)
			def := str(d["deployments"].([]any)[0].(map[string]any)["processDefinition"].(map[string]any), "processDefinitionKey")
			pi := str(want(t, c.post("/v2/process-instances", map[string]any{"processDefinitionId": "forms", "tenantId": "acme"}, acme...), http.StatusOK).obj(t), "processInstanceKey")
			r := want(t, c.post("/v2/incidents/search", filter(map[string]any{"processInstanceKey": pi}), acme...), http.StatusOK).obj(t)
			if items := r["items"].([]any); len(items) != 1 || str(items[0].(map[string]any), "errorType") != "FORM_NOT_FOUND" {
				t.Fatalf("beta's form must not serve acme's task: %v", r)
			}
			tasks := want(t, c.post("/v2/user-tasks/search", filter(map[string]any{"processInstanceKey": pi, "elementId": "embedded"}), acme...), http.StatusOK).obj(t)["items"].([]any)
			task := str(tasks[0].(map[string]any), "userTaskKey")
			want(t, c.send(http.MethodGet, "/v2/user-tasks/"+task+"/form", nil, acme...), http.StatusOK)
			want(t, c.send(http.MethodGet, "/v2/user-tasks/"+task+"/form", nil, beta...), http.StatusNotFound)
			want(t, c.send(http.MethodGet, "/v2/user-tasks/"+task+"/form", nil, as("user", "acme")...), http.StatusNotFound)
			want(t, c.send(http.MethodGet, "/v2/process-definitions/"+def+"/form", nil, beta...), http.StatusNotFound)
		})
	}
}
