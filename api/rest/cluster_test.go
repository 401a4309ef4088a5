package rest_test

import (
	"net/http"
	"testing"

	"github.com/example/wf-engine/api/rest"
	"github.com/example/wf-engine/core/store/memstore"
)

// TestClusterAsCamundaClientsRead checks topology, status and license
// field by field as the 8.8 clients read them, and that status and license
// answer without credentials, as in Camunda, while topology does not.
func TestClusterAsCamundaClientsRead(t *testing.T) {
	c := start(t, memstore.New(memstore.Options{}), rest.Config{Authenticator: fakeAuth{}, Host: "127.0.0.1", Port: 8080})
	want(t, c.get("/v2/topology"), http.StatusUnauthorized)
	want(t, c.get("/v2/status"), http.StatusNoContent)

	topo := want(t, c.send(http.MethodGet, "/v2/topology", nil, "Authorization", "Bearer role:worker"), http.StatusOK).obj(t)
	for k, v := range map[string]any{"clusterSize": 1.0, "partitionsCount": 1.0, "replicationFactor": 1.0, "gatewayVersion": "8.8.0", "lastCompletedChangeId": "-1"} {
		if topo[k] != v {
			t.Errorf("topology %s = %#v, want %#v", k, topo[k], v)
		}
	}
	brokers, _ := topo["brokers"].([]any)
	if len(brokers) != 1 {
		t.Fatalf("brokers: %v", topo)
	}
	b := brokers[0].(map[string]any)
	parts, _ := b["partitions"].([]any)
	if b["nodeId"] != 0.0 || b["host"] != "127.0.0.1" || b["port"] != 8080.0 || b["version"] != "8.8.0" || len(parts) != 1 {
		t.Fatalf("broker: %v", b)
	}
	if p := parts[0].(map[string]any); p["partitionId"] != 1.0 || p["role"] != "leader" || p["health"] != "healthy" {
		t.Fatalf("partition: %v", p)
	}

	lic := want(t, c.get("/v2/license"), http.StatusOK).obj(t)
	if len(lic) != 3 || lic["validLicense"] != false || lic["licenseType"] != "unknown" || lic["isCommercial"] != false {
		t.Fatalf("license: %v", lic)
	}
}
