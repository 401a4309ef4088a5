package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/example/wf-engine/api/auth"
)

// testAPI stands for api/rest: it authenticates every request with a, as
// api/rest's authorize does, and answers 200 with the principal's name and
// roles, or the authenticator's status, challenge and detail.
func testAPI(a auth.Authenticator) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := a.Authenticate(r.Context(), r)
		if err != nil {
			var ae *auth.Error
			if !errors.As(err, &ae) {
				http.Error(w, "unexpected error", http.StatusInternalServerError)
				return
			}
			if ae.Challenge != "" {
				w.Header().Set("WWW-Authenticate", ae.Challenge)
			}
			writeProblem(w, r, ae.Status, ae.Title, ae.Detail)
			return
		}
		writeJSON(w, http.StatusOK, "application/json", map[string]any{"name": p.Name, "roles": p.Roles, "groups": p.Groups})
	})
}

// startServer serves the login and a testAPI behind its session
// authenticator on a loopback address.
func startServer(t *testing.T, login *Login, next auth.Authenticator) *httptest.Server {
	t.Helper()
	app, err := NewStatic(testApp())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(Handler(testAPI(login.SessionAuthenticator(next)), app, login))
	t.Cleanup(srv.Close)
	return srv
}

// browser is an HTTP client with a cookie jar that does not follow
// redirects.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a request (a relative target goes to the server) with header
// name/value pairs, and returns the status, headers and body.
func (b *browser) do(method, target, body string, header ...string) (int, http.Header, string) {
	b.t.Helper()
	if strings.HasPrefix(target, "/") {
		target = b.base + target
	}
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(raw)
}

// cookie returns the value of a cookie the browser holds for the server.
func (b *browser) cookie(name string) string {
	u, _ := url.Parse(b.base)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// setCookie puts a cookie in the browser's jar.
func (b *browser) setCookie(name, value string) {
	u, _ := url.Parse(b.base)
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
}

// me asks the test API who the browser is.
func (b *browser) me() (int, map[string]any) {
	b.t.Helper()
	status, _, body := b.do(http.MethodGet, "/v2/authentication/me", "")
	var m map[string]any
	_ = json.Unmarshal([]byte(body), &m)
	return status, m
}
