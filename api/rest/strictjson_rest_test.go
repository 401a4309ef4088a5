package rest_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/wf-engine/api/rest"
	"github.com/example/wf-engine/core/replaycheck"
)

// TestRequestsAreReadStrictly sends what encoding/json would read loosely
// (issue 14, finding 5) to every route that stores what it is sent: each is
// refused with 400 naming what and where, nothing of it is stored, and
// replay from the log still gives the stored state.
func TestRequestsAreReadStrictly(t *testing.T) {
	for _, sc := range stores {
		t.Run(sc.name, func(t *testing.T) {
			s := sc.open(t)
			c := start(t, s, rest.Config{})
			want(t, c.deploy("order.bpmn"), http.StatusOK)
			want(t, c.deploy("approval.bpmn"), http.StatusOK)
			pi := create(t, c, map[string]any{"amount": 1})
			job := str(activate(t, c, 1)[0], "jobKey")
			approval := createProcess(t, c, "approval", map[string]any{"amount": 21, "urgent": true, "reviewers": []string{"ann"}})
			tasks := searchTasks(t, c, filter(map[string]any{"processInstanceKey": approval}))
			if len(tasks) != 1 {
				t.Fatalf("user tasks: %v", tasks)
			}
			task := str(tasks[0], "userTaskKey")
			refuse := func(method, path, body, says string) {
				t.Helper()
				r := want(t, c.send(method, path, body), http.StatusBadRequest)
				if d := str(r.obj(t), "detail"); !strings.Contains(d, says) {
					t.Fatalf("%s %s %s: detail %q does not say %q", method, path, body, d, says)
				}
			}
			post := http.MethodPost

			// Duplicate keys, at any depth.
			refuse(http.MethodPatch, "/v2/jobs/"+job, `{"changeset":{"retries":1,"retries":5}}`, "request body: duplicate key 'retries' in changeset")
			refuse(post, "/v2/process-instances", `{"processDefinitionId":"order","variables":{"a":1,"b":2,"a":3}}`, "duplicate key 'a' in variables")
			refuse(post, "/v2/process-instances", `{"processDefinitionId":"order","processDefinitionId":"approval"}`, "duplicate key 'processDefinitionId' at the top level")
			refuse(post, "/v2/jobs/"+job+"/completion", `{"variables":{"order":{"lines":[{"n":1,"n":2}]}}}`, "duplicate key 'n' in variables.order.lines[0]")

			// Anything after the document but whitespace.
			refuse(post, "/v2/process-instances", `{"processDefinitionId":"order"}{"processDefinitionId":"order"}`, "unexpected data after the JSON document at byte 31")
			refuse(post, "/v2/process-instances", `{"processDefinitionId":"order"} x`, "unexpected data after the JSON document")

			// Strings the stores cannot keep as sent, in every stored field.
			nul := "holds a NUL character (U+0000)"
			refuse(post, "/v2/process-instances", `{"processDefinitionId":"order","variables":{"a\u0000b":1}}`, `the key "a\\u0000b" in variables `+nul)
			refuse(post, "/v2/process-instances", `{"processDefinitionId":"order","variables":{"a":{"k\u0000":1}}}`, "in variables.a "+nul)
			refuse(post, "/v2/process-instances", `{"processDefinitionId":"order","startInstructions":[{"elementId":"charge\u0000"}]}`, "request property 'startInstructions[0].elementId': the string "+nul)
			refuse(post, "/v2/messages/publication", `{"name":"paid\u0000"}`, "request property 'name'")
			refuse(post, "/v2/messages/publication", `{"name":"paid","correlationKey":"\u0000"}`, "request property 'correlationKey'")
			refuse(post, "/v2/messages/publication", `{"name":"paid","messageId":"m\u0000"}`, "request property 'messageId'")
			refuse(post, "/v2/messages/correlation", `{"name":"paid","correlationKey":"k\u0000"}`, "request property 'correlationKey'")
			refuse(post, "/v2/jobs/"+job+"/error", `{"errorCode":"E\u0000"}`, "request property 'errorCode'")
			refuse(post, "/v2/jobs/"+job+"/error", `{"errorCode":"E","errorMessage":"\u0000"}`, "request property 'errorMessage'")
			refuse(post, "/v2/jobs/"+job+"/failure", `{"retries":1,"errorMessage":"x\u0000"}`, "request property 'errorMessage'")
			refuse(post, "/v2/jobs/activation", `{"type":"charge-card","worker":"w\u0000","timeout":1000,"maxJobsToActivate":1}`, "request property 'worker'")
			refuse(post, "/v2/jobs/activation", `{"type":"charge-card\u0000","timeout":1000,"maxJobsToActivate":1}`, "request property 'type'")
			refuse(post, "/v2/jobs/activation", `{"type":"charge-card","timeout":1000,"maxJobsToActivate":1,"tenantIds":["t\u0000"]}`, "tenantIds")
			refuse(post, "/v2/process-instances", `{"processDefinitionId":"order","tenantId":"t\u0000"}`, "tenantId")
			refuse(post, "/v2/user-tasks/"+task+"/assignment", `{"assignee":"ann\u0000"}`, "request property 'assignee'")
			refuse(http.MethodPatch, "/v2/user-tasks/"+task, `{"changeset":{"candidateUsers":["ann","\u0000"]}}`, "request property 'changeset.candidateUsers[1]'")
			refuse(http.MethodPatch, "/v2/user-tasks/"+task, `{"changeset":{"candidateGroups":["\u0000"]}}`, "request property 'changeset.candidateGroups[0]'")
			refuse(post, "/v2/process-instances", "{\"processDefinitionId\":\"order\",\"variables\":{\"v\":\"caf\xe9\"}}", "request property 'variables.v': the string is not valid UTF-8")
			refuse(post, "/v2/messages/publication", "{\"name\":\"p\xffaid\"}", "request property 'name': the string is not valid UTF-8")
			refuse(post, "/v2/process-instances", `{"processDefinitionId":"order","variables":{"\ud800":1}}`, "unpaired UTF-16 surrogate")

			// The same in a multipart deployment: its file names and tenant.
			for _, tc := range []struct{ filename, tenant, says string }{
				{"caf\xe9.bpmn", "<default>", "resources: file name: \"caf\\xe9.bpmn\" is not valid UTF-8"},
				{"order.bpmn", "t\x00", "tenantId: \"t\\x00\" holds a NUL character"},
			} {
				body := "--B\r\nContent-Disposition: form-data; name=\"resources\"; filename=\"" + tc.filename + "\"\r\n\r\n" + string(readTestdata(t, "order.bpmn")) +
					"\r\n--B\r\nContent-Disposition: form-data; name=\"tenantId\"\r\n\r\n" + tc.tenant + "\r\n--B--\r\n"
				r := want(t, c.do(post, "/v2/deployments", "multipart/form-data; boundary=B", []byte(body)), http.StatusBadRequest)
				if d := str(r.obj(t), "detail"); !strings.Contains(d, tc.says) {
					t.Fatalf("deployment of %q: detail %q does not say %q", tc.filename, d, tc.says)
				}
			}

			// Numbers out of the range Camunda's description allows, or that
			// would overflow a duration.
			refuse(post, "/v2/jobs/"+job+"/failure", `{"retries":-1}`, "request property 'retries': number must be at least 0")
			refuse(post, "/v2/jobs/"+job+"/failure", `{"Retries":-1}`, "request body: key 'Retries' at the top level is not 'retries'")
			refuse(http.MethodPatch, "/v2/jobs/"+job, `{"changeset":{"retries":0}}`, "request property 'changeset.retries'")
			refuse(http.MethodPatch, "/v2/jobs/"+job, `{"changeset":{"timeout":9223372036855}}`, "request property 'changeset.timeout'")
			refuse(post, "/v2/jobs/"+job+"/failure", `{"retries":1,"retryBackOff":-5}`, "request property 'retryBackOff'")
			refuse(post, "/v2/jobs/"+job+"/failure", `{"retries":1,"retryBackOff":9223372036855}`, "request property 'retryBackOff'")
			refuse(post, "/v2/jobs/activation", `{"type":"charge-card","timeout":1000,"maxJobsToActivate":0}`, "request property 'maxJobsToActivate'")
			refuse(post, "/v2/jobs/activation", `{"type":"charge-card","timeout":0,"maxJobsToActivate":1}`, "request property 'timeout'")
			refuse(post, "/v2/jobs/activation", `{"type":"charge-card","timeout":9223372036855,"maxJobsToActivate":1}`, "request property 'timeout'")
			refuse(post, "/v2/jobs/activation", `{"type":"charge-card","timeout":1,"maxJobsToActivate":1,"requestTimeout":9223372036855}`, "request property 'requestTimeout'")
			refuse(post, "/v2/process-instances", `{"processDefinitionId":"order","processDefinitionVersion":-2}`, "request property 'processDefinitionVersion'")
			refuse(post, "/v2/process-instances", `{"processDefinitionId":"order","requestTimeout":-1}`, "request property 'requestTimeout'")
			refuse(post, "/v2/messages/publication", `{"name":"paid","timeToLive":"9223372036855"}`, "request property 'timeToLive'")
			refuse(http.MethodPatch, "/v2/user-tasks/"+task, `{"changeset":{"priority":101}}`, "request property 'changeset.priority'")
			refuse(http.MethodPatch, "/v2/user-tasks/"+task, `{"changeset":{"priority":-1}}`, "request property 'changeset.priority'")

			// Keys no property has, at any depth (Camunda 8.8 refuses
			// them too): a misspelt optional property is not dropped.
			unknown := "is not a property of this request"
			refuse(post, "/v2/process-instances", `{"processDefinitionId":"order","awaitCompletition":true}`, "key 'awaitCompletition' at the top level "+unknown)
			refuse(post, "/v2/process-instances", `{"processDefinitionId":"order","startInstructions":[{"elementId":"a","id":"b"}]}`, "key 'id' in startInstructions[0] "+unknown+" (known: elementId)")
			refuse(post, "/v2/process-instances", `{"processDefinitionId":"order","runtimeInstructions":[{"type":"TERMINATE_PROCESS_INSTANCE","afterElementId":"charge"}]}`,
				"runtimeInstructions: terminating the instance after an element is not supported yet")
			// (Where the description closes an object, its validator says so first.)
			refuse(http.MethodPatch, "/v2/jobs/"+job, `{"changeset":{"retries":5,"retry":1}}`, `request property 'changeset': property "retry" is unsupported`)
			refuse(http.MethodPatch, "/v2/user-tasks/"+task, `{"changeset":{"priority":5,"assignee":"ann"}}`, "key 'assignee' in changeset "+unknown)
			refuse(post, "/v2/jobs/"+job+"/failure", `{"retries":1,"errorMesage":"x"}`, "key 'errorMesage' at the top level "+unknown)
			refuse(post, "/v2/process-instances/search", `{"sort":[{"field":"state","direction":"DESC"}]}`, "key 'direction' in sort[0] "+unknown+" (known: field, order)")
			refuse(post, "/v2/messages/publication", `{"name":"paid","correlationKey":"k","ttl":1000}`, "key 'ttl' at the top level "+unknown)

			// Nothing refused was done: one order instance, the job still
			// activated with its retries, the task unassigned.
			if got := want(t, c.post("/v2/process-instances/search", filter(map[string]any{"processDefinitionId": "order"})), http.StatusOK).obj(t)["items"].([]any); len(got) != 1 || str(got[0].(map[string]any), "processInstanceKey") != pi {
				t.Fatalf("order instances: %v", got)
			}
			jobs := want(t, c.post("/v2/jobs/search", filter(map[string]any{"jobKey": job})), http.StatusOK).obj(t)["items"].([]any)
			if j := jobs[0].(map[string]any); j["retries"] != float64(3) || str(j, "state") != "CREATED" {
				t.Fatalf("job after refused updates: %v", j)
			}
			if got := want(t, c.get("/v2/user-tasks/"+task), http.StatusOK).obj(t); got["assignee"] != nil || got["priority"] != float64(90) {
				t.Fatalf("user task after refused updates: %v", got)
			}

			// What is fine: whitespace after the document, the same key in
			// sibling objects, names differing in case, NUL in a variable's
			// string value (kept escaped in its JSON text), any key inside
			// variables, and an empty runtimeInstructions list.
			r := want(t, c.send(post, "/v2/process-instances", "{\"processDefinitionId\":\"order\",\"runtimeInstructions\":[],\"variables\":{\"a\":{\"k\":1},\"A\":{\"k\":2},\"s\":\"x\\u0000y\"}}\r\n\t "), http.StatusOK).obj(t)
			created := str(r, "processInstanceKey")
			if got := variable(t, c, created, "s"); got != `"x\u0000y"` {
				t.Fatalf("variable s = %s", got)
			}
			if got := variable(t, c, created, "A"); got != `{"k":2}` {
				t.Fatalf("variable A = %s", got)
			}

			// Replay from the log still gives the stored rows.
			if err := replaycheck.Check(context.Background(), s); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
