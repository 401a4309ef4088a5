package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/example/wf-engine/api/auth"
)

// OIDC login's tuning.
const (
	// discoveryRetry is the least time between two discovery attempts
	// after one failed, however many logins arrive.
	discoveryRetry = 5 * time.Second
	// providerTimeout bounds each call to the provider.
	providerTimeout = 10 * time.Second
	// maxExchanges bounds concurrent calls to the token endpoint (code
	// exchanges and refreshes), so a flood of callbacks cannot make the
	// engine flood the provider.
	maxExchanges = 4
	// maxLoginHint bounds the login_hint passed on to the provider.
	maxLoginHint = 256
)

// DefaultScopes are the scopes of a login when the configuration names
// none.
var DefaultScopes = []string{oidc.ScopeOpenID, "profile", "email"}

// TokenChecker turns an access token into a principal exactly as a bearer
// token in an Authorization header would be; auth.OIDC is one.
type TokenChecker interface {
	AuthenticateToken(ctx context.Context, token string) (*auth.Principal, error)
}

// OIDCLogin configures the authorization-code flow with PKCE: the engine
// is a confidential client of the issuer.
type OIDCLogin struct {
	// Issuer is the issuer URL (the one bearer tokens are checked against).
	Issuer string
	// ClientID and ClientSecret are the engine's client at the provider,
	// whose redirect URI is the public URL and /auth/callback.
	ClientID, ClientSecret string
	// Scopes are requested at login (default DefaultScopes); openid is
	// always among them.
	Scopes []string
	// Algorithms are the accepted ID-token signing algorithms (default
	// auth.DefaultAlgorithms).
	Algorithms []string
	// Tokens checks the access tokens of sessions.
	Tokens TokenChecker
	// HTTPClient calls the provider (default: a client with a 10s timeout).
	HTTPClient *http.Client
}

// oidcClient runs the code flow against one provider.
type oidcClient struct {
	cfg        OIDCLogin
	public     string // the public base URL, without a trailing slash
	tokens     TokenChecker
	log        *slog.Logger
	exchanges  chan struct{}
	httpClient *http.Client

	mu       sync.Mutex
	provider *provider // nil until discovery succeeds
	lastTry  time.Time
}

// provider is what discovery found.
type provider struct {
	oauth      *oauth2.Config
	verifier   *oidc.IDTokenVerifier
	endSession string
}

func newOIDCClient(cfg OIDCLogin, public string, log *slog.Logger) (*oidcClient, error) {
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, errors.New("web login: oidc needs a client id and a client secret")
	}
	if cfg.Tokens == nil {
		return nil, errors.New("web login: oidc needs a token checker")
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = DefaultScopes
	}
	if !slices.Contains(cfg.Scopes, oidc.ScopeOpenID) {
		cfg.Scopes = append([]string{oidc.ScopeOpenID}, cfg.Scopes...)
	}
	if len(cfg.Algorithms) == 0 {
		cfg.Algorithms = auth.DefaultAlgorithms
	}
	c := cfg.HTTPClient
	if c == nil {
		c = &http.Client{Timeout: providerTimeout}
	}
	return &oidcClient{cfg: cfg, public: public, tokens: cfg.Tokens, log: log, exchanges: make(chan struct{}, maxExchanges), httpClient: c}, nil
}

// unavailable is the answer while the provider cannot be reached.
func unavailable(detail string) *auth.Error {
	return &auth.Error{Status: http.StatusServiceUnavailable, Title: "UNAVAILABLE", Detail: detail}
}

// discover reads the provider's discovery document once it answers,
// trying at most once per discoveryRetry.
func (o *oidcClient) discover(ctx context.Context) (*provider, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider != nil {
		return o.provider, nil
	}
	if !o.lastTry.IsZero() && time.Since(o.lastTry) < discoveryRetry {
		return nil, unavailable("The identity provider has not answered; try again in a few seconds")
	}
	o.lastTry = time.Now()
	ctx, cancel := context.WithTimeout(o.client(ctx), providerTimeout)
	defer cancel()
	p, err := oidc.NewProvider(ctx, o.cfg.Issuer)
	if err != nil {
		o.log.WarnContext(ctx, "oidc login: discovery failed", "issuer", o.cfg.Issuer, "error", err.Error())
		return nil, unavailable("The identity provider has not answered; try again in a few seconds")
	}
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	_ = p.Claims(&meta) // the document was read; a missing field is empty
	if u, err := url.Parse(meta.EndSession); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		meta.EndSession = ""
	}
	o.provider = &provider{
		oauth: &oauth2.Config{ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret, Endpoint: p.Endpoint(),
			RedirectURL: o.public + "/auth/callback", Scopes: o.cfg.Scopes},
		verifier:   p.Verifier(&oidc.Config{ClientID: o.cfg.ClientID, SupportedSigningAlgs: o.cfg.Algorithms}),
		endSession: meta.EndSession,
	}
	return o.provider, nil
}

// client returns ctx carrying the HTTP client for go-oidc and oauth2.
func (o *oidcClient) client(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, o.httpClient)
}

// acquire takes one of the token endpoint calls, waiting at most
// providerTimeout, or fails (503).
func (o *oidcClient) acquire(ctx context.Context) (func(), error) {
	t := time.NewTimer(providerTimeout)
	defer t.Stop()
	select {
	case o.exchanges <- struct{}{}:
		return func() { <-o.exchanges }, nil
	case <-ctx.Done():
		return nil, unavailable("The request ended while waiting for the identity provider")
	case <-t.C:
		return nil, unavailable("Too many logins are waiting for the identity provider; try again in a few seconds")
	}
}

// oidcLogin starts a login: it keeps state, nonce and PKCE verifier in a
// sealed cookie and sends the browser to the provider.
func (l *Login) oidcLogin(w http.ResponseWriter, r *http.Request) {
	p, err := l.oidc.discover(r.Context())
	if err != nil {
		writeAuthError(w, r, err)
		return
	}
	q := r.URL.Query()
	st := loginState{State: newToken(), Nonce: newToken(), Verifier: oauth2.GenerateVerifier(),
		ReturnTo: safeReturnTo(q.Get("returnTo")), Expires: l.cfg.Now().Add(loginStateTTL).Unix()}
	sealed, err := l.sealer.seal(st)
	if err != nil {
		writeProblem(w, r, http.StatusInternalServerError, "INTERNAL", "The login could not be started")
		return
	}
	l.setCookie(w, loginCookie, sealed, "/auth/callback", int(loginStateTTL/time.Second), true, http.SameSiteLaxMode)
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(st.Verifier), oidc.Nonce(st.Nonce)}
	if hint := q.Get("login_hint"); hint != "" && len(hint) <= maxLoginHint {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", hint))
	}
	http.Redirect(w, r, p.oauth.AuthCodeURL(st.State, opts...), http.StatusFound) // #nosec G710 -- the provider's authorization endpoint from discovery
}

// oidcCallback ends a login: it checks the state, exchanges the code (with
// the PKCE verifier and the client secret), verifies the ID token and its
// nonce, checks the access token as the API would, and starts a session.
func (l *Login) oidcCallback(w http.ResponseWriter, r *http.Request) {
	l.setCookie(w, loginCookie, "", "/auth/callback", -1, true, http.SameSiteLaxMode)
	c, err := r.Cookie(loginCookie)
	if err != nil {
		writeProblem(w, r, http.StatusBadRequest, "INVALID_ARGUMENT", "No login was started in this browser (or it was a while ago): log in again")
		return
	}
	st, err := l.sealer.open(c.Value, l.cfg.Now())
	if err != nil {
		writeProblem(w, r, http.StatusBadRequest, "INVALID_ARGUMENT", "The login cannot be finished: "+err.Error())
		return
	}
	q := r.URL.Query()
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(st.State)) != 1 {
		writeProblem(w, r, http.StatusBadRequest, "INVALID_ARGUMENT", "The login's state does not match the one this browser started: log in again")
		return
	}
	if e := q.Get("error"); e != "" {
		l.log.InfoContext(r.Context(), "oidc login refused by the provider", "error", clip(e))
		writeProblem(w, r, http.StatusUnauthorized, "UNAUTHORIZED", "The identity provider refused the login ("+clip(oauthErrorCode(e))+")")
		return
	}
	tokens, p, err := l.oidc.finish(r.Context(), q.Get("code"), st, l.cfg.Now())
	if err != nil {
		writeAuthError(w, r, err)
		return
	}
	if l.startSession(w, r, p.Name, nil, tokens) {
		http.Redirect(w, r, st.ReturnTo, http.StatusFound)
	}
}

// oauthErrorCode keeps an OAuth error code to its characters (RFC 6749
// §4.1.2.1: printable ASCII but quote and backslash).
func oauthErrorCode(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x20 && c <= 0x7e && c != '"' && c != '\\' {
			out = append(out, c)
		}
	}
	return string(out)
}

// finish exchanges the code and checks what the provider answered.
func (o *oidcClient) finish(ctx context.Context, code string, st loginState, now time.Time) (*tokenSet, *auth.Principal, error) {
	if code == "" {
		return nil, nil, &auth.Error{Status: http.StatusBadRequest, Title: "INVALID_ARGUMENT", Detail: "The provider's redirect has no code"}
	}
	p, err := o.discover(ctx)
	if err != nil {
		return nil, nil, err
	}
	release, err := o.acquire(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer release()
	ctx = o.client(ctx)
	tok, err := p.oauth.Exchange(ctx, code, oauth2.VerifierOption(st.Verifier))
	if err != nil {
		o.log.WarnContext(ctx, "oidc login: code exchange failed", "error", exchangeError(err))
		return nil, nil, &auth.Error{Status: http.StatusBadGateway, Title: "UNAVAILABLE", Detail: "The identity provider did not accept the login's code: log in again"}
	}
	rawID, _ := tok.Extra("id_token").(string)
	if rawID == "" {
		return nil, nil, &auth.Error{Status: http.StatusBadGateway, Title: "UNAVAILABLE", Detail: "The identity provider answered without an ID token (is openid among auth.oidc.scopes?)"}
	}
	idt, err := p.verifier.Verify(ctx, rawID)
	if err != nil {
		o.log.WarnContext(ctx, "oidc login: ID token refused", "error", err.Error())
		return nil, nil, &auth.Error{Status: http.StatusUnauthorized, Title: "UNAUTHORIZED", Detail: "The identity provider's ID token is not valid"}
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(st.Nonce)) != 1 {
		return nil, nil, &auth.Error{Status: http.StatusUnauthorized, Title: "UNAUTHORIZED", Detail: "The ID token's nonce is not this login's"}
	}
	if idt.AccessTokenHash != "" && idt.VerifyAccessToken(tok.AccessToken) != nil {
		return nil, nil, &auth.Error{Status: http.StatusUnauthorized, Title: "UNAUTHORIZED", Detail: "The access token does not match the ID token's at_hash"}
	}
	principal, err := o.tokens.AuthenticateToken(ctx, tok.AccessToken)
	if err != nil {
		var ae *auth.Error
		if errors.As(err, &ae) && ae.Status == http.StatusUnauthorized {
			return nil, nil, &auth.Error{Status: http.StatusForbidden, Title: "FORBIDDEN", Detail: "The identity provider's access token is not accepted by the API (" +
				ae.Detail + "): the provider must issue JWT access tokens for the audience of auth.oidc.audience"}
		}
		return nil, nil, err
	}
	return newTokenSet(tok, "", rawID, now), principal, nil
}

// newTokenSet keeps what a token answer holds; a field the answer lacks
// keeps the value of the previous set (refresh, id).
func newTokenSet(tok *oauth2.Token, refresh, id string, now time.Time) *tokenSet {
	ts := &tokenSet{access: tok.AccessToken, refresh: tok.RefreshToken, id: id}
	if ts.refresh == "" {
		ts.refresh = refresh
	}
	if rawID, _ := tok.Extra("id_token").(string); rawID != "" {
		ts.id = rawID
	}
	if !tok.Expiry.IsZero() {
		ts.expires = now.Add(time.Until(tok.Expiry))
	}
	return ts
}

// exchangeError describes a failed token call for the log: the OAuth error
// code when the provider sent one, never the request.
func exchangeError(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.ErrorCode != "" {
			return re.ErrorCode
		}
		if re.Response != nil {
			return fmt.Sprintf("status %d", re.Response.StatusCode)
		}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return "token call failed"
}

// currentAccessToken returns the session's access token, refreshed first
// when it has expired (or when force is set). An error that is not an
// *auth.Error ends the session.
func (o *oidcClient) currentAccessToken(ctx context.Context, sess *session, now time.Time, force bool) (string, error) {
	sess.tokenMu.Lock()
	defer sess.tokenMu.Unlock()
	ts := sess.tokens
	if ts == nil {
		return "", errors.New("the session has no tokens")
	}
	if !force && (ts.expires.IsZero() || now.Before(ts.expires)) {
		return ts.access, nil
	}
	if ts.refresh == "" {
		return "", errors.New("the access token expired and the provider issued no refresh token")
	}
	p, err := o.discover(ctx)
	if err != nil {
		return "", err
	}
	release, err := o.acquire(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	tok, err := p.oauth.TokenSource(o.client(ctx), &oauth2.Token{RefreshToken: ts.refresh}).Token()
	if err != nil {
		return "", fmt.Errorf("refresh the access token: %s", exchangeError(err))
	}
	sess.tokens = newTokenSet(tok, ts.refresh, ts.id, now)
	return sess.tokens.access, nil
}

// endSessionURL is where the browser logs out at the provider: its
// end_session_endpoint with id_token_hint and post_logout_redirect_uri,
// or / when it has none.
func (o *oidcClient) endSessionURL(ctx context.Context, idToken string) string {
	p, err := o.discover(ctx)
	if err != nil || p.endSession == "" {
		return "/"
	}
	u, _ := url.Parse(p.endSession) // checked at discovery
	q := u.Query()
	if idToken != "" {
		q.Set("id_token_hint", idToken)
	}
	q.Set("post_logout_redirect_uri", o.public+"/")
	q.Set("client_id", o.cfg.ClientID)
	u.RawQuery = q.Encode()
	return u.String()
}

// writeAuthError answers with an *auth.Error's status and text.
func writeAuthError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *auth.Error
	if !errors.As(err, &ae) {
		ae = &auth.Error{Status: http.StatusInternalServerError, Title: "INTERNAL", Detail: "The login failed"}
	}
	if ae.Status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	writeProblem(w, r, ae.Status, ae.Title, ae.Detail)
}
