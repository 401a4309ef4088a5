package rest_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/example/wf-engine/api/rest"
	"github.com/example/wf-engine/core/store/memstore"
)

// definitionKey deploys a file and returns its process definition's key.
func definitionKey(t *testing.T, c *client, file string) string {
	t.Helper()
	_, key := deployedForms(t, c.deploy(file))
	if key == "" {
		t.Fatalf("deploying %s created no process definition", file)
	}
	return key
}

func TestResourceDeletion(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		v1 := definitionKey(t, c, "order.bpmn")
		v2 := definitionKey(t, c, "order-v2.bpmn")
		forms, _ := deployedForms(t, c.deploy("review.form"))
		formKey := strconv.FormatInt(int64(forms["review-form"].FormKey), 10)

		// The resource and its content.
		var res rest.ResourceResult
		want(t, c.get("/v2/resources/"+v2), http.StatusOK).json(t, &res)
		if res != (rest.ResourceResult{ResourceName: "order-v2.bpmn", Version: 2, ResourceID: "order", TenantID: "<default>", ResourceKey: res.ResourceKey}) ||
			strconv.FormatInt(int64(res.ResourceKey), 10) != v2 {
			t.Fatalf("resource %s: %+v", v2, res)
		}
		var content string
		want(t, c.get("/v2/resources/"+v2+"/content"), http.StatusOK).json(t, &content)
		if b, _ := os.ReadFile(filepath.Join("testdata", "order-v2.bpmn")); content != string(b) {
			t.Fatalf("content of %s: %q", v2, content)
		}
		want(t, c.get("/v2/resources/"+formKey), http.StatusOK).json(t, &res)
		if res.ResourceID != "review-form" || res.ResourceName != "review.form" || res.Version != 1 {
			t.Fatalf("form resource: %+v", res)
		}

		// An active instance of version 2 keeps it from being deleted.
		pi := create(t, c, nil)
		r := want(t, c.post("/v2/resources/"+v2+"/deletion", nil), http.StatusConflict)
		if title(t, r) != "INVALID_STATE" || !strings.Contains(string(r.body), "1 is active") {
			t.Fatalf("deleting a definition with an active instance: %s", r.body)
		}
		job := activate(t, c, 1)[0]
		want(t, c.post("/v2/jobs/"+str(job, "jobKey")+"/completion", nil), http.StatusNoContent)

		// Deleted: 200 without a body, gone from gets and searches.
		r = want(t, c.post("/v2/resources/"+v2+"/deletion", map[string]any{"operationReference": 7}), http.StatusOK)
		if len(r.body) != 0 {
			t.Fatalf("deletion answered a body: %s", r.body)
		}
		want(t, c.get("/v2/resources/"+v2), http.StatusNotFound)
		want(t, c.get("/v2/process-definitions/"+v2), http.StatusNotFound)
		want(t, c.get("/v2/process-definitions/"+v2+"/xml"), http.StatusNotFound)
		if r := want(t, c.post("/v2/resources/"+v2+"/deletion", nil), http.StatusNotFound); title(t, r) != "NOT_FOUND" {
			t.Fatalf("deleting twice: %s", r.body)
		}
		defs := want(t, c.post("/v2/process-definitions/search", map[string]any{"filter": map[string]any{"processDefinitionId": "order"}}), http.StatusOK).obj(t)
		items := defs["items"].([]any)
		if len(items) != 1 || str(items[0].(map[string]any), "processDefinitionKey") != v1 {
			t.Fatalf("definitions after deleting version 2: %s", defs)
		}
		latest := want(t, c.post("/v2/process-definitions/search", map[string]any{"filter": map[string]any{"isLatestVersion": true}}), http.StatusOK).obj(t)
		if items := latest["items"].([]any); len(items) != 1 || str(items[0].(map[string]any), "processDefinitionKey") != v1 {
			t.Fatalf("latest definitions after deleting version 2: %s", latest)
		}

		// The finished instance's history stays; new instances start on
		// version 1, and deploying version 2's XML again makes version 3.
		old := want(t, c.get("/v2/process-instances/"+pi), http.StatusOK).obj(t)
		if old["processDefinitionVersion"] != float64(2) || str(old, "state") != "COMPLETED" {
			t.Fatalf("history of the deleted version's instance: %v", old)
		}
		created := want(t, c.post("/v2/process-instances", map[string]any{"processDefinitionId": "order"}), http.StatusOK).obj(t)
		if str(created, "processDefinitionKey") != v1 || created["processDefinitionVersion"] != float64(1) {
			t.Fatalf("instance after deleting the latest version: %v", created)
		}
		if r := want(t, c.post("/v2/process-instances", map[string]any{"processDefinitionKey": v2}), http.StatusNotFound); title(t, r) != "NOT_FOUND" {
			t.Fatalf("instance of the deleted definition: %s", r.body)
		}
		again := want(t, c.deploy("order-v2.bpmn"), http.StatusOK).obj(t)
		pd := again["deployments"].([]any)[0].(map[string]any)["processDefinition"].(map[string]any)
		if pd["processDefinitionVersion"] != float64(3) || str(pd, "processDefinitionKey") == v2 {
			t.Fatalf("redeploying the deleted version's XML: %v", pd)
		}

		// A form version is deleted too.
		want(t, c.post("/v2/resources/"+formKey+"/deletion", nil), http.StatusOK)
		want(t, c.get("/v2/resources/"+formKey), http.StatusNotFound)
	})
}

func TestResourceRoutesRefuseBadKeys(t *testing.T) {
	c := start(t, memstore.New(memstore.Options{}), rest.Config{})
	for _, path := range []string{"/v2/resources/abc", "/v2/resources/abc/content"} {
		want(t, c.get(path), http.StatusBadRequest)
	}
	want(t, c.post("/v2/resources/abc/deletion", nil), http.StatusBadRequest)
	want(t, c.post("/v2/resources/1/deletion", map[string]any{"operationReference": 0}), http.StatusBadRequest)
	want(t, c.get("/v2/resources/1"), http.StatusNotFound)
	if r := want(t, c.post("/v2/resources/1/deletion", nil), http.StatusNotFound); title(t, r) != "NOT_FOUND" {
		t.Fatalf("deleting an unknown key: %s", r.body)
	}
}

// TestResourcesOfAnotherTenant: with multi-tenancy on, another tenant's
// resource is not found for gets and deletion alike, and a member of its
// tenant deletes it.
func TestResourcesOfAnotherTenant(t *testing.T) {
	for _, sc := range stores {
		t.Run(sc.name, func(t *testing.T) {
			c := start(t, sc.open(t), rest.Config{Authenticator: fakeAuth{}, AuthMode: "oidc", Multitenancy: true})
			acme, beta := as("operator", "acme"), as("operator", "beta")
			_, key := deployedForms(t, deployTo(t, c, "order.bpmn", "acme", acme))
			var res rest.ResourceResult
			want(t, c.send(http.MethodGet, "/v2/resources/"+key, nil, acme...), http.StatusOK).json(t, &res)
			if res.TenantID != "acme" || res.ResourceID != "order" {
				t.Fatalf("acme's resource: %+v", res)
			}
			want(t, c.send(http.MethodGet, "/v2/resources/"+key, nil, beta...), http.StatusNotFound)
			want(t, c.send(http.MethodGet, "/v2/resources/"+key+"/content", nil, beta...), http.StatusNotFound)
			want(t, c.post("/v2/resources/"+key+"/deletion", nil, beta...), http.StatusNotFound)
			want(t, c.send(http.MethodGet, "/v2/resources/"+key, nil, acme...), http.StatusOK)
			want(t, c.post("/v2/resources/"+key+"/deletion", nil, acme...), http.StatusOK)
			want(t, c.send(http.MethodGet, "/v2/resources/"+key, nil, acme...), http.StatusNotFound)
			want(t, c.post("/v2/process-instances", map[string]any{"processDefinitionId": "order", "tenantId": "acme"}, acme...), http.StatusNotFound)
		})
	}
}
