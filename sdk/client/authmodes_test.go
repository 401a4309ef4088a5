package client_test

import (
	"errors"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/example/wf-engine/api/auth"
	"github.com/example/wf-engine/api/auth/authtest"
	"github.com/example/wf-engine/api/resttest"
	"github.com/example/wf-engine/sdk/client"
)

// as returns a client of e's engine that authenticates with a.
func (e *env) as(t *testing.T, a client.Auth) *client.Client {
	t.Helper()
	c, err := client.New(e.srv.URL, client.WithAuth(a))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// jobCycle deploys, creates an instance, activates its job and completes
// it with c, and checks that the instance completed.
func (e *env) jobCycle(t *testing.T, c *client.Client) {
	t.Helper()
	e.c = c
	e.deploy(t, "charge.bpmn")
	key := e.create(t, "sdk-charge", map[string]any{"amount": 1})
	job := e.activate(t, "sdk-charge")
	if err := c.CompleteJob(ctx(t), job.JobKey, client.CompleteJobRequest{}); err != nil {
		t.Fatalf("complete job: %v", err)
	}
	if got := e.instanceState(t, key); got != "COMPLETED" {
		t.Fatalf("instance %d is %s, want COMPLETED", key, got)
	}
}

// problemStatus returns the status of err's *client.Problem, 0 without one.
func problemStatus(err error) int {
	var p *client.Problem
	if errors.As(err, &p) {
		return p.Status
	}
	return 0
}

func TestAuthModeNone(t *testing.T) {
	e := start(t, resttest.Options{})
	me, err := e.c.Me(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if me.AuthenticationMode != "none" || !slices.Equal(me.Roles, []string{"admin"}) {
		t.Fatalf("me: %+v", me)
	}
	e.jobCycle(t, e.c)
}

func TestAuthModeBasic(t *testing.T) {
	e := start(t, resttest.Options{Users: []resttest.User{
		{Name: "ada", Password: "op-pass", Roles: []string{"operator"}, Groups: []string{"ops"}},
		{Name: "bob", Password: "user-pass", Roles: []string{"user"}},
	}})
	ada := e.as(t, client.BasicAuth("ada", "op-pass"))
	me, err := ada.Me(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if me.Username != "ada" || me.AuthenticationMode != "basic" || !slices.Equal(me.Roles, []string{"operator"}) ||
		!slices.Equal(me.Groups, []string{"ops"}) || me.ClientID != "" {
		t.Fatalf("me: %+v", me)
	}
	e.jobCycle(t, ada)

	for name, c := range map[string]*client.Client{
		"no credentials": e.as(t, nil),
		"wrong password": e.as(t, client.BasicAuth("ada", "op-pas")),
		"unknown user":   e.as(t, client.BasicAuth("eve", "op-pass")),
	} {
		_, err := c.Topology(ctx(t))
		if problemStatus(err) != http.StatusUnauthorized {
			t.Errorf("%s: %v, want a 401 problem", name, err)
		}
	}
	bob := e.as(t, client.BasicAuth("bob", "user-pass"))
	_, err = bob.Deploy(ctx(t), client.DeployRequest{Resources: []client.Resource{{Name: "x.bpmn", Content: []byte("<x/>")}}})
	var p *client.Problem
	if !errors.As(err, &p) || p.Status != http.StatusForbidden || p.Title != "FORBIDDEN" {
		t.Fatalf("a user deploys: %v, want a 403 FORBIDDEN problem", err)
	}
}

// clock is a settable time shared by the issuer and the engine's token
// checks.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// startOIDC starts an issuer with the clients and an engine that trusts it,
// both on clk when it is set.
func startOIDC(t *testing.T, clk *clock, clients ...authtest.Client) (*env, *authtest.Issuer) {
	t.Helper()
	opts := authtest.Options{Clients: clients, TokenTTL: time.Hour}
	var oc auth.OIDCConfig
	if clk != nil {
		opts.Now, oc.Now = clk.Now, clk.Now
	}
	is := resttest.StartIssuer(t, opts)
	return start(t, resttest.Options{Issuer: is, OIDC: oc}), is
}

// credentials are the client credentials of id at is.
func credentials(is *authtest.Issuer, id, secret string) client.Auth {
	return client.OAuth2ClientCredentials(clientcredentials.Config{
		ClientID: id, ClientSecret: secret, TokenURL: is.URL() + authtest.TokenPath,
		EndpointParams: map[string][]string{"audience": {is.Audience()}},
	})
}

func TestAuthModeOIDCWithClientCredentials(t *testing.T) {
	e, is := startOIDC(t, nil, authtest.Client{ID: "ops", Secret: "ops-secret", Roles: []string{"operator"}})
	ops := e.as(t, credentials(is, "ops", "ops-secret"))
	me, err := ops.Me(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if me.ClientID != "ops" || me.Username != "" || me.AuthenticationMode != "oidc" || !slices.Equal(me.Roles, []string{"operator"}) {
		t.Fatalf("me: %+v", me)
	}
	e.jobCycle(t, ops)

	// Many calls, some at once: one token serves them all.
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				if _, err := ops.Topology(ctx(t)); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := is.Requests(authtest.TokenPath); n != 1 {
		t.Fatalf("the issuer's token endpoint was called %d times, want once", n)
	}

	if _, err := e.as(t, nil).Topology(ctx(t)); problemStatus(err) != http.StatusUnauthorized {
		t.Fatalf("without a token: %v, want a 401 problem", err)
	}
}

func TestClientCredentialsRefusedByTheIssuer(t *testing.T) {
	e, is := startOIDC(t, nil, authtest.Client{ID: "ops", Secret: "ops-secret", Roles: []string{"operator"}})
	_, err := e.as(t, credentials(is, "ops", "wrong-secret")).Topology(ctx(t))
	var ce *client.CredentialsError
	var re *oauth2.RetrieveError
	if !errors.As(err, &ce) || !errors.As(err, &re) || re.Response.StatusCode != http.StatusUnauthorized || re.ErrorCode != "invalid_client" {
		t.Fatalf("wrong client secret: %v, want a *CredentialsError around the issuer's 401 invalid_client", err)
	}
	if problemStatus(err) != 0 {
		t.Fatalf("wrong client secret: %v reached the engine", err)
	}
}

func TestATokenTheEngineRefusesIsRenewedOnce(t *testing.T) {
	clk := &clock{now: time.Now()}
	e, is := startOIDC(t, clk, authtest.Client{ID: "ops", Secret: "ops-secret", Roles: []string{"operator"}})
	// Without Idempotency-Keys a create is never retried on 429 or 503;
	// a 401 still is, as the engine ran nothing.
	c, err := client.New(e.srv.URL, client.WithAuth(credentials(is, "ops", "ops-secret")), client.WithIdempotencyKeys(false))
	if err != nil {
		t.Fatal(err)
	}
	e.c = c
	e.deploy(t, "charge.bpmn")
	if n := is.Requests(authtest.TokenPath); n != 1 {
		t.Fatalf("token requests: %d, want 1", n)
	}
	old := is.Sign(map[string]any{"sub": "ops", "roles": []string{"operator"}}, authtest.SignOptions{})

	// Two hours later on the issuer's and the engine's clock, the one-hour
	// tokens have expired, though the client's own clock says they have not.
	clk.add(2 * time.Hour)
	if _, err := e.as(t, client.BearerToken(old)).Topology(ctx(t)); problemStatus(err) != http.StatusUnauthorized {
		t.Fatalf("an expired token: %v, want a 401 problem", err)
	}
	// The engine refuses the cached token; the client fetches a new one
	// and sends the create again, once.
	key := e.create(t, "sdk-charge", nil)
	if n := is.Requests(authtest.TokenPath); n != 2 {
		t.Fatalf("token requests: %d, want 2 (one renewal after the 401)", n)
	}
	pis, err := c.SearchProcessInstances(ctx(t), client.ProcessInstanceQuery{Filter: client.ProcessInstanceFilter{ProcessDefinitionID: "sdk-charge"}})
	if err != nil || len(pis.Items) != 1 || pis.Items[0].ProcessInstanceKey != key {
		t.Fatalf("the renewed create made %+v (%v), want exactly instance %d", pis, err, key)
	}
	if n := is.Requests(authtest.TokenPath); n != 2 {
		t.Fatalf("token requests: %d, want still 2 (the new token is cached)", n)
	}
}

func TestATokenTheEngineKeepsRefusingIsNotRenewedInALoop(t *testing.T) {
	e, _ := startOIDC(t, nil)
	// Another issuer's tokens: the engine refuses every one of them.
	other := resttest.StartIssuer(t, authtest.Options{Clients: []authtest.Client{{ID: "ops", Secret: "s", Roles: []string{"operator"}}}})
	c := e.as(t, credentials(other, "ops", "s"))
	_, err := c.Topology(ctx(t))
	if problemStatus(err) != http.StatusUnauthorized {
		t.Fatalf("a token of another issuer: %v, want a 401 problem", err)
	}
	if n := other.Requests(authtest.TokenPath); n != 2 {
		t.Fatalf("the client fetched %d tokens for one call, want 2 (the first and one renewal)", n)
	}
}

func TestWorkerRoleMayOnlyWorkJobs(t *testing.T) {
	e, is := startOIDC(t, nil,
		authtest.Client{ID: "ops", Secret: "ops-secret", Roles: []string{"operator"}},
		authtest.Client{ID: "billing", Secret: "billing-secret", Roles: []string{"worker"}})
	e.c = e.as(t, credentials(is, "ops", "ops-secret"))
	e.deploy(t, "charge.bpmn")
	key := e.create(t, "sdk-charge", nil)
	ops := e.c
	e.c = e.as(t, credentials(is, "billing", "billing-secret"))
	job := e.activate(t, "sdk-charge")
	if err := e.c.CompleteJob(ctx(t), job.JobKey, client.CompleteJobRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.GetProcessInstance(ctx(t), key); problemStatus(err) != http.StatusForbidden {
		t.Fatalf("a worker reads an instance: %v, want a 403 problem", err)
	}
	e.c = ops
	if got := e.instanceState(t, key); got != "COMPLETED" {
		t.Fatalf("instance is %s, want COMPLETED", got)
	}
}
