package httpsuite

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	connectorsuite "github.com/example/wf-engine/conformance/connectors"
	"github.com/example/wf-engine/sdk/connector"
)

// Server is the loopback API the HTTP connector calls in the suite.
type Server struct {
	// URL is the server's base URL, such as http://127.0.0.1:41234.
	URL     string
	hanging chan struct{}
}

// Start starts the server; it stops when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{hanging: make(chan struct{}, 64)}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/hang":
		s.hanging <- struct{}{}
		<-r.Context().Done()
	case "/busy":
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusServiceUnavailable)
	case "/private":
		if r.Header.Get("Authorization") == "" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		writeJSON(w, http.StatusOK, `{"ok":true}`)
	case "/denied":
		w.WriteHeader(http.StatusForbidden)
	case "/missing":
		writeJSON(w, http.StatusNotFound, `{"message":"no order 9"}`)
	default:
		writeJSON(w, http.StatusOK, `{"ok":true}`)
	}
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// Cases returns the inputs that provoke every outcome of the HTTP connector
// against the server.
func (s *Server) Cases() connectorsuite.Cases {
	return connectorsuite.Cases{
		Valid: map[string]any{"url": s.URL + "/ok"},
		CheckResult: func(res connector.Result) error {
			m, ok := res.Response.(map[string]any)
			// In process the status is an int; across the plugin boundary
			// JSON makes it a float64.
			if !ok || fmt.Sprint(m["status"]) != "200" || !reflect.DeepEqual(m["body"], map[string]any{"ok": true}) {
				return fmt.Errorf("response %v, want status 200 and body {ok: true}", res.Response)
			}
			return nil
		},
		Invalid:   map[string]any{"url": 42.0},
		Error:     &connectorsuite.ErrorCase{Input: map[string]any{"url": s.URL + "/missing"}, Code: "404"},
		Retryable: map[string]any{"url": s.URL + "/busy"},
		Block:     map[string]any{"url": s.URL + "/hang"},
		Started: func(ctx context.Context) error {
			select {
			case <-s.hanging:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		},
		Secret: func(secret string) map[string]any {
			return map[string]any{"url": s.URL + "/private", "authentication": map[string]any{"type": "bearer", "token": secret}}
		},
		SecretFailure: func(secret string) map[string]any {
			return map[string]any{"url": s.URL + "/denied", "authentication": map[string]any{"type": "basic", "username": "u", "password": secret}}
		},
	}
}
