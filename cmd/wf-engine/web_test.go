package main

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/example/wf-engine/api/auth/authtest"
	"github.com/example/wf-engine/api/web"
)

// TestWebAppServed: the same server answers the API and the web app, each
// on its own paths.
func TestWebAppServed(t *testing.T) {
	base, _ := serveArgs(t, nil, "WF_DATABASE_URL=memory")
	b := newWebBrowser(t, base)
	status, h, body := b.do(http.MethodGet, "/tasklist/42", "", "Accept", "text/html")
	if status != http.StatusOK || !strings.Contains(body, "<html") || h.Get("Cache-Control") != "no-cache" ||
		!strings.Contains(h.Get("Content-Security-Policy"), "script-src 'self';") || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("an app page: %d %v %s", status, h, body)
	}
	if status, _, body := b.do(http.MethodGet, "/v2/topology", "", "Accept", "text/html"); status != http.StatusOK || !strings.Contains(body, "brokers") {
		t.Fatalf("the API next to the app: %d %s", status, body)
	}
	if status, _, body := b.do(http.MethodGet, "/v2/no-such-route", "", "Accept", "text/html"); status != http.StatusNotFound || strings.Contains(body, "<html") {
		t.Fatalf("an unknown API route: %d %s", status, body)
	}
	if status, _, body := b.do(http.MethodGet, "/auth/config", ""); status != http.StatusOK || strings.TrimSpace(body) != `{"mode":"none"}` {
		t.Fatalf("auth config: %d %s", status, body)
	}
}

// TestOIDCBrowserLogin runs the web app's OIDC login end to end against a
// test issuer: start, provider, callback, cookie, API calls with the
// cookie (CSRF token needed to change state), logout at the provider.
func TestOIDCBrowserLogin(t *testing.T) {
	const clientSecret = "web-client-secret-51c9"
	is, err := authtest.Start(authtest.Options{Audience: "wf-engine",
		Clients: []authtest.Client{{ID: "wf-engine-web", Secret: clientSecret}},
		Users:   []authtest.User{{Name: "olga", Roles: []string{"operator"}}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(is.Close)
	base, log := serveArgs(t, []string{"--auth.mode", "oidc", "--auth.oidc.issuer", is.URL(), "--auth.oidc.audience", "wf-engine",
		"--auth.oidc.client_id", "wf-engine-web", "--log.level", "debug"}, "WF_DATABASE_URL=memory", "WF_AUTH_OIDC_CLIENT_SECRET="+clientSecret)
	waitForIssuer(t, base, is.Token("olga", "operator"))

	b := newWebBrowser(t, base)
	if status, _, body := b.do(http.MethodGet, "/auth/config", ""); status != http.StatusOK || strings.TrimSpace(body) != `{"mode":"oidc"}` {
		t.Fatalf("auth config: %d %s", status, body)
	}
	status, h, _ := b.do(http.MethodGet, "/auth/login?returnTo=%2Finspector%2Fprocesses&login_hint=olga", "")
	if status != http.StatusFound || !strings.HasPrefix(h.Get("Location"), is.URL()+authtest.AuthorizePath) ||
		!strings.Contains(h.Get("Location"), url.QueryEscape(base+"/auth/callback")) {
		t.Fatalf("login start: %d %q", status, h.Get("Location"))
	}
	status, h, _ = b.do(http.MethodGet, h.Get("Location"), "")
	if status != http.StatusFound {
		t.Fatalf("provider: %d", status)
	}
	status, h, body := b.do(http.MethodGet, h.Get("Location"), "")
	if status != http.StatusFound || h.Get("Location") != "/inspector/processes" || b.cookie(web.SessionCookie) == "" {
		t.Fatalf("callback: %d %q %s", status, h.Get("Location"), body)
	}
	status, _, body = b.do(http.MethodGet, "/v2/authentication/me", "")
	if status != http.StatusOK || !strings.Contains(body, `"olga"`) || !strings.Contains(body, `"operator"`) {
		t.Fatalf("me with the session cookie: %d %s", status, body)
	}
	if status, _, body := b.do(http.MethodPost, "/v2/process-instances/search", "{}"); status != http.StatusForbidden || !strings.Contains(body, "X-CSRF-Token") {
		t.Fatalf("a POST without the CSRF token: %d %s", status, body)
	}
	if status, _, body := b.do(http.MethodPost, "/v2/process-instances/search", "{}", "X-CSRF-Token", b.cookie(web.CSRFCookie)); status != http.StatusOK {
		t.Fatalf("a POST with the CSRF token: %d %s", status, body)
	}

	status, _, body = b.do(http.MethodPost, "/auth/logout", "", "X-CSRF-Token", b.cookie(web.CSRFCookie))
	var out struct{ Redirect string }
	if status != http.StatusOK || json.Unmarshal([]byte(body), &out) != nil || !strings.HasPrefix(out.Redirect, is.URL()+authtest.EndSessionPath+"?") ||
		!strings.Contains(out.Redirect, "id_token_hint=") || b.cookie(web.SessionCookie) != "" {
		t.Fatalf("logout: %d %s", status, body)
	}
	if status, h, _ := b.do(http.MethodGet, out.Redirect, ""); status != http.StatusFound || h.Get("Location") != base+"/" {
		t.Fatalf("the provider's logout: %d %q", status, h.Get("Location"))
	}
	if status, _, _ := b.do(http.MethodGet, "/v2/authentication/me", ""); status != http.StatusUnauthorized {
		t.Fatalf("me after logout: %d", status)
	}
	if strings.Contains(log.String(), clientSecret) {
		t.Fatal("the log holds the client secret")
	}
}

// waitForIssuer polls until the engine has discovered the issuer (discovery
// runs in the background) and accepts token.
func waitForIssuer(t *testing.T, base, token string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		status, _, _ := sendAs(t, http.MethodGet, base+"/v2/topology", "", "Authorization", "Bearer "+token)
		if status == http.StatusOK {
			return
		}
		if status != http.StatusServiceUnavailable || time.Now().After(deadline) {
			t.Fatalf("a valid token: %d", status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestBasicBrowserLogin: the login form's route checks the configured
// users' passwords and starts a session the API accepts.
func TestBasicBrowserLogin(t *testing.T) {
	base, _ := serveArgs(t, []string{"--config", basicConfig(t, "alice-pw-1", "bob-pw-2", "")}, "WF_DATABASE_URL=memory")
	b := newWebBrowser(t, base)
	if status, _, _ := b.do(http.MethodPost, "/auth/login", `{"username":"alice","password":"wrong"}`); status != http.StatusUnauthorized || b.cookie(web.SessionCookie) != "" {
		t.Fatalf("a wrong password: %d", status)
	}
	if status, _, body := b.do(http.MethodPost, "/auth/login", `{"username":"bob","password":"bob-pw-2"}`); status != http.StatusNoContent {
		t.Fatalf("login: %d %s", status, body)
	}
	status, _, body := b.do(http.MethodGet, "/v2/authentication/me", "")
	if status != http.StatusOK || !strings.Contains(body, `"bob"`) || !strings.Contains(body, `"user"`) {
		t.Fatalf("me: %d %s", status, body)
	}
	// bob is a user: the session has his roles, no more.
	if status, _, _ := b.do(http.MethodPost, "/v2/process-instances/search", "{}", "X-CSRF-Token", b.cookie(web.CSRFCookie)); status != http.StatusForbidden {
		t.Fatalf("a user searched instances: %d", status)
	}
}

func TestPublicURL(t *testing.T) {
	for _, tc := range []struct {
		name, public, scheme, addr, want string
	}{
		{"the listen address", "", "http", "127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"TLS", "", "https", "[::1]:8443", "https://[::1]:8443"},
		{"an unspecified address", "", "http", "0.0.0.0:8080", "http://localhost:8080"},
		{"configured", "https://wf.example.com/", "http", "0.0.0.0:8080", "https://wf.example.com"},
	} {
		addr, err := net.ResolveTCPAddr("tcp", tc.addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := (HTTPConfig{PublicURL: tc.public}).publicURL(tc.scheme, addr); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestPublicURLIsAnAllowedOrigin(t *testing.T) {
	h := HTTPConfig{AllowedOrigins: []string{"http://localhost:5173"}}
	if got := strings.Join(h.allowedOrigins(), " "); got != "http://localhost:5173" {
		t.Fatalf("without a public URL: %q", got)
	}
	h.PublicURL = "https://wf.example.com/"
	if got := strings.Join(h.allowedOrigins(), " "); got != "http://localhost:5173 https://wf.example.com" || len(h.AllowedOrigins) != 1 {
		t.Fatalf("with a public URL: %q (configured %v)", got, h.AllowedOrigins)
	}
}

func TestWebLoginConfigValidation(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"a client id without a secret", func(c *Config) { c.Auth.OIDC.ClientID = "web" }, "auth.oidc.client_id and auth.oidc.client_secret"},
		{"no public URL on an unspecified address", func(c *Config) {
			c.HTTP.Address = "0.0.0.0:8080"
			c.Auth.OIDC.ClientID, c.Auth.OIDC.ClientSecret = "web", "s"
		}, "http.public_url: the web app's OIDC login needs"},
		{"a public URL with a path", func(c *Config) { c.HTTP.PublicURL = "https://wf.example.com/engine" }, "http.public_url: expected"},
		{"an idle timeout beyond the lifetime", func(c *Config) { c.Auth.Session.IdleTimeout = 24 * time.Hour }, "auth.session"},
		{"no sessions", func(c *Config) { c.Auth.Session.MaxSessions = 0 }, "auth.session.max_sessions"},
	} {
		cfg := defaultConfig()
		cfg.Auth.Mode = authOIDC
		cfg.Auth.OIDC.Issuer, cfg.Auth.OIDC.Audience = "https://idp.example.com", "wf-engine"
		tc.mod(&cfg)
		if err := cfg.validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error about %q", tc.name, err, tc.want)
		}
	}
	cfg := defaultConfig()
	cfg.HTTP.Address = "0.0.0.0:8080"
	cfg.HTTP.PublicURL = "https://wf.example.com"
	cfg.Auth.Mode = authOIDC
	cfg.Auth.OIDC.Issuer, cfg.Auth.OIDC.Audience, cfg.Auth.OIDC.ClientID, cfg.Auth.OIDC.ClientSecret = "https://idp.example.com", "wf-engine", "web", "s"
	if err := cfg.validate(); err != nil {
		t.Fatalf("a valid web login: %v", err)
	}
}

// webBrowser is an HTTP client with cookies that does not follow
// redirects.
type webBrowser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newWebBrowser(t *testing.T, base string) *webBrowser {
	jar, _ := cookiejar.New(nil)
	return &webBrowser{t: t, base: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a request through the browser's client; a target starting with
// / goes to the engine.
func (b *webBrowser) do(method, target, body string, header ...string) (int, http.Header, string) {
	b.t.Helper()
	if strings.HasPrefix(target, "/") {
		target = b.base + target
	}
	return sendWith(b.t, b.c, method, target, body, header...)
}

func (b *webBrowser) cookie(name string) string {
	u, _ := url.Parse(b.base)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}
