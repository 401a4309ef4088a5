package resttest_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/example/wf-engine/api/resttest"
)

func TestStartServesTheAPI(t *testing.T) {
	for _, sqlite := range []bool{false, true} {
		srv := resttest.Start(t, resttest.Options{SQLite: sqlite})
		res, err := http.Get(srv.URL + "/v2/topology")
		if err != nil {
			t.Fatal(err)
		}
		var topo map[string]any
		err = json.NewDecoder(res.Body).Decode(&topo)
		_ = res.Body.Close()
		if err != nil || res.StatusCode != http.StatusOK || topo["brokers"] == nil {
			t.Fatalf("sqlite=%t: topology answered %d %v (%v)", sqlite, res.StatusCode, topo, err)
		}
	}
}
