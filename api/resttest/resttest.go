package resttest

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/crypto/bcrypt"

	"github.com/example/wf-engine/api/auth"
	"github.com/example/wf-engine/api/auth/authtest"
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

// User is a user of auth.mode basic, with its password in clear.
type User struct {
	Name, Password         string
	Roles, Tenants, Groups []string
}

// Options change the server a test starts.
type Options struct {
	// SQLite runs the engine on SQLite in the test's temporary folder
	// instead of the in-memory store.
	SQLite bool
	// Config is the REST configuration; its Clock is set by Start, and so
	// are its Authenticator, AuthMode and WithPrincipal when Users or
	// Issuer turn authentication on.
	Config rest.Config
	// Users turn on auth.mode basic with these users (their passwords are
	// hashed with bcrypt's least cost, to keep tests fast).
	Users []User
	// Issuer turns on auth.mode oidc with tokens of this issuer: its URL
	// and audience fill OIDC's Issuer and Audience.
	Issuer *authtest.Issuer
	// OIDC is the rest of the OIDC configuration (claims, role mapping,
	// client roles, Now), used with Issuer.
	OIDC auth.OIDCConfig
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
	eng, err := engine.Start(context.Background(), engine.Config{Partition: 1, Clock: clk, Store: s, OnCommit: []func(*store.Batch, time.Duration, error){metrics.ObserveCommit}, Registry: standard.Registry()})
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
	closeAuth := authenticate(t, &cfg, opts)
	srv, err := rest.New(cfg, eng, q, metrics, nil)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		srv.Drain()
		hs.Close()
		closeAuth()
		_ = eng.Close()
		_ = s.Close()
	})
	return &Server{URL: hs.URL, Engine: eng, Clock: clk, API: srv}
}

// authenticate sets cfg's authentication from Users or Issuer, as
// cmd/wf-engine does for auth.mode basic and oidc, and returns what stops
// the authenticator.
func authenticate(t testing.TB, cfg *rest.Config, opts Options) func() {
	t.Helper()
	switch {
	case len(opts.Users) > 0 && opts.Issuer != nil:
		t.Fatal("resttest: Users and Issuer are two auth modes; set one")
	case len(opts.Users) > 0:
		users := make([]auth.BasicUser, len(opts.Users))
		for i, u := range opts.Users {
			h, err := bcrypt.GenerateFromPassword([]byte(u.Password), bcrypt.MinCost)
			if err != nil {
				t.Fatalf("resttest: hash the password of %q: %v", u.Name, err)
			}
			users[i] = auth.BasicUser{Name: u.Name, PasswordHash: string(h), Tenants: u.Tenants, Groups: u.Groups}
			for _, r := range u.Roles {
				users[i].Roles = append(users[i].Roles, auth.Role(r))
			}
		}
		b, err := auth.NewBasic(users)
		if err != nil {
			t.Fatalf("resttest: %v", err)
		}
		cfg.Authenticator, cfg.AuthMode = b, "basic"
	case opts.Issuer != nil:
		oc := opts.OIDC
		oc.Issuer, oc.Audience = opts.Issuer.URL(), opts.Issuer.Audience()
		o, err := auth.NewOIDC(context.Background(), oc)
		if err != nil {
			t.Fatalf("resttest: %v", err)
		}
		// Requests before discovery would answer 503: wait for the keys.
		deadline := time.Now().Add(10 * time.Second)
		for !o.Ready() {
			if time.Now().After(deadline) {
				o.Close()
				t.Fatalf("resttest: the issuer at %s did not answer discovery within 10s", oc.Issuer)
			}
			time.Sleep(5 * time.Millisecond)
		}
		cfg.Authenticator, cfg.AuthMode = o, "oidc"
		setPrincipal(cfg)
		return o.Close
	default:
		return func() {}
	}
	setPrincipal(cfg)
	return func() {}
}

// setPrincipal makes the engine record each command's principal, as
// cmd/wf-engine does.
func setPrincipal(cfg *rest.Config) {
	if cfg.WithPrincipal == nil {
		cfg.WithPrincipal = func(ctx context.Context, p *auth.Principal) context.Context {
			return engine.WithPrincipal(ctx, p.Record())
		}
	}
}

// StartIssuer starts an OIDC issuer for t (see authtest.Start) and stops it
// when t ends.
func StartIssuer(t testing.TB, opts authtest.Options) *authtest.Issuer {
	t.Helper()
	is, err := authtest.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(is.Close)
	return is
}
