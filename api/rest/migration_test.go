package rest_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/example/wf-engine/api/rest"
)

// migrationSetup deploys both versions of the shipping process and starts
// an instance of version 1; it returns the instance and version 2's key.
func migrationSetup(t *testing.T, c *client) (pi, v2 string) {
	t.Helper()
	definitionKeyOf(t, c, "migrate-v1.bpmn")
	v2 = definitionKeyOf(t, c, "migrate-v2.bpmn")
	r := want(t, c.post("/v2/process-instances", map[string]any{"processDefinitionId": "shipping", "processDefinitionVersion": 1}), http.StatusOK).obj(t)
	return str(r, "processInstanceKey"), v2
}

// definitionKeyOf deploys one BPMN file and returns its definition's key.
func definitionKeyOf(t *testing.T, c *client, file string) string {
	t.Helper()
	d := want(t, c.deploy(file), http.StatusOK).obj(t)
	deps, _ := d["deployments"].([]any)
	if len(deps) != 1 {
		t.Fatalf("deploying %s: %v", file, d)
	}
	pd, _ := deps[0].(map[string]any)["processDefinition"].(map[string]any)
	return str(pd, "processDefinitionKey")
}

func packMapping() []map[string]any {
	return []map[string]any{{"sourceElementId": "pack", "targetElementId": "pack-v2"}}
}

func TestMigrateProcessInstance(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		pi, v2 := migrationSetup(t, c)
		want(t, c.post("/v2/process-instances/"+pi+"/migration", map[string]any{
			"targetProcessDefinitionKey": v2, "mappingInstructions": packMapping(), "operationReference": "7"}), http.StatusNoContent)

		var inst rest.ProcessInstanceResult
		want(t, c.get("/v2/process-instances/"+pi), http.StatusOK).json(t, &inst)
		if inst.ProcessDefinitionVersion != 2 || strconv.FormatInt(int64(inst.ProcessDefinitionKey), 10) != v2 || inst.State != "ACTIVE" {
			t.Fatalf("migrated instance: %+v", inst)
		}
		// The job keeps its type (Camunda does not re-evaluate it) and names
		// the target's element and definition.
		jobs := want(t, c.post("/v2/jobs/search", map[string]any{"filter": map[string]any{"processInstanceKey": pi}}), http.StatusOK).obj(t)
		items, _ := jobs["items"].([]any)
		if len(items) != 1 {
			t.Fatalf("jobs of %s: %v", pi, jobs)
		}
		job := items[0].(map[string]any)
		if str(job, "elementId") != "pack-v2" || str(job, "type") != "migrate-pack" || str(job, "processDefinitionKey") != v2 {
			t.Fatalf("migrated job: %v", job)
		}
		// Completing it goes on in version 2: its user task appears.
		want(t, c.post("/v2/jobs/"+str(job, "jobKey")+"/completion", nil), http.StatusNoContent)
		eventually(t, "the user task of version 2", func() bool {
			tasks := want(t, c.post("/v2/user-tasks/search", map[string]any{"filter": map[string]any{"processInstanceKey": pi}}), http.StatusOK).obj(t)
			items, _ := tasks["items"].([]any)
			return len(items) == 1 && str(items[0].(map[string]any), "elementId") == "notify"
		})
	})
}

func TestMigrateProcessInstanceRefused(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		pi, v2 := migrationSetup(t, c)
		path := "/v2/process-instances/" + pi + "/migration"
		cases := []struct {
			name   string
			path   string
			body   any
			status int
			title  string
			detail string
		}{
			{"no body", path, nil, http.StatusBadRequest, "INVALID_ARGUMENT", "required"},
			{"no mapping instructions", path, map[string]any{"targetProcessDefinitionKey": v2}, http.StatusBadRequest, "INVALID_ARGUMENT", "mappingInstructions"},
			{"a mapping without target", path, map[string]any{"targetProcessDefinitionKey": v2, "mappingInstructions": []map[string]any{{"sourceElementId": "pack"}}},
				http.StatusBadRequest, "INVALID_ARGUMENT", "targetElementId"},
			{"an unknown field", path, map[string]any{"targetProcessDefinitionKey": v2, "mappingInstructions": packMapping(), "filter": map[string]any{}},
				http.StatusBadRequest, "INVALID_ARGUMENT", "filter"},
			{"a target element the target lacks", path, map[string]any{"targetProcessDefinitionKey": v2, "mappingInstructions": []map[string]any{{"sourceElementId": "pack", "targetElementId": "nowhere"}}},
				http.StatusBadRequest, "INVALID_ARGUMENT", "target element 'nowhere'"},
			{"a source element mapped twice", path, map[string]any{"targetProcessDefinitionKey": v2, "mappingInstructions": append(packMapping(), map[string]any{"sourceElementId": "pack", "targetElementId": "notify"})},
				http.StatusBadRequest, "INVALID_ARGUMENT", "source element 'pack' more than once"},
			{"no such instance", "/v2/process-instances/2251799813699999/migration", map[string]any{"targetProcessDefinitionKey": v2, "mappingInstructions": packMapping()},
				http.StatusNotFound, "NOT_FOUND", "2251799813699999"},
			{"no such target", path, map[string]any{"targetProcessDefinitionKey": "2251799813699999", "mappingInstructions": packMapping()},
				http.StatusNotFound, "NOT_FOUND", "process definition '2251799813699999'"},
			{"an unmapped active element", path, map[string]any{"targetProcessDefinitionKey": v2, "mappingInstructions": []any{}},
				http.StatusConflict, "INVALID_STATE", "active element 'pack'"},
			{"another element type", path, map[string]any{"targetProcessDefinitionKey": v2, "mappingInstructions": []map[string]any{{"sourceElementId": "pack", "targetElementId": "notify"}}},
				http.StatusConflict, "INVALID_STATE", "'pack' of type SERVICE_TASK is mapped to 'notify' of type USER_TASK"},
		}
		for _, tc := range cases {
			r := want(t, c.post(tc.path, tc.body), tc.status)
			if title(t, r) != tc.title || !strings.Contains(string(r.body), tc.detail) {
				t.Errorf("%s: %s", tc.name, r.body)
			}
		}
		// Nothing moved.
		var inst rest.ProcessInstanceResult
		want(t, c.get("/v2/process-instances/"+pi), http.StatusOK).json(t, &inst)
		if inst.ProcessDefinitionVersion != 1 {
			t.Fatalf("refused migrations moved the instance: %+v", inst)
		}
	})
}

func TestMigrateProcessInstances(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		a, v2 := migrationSetup(t, c)
		r := want(t, c.post("/v2/process-instances", map[string]any{"processDefinitionId": "shipping", "processDefinitionVersion": 1}), http.StatusOK).obj(t)
		b := str(r, "processInstanceKey")
		plan := map[string]any{"targetProcessDefinitionKey": v2, "mappingInstructions": packMapping()}
		var out rest.MigrateProcessInstancesResult
		want(t, c.post("/v2/x/process-instances/migration", map[string]any{
			"processInstanceKeys": []string{a, "2251799813699999", b}, "migrationPlan": plan}), http.StatusOK).json(t, &out)
		if out.Migrated != 2 || out.Failed != 1 || len(out.Items) != 3 {
			t.Fatalf("batch: %+v", out)
		}
		if !out.Items[0].Migrated || out.Items[1].Migrated || !out.Items[2].Migrated || strconv.FormatInt(int64(out.Items[0].ProcessInstanceKey), 10) != a {
			t.Fatalf("batch items: %+v", out.Items)
		}
		if p := out.Items[1].Problem; p == nil || p.Status != http.StatusNotFound || p.Title != "NOT_FOUND" {
			t.Fatalf("the unknown instance's problem: %+v", p)
		}
		// Migrating again is refused per instance: they run version 2 now,
		// which has no element 'pack'.
		want(t, c.post("/v2/x/process-instances/migration", map[string]any{
			"processInstanceKeys": []string{a}, "migrationPlan": plan}), http.StatusOK).json(t, &out)
		if out.Failed != 1 || out.Items[0].Problem == nil || out.Items[0].Problem.Status != http.StatusBadRequest ||
			!strings.Contains(out.Items[0].Problem.Detail, "source element 'pack'") {
			t.Fatalf("second batch: %+v %+v", out, out.Items[0].Problem)
		}
		// By filter: the active instances of version 1 only (a and b run
		// version 2 now; the completed one is not ACTIVE).
		r = want(t, c.post("/v2/process-instances", map[string]any{"processDefinitionId": "shipping", "processDefinitionVersion": 1}), http.StatusOK).obj(t)
		d := str(r, "processInstanceKey")
		v1 := want(t, c.get("/v2/process-instances/"+d), http.StatusOK).obj(t)
		want(t, c.post("/v2/x/process-instances/migration", map[string]any{
			"filter": map[string]any{"processDefinitionKey": str(v1, "processDefinitionKey"), "state": "COMPLETED"}, "migrationPlan": plan}), http.StatusOK).json(t, &out)
		if out.Migrated != 1 || out.Failed != 0 || len(out.Items) != 1 || strconv.FormatInt(int64(out.Items[0].ProcessInstanceKey), 10) != d {
			t.Fatalf("batch by filter: %+v", out)
		}
		want(t, c.post("/v2/x/process-instances/migration", map[string]any{
			"filter": map[string]any{"processDefinitionId": "shipping"}, "processInstanceKeys": []string{a}, "migrationPlan": plan}), http.StatusBadRequest)
		want(t, c.post("/v2/x/process-instances/migration", map[string]any{
			"filter": map[string]any{"noSuchField": 1}, "migrationPlan": plan}), http.StatusBadRequest)

		// Bounds and a bad plan answer 400 for the whole request.
		keys := make([]string, 1001)
		for i := range keys {
			keys[i] = a
		}
		want(t, c.post("/v2/x/process-instances/migration", map[string]any{"processInstanceKeys": keys, "migrationPlan": plan}), http.StatusBadRequest)
		want(t, c.post("/v2/x/process-instances/migration", map[string]any{"processInstanceKeys": []string{}, "migrationPlan": plan}), http.StatusBadRequest)
		want(t, c.post("/v2/x/process-instances/migration", map[string]any{"processInstanceKeys": []string{a},
			"migrationPlan": map[string]any{"targetProcessDefinitionKey": "0", "mappingInstructions": packMapping()}}), http.StatusBadRequest)
	})
}
