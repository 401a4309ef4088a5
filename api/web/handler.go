package web

import (
	"net/http"
	"strings"
)

// Handler serves the engine's whole HTTP surface: api (the REST API) for
// /v2/..., /metrics, /healthz and /readyz, untouched; login for /auth/...;
// app, the web app, for everything else.
func Handler(api http.Handler, app *Static, login *Login) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		switch {
		case p == "/v2" || strings.HasPrefix(p, "/v2/") || p == "/metrics" || p == "/healthz" || p == "/readyz":
			api.ServeHTTP(w, r)
		case strings.HasPrefix(p, "/auth/"):
			login.ServeHTTP(w, r)
		default:
			app.ServeHTTP(w, r)
		}
	})
}
