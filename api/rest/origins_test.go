package rest_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/example/wf-engine/api/rest"
	"github.com/example/wf-engine/core/store/memstore"
)

// TestCrossOriginRequests: a page of another origin can neither deploy nor
// start anything, in any auth mode, unless its origin is listed; listed
// origins get CORS headers and answered preflights.
func TestCrossOriginRequests(t *testing.T) {
	for _, cfg := range []rest.Config{
		{AllowedOrigins: []string{"https://app.example.com"}},
		{AllowedOrigins: []string{"https://app.example.com"}, Authenticator: fakeAuth{}, AuthMode: "oidc"},
	} {
		c := start(t, memstore.New(memstore.Options{}), cfg)
		auth := []string{"Authorization", "Bearer role:admin"}
		withOrigin := func(origin string) []string {
			h := []string{"Origin", origin}
			if cfg.Authenticator != nil {
				h = append(h, auth...)
			}
			return h
		}
		// The multipart deploy a page can send without a preflight.
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		part, _ := w.CreateFormFile("resources", "order.bpmn")
		model, err := os.ReadFile(filepath.Join("testdata", "order.bpmn"))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = part.Write(model)
		_ = w.Close()
		r := want(t, c.do(http.MethodPost, "/v2/deployments", w.FormDataContentType(), body.Bytes(), withOrigin("http://evil.example")...), http.StatusForbidden)
		if r.header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatal("a refused origin got CORS headers")
		}
		r = want(t, c.do(http.MethodPost, "/v2/deployments", w.FormDataContentType(), body.Bytes(), withOrigin("https://app.example.com")...), http.StatusOK)
		if r.header.Get("Access-Control-Allow-Origin") != "https://app.example.com" || r.header.Get("Vary") != "Origin" {
			t.Fatalf("CORS headers for a listed origin: %v", r.header)
		}
		// Preflight of a listed origin: answered, no authentication needed.
		r = c.send(http.MethodOptions, "/v2/process-instances", nil, "Origin", "https://app.example.com", "Access-Control-Request-Method", "POST",
			"Access-Control-Request-Headers", "authorization, content-type")
		if r.status != http.StatusNoContent || r.header.Get("Access-Control-Allow-Methods") == "" || r.header.Get("Access-Control-Allow-Headers") == "" {
			t.Fatalf("preflight: %d %v", r.status, r.header)
		}
		r = c.send(http.MethodOptions, "/v2/process-instances", nil, "Origin", "http://evil.example", "Access-Control-Request-Method", "POST")
		if r.status != http.StatusForbidden || r.header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("preflight of another origin: %d %v", r.status, r.header)
		}
		// The server's own pages are same-origin.
		want(t, c.send(http.MethodPost, "/v2/process-instances/search", "{}", withOrigin(c.base)...), http.StatusOK)
	}
}
