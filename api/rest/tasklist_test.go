package rest_test

import (
	"net/http"
	"testing"

	"github.com/example/wf-engine/api/rest"
)

// TestUsersWorkOnTheirOwnTasks: a principal with only the user role sees
// the tasks it is the assignee or a candidate (user or group) of, claims
// them only for itself and completes only its own; an operator sees all.
func TestUsersWorkOnTheirOwnTasks(t *testing.T) {
	for _, sc := range stores {
		t.Run(sc.name, func(t *testing.T) {
			c := start(t, sc.open(t), rest.Config{Authenticator: fakeAuth{}, AuthMode: "oidc"})
			op := []string{"Authorization", "Bearer role:operator"}
			user := func(name, groups string) []string {
				h := "Bearer role:user;user:" + name
				if groups != "" {
					h += ";groups:" + groups
				}
				return []string{"Authorization", h}
			}
			ann, carl, dave := user("ann", ""), user("carl", "finance"), user("dave", "sales")
			want(t, deployTo(t, c, "approval.bpmn", "<default>", op), http.StatusOK)
			want(t, c.post("/v2/process-instances", map[string]any{"processDefinitionId": "approval",
				"variables": map[string]any{"amount": 21, "urgent": true, "reviewers": []string{"ann", "bob"}}}, op...), http.StatusOK)
			want(t, c.post("/v2/process-instances", map[string]any{"processDefinitionId": "approval",
				"variables": map[string]any{"amount": 5, "urgent": false, "reviewers": []string{"zoe"}}}, op...), http.StatusOK)

			count := func(h []string) (int, string) {
				r := want(t, c.post("/v2/user-tasks/search", map[string]any{"filter": map[string]any{"state": "CREATED"}}, h...), http.StatusOK).obj(t)
				items, _ := r["items"].([]any)
				if len(items) == 0 {
					return 0, ""
				}
				return len(items), str(items[0].(map[string]any), "userTaskKey")
			}
			if n, _ := count(op); n != 2 {
				t.Fatalf("the operator sees %d tasks, want 2", n)
			}
			n, key := count(ann)
			if n != 1 {
				t.Fatalf("ann (a candidate user of one task) sees %d tasks", n)
			}
			if n, _ := count(carl); n != 2 {
				t.Fatalf("carl (in candidate group finance of both) sees %d tasks", n)
			}
			if n, _ := count(dave); n != 0 {
				t.Fatalf("dave (no relation) sees %d tasks", n)
			}
			want(t, c.send(http.MethodGet, "/v2/user-tasks/"+key, nil, dave...), http.StatusNotFound)
			want(t, c.post("/v2/user-tasks/"+key+"/variables/search", map[string]any{}, dave...), http.StatusNotFound)
			want(t, c.post("/v2/user-tasks/"+key+"/assignment", map[string]any{"assignee": "dave"}, dave...), http.StatusNotFound)
			want(t, c.send(http.MethodGet, "/v2/user-tasks/"+key, nil, ann...), http.StatusOK)
			want(t, c.post("/v2/user-tasks/"+key+"/variables/search", map[string]any{}, ann...), http.StatusOK)

			want(t, c.post("/v2/user-tasks/"+key+"/assignment", map[string]any{"assignee": "bob"}, ann...), http.StatusForbidden)
			want(t, c.post("/v2/user-tasks/"+key+"/completion", map[string]any{}, ann...), http.StatusForbidden)
			want(t, c.post("/v2/user-tasks/"+key+"/assignment", map[string]any{"assignee": "ann"}, ann...), http.StatusNoContent)
			// carl may see it (group) but not take it from ann, nor complete
			// or unassign it.
			if r := c.post("/v2/user-tasks/"+key+"/assignment", map[string]any{"assignee": "carl", "allowOverride": true}, carl...); r.status < 400 {
				t.Fatalf("carl took ann's task: %d %s", r.status, r.body)
			}
			want(t, c.post("/v2/user-tasks/"+key+"/completion", map[string]any{}, carl...), http.StatusForbidden)
			want(t, c.send(http.MethodDelete, "/v2/user-tasks/"+key+"/assignee", nil, carl...), http.StatusForbidden)
			want(t, c.send(http.MethodPatch, "/v2/user-tasks/"+key, map[string]any{"changeset": map[string]any{"priority": 1}}, ann...), http.StatusForbidden)
			want(t, c.post("/v2/user-tasks/"+key+"/completion", map[string]any{"variables": map[string]any{"approved": true}}, ann...), http.StatusNoContent)
		})
	}
}
