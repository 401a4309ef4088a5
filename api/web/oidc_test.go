package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/example/wf-engine/api/auth"
	"github.com/example/wf-engine/api/auth/authtest"
	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/store"
)

const (
	testClientID     = "wf-web"
	testClientSecret = "client-secret-8d1e"
)

type oidcSetup struct {
	is    *authtest.Issuer
	clk   *clock.Manual
	base  string
	login *Login
}

// oidcServer runs a test issuer with alice (user, group clerks) and olga
// (operator), and the login against it; audience is what the API wants in
// access tokens.
func oidcServer(t *testing.T, opts authtest.Options, audience string) *oidcSetup {
	t.Helper()
	return oidcNodes(t, opts, audience, 1, nil)[0]
}

// oidcNodes is oidcServer for n engine nodes that share the sessions in
// keeper (nil: each its own, in memory) and one public URL, the first
// node's; every node has its own server and the same clock.
func oidcNodes(t *testing.T, opts authtest.Options, audience string, n int, keeper store.SessionKeeper) []*oidcSetup {
	t.Helper()
	opts.Clients = []authtest.Client{{ID: testClientID, Secret: testClientSecret}}
	opts.Users = []authtest.User{{Name: "alice", Roles: []string{"user"}, Groups: []string{"clerks"}}, {Name: "olga", Roles: []string{"operator"}}}
	is, err := authtest.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(is.Close)
	bearer, err := auth.NewOIDC(context.Background(), auth.OIDCConfig{Issuer: is.URL(), Audience: audience})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bearer.Close)
	deadline := time.Now().Add(10 * time.Second)
	for !bearer.Ready() {
		if time.Now().After(deadline) {
			t.Fatal("the OIDC authenticator did not discover the test issuer")
		}
		time.Sleep(5 * time.Millisecond)
	}
	clk := clock.NewManual(time.Now())
	app, err := NewStatic(testApp())
	if err != nil {
		t.Fatal(err)
	}
	var nodes []*oidcSetup
	public := ""
	for range n {
		var h http.Handler // set below, once the server's URL is known, before any request
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
		t.Cleanup(srv.Close)
		if public == "" {
			public = srv.URL
		}
		cfg := LoginConfig{Mode: ModeOIDC, PublicURL: public, Now: clk.Now,
			OIDC: &OIDCLogin{Issuer: is.URL(), ClientID: testClientID, ClientSecret: testClientSecret, Tokens: bearer}}
		if keeper != nil {
			cfg.Shared, cfg.Secret = keeper, []byte(nodeSecret)
		}
		login, err := NewLogin(cfg)
		if err != nil {
			t.Fatal(err)
		}
		h = Handler(testAPI(login.SessionAuthenticator(bearer)), app, login)
		nodes = append(nodes, &oidcSetup{is: is, clk: clk, base: srv.URL, login: login})
	}
	return nodes
}

// logIn runs the code flow in b as user, from /auth/login?returnTo= to the
// callback's redirect, and returns where the callback sent the browser.
func (s *oidcSetup) logIn(t *testing.T, b *browser, user, returnTo string) string {
	t.Helper()
	status, h, _ := b.do(http.MethodGet, "/auth/login?"+url.Values{"returnTo": {returnTo}, "login_hint": {user}}.Encode(), "")
	if status != http.StatusFound {
		t.Fatalf("login start: %d", status)
	}
	authorize, _ := url.Parse(h.Get("Location"))
	q := authorize.Query()
	if !strings.HasPrefix(authorize.String(), s.is.URL()+authtest.AuthorizePath) || q.Get("code_challenge_method") != "S256" ||
		q.Get("code_challenge") == "" || q.Get("state") == "" || q.Get("nonce") == "" || q.Get("client_id") != testClientID ||
		q.Get("redirect_uri") != s.base+"/auth/callback" || q.Get("response_type") != "code" || !strings.Contains(q.Get("scope"), "openid") ||
		q.Get("client_secret") != "" {
		t.Fatalf("login start sent the browser to %s", authorize)
	}
	status, h, _ = b.do(http.MethodGet, authorize.String(), "")
	callback := h.Get("Location")
	if status != http.StatusFound || !strings.HasPrefix(callback, s.base+"/auth/callback?") {
		t.Fatalf("the provider: %d %q", status, callback)
	}
	status, h, body := b.do(http.MethodGet, callback, "")
	if status != http.StatusFound {
		t.Fatalf("callback: %d %s", status, body)
	}
	checkSessionCookies(t, h, false)
	return h.Get("Location")
}

func TestOIDCLoginFlow(t *testing.T) {
	s := oidcServer(t, authtest.Options{}, "wf-engine")
	b := newBrowser(t, s.base)
	if status, _, body := b.do(http.MethodGet, "/auth/config", ""); status != http.StatusOK || strings.TrimSpace(body) != `{"mode":"oidc"}` {
		t.Fatalf("config: %d %s", status, body)
	}
	if to := s.logIn(t, b, "alice", "/tasklist/7?mine=1"); to != "/tasklist/7?mine=1" {
		t.Fatalf("after login the browser goes to %q", to)
	}
	if status, me := b.me(); status != http.StatusOK || me["name"] != "alice" || me["roles"].([]any)[0] != "user" || me["groups"].([]any)[0] != "clerks" {
		t.Fatalf("me with the cookie: %d %v", status, me)
	}
	if status, _, _ := b.do(http.MethodPost, "/v2/user-tasks/search", "{}"); status != http.StatusForbidden {
		t.Fatalf("a POST without the CSRF token: %d", status)
	}
	if status, _, _ := b.do(http.MethodPost, "/v2/user-tasks/search", "{}", CSRFHeader, b.cookie(CSRFCookie)); status != http.StatusOK {
		t.Fatalf("a POST with the CSRF token: %d", status)
	}

	// The access token expires: the session refreshes it once, with the
	// refresh token, and goes on.
	// Concurrent requests share that one refresh.
	before := s.is.Requests(authtest.TokenPath)
	s.clk.Advance(6 * time.Minute)
	var wg sync.WaitGroup
	statuses := make([]int, 8)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i], _, _ = b.do(http.MethodGet, "/v2/authentication/me", "")
		}()
	}
	wg.Wait()
	for i, status := range statuses {
		if status != http.StatusOK {
			t.Fatalf("request %d after the access token expired: %d", i, status)
		}
	}
	if n := s.is.Requests(authtest.TokenPath) - before; n != 1 {
		t.Fatalf("%d token calls for an expired access token; want 1 refresh", n)
	}

	// Logout ends the session and sends the browser to the provider's
	// end-session endpoint, which sends it back.
	id := b.cookie(SessionCookie)
	status, _, body := b.do(http.MethodPost, "/auth/logout", "", CSRFHeader, b.cookie(CSRFCookie))
	if status != http.StatusOK || b.cookie(SessionCookie) != "" {
		t.Fatalf("logout: %d %s", status, body)
	}
	redirect := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(body), `{"redirect":"`), `"}`)
	end, _ := url.Parse(redirect)
	if !strings.HasPrefix(redirect, s.is.URL()+authtest.EndSessionPath+"?") || end.Query().Get("id_token_hint") == "" ||
		end.Query().Get("post_logout_redirect_uri") != s.base+"/" || end.Query().Get("client_id") != testClientID {
		t.Fatalf("logout redirect %q", redirect)
	}
	if status, h, _ := b.do(http.MethodGet, redirect, ""); status != http.StatusFound || h.Get("Location") != s.base+"/" {
		t.Fatalf("end session: %d %q", status, h.Get("Location"))
	}
	stale := newBrowser(t, s.base)
	stale.setCookie(SessionCookie, id)
	if status, _ := stale.me(); status != http.StatusUnauthorized {
		t.Fatalf("the session works after logout: %d", status)
	}
}

func TestOIDCLoginWithoutRefreshTokenEndsWithTheToken(t *testing.T) {
	s := oidcServer(t, authtest.Options{NoRefreshTokens: true}, "wf-engine")
	b := newBrowser(t, s.base)
	s.logIn(t, b, "olga", "/")
	if status, me := b.me(); status != http.StatusOK || me["name"] != "olga" {
		t.Fatalf("me: %d %v", status, me)
	}
	s.clk.Advance(5*time.Minute + time.Second)
	if status, _ := b.me(); status != http.StatusUnauthorized {
		t.Fatalf("after the access token expired without a refresh token: %d", status)
	}
}

func TestOIDCCallbackRefusals(t *testing.T) {
	s := oidcServer(t, authtest.Options{}, "wf-engine")
	b := newBrowser(t, s.base)

	// Open redirects: returnTo must be a path on this site.
	for _, evil := range []string{"https://evil.example/", "//evil.example", `/\evil.example`} {
		if to := s.logIn(t, b, "alice", evil); to != "/" {
			t.Fatalf("returnTo %q sent the browser to %q", evil, to)
		}
	}

	start := func() (authorize *url.URL) {
		t.Helper()
		_, h, _ := b.do(http.MethodGet, "/auth/login?login_hint=alice", "")
		authorize, _ = url.Parse(h.Get("Location"))
		return authorize
	}
	callbackOf := func(authorize *url.URL) string {
		t.Helper()
		_, h, _ := b.do(http.MethodGet, authorize.String(), "")
		return h.Get("Location")
	}

	// A callback whose state is not the browser's login.
	cb, _ := url.Parse(callbackOf(start()))
	q := cb.Query()
	q.Set("state", "forged")
	cb.RawQuery = q.Encode()
	if status, _, body := b.do(http.MethodGet, cb.String(), ""); status != http.StatusBadRequest || !strings.Contains(body, "state") {
		t.Fatalf("forged state: %d %s", status, body)
	}
	// Another browser (no login cookie) cannot finish this browser's login.
	good := callbackOf(start())
	other := newBrowser(t, s.base)
	if status, _, _ := other.do(http.MethodGet, good, ""); status != http.StatusBadRequest {
		t.Fatalf("a callback in another browser: %d", status)
	}
	if status, _, _ := b.do(http.MethodGet, good, ""); status != http.StatusFound {
		t.Fatalf("the right callback: %d", status)
	}
	// The login cookie is used up: replaying the callback fails.
	if status, _, _ := b.do(http.MethodGet, good, ""); status != http.StatusBadRequest {
		t.Fatalf("a replayed callback: %d", status)
	}
	// A tampered login cookie.
	start()
	b.c.Jar.SetCookies(mustURL(s.base+"/auth/callback"), []*http.Cookie{{Name: loginCookie, Value: "AAAA" + strings.Repeat("x", 40), Path: "/auth/callback"}})
	if status, _, _ := b.do(http.MethodGet, "/auth/callback?code=x&state=y", ""); status != http.StatusBadRequest {
		t.Fatalf("a forged login cookie: %d", status)
	}
	// The provider refused.
	authorize := start()
	state := authorize.Query().Get("state")
	if status, _, body := b.do(http.MethodGet, "/auth/callback?"+url.Values{"error": {"access_denied"}, "state": {state}}.Encode(), ""); status != http.StatusUnauthorized ||
		!strings.Contains(body, "access_denied") {
		t.Fatalf("a refusal: %d %s", status, body)
	}
	// A login that took too long.
	authorize = start()
	cbURL := callbackOf(authorize)
	s.clk.Advance(loginStateTTL + time.Second)
	if status, _, body := b.do(http.MethodGet, cbURL, ""); status != http.StatusBadRequest || !strings.Contains(body, "too long") {
		t.Fatalf("a late callback: %d %s", status, body)
	}
}

func TestOIDCAccessTokenTheAPIRefuses(t *testing.T) {
	s := oidcServer(t, authtest.Options{}, "another-audience")
	b := newBrowser(t, s.base)
	_, h, _ := b.do(http.MethodGet, "/auth/login?login_hint=alice", "")
	_, h, _ = b.do(http.MethodGet, h.Get("Location"), "")
	status, _, body := b.do(http.MethodGet, h.Get("Location"), "")
	if status != http.StatusForbidden || !strings.Contains(body, "wrong audience") || b.cookie(SessionCookie) != "" {
		t.Fatalf("an access token for another audience: %d %s", status, body)
	}
}

func TestOIDCProviderDown(t *testing.T) {
	s := oidcServer(t, authtest.Options{}, "wf-engine")
	s.is.SetDown(true)
	b := newBrowser(t, s.base)
	status, h, body := b.do(http.MethodGet, "/auth/login", "")
	if status != http.StatusServiceUnavailable || h.Get("Retry-After") == "" || !strings.Contains(body, "identity provider") {
		t.Fatalf("login while the provider is down: %d %v %s", status, h, body)
	}
	// However many logins arrive, discovery is tried at most once per
	// discoveryRetry.
	n := s.is.Requests(authtest.DiscoveryPath)
	for i := 0; i < 5; i++ {
		b.do(http.MethodGet, "/auth/login", "")
	}
	if got := s.is.Requests(authtest.DiscoveryPath); got != n {
		t.Fatalf("%d more discovery calls for 5 logins within %s", got-n, discoveryRetry)
	}
}

func TestModeNone(t *testing.T) {
	h := serveApp(t)
	if a := do(t, h, http.MethodGet, "/auth/config"); a.status != http.StatusOK || strings.TrimSpace(a.body) != `{"mode":"none"}` {
		t.Fatalf("config: %d %s", a.status, a.body)
	}
	for _, route := range []string{"GET /auth/login", "POST /auth/login", "GET /auth/callback", "POST /auth/logout"} {
		method, target, _ := strings.Cut(route, " ")
		if a := do(t, h, method, target); a.status != http.StatusNotFound {
			t.Errorf("%s: %d", route, a.status)
		}
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
