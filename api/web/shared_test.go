package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/example/wf-engine/api/auth/authtest"
	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/memstore"
)

// sharedNode serves basic logins whose sessions are kept in keeper with
// secret, as one of several engine nodes on one database.
func sharedNode(t *testing.T, clk *clock.Manual, keeper store.SessionKeeper, secret string) string {
	t.Helper()
	users := basicUsers(t)
	login, err := NewLogin(LoginConfig{Mode: ModeBasic, Passwords: users, PublicURL: "http://127.0.0.1", Now: clk.Now,
		Sessions: SessionLimits{IdleTimeout: 30 * time.Minute, MaxLifetime: 12 * time.Hour}, Shared: keeper, Secret: []byte(secret)})
	if err != nil {
		t.Fatal(err)
	}
	return startServer(t, login, users).URL
}

const nodeSecret = "a secret of the nodes, 32 bytes."

// TestSessionsSharedByNodes logs in at one node and uses the session at
// another (cookies are per host, not per port): it is known there, with
// its CSRF token; a use at one node keeps it alive at the other past the
// idle timeout; a logout at one node ends it at the other within
// recheckAfter; and the store never holds the session id.
func TestSessionsSharedByNodes(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC))
	keeper := memstore.New(memstore.Options{})
	a, b := sharedNode(t, clk, keeper, nodeSecret), sharedNode(t, clk, keeper, nodeSecret)
	br := newBrowser(t, a)
	if status, _, body := br.do(http.MethodPost, "/auth/login", `{"username":"alice","password":"ecila"}`); status != http.StatusNoContent {
		t.Fatalf("login at a: %d %s", status, body)
	}
	id := br.cookie(SessionCookie)
	br.base = b
	if status, me := br.me(); status != http.StatusOK || me["name"] != "alice" {
		t.Fatalf("the session at b: %d %v", status, me)
	}
	if status, _, _ := br.do(http.MethodPost, "/v2/anything", "{}", CSRFHeader, br.cookie(CSRFCookie)); status != http.StatusOK {
		t.Fatalf("a state-changing request at b with the CSRF token: %d", status)
	}
	if status, _, _ := br.do(http.MethodPost, "/v2/anything", "{}", CSRFHeader, "wrong"); status != http.StatusForbidden {
		t.Fatalf("a state-changing request at b with a wrong CSRF token: %d", status)
	}
	key := hashID(id)
	row, found, err := keeper.GetSession(t.Context(), key[:])
	if err != nil || !found {
		t.Fatalf("the session is not in the store: %v", err)
	}
	if string(row.IDHash) == id || bytes.Contains(row.Data, []byte(id)) || bytes.Contains(row.Data, []byte(br.cookie(CSRFCookie))) {
		t.Fatal("the store holds the session id or the CSRF token readable")
	}

	// Used at b for 50 minutes; a, which saw no request, still takes it.
	for range 10 {
		clk.Advance(5 * time.Minute)
		if status, _ := br.me(); status != http.StatusOK {
			t.Fatalf("the session at b after %s: %d", clk.Now().Sub(time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)), status)
		}
	}
	br.base = a
	if status, _ := br.me(); status != http.StatusOK {
		t.Fatalf("the session at a, used at b within the idle timeout: %d", status)
	}

	// Logged out at a: b, which knew it a moment ago, forgets it within
	// recheckAfter.
	br.base = b
	if status, _ := br.me(); status != http.StatusOK {
		t.Fatalf("the session at b before the logout: %d", status)
	}
	csrf := br.cookie(CSRFCookie)
	br.base = a
	if status, _, body := br.do(http.MethodPost, "/auth/logout", "", CSRFHeader, csrf); status != http.StatusOK {
		t.Fatalf("logout at a: %d %s", status, body)
	}
	clk.Advance(recheckAfter)
	other := newBrowser(t, b)
	other.setCookie(SessionCookie, id)
	if status, _ := other.me(); status != http.StatusUnauthorized {
		t.Fatalf("the session at b after a logout at a: %d", status)
	}
}

// TestSharedSessionsNeedTheSameSecret: a node with another secret cannot
// read the sessions the others keep, and does not end them.
func TestSharedSessionsNeedTheSameSecret(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC))
	keeper := memstore.New(memstore.Options{})
	a, wrong := sharedNode(t, clk, keeper, nodeSecret), sharedNode(t, clk, keeper, "another secret, also 32 bytes..")
	br := newBrowser(t, a)
	if status, _, _ := br.do(http.MethodPost, "/auth/login", `{"username":"olga","password":"aglo"}`); status != http.StatusNoContent {
		t.Fatalf("login: %d", status)
	}
	br.base = wrong
	if status, _ := br.me(); status != http.StatusUnauthorized {
		t.Fatalf("the session at a node with another secret: %d", status)
	}
	br.base = a
	clk.Advance(recheckAfter)
	if status, me := br.me(); status != http.StatusOK || me["name"] != "olga" {
		t.Fatalf("the session at its own node after the other node failed to read it: %d %v", status, me)
	}
	if _, err := NewLogin(LoginConfig{Mode: ModeBasic, Passwords: basicUsers(t), Shared: keeper, Secret: []byte("short")}); err == nil {
		t.Fatal("a short secret was taken for shared sessions")
	}
}

// TestSharedSessionStoreDown: a login whose session the store cannot keep
// is refused with 503 and sets no cookie; a request with a session the
// node cannot check is 503, not a logout.
func TestSharedSessionStoreDown(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC))
	keeper := memstore.New(memstore.Options{})
	br := newBrowser(t, sharedNode(t, clk, keeper, nodeSecret))
	if status, _, _ := br.do(http.MethodPost, "/auth/login", `{"username":"alice","password":"ecila"}`); status != http.StatusNoContent {
		t.Fatalf("login: %d", status)
	}
	_ = keeper.Close()
	clk.Advance(recheckAfter)
	if status, _ := br.me(); status != http.StatusServiceUnavailable {
		t.Fatalf("a request whose session cannot be checked: %d", status)
	}
	fresh := newBrowser(t, br.base)
	if status, _, _ := fresh.do(http.MethodPost, "/auth/login", `{"username":"alice","password":"ecila"}`); status != http.StatusServiceUnavailable || fresh.cookie(SessionCookie) != "" {
		t.Fatalf("a login the store cannot keep: %d, cookie %q", status, fresh.cookie(SessionCookie))
	}
}

// TestOIDCLoginAcrossNodes starts an OIDC login at one node and lets the
// provider's redirect reach another (the login state's key is derived from
// the nodes' secret); the session is known at both, and an access token
// refreshed at one node is used by the other without a second refresh.
func TestOIDCLoginAcrossNodes(t *testing.T) {
	nodes := oidcNodes(t, authtest.Options{}, "wf-engine", 2, memstore.New(memstore.Options{}))
	a, b := nodes[0], nodes[1]
	br := newBrowser(t, a.base)
	status, h, _ := br.do(http.MethodGet, "/auth/login?"+url.Values{"returnTo": {"/tasklist"}, "login_hint": {"alice"}}.Encode(), "")
	if status != http.StatusFound {
		t.Fatalf("login start at a: %d", status)
	}
	status, h, _ = br.do(http.MethodGet, h.Get("Location"), "")
	callback := h.Get("Location")
	if status != http.StatusFound || !strings.HasPrefix(callback, a.base+"/auth/callback?") {
		t.Fatalf("the provider: %d %q", status, callback)
	}
	status, h, body := br.do(http.MethodGet, b.base+strings.TrimPrefix(callback, a.base), "")
	if status != http.StatusFound || h.Get("Location") != "/tasklist" {
		t.Fatalf("the callback at b: %d %q %s", status, h.Get("Location"), body)
	}
	for _, n := range nodes {
		br.base = n.base
		if status, me := br.me(); status != http.StatusOK || me["name"] != "alice" {
			t.Fatalf("the session at %s: %d %v", n.base, status, me)
		}
	}

	before := a.is.Requests(authtest.TokenPath)
	a.clk.Advance(6 * time.Minute) // past the access token's expiry
	for _, n := range nodes {
		br.base = n.base
		if status, _ := br.me(); status != http.StatusOK {
			t.Fatalf("the session at %s (a=%s) after the access token expired: %d; token calls %d", n.base, a.base, status, a.is.Requests(authtest.TokenPath)-before)
		}
	}
	if n := a.is.Requests(authtest.TokenPath) - before; n != 1 {
		t.Fatalf("%d token calls for one expired access token at two nodes; want 1 refresh", n)
	}
}
