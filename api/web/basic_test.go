package web

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/example/wf-engine/api/auth"
	"github.com/example/wf-engine/core/clock"
)

// basicUsers returns an authenticator of alice (user, group clerks) and
// olga (operator), whose password is their name reversed.
func basicUsers(t *testing.T) *auth.Basic {
	t.Helper()
	hash := func(pw string) string {
		h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost) // fast, for tests
		if err != nil {
			t.Fatal(err)
		}
		return string(h)
	}
	b, err := auth.NewBasic([]auth.BasicUser{
		{Name: "alice", PasswordHash: hash("ecila"), Roles: []auth.Role{auth.RoleUser}, Groups: []string{"clerks"}},
		{Name: "olga", PasswordHash: hash("aglo"), Roles: []auth.Role{auth.RoleOperator}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func basicServer(t *testing.T, now func() time.Time, limits SessionLimits) (*Login, *browser) {
	t.Helper()
	users := basicUsers(t)
	login, err := NewLogin(LoginConfig{Mode: ModeBasic, Passwords: users, PublicURL: "http://127.0.0.1", Sessions: limits, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, login, users)
	return login, newBrowser(t, srv.URL)
}

func TestBasicLoginFlow(t *testing.T) {
	_, b := basicServer(t, nil, SessionLimits{})
	if status, _, body := b.do(http.MethodGet, "/auth/config", ""); status != http.StatusOK || strings.TrimSpace(body) != `{"mode":"basic"}` {
		t.Fatalf("config: %d %s", status, body)
	}
	// Not logged in: a script's request gets 401 without a Basic challenge
	// (no browser password dialog); other clients keep the challenge.
	status, h, _ := b.do(http.MethodGet, "/v2/authentication/me", "", "Sec-Fetch-Mode", "cors")
	if status != http.StatusUnauthorized || strings.HasPrefix(h.Get("WWW-Authenticate"), "Basic") {
		t.Fatalf("a script without a session: %d %q", status, h.Get("WWW-Authenticate"))
	}
	if status, h, _ := b.do(http.MethodGet, "/v2/authentication/me", ""); status != http.StatusUnauthorized || !strings.HasPrefix(h.Get("WWW-Authenticate"), "Basic") {
		t.Fatalf("curl without credentials: %d %q", status, h.Get("WWW-Authenticate"))
	}

	// The form lives in the app: /auth/login sends a browser there.
	if status, h, _ := b.do(http.MethodGet, "/auth/login?returnTo=%2Ftasklist%2F3", ""); status != http.StatusFound || h.Get("Location") != "/login?returnTo=%2Ftasklist%2F3" {
		t.Fatalf("GET /auth/login: %d %q", status, h.Get("Location"))
	}
	if status, h, _ := b.do(http.MethodGet, "/auth/login?returnTo=%2F%2Fevil.example", ""); status != http.StatusFound || h.Get("Location") != "/login?returnTo=%2F" {
		t.Fatalf("GET /auth/login to another site: %d %q", status, h.Get("Location"))
	}

	for name, body := range map[string]string{
		"wrong password": `{"username":"alice","password":"alice"}`,
		"unknown user":   `{"username":"mallory","password":"x"}`,
	} {
		status, _, answer := b.do(http.MethodPost, "/auth/login", body)
		if status != http.StatusUnauthorized || !strings.Contains(answer, `"status":401`) || b.cookie(SessionCookie) != "" {
			t.Fatalf("%s: %d %s", name, status, answer)
		}
	}
	if status, _, _ := b.do(http.MethodPost, "/auth/login", `{"user":"alice"}`); status != http.StatusBadRequest {
		t.Fatalf("a body without username: %d", status)
	}
	if status, _, body := b.do(http.MethodPost, "/auth/login", `{"username":"alice","password":"ecila","remember":true}`); status != http.StatusBadRequest || !strings.Contains(body, `Expected {\"username\"`) {
		t.Fatalf("login with an unknown key: %d %s", status, body)
	}
	if status, _, _ := b.do(http.MethodPost, "/auth/login", `{"username":"alice","password":"ecila"}`, "Content-Type", "text/plain"); status != http.StatusUnsupportedMediaType {
		t.Fatalf("a form post (no preflight across sites): %d", status)
	}
	if status, _, _ := b.do(http.MethodPost, "/auth/login", `{"username":"alice","password":"ecila"}`, "Origin", "https://evil.example"); status != http.StatusForbidden {
		t.Fatalf("a login from another origin: %d", status)
	}

	status, h, _ = b.do(http.MethodPost, "/auth/login", `{"username":"alice","password":"ecila"}`)
	if status != http.StatusNoContent {
		t.Fatalf("login: %d", status)
	}
	checkSessionCookies(t, h, false)
	if status, me := b.me(); status != http.StatusOK || me["name"] != "alice" || me["roles"].([]any)[0] != "user" || me["groups"].([]any)[0] != "clerks" {
		t.Fatalf("me with the cookie: %d %v", status, me)
	}

	// CSRF: a cookie request that changes state needs the token.
	if status, _, body := b.do(http.MethodPost, "/v2/user-tasks/search", "{}"); status != http.StatusForbidden || !strings.Contains(body, CSRFHeader) {
		t.Fatalf("a POST without the CSRF token: %d %s", status, body)
	}
	if status, _, _ := b.do(http.MethodPost, "/v2/user-tasks/search", "{}", CSRFHeader, "forged"); status != http.StatusForbidden {
		t.Fatalf("a POST with a wrong CSRF token: %d", status)
	}
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if status, _, _ := b.do(method, "/v2/user-tasks/1", "{}", CSRFHeader, b.cookie(CSRFCookie)); status != http.StatusOK {
			t.Fatalf("%s with the CSRF token: %d", method, status)
		}
	}
	// A request with an Authorization header is not a cookie request: the
	// header decides, and CSRF does not apply.
	if status, _, _ := b.do(http.MethodPost, "/v2/user-tasks/search", "{}", "Authorization", "Basic b2xnYTphZ2xv"); status != http.StatusOK {
		t.Fatalf("basic credentials next to the cookie: %d", status)
	}
	if status, _, _ := b.do(http.MethodGet, "/v2/authentication/me", "", "Authorization", "Basic b2xnYTp3cm9uZw=="); status != http.StatusUnauthorized {
		t.Fatalf("bad basic credentials next to a good cookie: %d", status)
	}

	// A new login rotates the session id; the old one is over.
	old := b.cookie(SessionCookie)
	if status, _, _ := b.do(http.MethodPost, "/auth/login", `{"username":"olga","password":"aglo"}`); status != http.StatusNoContent {
		t.Fatalf("second login: %d", status)
	}
	if b.cookie(SessionCookie) == old {
		t.Fatal("the session id did not change at login")
	}
	if _, me := b.me(); me["name"] != "olga" {
		t.Fatalf("after the second login: %v", me)
	}
	stale := newBrowser(t, b.base)
	stale.setCookie(SessionCookie, old)
	if status, _, _ := stale.do(http.MethodGet, "/v2/authentication/me", ""); status != http.StatusUnauthorized {
		t.Fatalf("the replaced session id still works: %d", status)
	}

	// Logout needs the CSRF token and this origin, ends the session and
	// clears the cookies.
	if status, _, _ := b.do(http.MethodPost, "/auth/logout", ""); status != http.StatusForbidden {
		t.Fatalf("logout without the CSRF token: %d", status)
	}
	if status, _, _ := b.do(http.MethodPost, "/auth/logout", "", CSRFHeader, b.cookie(CSRFCookie), "Origin", "https://evil.example"); status != http.StatusForbidden {
		t.Fatalf("logout from another origin: %d", status)
	}
	if status, _ := b.me(); status != http.StatusOK {
		t.Fatalf("a refused logout ended the session: %d", status)
	}
	id := b.cookie(SessionCookie)
	status, _, body := b.do(http.MethodPost, "/auth/logout", "", CSRFHeader, b.cookie(CSRFCookie))
	if status != http.StatusOK || strings.TrimSpace(body) != `{"redirect":"/"}` || b.cookie(SessionCookie) != "" || b.cookie(CSRFCookie) != "" {
		t.Fatalf("logout: %d %s, cookies %q %q", status, body, b.cookie(SessionCookie), b.cookie(CSRFCookie))
	}
	stale.setCookie(SessionCookie, id)
	if status, _, _ := stale.do(http.MethodGet, "/v2/authentication/me", ""); status != http.StatusUnauthorized {
		t.Fatalf("the session works after logout: %d", status)
	}
}

// checkSessionCookies checks the flags of the cookies a login sets.
func checkSessionCookies(t *testing.T, h http.Header, secure bool) {
	t.Helper()
	var session, csrf *http.Cookie
	for _, c := range (&http.Response{Header: h}).Cookies() {
		switch c.Name {
		case SessionCookie:
			session = c
		case CSRFCookie:
			csrf = c
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/" || session.Secure != secure || len(session.Value) < 43 {
		t.Errorf("session cookie: %+v", session)
	}
	if csrf == nil || csrf.HttpOnly || csrf.SameSite != http.SameSiteStrictMode || csrf.Path != "/" || csrf.Secure != secure || len(csrf.Value) < 43 {
		t.Errorf("CSRF cookie: %+v", csrf)
	}
}

func TestSessionExpiry(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC))
	_, b := basicServer(t, clk.Now, SessionLimits{IdleTimeout: 10 * time.Minute, MaxLifetime: time.Hour})
	login := func() {
		t.Helper()
		if status, _, _ := b.do(http.MethodPost, "/auth/login", `{"username":"alice","password":"ecila"}`); status != http.StatusNoContent {
			t.Fatalf("login: %d", status)
		}
	}
	login()
	// Used every 9 minutes, the session lives until its absolute end.
	for i := 0; i < 6; i++ {
		clk.Advance(9 * time.Minute)
		if status, _ := b.me(); status != http.StatusOK {
			t.Fatalf("after %d×9 minutes: %d", i+1, status)
		}
	}
	clk.Advance(7 * time.Minute) // 61 minutes after the login
	status, h, body := b.do(http.MethodGet, "/v2/authentication/me", "")
	if status != http.StatusUnauthorized || !strings.Contains(body, "log in again") || strings.HasPrefix(h.Get("WWW-Authenticate"), "Basic") {
		t.Fatalf("past the absolute lifetime: %d %q %s", status, h.Get("WWW-Authenticate"), body)
	}
	login()
	clk.Advance(10 * time.Minute)
	if status, _ := b.me(); status != http.StatusUnauthorized {
		t.Fatalf("idle for the idle timeout: %d", status)
	}
}

func TestSessionsAreBounded(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC))
	s := newSessions(SessionLimits{MaxSessions: 3, IdleTimeout: time.Hour, MaxLifetime: 2 * time.Hour}, clk.Now)
	var ids []string
	for i := 0; i < 3; i++ {
		id, _ := s.create(&auth.Principal{Name: "p"}, nil)
		ids = append(ids, id)
		clk.Advance(time.Minute)
	}
	if s.lookup(ids[0]) == nil { // now the most recently used
		t.Fatal("a live session is gone")
	}
	id4, _ := s.create(&auth.Principal{Name: "p"}, nil)
	if s.len() != 3 || s.lookup(ids[1]) != nil || s.lookup(ids[0]) == nil || s.lookup(ids[2]) == nil || s.lookup(id4) == nil {
		t.Fatalf("after a login beyond the bound: %d sessions; the least recently used should be gone", s.len())
	}
	clk.Advance(2 * time.Hour)
	s.create(&auth.Principal{Name: "p"}, nil)
	if s.len() != 1 {
		t.Fatalf("expired sessions stay when the store is full: %d", s.len())
	}
	if s.lookup("") != nil || s.lookup("not-a-session") != nil {
		t.Fatal("a made-up id found a session")
	}
}

func TestReturnTo(t *testing.T) {
	for in, want := range map[string]string{
		"":                              "/",
		"/":                             "/",
		"/tasklist":                     "/tasklist",
		"/tasklist/42?filter=mine":      "/tasklist/42?filter=mine",
		"/inspector/instances/1#t3":     "/inspector/instances/1#t3",
		"//evil.example":                "/",
		"///evil.example":               "/",
		`/\evil.example`:                "/",
		`\\evil.example`:                "/",
		"https://evil.example/":         "/",
		"http:/evil.example":            "/",
		"javascript:alert(1)":           "/",
		"/\t/evil.example":              "/",
		"/\n/evil.example":              "/",
		"/%2F%2Fevil.example":           "/",
		"tasklist":                      "/",
		"/ok path":                      "/",
		"/" + strings.Repeat("a", 3000): "/",
	} {
		if got := safeReturnTo(in); got != want {
			t.Errorf("safeReturnTo(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzReturnTo: whatever a link holds, the redirect stays on the site.
func FuzzReturnTo(f *testing.F) {
	for _, s := range []string{"/", "//x", `/\x`, "/a?b#c", "https://x", "/%5cx", "/\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := safeReturnTo(s)
		if got == "/" {
			return
		}
		if got != s || !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.ContainsAny(got, "\\\t\r\n ") {
			t.Fatalf("safeReturnTo(%q) = %q", s, got)
		}
		req, err := http.NewRequest(http.MethodGet, "https://wf.example.com/auth/callback", nil)
		if err != nil {
			t.Fatal(err)
		}
		loc, err := req.URL.Parse(got)
		if err != nil || loc.Host != "wf.example.com" || loc.Scheme != "https" {
			t.Fatalf("safeReturnTo(%q) = %q resolves to %v (%v)", s, got, loc, err)
		}
	})
}
