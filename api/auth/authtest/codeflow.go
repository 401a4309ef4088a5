package authtest

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// codeTTL is how long an authorization code may wait for its exchange.
const codeTTL = time.Minute

// User is a person who may log in through the authorization-code flow.
type User struct {
	// Name is the sub and preferred_username of the user's tokens.
	Name string
	// Email is the email claim, when set.
	Email string
	// Roles, Tenants and Groups go into the access token's roles, tenants
	// and groups claims.
	Roles, Tenants, Groups []string
}

// authCode is an issued authorization code, waiting for its exchange.
type authCode struct {
	grant
	redirectURI string
	challenge   string
	expires     time.Time
}

// grant is who logged in to which client: what a code or a refresh token
// stands for.
type grant struct {
	client string
	user   User
	nonce  string
}

// authorize is the authorization endpoint of the code flow. It wants
// response_type=code, a known client_id, an absolute redirect_uri, the
// openid scope and a PKCE challenge with method S256. The user is the one
// login_hint names, which approves at once; without a hint it shows a page
// with one "Sign in as NAME" button per user.
func (is *Issuer) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if _, ok := is.client(q.Get("client_id")); !ok {
		http.Error(w, "unknown client_id", http.StatusBadRequest)
		return
	}
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || !redirect.IsAbs() || (redirect.Scheme != "http" && redirect.Scheme != "https") || redirect.Fragment != "" {
		http.Error(w, "redirect_uri must be an absolute http(s) URL", http.StatusBadRequest)
		return
	}
	fail := func(code string) {
		v := redirect.Query()
		v.Set("error", code)
		if s := q.Get("state"); s != "" {
			v.Set("state", s)
		}
		redirect.RawQuery = v.Encode()
		http.Redirect(w, r, redirect.String(), http.StatusFound) // #nosec G710 -- a test issuer returns to the redirect URI its test names
	}
	switch {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type")
		return
	case !slices.Contains(strings.Fields(q.Get("scope")), "openid"):
		fail("invalid_scope")
		return
	case q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256":
		fail("invalid_request") // PKCE with S256 is required
		return
	}
	hint := q.Get("login_hint")
	if hint == "" {
		is.consentPage(w, q)
		return
	}
	u, ok := is.user(hint)
	if !ok {
		fail("access_denied")
		return
	}
	code := randomToken()
	is.mu.Lock()
	is.codes[code] = &authCode{grant: grant{client: q.Get("client_id"), user: u, nonce: q.Get("nonce")},
		redirectURI: q.Get("redirect_uri"), challenge: q.Get("code_challenge"), expires: is.opts.Now().Add(codeTTL)}
	is.mu.Unlock()
	v := redirect.Query()
	v.Set("code", code)
	v.Set("state", q.Get("state"))
	v.Set("iss", is.url)
	redirect.RawQuery = v.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound) // #nosec G710 -- a test issuer returns to the redirect URI its test names
}

var consentTemplate = template.Must(template.New("consent").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test issuer: sign in</title></head>
<body><main><h1>Sign in to the test issuer</h1>
<form method="get" action="{{.Action}}">
{{range $k, $vs := .Params}}{{range $vs}}<input type="hidden" name="{{$k}}" value="{{.}}">
{{end}}{{end}}{{range .Users}}<p><button type="submit" name="login_hint" value="{{.}}">Sign in as {{.}}</button></p>
{{end}}</form></main></body></html>
`))

// consentPage shows one button per user; each repeats the request with
// that user's login_hint.
func (is *Issuer) consentPage(w http.ResponseWriter, q url.Values) {
	names := make([]string, len(is.opts.Users))
	for i, u := range is.opts.Users {
		names[i] = u.Name
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = consentTemplate.Execute(w, map[string]any{"Action": AuthorizePath, "Params": q, "Users": names})
}

func (is *Issuer) user(name string) (User, bool) {
	for _, u := range is.opts.Users {
		if u.Name == name {
			return u, true
		}
	}
	return User{}, false
}

// codeGrant exchanges a code (once) for tokens: the client and
// redirect_uri must be the code's, and code_verifier must match its PKCE
// challenge.
func (is *Issuer) codeGrant(w http.ResponseWriter, r *http.Request, c Client) {
	f := r.PostForm
	is.mu.Lock()
	ac := is.codes[f.Get("code")]
	delete(is.codes, f.Get("code"))
	is.mu.Unlock()
	if ac == nil || ac.client != c.ID || ac.redirectURI != f.Get("redirect_uri") || !is.opts.Now().Before(ac.expires) {
		tokenError(w, http.StatusBadRequest, "invalid_grant")
		return
	}
	sum := sha256.Sum256([]byte(f.Get("code_verifier")))
	if subtle.ConstantTimeCompare([]byte(b64(sum[:])), []byte(ac.challenge)) != 1 {
		tokenError(w, http.StatusBadRequest, "invalid_grant")
		return
	}
	is.userTokens(w, ac.grant)
}

// refreshGrant trades a refresh token (once: it is rotated) for new
// tokens.
func (is *Issuer) refreshGrant(w http.ResponseWriter, r *http.Request, c Client) {
	rt := r.PostForm.Get("refresh_token")
	is.mu.Lock()
	g := is.refresh[rt]
	delete(is.refresh, rt)
	is.mu.Unlock()
	if g == nil || g.client != c.ID {
		tokenError(w, http.StatusBadRequest, "invalid_grant")
		return
	}
	is.userTokens(w, *g)
}

// userTokens answers with a user's access token (aud the issuer's
// audience, azp the client, roles, tenants and groups), ID token (aud the
// client, with the nonce) and, unless NoRefreshTokens, a refresh token.
func (is *Issuer) userTokens(w http.ResponseWriter, g grant) {
	u := g.user
	access := is.Claims(u.Name)
	access["azp"] = g.client
	access["preferred_username"] = u.Name
	access["roles"] = nonNil(u.Roles)
	access["tenants"] = nonNil(u.Tenants)
	access["groups"] = nonNil(u.Groups)
	access["scope"] = "openid profile email"
	id := is.Claims(u.Name)
	id["aud"] = g.client
	id["azp"] = g.client
	id["preferred_username"] = u.Name
	delete(id, "nbf")
	if g.nonce != "" {
		id["nonce"] = g.nonce
	}
	if u.Email != "" {
		access["email"], id["email"] = u.Email, u.Email
	}
	answer := map[string]any{
		"access_token": is.Sign(access, SignOptions{}),
		"id_token":     is.Sign(id, SignOptions{}),
		"token_type":   "Bearer",
		"expires_in":   max(0, int(is.opts.TokenTTL/time.Second)),
	}
	if !is.opts.NoRefreshTokens {
		rt := randomToken()
		is.mu.Lock()
		is.refresh[rt] = &grant{client: g.client, user: u}
		is.mu.Unlock()
		answer["refresh_token"] = rt
	}
	writeJSON(w, http.StatusOK, answer)
}

// endSession is the RP-initiated logout endpoint: it sends the browser to
// post_logout_redirect_uri (with state) when given, else shows a page.
func (is *Issuer) endSession(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if to := q.Get("post_logout_redirect_uri"); to != "" {
		u, err := url.Parse(to)
		if err != nil || !u.IsAbs() {
			http.Error(w, "post_logout_redirect_uri must be an absolute URL", http.StatusBadRequest)
			return
		}
		if s := q.Get("state"); s != "" {
			v := u.Query()
			v.Set("state", s)
			u.RawQuery = v.Encode()
		}
		http.Redirect(w, r, u.String(), http.StatusFound) // #nosec G710 -- a test issuer returns to the logout URI its test names
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte("<!doctype html><title>Logged out</title><p>You are logged out of the test issuer.</p>\n"))
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ParseUser reads a user from "name[:role,role[:tenant,tenant[:group,group]]]",
// the form of testissuer's -user flag.
func ParseUser(s string) (User, error) {
	parts := strings.Split(s, ":")
	if len(parts) > 4 || parts[0] == "" {
		return User{}, errors.New("want name[:role,role[:tenant,tenant[:group,group]]]")
	}
	u := User{Name: parts[0]}
	for i, dst := range []*[]string{&u.Roles, &u.Tenants, &u.Groups} {
		if len(parts) > i+1 && parts[i+1] != "" {
			*dst = strings.Split(parts[i+1], ",")
		}
	}
	return u, nil
}
