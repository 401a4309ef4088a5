package resttest

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/api/rest"
	"github.com/example/wf-engine/api/telemetry"
	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/memstore"
	"github.com/example/wf-engine/core/store/sqlitestore"
	"github.com/example/wf-engine/elements/standard"
)

// Server is a running engine and its REST API.
type Server struct {
	// URL is the API's base address, for example http://127.0.0.1:41234.
	URL string
	// Engine is the engine behind the API, for tests that also act in process.
	Engine *engine.Engine
	// Clock is the engine's clock; tests pin it (or use PUT /v2/clock).
	Clock *clock.Controlled
	// API is the REST server.
	API *rest.Server
}

// Options change the server a test starts.
type Options struct {
	// SQLite runs the engine on SQLite in the test's temporary folder
	// instead of the in-memory store.
	SQLite bool
	// Config is the REST configuration; its Clock is set by Start.
	Config rest.Config
}

// Start starts an engine and its API for t and stops both when t ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	gin.SetMode(gin.TestMode)
	var s store.Store = memstore.New(memstore.Options{})
	if opts.SQLite {
		var err error
		s, err = sqlitestore.Open(context.Background(), filepath.Join(t.TempDir(), "wf.db"), sqlitestore.Options{Synchronous: "NORMAL"})
		if err != nil {
			t.Fatal(err)
		}
	}
	clk := clock.NewControlled(clock.System{})
	metrics := telemetry.New()
	eng, err := engine.Start(context.Background(), engine.Config{Partition: 1, Clock: clk, Store: metrics.WrapStore(s), Registry: standard.Registry()})
	if err != nil {
		t.Fatal(err)
	}
	q, ok := s.(rest.Querier)
	if !ok {
		t.Fatalf("store %T cannot search", s)
	}
	cfg := opts.Config
	cfg.Clock = clk
	if cfg.LongPollTimeout == 0 {
		cfg.LongPollTimeout = 2 * time.Second
	}
	srv, err := rest.New(cfg, eng, q, metrics, nil)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		srv.Drain()
		hs.Close()
		_ = eng.Close()
		_ = s.Close()
	})
	return &Server{URL: hs.URL, Engine: eng, Clock: clk, API: srv}
}
