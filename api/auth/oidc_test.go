package auth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/example/wf-engine/api/auth/authtest"
	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/syncbuf"
)

type oidcEnv struct {
	is   *authtest.Issuer
	clk  *clock.Manual
	o    *OIDC
	cfg  OIDCConfig
	logs *syncbuf.Buffer
}

var testEpoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// startOIDC starts a test issuer and an OIDC authenticator on it, sharing
// one manual clock, and waits until the authenticator is ready unless the
// issuer is down.
func startOIDC(t testing.TB, down bool, mutate func(*OIDCConfig)) *oidcEnv {
	t.Helper()
	clk := clock.NewManual(testEpoch)
	is, err := authtest.Start(authtest.Options{Now: clk.Now, Clients: []authtest.Client{{ID: "svc", Secret: "svc-secret", Roles: []string{"worker"}}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(is.Close)
	is.SetDown(down)
	logs := &syncbuf.Buffer{}
	cfg := OIDCConfig{
		Issuer:   is.URL(),
		Audience: is.Audience(),
		Now:      clk.Now,
		Logger:   slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if mutate != nil {
		mutate(&cfg)
	}
	o, err := NewOIDC(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(o.Close)
	env := &oidcEnv{is: is, clk: clk, o: o, cfg: cfg, logs: logs}
	if !down {
		env.waitReady(t)
	}
	return env
}

func (e *oidcEnv) waitReady(t testing.TB) {
	t.Helper()
	waitFor(t, "the authenticator to be ready", e.o.Ready)
}

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (e *oidcEnv) auth(token string) (*Principal, error) {
	r := httptest.NewRequest(http.MethodGet, "/v2/topology", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	return e.o.Authenticate(context.Background(), r)
}

// wantRefused checks a 401 invalid_token answer with the description.
func wantRefused(t *testing.T, err error, description string) {
	t.Helper()
	want := fmt.Sprintf(`Bearer realm="wf-engine", error="invalid_token", error_description=%q`, description)
	ae := wantAuthError(t, err, http.StatusUnauthorized, want)
	if !strings.HasSuffix(ae.Detail, description) {
		t.Fatalf("detail %q does not end with %q", ae.Detail, description)
	}
}

func TestOIDCPrincipalFromAUserToken(t *testing.T) {
	e := startOIDC(t, false, func(c *OIDCConfig) {
		c.RolesClaim = "realm_access.roles"
		c.RoleMapping = map[string]string{"wf-admins": "admin", "ops": "operator"}
		c.ClientRoles = map[string][]string{"webapp": {"worker"}}
	})
	claims := e.is.Claims("8c1e-uuid")
	claims["azp"] = "webapp"
	claims["preferred_username"] = "ursula"
	claims["email"] = "ursula@example.com"
	claims["realm_access"] = map[string]any{"roles": []string{"wf-admins", "ops", "operator", "offline_access", "worker-ish"}}
	claims["tenants"] = "t2 t1,t2"
	claims["groups"] = []string{"reviewers", "/sales"}
	p, err := e.auth(e.is.Sign(claims, authtest.SignOptions{}))
	if err != nil {
		t.Fatal(err)
	}
	want := &Principal{
		Subject: "8c1e-uuid", Name: "ursula", Email: "ursula@example.com",
		Roles:   []Role{RoleAdmin, RoleOperator},
		Tenants: []string{"t1", "t2"},
		Groups:  []string{"/sales", "reviewers"},
	}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("principal\n %+v\nwant\n %+v", p, want)
	}
}

func TestOIDCPrincipalFromAMachineToken(t *testing.T) {
	e := startOIDC(t, false, func(c *OIDCConfig) {
		c.ClientRoles = map[string][]string{"svc": {"worker"}, "other": {"admin"}}
	})
	tests := []struct {
		name   string
		claims map[string]any
		want   *Principal
	}{
		{
			name:   "client_id claim",
			claims: map[string]any{"sub": "svc", "azp": "svc", "client_id": "svc", "roles": []string{"user"}},
			want:   &Principal{Subject: "svc", ClientID: "svc", Name: "svc", Roles: []Role{RoleUser, RoleWorker}},
		},
		{
			name:   "Auth0: sub is not azp, no user claims",
			claims: map[string]any{"sub": "svc@clients", "azp": "svc", "gty": "client-credentials"},
			want:   &Principal{Subject: "svc@clients", ClientID: "svc", Name: "svc@clients", Roles: []Role{RoleWorker}},
		},
		{
			name:   "Keycloak service account: client_id beside a preferred_username",
			claims: map[string]any{"sub": "f00-uuid", "azp": "svc", "client_id": "svc", "preferred_username": "service-account-svc"},
			want:   &Principal{Subject: "f00-uuid", ClientID: "svc", Name: "service-account-svc", Roles: []Role{RoleWorker}},
		},
		{
			name:   "a user's token through a client gets no client roles",
			claims: map[string]any{"sub": "u1", "azp": "svc", "name": "Una", "roles": "user"},
			want:   &Principal{Subject: "u1", Name: "Una", Roles: []Role{RoleUser}},
		},
		{
			name:   "no role at all still authenticates",
			claims: map[string]any{"sub": "u2", "email": "u2@example.com"},
			want:   &Principal{Subject: "u2", Name: "u2@example.com", Email: "u2@example.com"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := e.auth(e.is.Sign(tt.claims, authtest.SignOptions{}))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p, tt.want) {
				t.Fatalf("principal\n %+v\nwant\n %+v", p, tt.want)
			}
		})
	}
}

func TestOIDCAcceptsEveryDefaultAsymmetricAlgorithm(t *testing.T) {
	e := startOIDC(t, false, nil)
	for _, alg := range []string{"RS256", "RS512", "PS256", "ES256", "EdDSA"} {
		if _, err := e.auth(e.is.Sign(e.is.Claims("u"), authtest.SignOptions{Alg: alg})); err != nil {
			t.Errorf("%s: %v", alg, err)
		}
	}
}

func TestOIDCRefusesBadTokens(t *testing.T) {
	e := startOIDC(t, false, nil)
	now := e.clk.Now()
	valid := e.is.Token("u")
	otherRSA, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(e.is.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	with := func(k string, v any) map[string]any {
		c := e.is.Claims("u")
		c[k] = v
		return c
	}
	parts := strings.Split(valid, ".")
	tampered := parts[0] + "." + authtestB64(`{"sub":"admin","aud":"wf-engine","iss":"`+e.is.URL()+`","exp":`+fmt.Sprint(now.Add(time.Hour).Unix())+`}`) + "." + parts[2]

	tests := []struct {
		name   string
		token  string
		reason string
	}{
		{"expired beyond the skew", e.is.Sign(with("exp", now.Add(-31*time.Second).Unix()), authtest.SignOptions{}), "token expired"},
		{"not yet valid beyond the skew", e.is.Sign(with("nbf", now.Add(31*time.Second).Unix()), authtest.SignOptions{}), "token not yet valid"},
		{"no subject", e.is.Sign(with("sub", nil), authtest.SignOptions{}), "token has no subject"},
		{"no expiry", e.is.Sign(with("exp", nil), authtest.SignOptions{}), "token has no expiry"},
		{"expiry is not a number", e.is.Sign(with("exp", "tomorrow"), authtest.SignOptions{}), "malformed claims"},
		{"expiry is huge", e.is.Sign(with("exp", math.MaxFloat64), authtest.SignOptions{}), ""},
		{"wrong issuer", e.is.Sign(with("iss", "http://127.0.0.1:1"), authtest.SignOptions{}), "wrong issuer"},
		{"wrong audience", e.is.Sign(with("aud", "another-api"), authtest.SignOptions{}), "wrong audience"},
		{"wrong audiences", e.is.Sign(with("aud", []string{"a", "b"}), authtest.SignOptions{}), "wrong audience"},
		{"no audience", e.is.Sign(with("aud", nil), authtest.SignOptions{}), "wrong audience"},
		{"signed by another key under the issuer's kid", e.is.Sign(e.is.Claims("u"), authtest.SignOptions{Key: otherRSA, KID: e.is.KID()}), "bad signature"},
		{"payload changed after signing", tampered, "bad signature"},
		{"alg none", e.is.Sign(e.is.Claims("u"), authtest.SignOptions{Alg: "none"}), "unsupported signing algorithm none"},
		{"alg none with the issuer's kid", e.is.Sign(e.is.Claims("u"), authtest.SignOptions{Alg: "none", Header: map[string]any{"kid": e.is.KID()}}), "unsupported signing algorithm none"},
		{"HS256 with the public key's DER bytes", e.is.Sign(e.is.Claims("u"), authtest.SignOptions{Alg: "HS256", Key: der, KID: e.is.KID()}), "unsupported signing algorithm HS256"},
		{"HS256 with the public key's PEM", e.is.Sign(e.is.Claims("u"), authtest.SignOptions{Alg: "HS256", Key: pemKey, KID: e.is.KID()}), "unsupported signing algorithm HS256"},
		{"HS256 signature under an RS256 header", e.is.Sign(e.is.Claims("u"), authtest.SignOptions{Alg: "HS256", Key: der, KID: e.is.KID(), Header: map[string]any{"alg": "RS256"}}), "bad signature"},
		{"unknown alg is not repeated", e.is.Sign(e.is.Claims("u"), authtest.SignOptions{Alg: "none", Header: map[string]any{"alg": "X<script>"}}), "unsupported signing algorithm"},
		{"unknown kid", e.is.Sign(e.is.Claims("u"), authtest.SignOptions{KID: "no-such-kid"}), "unknown signing key"},
		{"not a JWT", "not-a-jwt", "malformed token"},
		{"three parts of garbage", "a.b.c", "malformed token"},
		{"JWE-shaped", "a.b.c.d.e", "malformed token"},
		{"empty signature", parts[0] + "." + parts[1] + ".", "bad signature"},
	}
	var tokens []string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tokens = append(tokens, tt.token)
			p, err := e.auth(tt.token)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted as %+v", p)
			}
			wantRefused(t, err, tt.reason)
			var ae *Error
			errors.As(err, &ae)
			for _, part := range strings.Split(tt.token, ".") {
				if len(part) > 8 && (strings.Contains(ae.Detail, part) || strings.Contains(ae.Challenge, part)) {
					t.Fatalf("the answer %+v quotes the token", ae)
				}
			}
		})
	}
	assertNoSecretsLogged(t, e.logs.String(), tokens...)
}

func authtestB64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func TestOIDCClockSkew(t *testing.T) {
	e := startOIDC(t, false, func(c *OIDCConfig) { c.ClockSkew = time.Minute })
	now := e.clk.Now()
	c := e.is.Claims("u")
	c["exp"] = now.Add(-59 * time.Second).Unix()
	c["nbf"] = now.Add(59 * time.Second).Unix()
	if _, err := e.auth(e.is.Sign(c, authtest.SignOptions{})); err != nil {
		t.Fatalf("a token within the skew was refused: %v", err)
	}
	e.clk.Advance(2 * time.Second) // now past exp+skew
	_, err := e.auth(e.is.Sign(c, authtest.SignOptions{}))
	wantRefused(t, err, "token expired")
}

func TestOIDCChallengesRequestsWithoutABearerToken(t *testing.T) {
	e := startOIDC(t, false, nil)
	for _, h := range []string{"", "Basic dXNlcjpwdw=="} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if h != "" {
			r.Header.Set("Authorization", h)
		}
		_, err := e.o.Authenticate(context.Background(), r)
		_ = wantAuthError(t, err, http.StatusUnauthorized, `Bearer realm="wf-engine"`)
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "Bearer")
	_, err := e.o.Authenticate(context.Background(), r)
	wantRefused(t, err, "malformed authorization header")
}

func TestOIDCAlgorithmsAreConfigurable(t *testing.T) {
	e := startOIDC(t, false, func(c *OIDCConfig) { c.Algorithms = []string{"ES256"} })
	if _, err := e.auth(e.is.Sign(e.is.Claims("u"), authtest.SignOptions{Alg: "ES256"})); err != nil {
		t.Fatal(err)
	}
	_, err := e.auth(e.is.Token("u"))
	wantRefused(t, err, "unsupported signing algorithm RS256")
}

func TestOIDCRefetchesKeysForANewKIDAtMostOncePerInterval(t *testing.T) {
	e := startOIDC(t, false, nil)
	old := e.is.Token("u")
	fetches := e.is.Requests(authtest.JWKSPath)
	if fetches != 1 {
		t.Fatalf("%d JWKS fetches at start; want 1", fetches)
	}
	if err := e.is.RotateKey(); err != nil {
		t.Fatal(err)
	}
	fresh := e.is.Token("u")
	// The keys were fetched at this very moment: the new kid must wait.
	_, err := e.auth(fresh)
	wantRefused(t, err, "unknown signing key")
	if n := e.is.Requests(authtest.JWKSPath); n != fetches {
		t.Fatalf("%d JWKS fetches; want %d (rate limited)", n, fetches)
	}
	e.clk.Advance(DefaultKeyRefreshInterval)
	if _, err := e.auth(fresh); err != nil {
		t.Fatalf("token with the rotated key: %v", err)
	}
	if n := e.is.Requests(authtest.JWKSPath); n != fetches+1 {
		t.Fatalf("%d JWKS fetches; want %d", n, fetches+1)
	}
	if _, err := e.auth(old); err != nil {
		t.Fatalf("token with the previous key: %v", err)
	}
	if _, err := e.auth(e.is.Token("v")); err != nil {
		t.Fatal(err)
	}
	if n := e.is.Requests(authtest.JWKSPath); n != fetches+1 {
		t.Fatalf("%d JWKS fetches for known keys; want %d", n, fetches+1)
	}
}

func TestOIDCFloodOfUnknownKIDsIsRateLimited(t *testing.T) {
	e := startOIDC(t, false, nil)
	start := e.clk.Now()
	claims := e.is.Claims("u")
	claims["exp"] = start.Add(time.Hour).Unix()
	const tokens, batch, step = 1000, 10, 370 * time.Millisecond
	var mu sync.Mutex
	outcomes := map[string]int{}
	for i := 0; i < tokens; i += batch {
		e.clk.Advance(step)
		var wg sync.WaitGroup
		for range batch {
			wg.Go(func() {
				kid := make([]byte, 8)
				_, _ = rand.Read(kid)
				_, err := e.auth(e.is.Sign(claims, authtest.SignOptions{KID: hex.EncodeToString(kid)}))
				var ae *Error
				reason := "accepted"
				if errors.As(err, &ae) {
					reason = ae.Detail
				}
				mu.Lock()
				outcomes[reason]++
				mu.Unlock()
			})
		}
		wg.Wait()
	}
	elapsed := e.clk.Now().Sub(start)
	bound := int(math.Ceil(float64(elapsed)/float64(DefaultKeyRefreshInterval))) + 1
	fetches := e.is.Requests(authtest.JWKSPath)
	t.Logf("%d tokens over %s: %d JWKS fetches (bound %d), outcomes %v", tokens, elapsed, fetches, bound, outcomes)
	if fetches > bound {
		t.Fatalf("%d JWKS fetches over %s; want at most %d", fetches, elapsed, bound)
	}
	if fetches < 2 {
		t.Fatalf("%d JWKS fetches: unknown kids never caused a refetch", fetches)
	}
	if outcomes["The bearer token is not valid: unknown signing key"] != tokens {
		t.Fatalf("outcomes %v; want every token refused for its unknown key", outcomes)
	}
}

func TestOIDCRefreshesOldKeysAndKeepsThemWhenTheIssuerFails(t *testing.T) {
	e := startOIDC(t, false, func(c *OIDCConfig) { c.KeyMaxAge = 10 * time.Minute })
	claims := e.is.Claims("u")
	claims["exp"] = e.clk.Now().Add(2 * time.Hour).Unix()
	tok := e.is.Sign(claims, authtest.SignOptions{})
	e.clk.Advance(10 * time.Minute)
	if _, err := e.auth(tok); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a background refetch", func() bool { return e.is.Requests(authtest.JWKSPath) == 2 })
	// The issuer counts a request when it arrives; wait until the keys are
	// stored too, or the next token would join this fetch instead of
	// starting the one that fails.
	waitFor(t, "the background refetch to finish", func() bool {
		return strings.Count(e.logs.String(), "oidc signing keys fetched") == 2
	})

	e.is.SetDown(true)
	e.clk.Advance(10 * time.Minute)
	if _, err := e.auth(tok); err != nil {
		t.Fatalf("old keys not used while refetching: %v", err)
	}
	waitFor(t, "a failed refetch to be logged", func() bool {
		return strings.Contains(e.logs.String(), "keeping the old ones")
	})
	if _, err := e.auth(tok); err != nil {
		t.Fatalf("old keys dropped after a failed refetch: %v", err)
	}
	if n := e.is.Requests(authtest.JWKSPath); n != 3 {
		t.Fatalf("%d JWKS fetches; want 3 (the failed refetch is rate limited)", n)
	}
}

func TestOIDCAnswers503UntilTheIssuerAnswers(t *testing.T) {
	e := startOIDC(t, true, nil)
	tok := e.is.Token("u")
	waitFor(t, "a discovery attempt", func() bool { return e.is.Requests(authtest.DiscoveryPath) >= 1 })
	_, err := e.auth(tok)
	ae := wantAuthError(t, err, http.StatusServiceUnavailable, "")
	if ae.Title != "UNAVAILABLE" || !strings.Contains(ae.Detail, e.is.URL()) || !strings.Contains(ae.Detail, "has not answered") {
		t.Fatalf("answer %+v; want UNAVAILABLE naming the issuer", ae)
	}
	if e.o.Ready() {
		t.Fatal("ready while the issuer is down")
	}
	// Without a token the answer is still a 401 challenge.
	_, err = e.o.Authenticate(context.Background(), httptest.NewRequest(http.MethodGet, "/", nil))
	_ = wantAuthError(t, err, http.StatusUnauthorized, `Bearer realm="wf-engine"`)

	e.is.SetDown(false)
	e.waitReady(t)
	if _, err := e.auth(tok); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.logs.String(), "oidc issuer has not answered; retrying") {
		t.Fatalf("no warning logged while the issuer was down:\n%s", e.logs.String())
	}
}

func TestOIDCCloseStopsDiscovery(t *testing.T) {
	e := startOIDC(t, true, nil)
	waitFor(t, "a discovery attempt", func() bool { return e.is.Requests(authtest.DiscoveryPath) >= 1 })
	done := make(chan struct{})
	go func() { e.o.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
	// Close waited for the discovery goroutine, so the issuer coming up
	// now changes nothing.
	e.is.SetDown(false)
	if e.o.Ready() {
		t.Fatal("ready after Close")
	}
}

func TestOIDCConfigValidate(t *testing.T) {
	good := OIDCConfig{Issuer: "https://login.example.com/realms/wf", Audience: "wf-engine"}
	if err := good.Validate(); err != nil {
		t.Fatalf("good config: %v", err)
	}
	for _, issuer := range []string{"http://127.0.0.1:8080", "http://localhost:9000/realms/x", "http://[::1]:80"} {
		c := good
		c.Issuer = issuer
		if err := c.Validate(); err != nil {
			t.Errorf("issuer %s: %v", issuer, err)
		}
	}
	bad := OIDCConfig{
		Issuer:             "http://login.example.com",
		Algorithms:         []string{"RS256", "none", "HS256", "hs512", "XYZ1"},
		ClockSkew:          10 * time.Minute,
		RoleMapping:        map[string]string{"wf-admins": "root"},
		ClientRoles:        map[string][]string{"svc": {"worker", "god"}},
		KeyRefreshInterval: time.Millisecond,
		KeyMaxAge:          -time.Second,
	}
	err := bad.Validate()
	if err == nil {
		t.Fatal("bad config accepted")
	}
	for _, want := range []string{
		"oidc issuer:", "must use https", "oidc audience: required",
		`"none" is refused`, `"HS256" is refused`, `"hs512" is refused`, `unknown algorithm "XYZ1"`,
		"clock skew", `"wf-admins" maps to unknown role "root"`, `client "svc" has unknown role "god"`,
		"key refresh interval", "key max age",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}
	for _, issuer := range []string{"", "login.example.com", "ftp://x", "https://u:p@x", "https://x/?a=1", "https://x/#f", "http://10.0.0.1"} {
		c := good
		c.Issuer = issuer
		if err := c.Validate(); err == nil {
			t.Errorf("issuer %q accepted", issuer)
		}
	}
	if _, err := NewOIDC(context.Background(), bad); err == nil {
		t.Error("NewOIDC accepted a bad config")
	}
}

func TestNumericDate(t *testing.T) {
	for _, v := range []any{"1", nil, map[string]any{}, math.NaN(), math.Inf(1)} {
		if _, ok := numericDate(v); ok {
			t.Errorf("numericDate(%v) accepted", v)
		}
	}
	if d, ok := numericDate(1.5); !ok || !d.Equal(time.Unix(1, 5e8)) {
		t.Errorf("numericDate(1.5) = %v, %v", d, ok)
	}
	if d, ok := numericDate(1e300); !ok || d.Before(time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("numericDate(1e300) = %v, %v; want the far future", d, ok)
	}
}

// assertNoSecretsLogged fails when the logs hold any of the secrets or a
// telling piece of one (a JWT's signature or payload).
func assertNoSecretsLogged(t *testing.T, logs string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		pieces := []string{s}
		if parts := strings.Split(s, "."); len(parts) == 3 {
			pieces = append(pieces, parts...)
		}
		for _, p := range pieces {
			if len(p) >= 8 && strings.Contains(logs, p) {
				t.Fatalf("the logs hold a secret %q:\n%s", p, logs)
			}
		}
	}
}

func FuzzOIDCAuthenticate(f *testing.F) {
	e := startOIDC(f, false, nil)
	valid := e.is.Token("u", "admin")
	f.Add(valid)
	f.Add(e.is.Sign(e.is.Claims("u"), authtest.SignOptions{Alg: "ES256"}))
	f.Add(e.is.Sign(e.is.Claims("u"), authtest.SignOptions{Alg: "none"}))
	f.Add(e.is.Sign(map[string]any{"exp": "x", "aud": 3, "iss": []int{1}}, authtest.SignOptions{}))
	f.Add("e30.e30.e30")
	f.Fuzz(func(t *testing.T, token string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header["Authorization"] = []string{"Bearer " + token}
		p, err := e.o.Authenticate(context.Background(), r)
		if err == nil {
			if p == nil || p.Subject == "" {
				t.Fatalf("accepted without a subject: %+v", p)
			}
			return
		}
		var ae *Error
		if !errors.As(err, &ae) || ae.Status != http.StatusUnauthorized {
			t.Fatalf("answer %v (%T); want a 401 *Error", err, err)
		}
		if len(token) > 8 && (strings.Contains(ae.Detail, token) || strings.Contains(ae.Challenge, token)) {
			t.Fatalf("the answer %+v quotes the token", ae)
		}
	})
}
