package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/example/wf-engine/api/web"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
)

// TestBrowserSessionsKeptInPostgres: on PostgreSQL with cluster.secret a
// browser session is kept in the store (ADR 35), so it outlives the node
// that made it: a new node on the database takes the cookie. Without the
// secret sessions stay in memory and end with the process.
func TestBrowserSessionsKeptInPostgres(t *testing.T) {
	url := pgtest.URL(t)
	cfg := basicConfig(t, "alice-pw-1", "bob-pw-2", "")
	shared := []string{"WF_DATABASE_URL=" + url, "WF_CLUSTER_SECRET=the nodes' secret, at least 16 bytes"}
	var cookie string
	t.Run("log in", func(t *testing.T) {
		base, _ := serveArgs(t, []string{"--config", cfg}, shared...)
		status, h, body := sendAs(t, http.MethodPost, base+"/auth/login", `{"username":"alice","password":"alice-pw-1"}`)
		if status != http.StatusNoContent {
			t.Fatalf("login: %d %s", status, body)
		}
		for _, c := range (&http.Response{Header: h}).Cookies() {
			if c.Name == web.SessionCookie {
				cookie = c.Name + "=" + c.Value
			}
		}
		if cookie == "" {
			t.Fatal("the login set no session cookie")
		}
	})
	me := func(t *testing.T, env []string) (int, string) {
		t.Helper()
		base, _ := serveArgs(t, []string{"--config", cfg}, env...)
		status, _, body := sendAs(t, http.MethodGet, base+"/v2/authentication/me", "", "Cookie", cookie)
		return status, body
	}
	t.Run("another node", func(t *testing.T) {
		if status, body := me(t, shared); status != http.StatusOK || !strings.Contains(body, "alice") {
			t.Fatalf("the session at a new node: %d %s", status, body)
		}
	})
	t.Run("without the secret", func(t *testing.T) {
		if status, body := me(t, shared[:1]); status != http.StatusUnauthorized {
			t.Fatalf("the session at a node keeping sessions in memory: %d %s", status, body)
		}
	})
}
