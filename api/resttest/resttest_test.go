package resttest_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/example/wf-engine/api/auth/authtest"
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

func TestStartWithBasicUsers(t *testing.T) {
	srv := resttest.Start(t, resttest.Options{Users: []resttest.User{{Name: "ada", Password: "s3cret", Roles: []string{"operator"}}}})
	if got := get(t, srv.URL+"/v2/topology", func(r *http.Request) {}); got != http.StatusUnauthorized {
		t.Errorf("without credentials: %d, want 401", got)
	}
	if got := get(t, srv.URL+"/v2/topology", func(r *http.Request) { r.SetBasicAuth("ada", "wrong") }); got != http.StatusUnauthorized {
		t.Errorf("wrong password: %d, want 401", got)
	}
	if got := get(t, srv.URL+"/v2/topology", func(r *http.Request) { r.SetBasicAuth("ada", "s3cret") }); got != http.StatusOK {
		t.Errorf("right password: %d, want 200", got)
	}
}

func TestStartWithAnIssuer(t *testing.T) {
	is := resttest.StartIssuer(t, authtest.Options{})
	srv := resttest.Start(t, resttest.Options{Issuer: is})
	if got := get(t, srv.URL+"/v2/topology", func(r *http.Request) {}); got != http.StatusUnauthorized {
		t.Errorf("without a token: %d, want 401", got)
	}
	tok := is.Token("ada", "operator")
	if got := get(t, srv.URL+"/v2/topology", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }); got != http.StatusOK {
		t.Errorf("with a token: %d, want 200", got)
	}
}

// get sends a GET after set prepared it and returns the status.
func get(t *testing.T, url string, set func(*http.Request)) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	set(req)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	return res.StatusCode
}
