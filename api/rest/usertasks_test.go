package rest_test

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"testing"

	"github.com/example/wf-engine/api/rest"
)

// searchTasks runs a user task search and returns its items.
func searchTasks(t *testing.T, c *client, body any) []map[string]any {
	t.Helper()
	r := want(t, c.post("/v2/user-tasks/search", body), http.StatusOK).obj(t)
	var out []map[string]any
	for _, it := range r["items"].([]any) {
		out = append(out, it.(map[string]any))
	}
	return out
}

func filter(f map[string]any) map[string]any { return map[string]any{"filter": f} }

func TestUserTasks(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		want(t, c.deploy("approval.bpmn"), http.StatusOK)
		pi := createProcess(t, c, "approval", map[string]any{"amount": 21, "urgent": true, "reviewers": []string{"ann", "bob"}})

		found := searchTasks(t, c, filter(map[string]any{"processInstanceKey": pi, "state": "CREATED"}))
		if len(found) != 1 {
			t.Fatalf("search by instance and state: %v", found)
		}
		task := found[0]
		key := str(task, "userTaskKey")
		switch {
		case str(task, "name") != "Review the request", str(task, "elementId") != "review", str(task, "state") != "CREATED",
			fmt.Sprint(task["candidateGroups"]) != "[managers finance]", fmt.Sprint(task["candidateUsers"]) != "[ann bob]",
			task["priority"] != float64(90), str(task, "dueDate") != "2030-01-03T08:00:00.000Z", task["assignee"] != nil,
			fmt.Sprint(task["customHeaders"]) != "map[kind:expense]", str(task, "processDefinitionId") != "approval",
			str(task, "processName") != "Approval", str(task, "processInstanceKey") != pi, str(task, "tenantId") != "<default>",
			str(task, "creationDate") == "", str(task, "elementInstanceKey") == "", str(task, "processDefinitionKey") == "",
			task["processDefinitionVersion"] != float64(1), task["completionDate"] != nil:
			t.Fatalf("user task: %v", task)
		}
		if got := want(t, c.get("/v2/user-tasks/"+key), http.StatusOK).obj(t); fmt.Sprint(got) != fmt.Sprint(task) {
			t.Fatalf("get differs from search:\n%v\n%v", got, task)
		}

		// Filters and sorts.
		for name, tc := range map[string]struct {
			filter map[string]any
			n      int
		}{
			"candidate group":     {map[string]any{"candidateGroup": "finance"}, 1},
			"other group":         {map[string]any{"candidateGroup": "sales"}, 0},
			"candidate user like": {map[string]any{"candidateUser": map[string]any{"$like": "b?b"}}, 1},
			"not a candidate":     {map[string]any{"candidateUser": map[string]any{"$neq": "ann"}}, 0},
			"priority":            {map[string]any{"priority": map[string]any{"$gte": 50}}, 1},
			"unassigned":          {map[string]any{"assignee": map[string]any{"$exists": false}}, 1},
			"due after":           {map[string]any{"dueDate": map[string]any{"$gt": "2030-01-01T00:00:00Z"}}, 1},
			"no follow-up":        {map[string]any{"followUpDate": map[string]any{"$exists": true}}, 0},
			"element":             {map[string]any{"elementId": "review", "userTaskKey": key}, 1},
			"completed":           {map[string]any{"state": "COMPLETED"}, 0},
			"states":              {map[string]any{"state": map[string]any{"$in": []string{"CREATED", "ASSIGNING"}}}, 1},
			"other tenant":        {map[string]any{"tenantId": "acme"}, 0},
			"name":                {map[string]any{"name": "Review the request"}, 1},
			"name like":           {map[string]any{"name": map[string]any{"$like": "Review*"}}, 1},
			"other name":          {map[string]any{"name": "Review"}, 0},
		} {
			if got := searchTasks(t, c, filter(tc.filter)); len(got) != tc.n {
				t.Fatalf("%s: %d tasks, want %d: %v", name, len(got), tc.n, got)
			}
		}
		if got := want(t, c.post("/v2/user-tasks/search", map[string]any{"sort": []any{map[string]any{"field": "name", "order": "DESC"}}}), http.StatusOK).obj(t); len(got["items"].([]any)) == 0 {
			t.Fatalf("sort by name: %v", got)
		}
		for name, body := range map[string]any{
			"unknown state": filter(map[string]any{"state": "DONE"}),
			"bad date":      filter(map[string]any{"dueDate": "soon"}),
			"bad cursor":    map[string]any{"page": map[string]any{"after": "bm9wZQ=="}},
		} {
			if r := c.post("/v2/user-tasks/search", body); r.status != http.StatusBadRequest {
				t.Fatalf("search, %s: %d %s", name, r.status, r.body)
			}
		}

		// Cursor paging over two tasks sorted by priority.
		pi2 := createProcess(t, c, "approval", map[string]any{"amount": 1, "urgent": false, "reviewers": []string{}})
		byPriority := []any{map[string]any{"field": "priority", "order": "DESC"}}
		p1 := want(t, c.post("/v2/user-tasks/search", map[string]any{"sort": byPriority, "page": map[string]any{"limit": 1}}), http.StatusOK).obj(t)
		page1 := p1["page"].(map[string]any)
		if items := p1["items"].([]any); len(items) != 1 || items[0].(map[string]any)["priority"] != float64(90) || page1["totalItems"] != float64(2) {
			t.Fatalf("first page: %v", p1)
		}
		p2 := want(t, c.post("/v2/user-tasks/search", map[string]any{"sort": byPriority, "page": map[string]any{"limit": 1, "after": page1["endCursor"]}}), http.StatusOK).obj(t)
		if items := p2["items"].([]any); len(items) != 1 || str(items[0].(map[string]any), "processInstanceKey") != pi2 {
			t.Fatalf("second page: %v", p2)
		}
		back := want(t, c.post("/v2/user-tasks/search", map[string]any{"sort": byPriority, "page": map[string]any{"limit": 1, "before": p2["page"].(map[string]any)["startCursor"]}}), http.StatusOK).obj(t)
		if fmt.Sprint(back["items"]) != fmt.Sprint(p1["items"]) {
			t.Fatalf("page before the second: %v", back)
		}

		// Assignment: override by default, not when refused.
		want(t, c.post("/v2/user-tasks/"+key+"/assignment", map[string]any{"assignee": "ann"}), http.StatusNoContent)
		if a := str(c.get("/v2/user-tasks/"+key).obj(t), "assignee"); a != "ann" {
			t.Fatalf("assignee %q", a)
		}
		if got := searchTasks(t, c, filter(map[string]any{"assignee": "ann"})); len(got) != 1 {
			t.Fatalf("search by assignee: %v", got)
		}
		refused := want(t, c.post("/v2/user-tasks/"+key+"/assignment", map[string]any{"assignee": "bob", "allowOverride": false}), http.StatusConflict)
		if title(t, refused) != "INVALID_STATE" {
			t.Fatalf("assignment without override: %s", refused.body)
		}
		want(t, c.post("/v2/user-tasks/"+key+"/assignment", map[string]any{"assignee": "bob", "allowOverride": nil, "action": nil}), http.StatusNoContent)
		if a := str(c.get("/v2/user-tasks/"+key).obj(t), "assignee"); a != "bob" {
			t.Fatalf("assignee after override %q", a)
		}
		want(t, c.post("/v2/user-tasks/"+key+"/assignment", map[string]any{}), http.StatusBadRequest)
		want(t, c.post("/v2/user-tasks/"+key+"/assignment", map[string]any{"assignee": ""}), http.StatusBadRequest)
		want(t, c.send(http.MethodDelete, "/v2/user-tasks/"+key+"/assignee", nil), http.StatusNoContent)
		if got := c.get("/v2/user-tasks/" + key).obj(t); got["assignee"] != nil {
			t.Fatalf("unassigned task: %v", got)
		}

		// Updates change the given attributes only.
		want(t, c.send(http.MethodPatch, "/v2/user-tasks/"+key, map[string]any{"changeset": map[string]any{"priority": 10, "candidateGroups": []string{}, "dueDate": "", "candidateUsers": nil}}), http.StatusNoContent)
		got := c.get("/v2/user-tasks/" + key).obj(t)
		if got["priority"] != float64(10) || len(got["candidateGroups"].([]any)) != 0 || got["dueDate"] != nil || fmt.Sprint(got["candidateUsers"]) != "[ann bob]" {
			t.Fatalf("updated task: %v", got)
		}
		want(t, c.send(http.MethodPatch, "/v2/user-tasks/"+key, map[string]any{"changeset": map[string]any{"followUpDate": "2030-02-01T11:00:00+01:00"}}), http.StatusNoContent)
		if f := str(c.get("/v2/user-tasks/"+key).obj(t), "followUpDate"); f != "2030-02-01T10:00:00.000Z" {
			t.Fatalf("follow-up date %q", f)
		}
		want(t, c.send(http.MethodPatch, "/v2/user-tasks/"+key, map[string]any{"action": "escalate"}), http.StatusNoContent)
		for name, body := range map[string]any{
			"nothing":          map[string]any{},
			"empty changeset":  map[string]any{"changeset": map[string]any{}},
			"no body":          nil,
			"not a date":       map[string]any{"changeset": map[string]any{"dueDate": "tomorrow"}},
			"priority too big": map[string]any{"changeset": map[string]any{"priority": 101}},
		} {
			if r := c.send(http.MethodPatch, "/v2/user-tasks/"+key, body); r.status != http.StatusBadRequest {
				t.Fatalf("update, %s: %d %s", name, r.status, r.body)
			}
		}

		// The variables the task sees: its own, the subprocess's and the instance's.
		vars := want(t, c.post("/v2/user-tasks/"+key+"/variables/search", nil), http.StatusOK).obj(t)
		var names []string
		for _, v := range vars["items"].([]any) {
			names = append(names, str(v.(map[string]any), "name"))
		}
		sort.Strings(names)
		if !slices.Equal(names, []string{"amount", "doubled", "reviewers", "round", "urgent"}) {
			t.Fatalf("task variables: %v", vars)
		}
		doubled := want(t, c.post("/v2/user-tasks/"+key+"/variables/search", filter(map[string]any{"name": "doubled"})), http.StatusOK).obj(t)
		if items := doubled["items"].([]any); len(items) != 1 || str(items[0].(map[string]any), "value") != "42" {
			t.Fatalf("task variable by name: %v", doubled)
		}
		want(t, c.post("/v2/user-tasks/"+key+"/variables/search", filter(map[string]any{"scopeKey": pi})), http.StatusBadRequest)

		// Completion continues the process, once.
		want(t, c.post("/v2/user-tasks/"+key+"/completion", map[string]any{"variables": map[string]any{"approved": true}}), http.StatusNoContent)
		again := c.post("/v2/user-tasks/"+key+"/completion", map[string]any{"variables": map[string]any{"approved": false}})
		if again.status != http.StatusNotFound && again.status != http.StatusConflict {
			t.Fatalf("second completion: %d %s", again.status, again.body)
		}
		want(t, again, again.status)
		waitState(t, c, pi, "COMPLETED")
		if d := variable(t, c, pi, "decision"); d != "true" {
			t.Fatalf("output mapping after completion: %q", d)
		}
		done := want(t, c.get("/v2/user-tasks/"+key), http.StatusOK).obj(t)
		if str(done, "state") != "COMPLETED" || str(done, "userTaskKey") != key || str(done, "assignee") != "" {
			t.Fatalf("completed task: %v", done)
		}
		if str(done, "completionDate") == "" || str(done, "completionDate") < str(done, "creationDate") {
			t.Fatalf("completed task has completionDate %q (created %q)", str(done, "completionDate"), str(done, "creationDate"))
		}
		if got := searchTasks(t, c, filter(map[string]any{"state": "COMPLETED"})); len(got) != 1 || str(got[0], "userTaskKey") != key {
			t.Fatalf("completed tasks: %v", got)
		}

		// Cancelling the instance cancels its task; a canceled task cannot be completed.
		want(t, c.post("/v2/process-instances/"+pi2+"/cancellation", nil), http.StatusNoContent)
		canceled := searchTasks(t, c, filter(map[string]any{"processInstanceKey": pi2}))
		if len(canceled) != 1 || str(canceled[0], "state") != "CANCELED" {
			t.Fatalf("task of a canceled instance: %v", canceled)
		}
		if r := c.post("/v2/user-tasks/"+str(canceled[0], "userTaskKey")+"/completion", nil); r.status != http.StatusNotFound && r.status != http.StatusConflict {
			t.Fatalf("completing a canceled task: %d %s", r.status, r.body)
		}

		for _, r := range []*response{
			c.get("/v2/user-tasks/999"),
			c.post("/v2/user-tasks/999/assignment", map[string]any{"assignee": "ann"}),
			c.send(http.MethodDelete, "/v2/user-tasks/999/assignee", nil),
			c.post("/v2/user-tasks/999/completion", nil),
			c.send(http.MethodPatch, "/v2/user-tasks/999", map[string]any{"changeset": map[string]any{"priority": 1}}),
			c.post("/v2/user-tasks/999/variables/search", nil),
		} {
			want(t, r, http.StatusNotFound)
		}
		want(t, c.get("/v2/user-tasks/abc"), http.StatusBadRequest)
	})
}
