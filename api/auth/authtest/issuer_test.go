package authtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestTokenEndpoint(t *testing.T) {
	is, err := Start(Options{Clients: []Client{{ID: "c1", Secret: "s:1", Roles: []string{"worker"}}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(is.Close)
	post := func(form url.Values, user, pass string) (int, map[string]any) {
		t.Helper()
		return postToken(t, is, form, user, pass)
	}
	grant := url.Values{"grant_type": {"client_credentials"}}
	if code, body := post(grant, "c1", "s:1"); code != 200 || body["token_type"] != "Bearer" || body["access_token"] == "" {
		t.Fatalf("basic client auth: %d %v", code, body)
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"c1"}, "client_secret": {"s:1"}}
	if code, body := post(form, "", ""); code != 200 {
		t.Fatalf("form client auth: %d %v", code, body)
	}
	if code, body := post(grant, "c1", "wrong"); code != 401 || body["error"] != "invalid_client" {
		t.Fatalf("wrong secret: %d %v", code, body)
	}
	if code, body := post(url.Values{"grant_type": {"password"}}, "c1", "s:1"); code != 400 || body["error"] != "unsupported_grant_type" {
		t.Fatalf("password grant: %d %v", code, body)
	}
	is.SetDown(true)
	if code, _ := post(grant, "c1", "s:1"); code != http.StatusServiceUnavailable {
		t.Fatalf("down: %d", code)
	}
	if n := is.Requests(TokenPath); n != 5 {
		t.Fatalf("%d token requests counted; want 5", n)
	}
}

func TestStartRefusesNonLoopbackAddresses(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0"} {
		if is, err := Start(Options{Addr: addr}); err == nil {
			is.Close()
			t.Errorf("Start(%q) listened", addr)
		}
	}
}

func TestParseClient(t *testing.T) {
	c, err := ParseClient("w:sec:worker,user:t1,t2")
	if err != nil || c.ID != "w" || c.Secret != "sec" || strings.Join(c.Roles, "|") != "worker|user" || strings.Join(c.Tenants, "|") != "t1|t2" {
		t.Fatalf("ParseClient = %+v, %v", c, err)
	}
	for _, s := range []string{"", "w", ":s", "w:", "a:b:c:d:e"} {
		if _, err := ParseClient(s); err == nil {
			t.Errorf("ParseClient(%q) accepted", s)
		}
	}
}

// postToken posts form to the token endpoint, with client credentials in
// basic authentication when user is set, and returns the status and the
// JSON answer.
func postToken(t *testing.T, is *Issuer, form url.Values, user, pass string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, is.URL()+TokenPath, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(url.QueryEscape(user), url.QueryEscape(pass))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}
