package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// OIDC defaults and bounds.
const (
	DefaultClockSkew          = 30 * time.Second
	MaxClockSkew              = 5 * time.Minute
	DefaultKeyRefreshInterval = 10 * time.Second
	MinKeyRefreshInterval     = time.Second
	DefaultKeyMaxAge          = time.Hour
	DefaultRolesClaim         = "roles"
	DefaultTenantsClaim       = "tenants"
	DefaultGroupsClaim        = "groups"

	// Discovery retries back off from the first to the last delay.
	discoveryRetryFirst = 250 * time.Millisecond
	discoveryRetryMax   = 30 * time.Second
	// httpTimeout bounds each call to the issuer with the default client.
	httpTimeout = 10 * time.Second
)

// bearerChallenge is the WWW-Authenticate value when a request has no bearer
// token (RFC 6750 §3).
const bearerChallenge = `Bearer realm="wf-engine"` // #nosec G101 -- a challenge header, not a credential

// DefaultAlgorithms are the signing algorithms accepted by default: every
// asymmetric one go-oidc knows.
var DefaultAlgorithms = []string{
	oidc.RS256, oidc.RS384, oidc.RS512,
	oidc.ES256, oidc.ES384, oidc.ES512,
	oidc.PS256, oidc.PS384, oidc.PS512,
	oidc.EdDSA,
}

// OIDCConfig configures bearer-token authentication against one OIDC
// issuer. Zero values take the defaults named on each field.
type OIDCConfig struct {
	// Issuer is the issuer URL: discovery reads
	// Issuer/.well-known/openid-configuration, and tokens' iss must equal
	// it. https, or http on a loopback host.
	Issuer string
	// Audience must be one of a token's aud values.
	Audience string
	// Algorithms are the accepted signing algorithms (default
	// DefaultAlgorithms). Never "none", never HMAC (HS256, HS384, HS512):
	// tokens are verified only with the issuer's public keys.
	Algorithms []string
	// ClockSkew is the leeway on exp and nbf (default 30s, at most 5m).
	ClockSkew time.Duration
	// RolesClaim is the claim path of the roles (default "roles"); dotted
	// paths such as "realm_access.roles" work (see ClaimPath).
	RolesClaim string
	// TenantsClaim is the claim path of the tenant ids (default "tenants").
	TenantsClaim string
	// GroupsClaim is the claim path of the groups (default "groups").
	GroupsClaim string
	// RoleMapping maps a roles-claim value to a role name. A value that is
	// not mapped counts only when it is itself a role name.
	RoleMapping map[string]string
	// ClientRoles gives machine clients roles by client id, added to the
	// roles from their token.
	ClientRoles map[string][]string
	// KeyRefreshInterval is the least time between two JWKS fetches caused
	// by tokens with an unknown kid (default 10s, at least 1s).
	KeyRefreshInterval time.Duration
	// KeyMaxAge is how old the keys may get before they are refetched
	// (default 1h, at least KeyRefreshInterval).
	KeyMaxAge time.Duration
	// HTTPClient calls the issuer (default: a client with a 10s timeout).
	HTTPClient *http.Client
	// Now tells the time for exp, nbf and the key refresh (default
	// time.Now).
	Now func() time.Time
	// Logger receives discovery and key-refresh problems, and refused
	// tokens at debug level (default: discarded). It never sees a token.
	Logger *slog.Logger
}

// Validate reports every problem of the configuration, or nil.
func (c OIDCConfig) Validate() error {
	var errs []error
	add := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if err := checkIssuerURL(c.Issuer); err != nil {
		add("oidc issuer: %w", err)
	}
	if c.Audience == "" {
		add("oidc audience: required (the aud value tokens for the engine carry)")
	}
	for _, a := range c.Algorithms {
		switch {
		case strings.EqualFold(a, "none"):
			add("oidc algorithms: %q is refused: tokens must be signed", a)
		case strings.HasPrefix(strings.ToUpper(a), "HS"):
			add("oidc algorithms: %q is refused: tokens are verified only with the issuer's public keys, never a shared secret", a)
		case !slices.Contains(DefaultAlgorithms, a):
			add("oidc algorithms: unknown algorithm %q (known: %s)", a, strings.Join(DefaultAlgorithms, ", "))
		}
	}
	if c.ClockSkew < 0 || c.ClockSkew > MaxClockSkew {
		add("oidc clock skew: %s is outside 0..%s", c.ClockSkew, MaxClockSkew)
	}
	for _, k := range sortedKeys(c.RoleMapping) {
		if k == "" {
			add("oidc role mapping: an empty claim value")
		}
		if _, ok := ParseRole(c.RoleMapping[k]); !ok {
			add("oidc role mapping: %q maps to unknown role %q (roles are %s)", k, c.RoleMapping[k], roleNames())
		}
	}
	for _, id := range sortedKeys(c.ClientRoles) {
		if id == "" {
			add("oidc client roles: an empty client id")
		}
		for _, r := range c.ClientRoles[id] {
			if _, ok := ParseRole(r); !ok {
				add("oidc client roles: client %q has unknown role %q (roles are %s)", id, r, roleNames())
			}
		}
	}
	interval := c.KeyRefreshInterval
	if interval == 0 {
		interval = DefaultKeyRefreshInterval
	}
	if interval < MinKeyRefreshInterval {
		add("oidc key refresh interval: %s is less than %s", c.KeyRefreshInterval, MinKeyRefreshInterval)
	}
	if c.KeyMaxAge < 0 || (c.KeyMaxAge != 0 && c.KeyMaxAge < interval) {
		add("oidc key max age: %s is less than the key refresh interval %s", c.KeyMaxAge, interval)
	}
	return errors.Join(errs...)
}

// checkIssuerURL accepts an absolute https URL, or http on a loopback host,
// without user info, query or fragment.
func checkIssuerURL(s string) error {
	if s == "" {
		return errors.New("required")
	}
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("not a URL")
	}
	switch {
	case u.Host == "" || !u.IsAbs():
		return fmt.Errorf("%q is not an absolute URL", s)
	case u.User != nil:
		return errors.New("must not hold a user or password")
	case u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("%q must not have a query or fragment", s)
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && LoopbackHost(u.Hostname()):
		return nil
	case u.Scheme == "http":
		return fmt.Errorf("%q must use https (http only on a loopback host)", s)
	default:
		return fmt.Errorf("%q must be an https URL", s)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// withDefaults returns c with every zero field set to its default.
func (c OIDCConfig) withDefaults() OIDCConfig {
	if len(c.Algorithms) == 0 {
		c.Algorithms = DefaultAlgorithms
	}
	c.Algorithms = slices.Clone(c.Algorithms)
	if c.ClockSkew == 0 {
		c.ClockSkew = DefaultClockSkew
	}
	if c.RolesClaim == "" {
		c.RolesClaim = DefaultRolesClaim
	}
	if c.TenantsClaim == "" {
		c.TenantsClaim = DefaultTenantsClaim
	}
	if c.GroupsClaim == "" {
		c.GroupsClaim = DefaultGroupsClaim
	}
	if c.KeyRefreshInterval == 0 {
		c.KeyRefreshInterval = DefaultKeyRefreshInterval
	}
	if c.KeyMaxAge == 0 {
		c.KeyMaxAge = max(DefaultKeyMaxAge, c.KeyRefreshInterval)
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: httpTimeout}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// OIDC authenticates bearer JWTs issued by one OIDC issuer. It discovers
// the issuer in the background, so the engine starts while the issuer is
// down; until the issuer has answered, requests with a token get 503. It
// is safe for concurrent use.
type OIDC struct {
	cfg      OIDCConfig
	keys     *keySet
	verifier *oidc.IDTokenVerifier
	tokens   *tokenCache
	ready    atomic.Bool
	log      *slog.Logger

	cancel    context.CancelFunc
	wg        sync.WaitGroup
	closeOnce sync.Once
}

// NewOIDC checks cfg and returns the authenticator; it fails only on
// configuration errors. Discovery and the first key fetch run in the
// background with capped exponential back-off until the issuer answers
// (see Ready). Close stops them. ctx is used only for values (not for
// cancellation: Close ends the background work).
func NewOIDC(ctx context.Context, cfg OIDCConfig) (*OIDC, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("check oidc configuration: %w", err)
	}
	cfg = cfg.withDefaults()
	base, cancel := context.WithCancel(context.WithoutCancel(ctx))
	o := &OIDC{cfg: cfg, log: cfg.Logger, cancel: cancel, tokens: newTokenCache(tokenCacheSize)}
	o.keys = newKeySet(base, cfg, cfg.Logger)
	o.verifier = oidc.NewVerifier(cfg.Issuer, o.keys, &oidc.Config{
		ClientID:             cfg.Audience,
		SupportedSigningAlgs: cfg.Algorithms,
		SkipExpiryCheck:      true, // checked here, with ClockSkew
		Now:                  cfg.Now,
	})
	o.wg.Add(1)
	go o.discover(base)
	return o, nil
}

// Ready reports whether the issuer has answered discovery and its keys are
// loaded.
func (o *OIDC) Ready() bool { return o.ready.Load() }

// Close stops the background discovery and key fetches and waits for them.
func (o *OIDC) Close() {
	o.closeOnce.Do(func() {
		o.cancel()
		o.wg.Wait()
		o.keys.close()
	})
}

// discover reads the issuer's discovery document and its keys, retrying
// with capped exponential back-off until both answer or Close.
func (o *OIDC) discover(ctx context.Context) {
	defer o.wg.Done()
	delay := discoveryRetryFirst
	for attempt := 1; ; attempt++ {
		err := o.discoverOnce(ctx)
		if err == nil {
			o.ready.Store(true)
			o.log.Info("oidc issuer answered", "issuer", o.cfg.Issuer, "attempts", attempt)
			return
		}
		if ctx.Err() != nil {
			return
		}
		o.log.Warn("oidc issuer has not answered; retrying", "issuer", o.cfg.Issuer, "attempt", attempt, "retry_in", delay, "error", shortError(err))
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		delay = min(2*delay, discoveryRetryMax)
	}
}

func (o *OIDC) discoverOnce(ctx context.Context) error {
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, o.cfg.HTTPClient), o.cfg.Issuer)
	if err != nil {
		return fmt.Errorf("discover the issuer: %w", err)
	}
	var meta struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := p.Claims(&meta); err != nil {
		return fmt.Errorf("read the discovery document: %w", err)
	}
	if err := o.checkJWKSURL(meta.JWKSURI); err != nil {
		return fmt.Errorf("discovery document's jwks_uri: %w", err)
	}
	o.keys.setURL(meta.JWKSURI)
	if err := o.keys.fetch(ctx, true); err != nil {
		return fmt.Errorf("fetch the signing keys: %w", err)
	}
	return nil
}

// checkJWKSURL wants the keys from https, or from http when the issuer
// itself is on http (a loopback host: see checkIssuerURL).
func (o *OIDC) checkJWKSURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", s)
	}
	if u.Scheme == "https" || (u.Scheme == "http" && strings.HasPrefix(o.cfg.Issuer, "http:")) {
		return nil
	}
	return fmt.Errorf("%q must use https", s)
}

// Authenticate checks the request's bearer token. Without one (or with
// another scheme) it answers 401 with a Bearer challenge; with a bad one,
// 401 with error="invalid_token" and a description of what was wrong
// (RFC 6750 §3.1); before the issuer has answered, 503.
func (o *OIDC) Authenticate(ctx context.Context, r *http.Request) (*Principal, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, &Error{Status: http.StatusUnauthorized, Title: "UNAUTHORIZED", Detail: "The request has no credentials: send a bearer token", Challenge: bearerChallenge}
	}
	scheme, token, err := ParseAuthorization(h)
	if err != nil {
		return nil, o.refuse(ctx, "malformed authorization header")
	}
	if scheme != "bearer" {
		return nil, &Error{Status: http.StatusUnauthorized, Title: "UNAUTHORIZED", Detail: "The Authorization header must use the Bearer scheme", Challenge: bearerChallenge}
	}
	return o.AuthenticateToken(ctx, token)
}

// AuthenticateToken checks a bearer token that did not come in an
// Authorization header (api/web's session holds the access token of a
// browser login) exactly as Authenticate checks one that did: same
// verification, cache and claim mapping, same errors.
func (o *OIDC) AuthenticateToken(ctx context.Context, token string) (*Principal, error) {
	if !o.Ready() {
		return nil, &Error{Status: http.StatusServiceUnavailable, Title: "UNAVAILABLE",
			Detail: fmt.Sprintf("The OIDC issuer %s has not answered yet, so tokens cannot be checked; try again later", o.cfg.Issuer)}
	}
	now := o.cfg.Now()
	if p := o.tokens.get(token, now); p != nil {
		return p, nil
	}
	claims, reason := o.verify(ctx, token)
	if reason != "" {
		if ctx.Err() != nil {
			return nil, &Error{Status: http.StatusServiceUnavailable, Title: "UNAVAILABLE", Detail: "The request ended while the issuer's signing keys were being fetched"}
		}
		return nil, o.refuse(ctx, reason)
	}
	p := o.principal(claims)
	exp, _ := numericDate(claims["exp"]) // verify checked it
	var from time.Time
	if nbf, ok := numericDate(claims["nbf"]); ok {
		from = nbf.Add(-o.cfg.ClockSkew)
	}
	o.tokens.put(token, p, from, exp.Add(o.cfg.ClockSkew), now)
	return p, nil
}

// refuse answers 401 for a bad token; reason is a fixed phrase, never a
// part of the token.
func (o *OIDC) refuse(ctx context.Context, reason string) *Error {
	o.log.DebugContext(ctx, "bearer token refused", "reason", reason)
	return &Error{
		Status:    http.StatusUnauthorized,
		Title:     "UNAUTHORIZED",
		Detail:    "The bearer token is not valid: " + reason,
		Challenge: fmt.Sprintf(`Bearer realm="wf-engine", error="invalid_token", error_description=%q`, reason),
	}
}

// verify checks the token and returns its claims, or why it is refused.
func (o *OIDC) verify(ctx context.Context, token string) (map[string]any, string) {
	alg, ok := tokenAlg(token)
	if !ok {
		return nil, "malformed token"
	}
	if !slices.Contains(o.cfg.Algorithms, alg) {
		if alg == "none" || slices.Contains(knownAlgorithms, alg) {
			return nil, fmt.Sprintf("unsupported signing algorithm %s", alg)
		}
		return nil, "unsupported signing algorithm"
	}
	note := &verifyNote{}
	idt, err := o.verifier.Verify(context.WithValue(ctx, verifyNoteKey{}, note), token)
	if err != nil {
		switch {
		case note.err != nil:
			return nil, o.keyReason(note.err)
		case note.payload == nil:
			return nil, "malformed token"
		}
		var c struct {
			Issuer   string          `json:"iss"`
			Audience json.RawMessage `json:"aud"`
		}
		if json.Unmarshal(note.payload, &c) != nil {
			return nil, "malformed claims"
		}
		if c.Issuer != o.cfg.Issuer {
			return nil, "wrong issuer"
		}
		if !audienceHas(c.Audience, o.cfg.Audience) {
			return nil, "wrong audience"
		}
		return nil, "malformed claims"
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return nil, "malformed claims"
	}
	if sub, _ := claims["sub"].(string); sub == "" {
		return nil, "token has no subject"
	}
	now := o.cfg.Now()
	exp, ok := numericDate(claims["exp"])
	switch {
	case !ok:
		return nil, "token has no expiry"
	case now.After(exp.Add(o.cfg.ClockSkew)):
		return nil, "token expired"
	}
	if v, present := claims["nbf"]; present {
		nbf, ok := numericDate(v)
		if !ok {
			return nil, "malformed claims"
		}
		if now.Add(o.cfg.ClockSkew).Before(nbf) {
			return nil, "token not yet valid"
		}
	}
	return claims, ""
}

func (o *OIDC) keyReason(err error) string {
	switch {
	case errors.Is(err, errUnknownKey):
		return "unknown signing key"
	case errors.Is(err, errBadSignature):
		return "bad signature"
	case errors.Is(err, errNoKeys):
		return "the issuer's signing keys are not loaded"
	default:
		return "malformed token"
	}
}

// audienceHas reports whether an aud claim (a string or an array of
// strings) holds aud.
func audienceHas(raw json.RawMessage, aud string) bool {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one == aud
	}
	var many []string
	return json.Unmarshal(raw, &many) == nil && slices.Contains(many, aud)
}

// knownAlgorithms are the JOSE signature algorithm names a refusal may
// name; any other alg header is not repeated back.
var knownAlgorithms = append([]string{"HS256", "HS384", "HS512"}, DefaultAlgorithms...)

// tokenAlg reads the alg of a compact JWS's header, or false when the
// token is not three base64url parts with a JSON header.
func tokenAlg(token string) (string, bool) {
	if strings.Count(token, ".") != 2 {
		return "", false
	}
	head, _, _ := strings.Cut(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		return "", false
	}
	var h struct {
		Alg string `json:"alg"`
	}
	if json.Unmarshal(raw, &h) != nil || h.Alg == "" {
		return "", false
	}
	return h.Alg, true
}

// numericDate reads a JWT NumericDate (seconds since the epoch, RFC 7519
// §2), clamping absurd values rather than overflowing.
func numericDate(v any) (time.Time, bool) {
	f, ok := v.(float64)
	if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
		return time.Time{}, false
	}
	const limit = 1 << 40 // far beyond any real date, far below overflow
	f = max(-limit, min(limit, f))
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true
}

// principal makes the principal of a verified token's claims.
//
// A token is a machine client's (OAuth2 client credentials) when it has a
// client_id claim (Keycloak service accounts, Okta, our test issuer), or
// its sub equals its azp, or gty is "client-credentials" (Auth0), or it has
// an azp and none of the claims that describe a person
// (preferred_username, name, given_name, family_name, email). Only then is
// ClientID set (azp, else client_id) and ClientRoles applied.
func (o *OIDC) principal(claims map[string]any) *Principal {
	str := func(k string) string { s, _ := claims[k].(string); return s }
	p := &Principal{Subject: str("sub"), Email: str("email")}
	azp, clientID := str("azp"), str("client_id")
	if clientID == "" {
		clientID = str("clientId")
	}
	personal := false
	for _, k := range []string{"preferred_username", "name", "given_name", "family_name", "email"} {
		personal = personal || str(k) != ""
	}
	if clientID != "" || (azp != "" && (azp == p.Subject || str("gty") == "client-credentials" || !personal)) {
		p.ClientID = azp
		if p.ClientID == "" {
			p.ClientID = clientID
		}
	}
	for _, k := range []string{"preferred_username", "name", "email", "sub"} {
		if p.Name = str(k); p.Name != "" {
			break
		}
	}
	if v, ok := ClaimPath(claims, o.cfg.RolesClaim); ok {
		for _, s := range claimStrings(v) {
			if mapped, ok := o.cfg.RoleMapping[s]; ok {
				s = mapped
			}
			if r, ok := ParseRole(s); ok {
				p.Roles = append(p.Roles, r)
			}
		}
	}
	if p.ClientID != "" {
		for _, s := range o.cfg.ClientRoles[p.ClientID] {
			if r, ok := ParseRole(s); ok {
				p.Roles = append(p.Roles, r)
			}
		}
	}
	p.Roles = sortedUnique(p.Roles)
	if v, ok := ClaimPath(claims, o.cfg.TenantsClaim); ok {
		p.Tenants = sortedUnique(claimStrings(v))
	}
	if v, ok := ClaimPath(claims, o.cfg.GroupsClaim); ok {
		p.Groups = sortedUnique(claimStrings(v))
	}
	return p
}

// Interface guards
var _ Authenticator = (*OIDC)(nil)
