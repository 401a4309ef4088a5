package worker_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/example/wf-engine/api/auth/authtest"
	"github.com/example/wf-engine/api/resttest"
	"github.com/example/wf-engine/sdk/client"
	"github.com/example/wf-engine/sdk/worker"
)

// startAuth runs an engine with opts; e.c authenticates with ops.
func startAuth(t *testing.T, opts resttest.Options, ops client.Auth) *env {
	t.Helper()
	srv := resttest.Start(t, opts)
	return &env{srv: srv, c: newClient(t, srv.URL, ops)}
}

func newClient(t *testing.T, url string, a client.Auth) *client.Client {
	t.Helper()
	c, err := client.New(url, client.WithAuth(a))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func credentials(is *authtest.Issuer, id, secret string) client.Auth {
	return client.OAuth2ClientCredentials(clientcredentials.Config{ClientID: id, ClientSecret: secret, TokenURL: is.URL() + authtest.TokenPath})
}

// echo completes every job with done=true.
var echo = worker.HandlerFunc(func(context.Context, worker.Job) (any, error) {
	return map[string]any{"done": true}, nil
})

// completesJobs runs a worker with c until three instances complete.
func (e *env) completesJobs(t *testing.T, c *client.Client) {
	t.Helper()
	e.deploy(t, "charge.bpmn")
	var keys []int64
	for i := range 3 {
		keys = append(keys, e.create(t, "sdk-charge", map[string]any{"amount": i}))
	}
	run(t, worker.New(c, "sdk-charge", echo, quiet(), fast()))
	for _, k := range keys {
		eventually(t, fmt.Sprintf("instance %d completes", k), func() bool { return e.state(t, k) == "COMPLETED" })
	}
}

// runRefused runs a worker that is bound to be refused, and returns Run's
// error; it fails the test unless Run returns by itself within 10 s.
func runRefused(t *testing.T, w *worker.Worker) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- w.Run(context.Background()) }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		cx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = w.Close(cx)
		err := <-done
		t.Fatalf("Run kept going after the engine refused the worker (it returned %v after Close)", err)
		return nil
	}
}

func TestWorkerInAuthModeBasic(t *testing.T) {
	e := startAuth(t, resttest.Options{Users: []resttest.User{
		{Name: "ops", Password: "ops-pass", Roles: []string{"operator"}},
		{Name: "billing", Password: "billing-pass", Roles: []string{"worker"}},
		{Name: "ann", Password: "ann-pass", Roles: []string{"user"}},
	}}, client.BasicAuth("ops", "ops-pass"))
	e.completesJobs(t, newClient(t, e.srv.URL, client.BasicAuth("billing", "billing-pass")))

	for name, tc := range map[string]struct {
		auth   client.Auth
		status int
	}{
		"wrong password":     {client.BasicAuth("billing", "nope"), http.StatusUnauthorized},
		"no credentials":     {nil, http.StatusUnauthorized},
		"a role without job": {client.BasicAuth("ann", "ann-pass"), http.StatusForbidden},
	} {
		t.Run(name, func(t *testing.T) {
			err := runRefused(t, worker.New(newClient(t, e.srv.URL, tc.auth), "sdk-charge", echo, quiet(), fast()))
			var p *client.Problem
			if !errors.As(err, &p) || p.Status != tc.status || !strings.Contains(err.Error(), `worker for "sdk-charge": activate jobs: `) {
				t.Fatalf("Run: %v, want a %d *client.Problem", err, tc.status)
			}
		})
	}
}

func TestWorkerInAuthModeOIDC(t *testing.T) {
	is := resttest.StartIssuer(t, authtest.Options{Clients: []authtest.Client{
		{ID: "ops", Secret: "ops-secret", Roles: []string{"operator"}},
		{ID: "billing", Secret: "billing-secret", Roles: []string{"worker"}},
		{ID: "tasklist", Secret: "tasklist-secret", Roles: []string{"user"}},
	}})
	e := startAuth(t, resttest.Options{Issuer: is}, credentials(is, "ops", "ops-secret"))
	billing := credentials(is, "billing", "billing-secret")
	if _, err := e.c.Topology(ctx(t)); err != nil { // the operator's token
		t.Fatal(err)
	}
	before := is.Requests(authtest.TokenPath)
	e.completesJobs(t, newClient(t, e.srv.URL, billing))
	// Activations, completions and long polls all ran on one token.
	if n := is.Requests(authtest.TokenPath) - before; n != 1 {
		t.Fatalf("the worker fetched %d tokens, want 1", n)
	}

	t.Run("a client without the worker role", func(t *testing.T) {
		w := worker.New(newClient(t, e.srv.URL, credentials(is, "tasklist", "tasklist-secret")), "sdk-charge", echo, quiet(), fast())
		err := runRefused(t, w)
		var p *client.Problem
		if !errors.As(err, &p) || p.Status != http.StatusForbidden || p.Title != "FORBIDDEN" {
			t.Fatalf("Run: %v, want a 403 *client.Problem", err)
		}
	})
	t.Run("a client the issuer refuses", func(t *testing.T) {
		w := worker.New(newClient(t, e.srv.URL, credentials(is, "billing", "wrong")), "sdk-charge", echo, quiet(), fast())
		err := runRefused(t, w)
		var ce *client.CredentialsError
		if !errors.As(err, &ce) || client.IsStatus(err, http.StatusUnauthorized) {
			t.Fatalf("Run: %v, want a *client.CredentialsError", err)
		}
	})
	t.Run("an issuer that is down is waited for", func(t *testing.T) {
		is.SetDown(true)
		defer is.SetDown(false)
		before := is.Requests(authtest.TokenPath)
		w := worker.New(newClient(t, e.srv.URL, credentials(is, "billing", "billing-secret")), "sdk-none", echo, quiet(), fast())
		runCtx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- w.Run(runCtx) }()
		eventually(t, "the worker asks the issuer twice", func() bool { return is.Requests(authtest.TokenPath) >= before+2 })
		select {
		case err := <-done:
			t.Fatalf("Run returned while the issuer was down: %v", err)
		default:
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("Run after cancel: %v", err)
		}
	})
}
