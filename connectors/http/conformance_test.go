package http

import (
	"context"
	"fmt"
	nethttp "net/http"
	"net/http/httptest"
	"testing"

	connectorsuite "github.com/example/wf-engine/conformance/connectors"
	"github.com/example/wf-engine/sdk/connector"
)

// TestConformance runs the connector contract suite on the connector in
// process.
func TestConformance(t *testing.T) {
	hanging := make(chan struct{}, 64)
	srv := httptest.NewServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		switch r.URL.Path {
		case "/hang":
			hanging <- struct{}{}
			<-r.Context().Done()
		case "/busy":
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(nethttp.StatusServiceUnavailable)
		case "/private":
			if r.Header.Get("Authorization") == "" {
				w.WriteHeader(nethttp.StatusUnauthorized)
				return
			}
			jsonResponse(w, `{"ok":true}`)
		case "/denied":
			w.WriteHeader(nethttp.StatusForbidden)
		default:
			jsonResponse(w, `{"ok":true}`)
		}
	}))
	t.Cleanup(srv.Close)
	c := newConnector(t, Config{AllowPrivateAddresses: true})
	connectorsuite.Run(t, c, connectorsuite.Cases{
		Valid: map[string]any{"url": srv.URL + "/ok"},
		CheckResult: func(res connector.Result) error {
			m, ok := res.Response.(map[string]any)
			if !ok || m["status"] != 200 {
				return fmt.Errorf("response %v, want status 200", res.Response)
			}
			return nil
		},
		Invalid:   map[string]any{"url": 42.0},
		Retryable: map[string]any{"url": srv.URL + "/busy"},
		Block:     map[string]any{"url": srv.URL + "/hang"},
		Started: func(ctx context.Context) error {
			select {
			case <-hanging:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		},
		Secret: func(s string) map[string]any {
			return map[string]any{"url": srv.URL + "/private", "authentication": map[string]any{"type": "bearer", "token": s}}
		},
		SecretFailure: func(s string) map[string]any {
			return map[string]any{"url": srv.URL + "/denied", "authentication": map[string]any{"type": "basic", "username": "u", "password": s}}
		},
	})
}

func jsonResponse(w nethttp.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(body))
}
