package rest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/api/rest"
	"github.com/example/wf-engine/conformance/storesuite"
	"github.com/example/wf-engine/core/store/pgstore"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
)

// BenchmarkTasklistPageOverREST measures the Tasklist's first page as the
// web app asks for it: POST /v2/user-tasks/search as a user (ann, in
// groups sales and ops) over 10,000 open and 10,000 completed tasks on
// PostgreSQL, through authentication, validation, the store and JSON:
//
//	WF_TEST_POSTGRES_URL=... go test -run '^$' -bench TasklistPageOverREST ./api/rest/
func BenchmarkTasklistPageOverREST(b *testing.B) {
	url := pgtest.URL(b)
	s, err := pgstore.Open(context.Background(), url, pgstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	storesuite.SeedTasklist(b, s, 10000)
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := conn.Exec(context.Background(), "ANALYZE user_tasks"); err != nil { // as autovacuum would soon
		b.Fatal(err)
	}
	_ = conn.Close(context.Background())
	// The search reads the store only: the engine is a stub.
	srv, err := rest.New(rest.Config{Authenticator: fakeAuth{}, AuthMode: "oidc"}, &stubEngine{ready: true}, s, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	body := []byte(`{"filter":{"state":"CREATED"},"sort":[{"field":"creationDate","order":"DESC"}],"page":{"limit":50}}`)
	page := func() (items int, total int64) {
		req, err := http.NewRequest(http.MethodPost, hs.URL+"/v2/user-tasks/search", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer role:user;user:ann;groups:sales,ops")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer func() { _ = res.Body.Close() }()
		raw, err := io.ReadAll(res.Body)
		if err != nil || res.StatusCode != http.StatusOK {
			b.Fatalf("search: %d %v %s", res.StatusCode, err, raw)
		}
		var out struct {
			Items []json.RawMessage `json:"items"`
			Page  struct {
				TotalItems int64 `json:"totalItems"`
			} `json:"page"`
		}
		if err := json.Unmarshal(raw, &out); err != nil {
			b.Fatal(err)
		}
		return len(out.Items), out.Page.TotalItems
	}
	if n, total := page(); n != 50 || total < 1000 {
		b.Fatalf("page of %d items, %d in all", n, total)
	}
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		page()
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/page")
}
