package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/example/wf-engine/webapp"
)

// testApp is a built web app as Vite lays it out.
func testApp() fstest.MapFS {
	return fstest.MapFS{
		"index.html":              {Data: []byte(`<!doctype html><script type="module" src="/assets/index-4f2a.js"></script>`)},
		"assets/index-4f2a.js":    {Data: []byte(`console.log("app")`)},
		"assets/index-4f2a.js.br": {Data: []byte("brotli bytes")},
		"assets/index-4f2a.js.gz": {Data: []byte("gzip bytes")},
		"assets/style-9c1d.css":   {Data: []byte(`body{}`)},
		"favicon.svg":             {Data: []byte(`<svg/>`)},
		".gitkeep":                {Data: nil},
	}
}

// fakeAPI answers every request it gets with 299 and its path, so a test
// sees which handler answered.
var fakeAPI = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(299)
	_, _ = io.WriteString(w, "api "+r.URL.Path)
})

func serveApp(t *testing.T) http.Handler {
	t.Helper()
	app, err := NewStatic(testApp())
	if err != nil {
		t.Fatal(err)
	}
	login, err := NewLogin(LoginConfig{Mode: ModeNone})
	if err != nil {
		t.Fatal(err)
	}
	return Handler(fakeAPI, app, login)
}

type answer struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, h http.Handler, method, target string, header ...string) answer {
	t.Helper()
	r := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return answer{w.Code, w.Header(), w.Body.String()}
}

func TestStaticHeadersAndCaching(t *testing.T) {
	h := serveApp(t)
	const html = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"
	for _, tc := range []struct {
		name, target, accept string
		wantBody, wantCache  string
		wantType             string
	}{
		{"root without Accept", "/", "", "<!doctype html>", cacheRevalidate, "text/html; charset=utf-8"},
		{"index by name", "/index.html", html, "<!doctype html>", cacheRevalidate, "text/html; charset=utf-8"},
		{"an app page", "/tasklist/2251799813685249", html, "<!doctype html>", cacheRevalidate, "text/html; charset=utf-8"},
		{"a deep app page with a query", "/inspector/instances/1?position=3", html, "<!doctype html>", cacheRevalidate, "text/html; charset=utf-8"},
		{"a hashed script", "/assets/index-4f2a.js", "*/*", `console.log("app")`, cacheImmutable, "text/javascript; charset=utf-8"},
		{"a hashed style", "/assets/style-9c1d.css", "text/css", `body{}`, cacheImmutable, "text/css; charset=utf-8"},
		{"an unhashed file", "/favicon.svg", "image/*", `<svg/>`, cacheRevalidate, "image/svg+xml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := do(t, h, http.MethodGet, tc.target, "Accept", tc.accept)
			if a.status != http.StatusOK || !strings.HasPrefix(a.body, tc.wantBody) {
				t.Fatalf("%d %q", a.status, a.body)
			}
			if got := a.header.Get("Cache-Control"); got != tc.wantCache {
				t.Errorf("Cache-Control %q, want %q", got, tc.wantCache)
			}
			if got := a.header.Get("Content-Type"); got != tc.wantType {
				t.Errorf("Content-Type %q, want %q", got, tc.wantType)
			}
			checkSecurityHeaders(t, a.header)
			if a.header.Get("ETag") == "" {
				t.Error("no ETag")
			}
		})
	}
}

func checkSecurityHeaders(t *testing.T, h http.Header) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self';", "frame-ancestors 'none'", "connect-src 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	for _, d := range strings.Split(csp, ";") {
		if d = strings.TrimSpace(d); strings.HasPrefix(d, "script-src") && d != "script-src 'self'" {
			t.Errorf("CSP scripts from more than the site itself: %q", d)
		}
	}
	if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "same-origin" {
		t.Errorf("security headers: %v", h)
	}
}

func TestStaticNotFoundAndReservedPaths(t *testing.T) {
	h := serveApp(t)
	const html = "text/html"
	for _, target := range []string{"/assets/missing-1234.js", "/assets/", "/assets/index-4f2a.js/x", "/tasklist"} {
		accept := html
		if target == "/tasklist" {
			accept = "application/json" // a script's fetch, not a page
		}
		a := do(t, h, http.MethodGet, target, "Accept", accept)
		if a.status != http.StatusNotFound || !strings.Contains(a.body, `"status":404`) || a.header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("GET %s: %d %q %q", target, a.status, a.header.Get("Content-Type"), a.body)
		}
	}
	// The API's paths reach the API, whatever they accept; never index.html.
	for _, target := range []string{"/v2/topology", "/v2/no-such-route", "/v2", "/metrics", "/healthz", "/readyz"} {
		a := do(t, h, http.MethodGet, target, "Accept", html)
		if a.status != 299 || a.body != "api "+target {
			t.Errorf("GET %s: %d %q", target, a.status, a.body)
		}
	}
	// Even the static handler alone never answers them with the app.
	app, _ := NewStatic(testApp())
	for _, target := range []string{"/v2/user-tasks/1", "/v2", "/auth/nothing", "/metrics"} {
		if a := do(t, app, http.MethodGet, target, "Accept", html); a.status != http.StatusNotFound || strings.Contains(a.body, "doctype") {
			t.Errorf("static GET %s: %d %q", target, a.status, a.body)
		}
	}
	if a := do(t, h, http.MethodGet, "/.gitkeep", "Accept", "*/*"); a.status != http.StatusNotFound {
		t.Errorf("a dot file is served: %d", a.status)
	}
	if a := do(t, h, http.MethodPost, "/tasklist", "Accept", html); a.status != http.StatusMethodNotAllowed || a.header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST to a page: %d %v", a.status, a.header)
	}
}

func TestStaticHEADAndConditional(t *testing.T) {
	h := serveApp(t)
	get := do(t, h, http.MethodGet, "/assets/index-4f2a.js")
	head := do(t, h, http.MethodHead, "/assets/index-4f2a.js")
	if head.status != http.StatusOK || head.body != "" || head.header.Get("Content-Length") != get.header.Get("Content-Length") ||
		head.header.Get("Cache-Control") != cacheImmutable || head.header.Get("ETag") != get.header.Get("ETag") {
		t.Fatalf("HEAD: %d %q %v (GET %v)", head.status, head.body, head.header, get.header)
	}
	if a := do(t, h, http.MethodHead, "/tasklist/1", "Accept", "text/html"); a.status != http.StatusOK || a.body != "" || a.header.Get("Cache-Control") != cacheRevalidate {
		t.Fatalf("HEAD of an app page: %d %v", a.status, a.header)
	}
	if a := do(t, h, http.MethodGet, "/", "If-None-Match", do(t, h, http.MethodGet, "/").header.Get("ETag")); a.status != http.StatusNotModified {
		t.Fatalf("a revalidation of index.html: %d", a.status)
	}
}

func TestStaticPrecompressed(t *testing.T) {
	h := serveApp(t)
	for _, tc := range []struct{ accept, encoding, body string }{
		{"gzip, deflate, br, zstd", "br", "brotli bytes"},
		{"gzip", "gzip", "gzip bytes"},
		{"br;q=0, gzip;q=0.5", "gzip", "gzip bytes"},
		{"", "", `console.log("app")`},
		{"identity", "", `console.log("app")`},
	} {
		a := do(t, h, http.MethodGet, "/assets/index-4f2a.js", "Accept-Encoding", tc.accept)
		if a.status != http.StatusOK || a.header.Get("Content-Encoding") != tc.encoding || a.body != tc.body ||
			a.header.Get("Vary") != "Accept-Encoding" || a.header.Get("Content-Type") != "text/javascript; charset=utf-8" {
			t.Errorf("Accept-Encoding %q: %d %q %q %v", tc.accept, a.status, a.header.Get("Content-Encoding"), a.body, a.header)
		}
	}
}

func TestNewStaticNeedsIndex(t *testing.T) {
	if _, err := NewStatic(fstest.MapFS{"assets/a.js": {Data: []byte("x")}}); err == nil {
		t.Fatal("a web app without index.html was accepted")
	}
}

// TestNotBuiltPage: a tree without a built web app serves a page that says
// how to build it, under the same rules.
func TestNotBuiltPage(t *testing.T) {
	fsys := webapp.FS()
	if webapp.Built(fsys) {
		t.Skip("the web app is built in this tree")
	}
	app, err := NewStatic(fsys)
	if err != nil {
		t.Fatal(err)
	}
	a := do(t, app, http.MethodGet, "/tasklist", "Accept", "text/html")
	if a.status != http.StatusOK || !strings.Contains(a.body, "make build") || !strings.Contains(a.body, "Node 20") || strings.Contains(a.body, "<script") {
		t.Fatalf("%d %q", a.status, a.body)
	}
	checkSecurityHeaders(t, a.header)
}
