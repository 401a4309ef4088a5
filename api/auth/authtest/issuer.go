package authtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// The issuer's paths.
const (
	DiscoveryPath  = "/.well-known/openid-configuration"
	JWKSPath       = "/jwks"
	TokenPath      = "/token"
	AuthorizePath  = "/authorize"
	EndSessionPath = "/logout"
)

// Client is a machine client the token endpoint knows.
type Client struct {
	// ID and Secret are the client credentials.
	ID, Secret string
	// Roles and Tenants go into the client's tokens' roles and tenants
	// claims.
	Roles, Tenants []string
}

// Options configure an Issuer.
type Options struct {
	// Addr is the listen address (default "127.0.0.1:0"); it must be a
	// loopback address.
	Addr string
	// Audience is the aud of the tokens (default "wf-engine").
	Audience string
	// Clients are the clients of the token endpoint; each may also run the
	// authorization-code flow for Users.
	Clients []Client
	// Users are the people who may log in with the authorization-code flow
	// (see Issuer.authorize).
	Users []User
	// NoRefreshTokens leaves refresh tokens out of code-flow answers.
	NoRefreshTokens bool
	// TokenTTL is how long tokens live (default 5 minutes).
	TokenTTL time.Duration
	// Now is the issuer's clock (default time.Now).
	Now func() time.Time
}

// SignOptions shape a token made with Sign. The zero value signs with the
// current RSA key and RS256.
type SignOptions struct {
	// Alg is the signing algorithm (default RS256). RS*/PS* use the
	// current RSA key, ES256 the issuer's P-256 key, EdDSA its Ed25519 key;
	// HS* need Key ([]byte); "none" makes an unsigned token.
	Alg string
	// KID is the kid header (default: the signing key's kid when the key
	// is the issuer's, none otherwise).
	KID string
	// Key signs instead of the issuer's key: *rsa.PrivateKey,
	// *ecdsa.PrivateKey, ed25519.PrivateKey or []byte (HS*).
	Key any
	// Header sets or overrides protected header fields ("alg" included:
	// the signature is still made with Alg).
	Header map[string]any
}

type signingKey struct {
	kid string
	alg jose.SignatureAlgorithm
	key crypto.Signer
}

// Issuer is a running test issuer.
type Issuer struct {
	opts     Options
	srv      *http.Server
	listener net.Listener
	url      string
	done     chan struct{}

	mu       sync.Mutex
	rsaKeys  []signingKey // current last; older ones stay published
	ecKey    signingKey
	edKey    signingKey
	down     bool
	requests map[string]int
	codes    map[string]*authCode
	refresh  map[string]*grant
}

// Start starts an issuer on a loopback address.
func Start(opts Options) (*Issuer, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.Audience == "" {
		opts.Audience = "wf-engine"
	}
	if opts.TokenTTL == 0 {
		opts.TokenTTL = 5 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	host, _, err := net.SplitHostPort(opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen address %q: %w", opts.Addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("listen address %q: the test issuer listens only on loopback", opts.Addr)
	}
	is := &Issuer{opts: opts, requests: map[string]int{}, codes: map[string]*authCode{}, refresh: map[string]*grant{}, done: make(chan struct{})}
	if err := is.RotateKey(); err != nil {
		return nil, err
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("make the ES256 key: %w", err)
	}
	is.ecKey = signingKey{kid: newKID(), alg: jose.ES256, key: ec}
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("make the EdDSA key: %w", err)
	}
	is.edKey = signingKey{kid: newKID(), alg: jose.EdDSA, key: ed}

	is.listener, err = net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	is.url = "http://" + is.listener.Addr().String()
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+DiscoveryPath, is.discovery)
	mux.HandleFunc("GET "+JWKSPath, is.jwks)
	mux.HandleFunc("POST "+TokenPath, is.token)
	mux.HandleFunc("GET "+AuthorizePath, is.authorize)
	mux.HandleFunc("GET "+EndSessionPath, is.endSession)
	is.srv = &http.Server{Handler: is.count(mux), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(is.done)
		_ = is.srv.Serve(is.listener)
	}()
	return is, nil
}

// URL is the issuer URL (the iss of its tokens), without a trailing slash.
func (is *Issuer) URL() string { return is.url }

// Audience is the aud of the issuer's tokens.
func (is *Issuer) Audience() string { return is.opts.Audience }

// Close stops the issuer.
func (is *Issuer) Close() {
	_ = is.srv.Close()
	<-is.done
}

// SetDown makes discovery, the JWKS and the token endpoint answer 503 (or
// answer again).
func (is *Issuer) SetDown(down bool) {
	is.mu.Lock()
	defer is.mu.Unlock()
	is.down = down
}

// Requests returns how many requests reached path (answered 503 or not).
func (is *Issuer) Requests(path string) int {
	is.mu.Lock()
	defer is.mu.Unlock()
	return is.requests[path]
}

// RotateKey makes a new RSA key the current one. Earlier RSA keys stay in
// the JWKS, so tokens they signed still verify.
func (is *Issuer) RotateKey() error {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return fmt.Errorf("make the RSA key: %w", err)
	}
	is.mu.Lock()
	defer is.mu.Unlock()
	is.rsaKeys = append(is.rsaKeys, signingKey{kid: newKID(), alg: jose.RS256, key: k})
	return nil
}

// KID returns the current RSA key's kid.
func (is *Issuer) KID() string {
	is.mu.Lock()
	defer is.mu.Unlock()
	return is.rsaKeys[len(is.rsaKeys)-1].kid
}

// PublicKey returns the current RSA key's public key.
func (is *Issuer) PublicKey() *rsa.PublicKey {
	is.mu.Lock()
	defer is.mu.Unlock()
	return is.rsaKeys[len(is.rsaKeys)-1].key.Public().(*rsa.PublicKey)
}

// Claims returns the standard claims of a token for sub valid from now on
// the issuer's clock: iss, sub, aud, iat, nbf and exp.
func (is *Issuer) Claims(sub string) map[string]any {
	now := is.opts.Now()
	return map[string]any{
		"iss": is.url,
		"sub": sub,
		"aud": is.opts.Audience,
		"iat": now.Unix(),
		"nbf": now.Unix(),
		"exp": now.Add(is.opts.TokenTTL).Unix(),
	}
}

// Token returns a valid RS256 token for a user sub with the roles.
func (is *Issuer) Token(sub string, roles ...string) string {
	c := is.Claims(sub)
	c["preferred_username"] = sub
	c["roles"] = roles
	return is.Sign(c, SignOptions{})
}

// Sign signs claims into a compact JWT. iss, aud, iat, nbf and exp are
// added when claims lack them (see Claims); a claim set to nil is left
// out. It panics when the options cannot make a token (a test's mistake).
func (is *Issuer) Sign(claims map[string]any, opts SignOptions) string {
	full := is.Claims("")
	delete(full, "sub")
	for k, v := range claims {
		full[k] = v
	}
	for k, v := range full {
		if v == nil {
			delete(full, k)
		}
	}
	payload, err := json.Marshal(full)
	if err != nil {
		panic(fmt.Sprintf("authtest: marshal claims: %v", err))
	}
	tok, err := is.sign(payload, opts)
	if err != nil {
		panic(fmt.Sprintf("authtest: sign: %v", err))
	}
	return tok
}

func (is *Issuer) sign(payload []byte, opts SignOptions) (string, error) {
	alg := jose.SignatureAlgorithm(opts.Alg)
	if alg == "" {
		alg = jose.RS256
	}
	if alg == "none" {
		h := map[string]any{"alg": "none", "typ": "JWT"}
		for k, v := range opts.Header {
			h[k] = v
		}
		hb, err := json.Marshal(h)
		if err != nil {
			return "", err
		}
		return b64(hb) + "." + b64(payload) + ".", nil
	}
	key, kid := opts.Key, opts.KID
	if key == nil {
		sk := is.keyFor(alg)
		if sk.key == nil {
			return "", fmt.Errorf("no issuer key for %s: pass SignOptions.Key", alg)
		}
		key = sk.key
		if kid == "" {
			kid = sk.kid
		}
	}
	so := (&jose.SignerOptions{}).WithType("JWT")
	if kid != "" {
		so = so.WithHeader(jose.HeaderKey("kid"), kid)
	}
	for k, v := range opts.Header {
		so = so.WithHeader(jose.HeaderKey(k), v)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, so)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

func (is *Issuer) keyFor(alg jose.SignatureAlgorithm) signingKey {
	is.mu.Lock()
	defer is.mu.Unlock()
	switch {
	case strings.HasPrefix(string(alg), "RS"), strings.HasPrefix(string(alg), "PS"):
		return is.rsaKeys[len(is.rsaKeys)-1]
	case alg == jose.ES256:
		return is.ecKey
	case alg == jose.EdDSA:
		return is.edKey
	}
	return signingKey{}
}

func (is *Issuer) count(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		is.mu.Lock()
		is.requests[r.URL.Path]++
		down := is.down
		is.mu.Unlock()
		if down {
			http.Error(w, "the test issuer is down", http.StatusServiceUnavailable)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (is *Issuer) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                is.url,
		"jwks_uri":                              is.url + JWKSPath,
		"token_endpoint":                        is.url + TokenPath,
		"authorization_endpoint":                is.url + AuthorizePath,
		"end_session_endpoint":                  is.url + EndSessionPath,
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"grant_types_supported":                 []string{"client_credentials", "authorization_code", "refresh_token"},
		"code_challenge_methods_supported":      []string{"S256"},
		"scopes_supported":                      []string{"openid", "profile", "email"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"id_token_signing_alg_values_supported": []string{"RS256", "PS256", "ES256", "EdDSA"},
	})
}

func (is *Issuer) jwks(w http.ResponseWriter, _ *http.Request) {
	is.mu.Lock()
	all := append(slices.Clone(is.rsaKeys), is.ecKey, is.edKey)
	is.mu.Unlock()
	set := jose.JSONWebKeySet{}
	for _, k := range all {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: k.key.Public(), KeyID: k.kid, Use: "sig"})
	}
	writeJSON(w, http.StatusOK, set)
}

// token is the token endpoint: the client-credentials grant, and the
// authorization-code and refresh-token grants of the code flow (see
// codeflow.go). Clients authenticate with client_secret_basic or
// client_secret_post.
func (is *Issuer) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	var grant func(http.ResponseWriter, *http.Request, Client)
	switch r.PostForm.Get("grant_type") {
	case "client_credentials":
		grant = is.clientCredentials
	case "authorization_code":
		grant = is.codeGrant
	case "refresh_token":
		grant = is.refreshGrant
	default:
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type")
		return
	}
	c, ok := is.authenticateClient(w, r)
	if !ok {
		return
	}
	grant(w, r, c)
}

// authenticateClient checks the client's credentials, or answers 401.
func (is *Issuer) authenticateClient(w http.ResponseWriter, r *http.Request) (Client, bool) {
	id, secret, ok := r.BasicAuth()
	if ok {
		// RFC 6749 §2.3.1: the credentials are form-encoded first.
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	c, found := is.client(id)
	if !found || subtle.ConstantTimeCompare([]byte(c.Secret), []byte(secret)) != 1 {
		w.Header().Set("WWW-Authenticate", `Basic realm="authtest"`)
		tokenError(w, http.StatusUnauthorized, "invalid_client")
		return Client{}, false
	}
	return c, true
}

// clientCredentials is the client-credentials grant. A form value ttl (a
// Go duration, negative for an already expired token) overrides TokenTTL,
// for tests.
func (is *Issuer) clientCredentials(w http.ResponseWriter, r *http.Request, c Client) {
	ttl := is.opts.TokenTTL
	if s := r.PostForm.Get("ttl"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			tokenError(w, http.StatusBadRequest, "invalid_request")
			return
		}
		ttl = d
	}
	claims := is.Claims(c.ID)
	claims["exp"] = is.opts.Now().Add(ttl).Unix()
	claims["azp"] = c.ID
	claims["client_id"] = c.ID
	claims["roles"] = nonNil(c.Roles)
	claims["tenants"] = nonNil(c.Tenants)
	tok := is.Sign(claims, SignOptions{})
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok,
		"token_type":   "Bearer",
		"expires_in":   max(0, int(ttl/time.Second)),
	})
}

func (is *Issuer) client(id string) (Client, bool) {
	for _, c := range is.opts.Clients {
		if c.ID == id {
			return c, true
		}
	}
	return Client{}, false
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func tokenError(w http.ResponseWriter, status int, code string) {
	writeJSON(w, status, map[string]string{"error": code})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func newKID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ParseClient reads a client from "id:secret[:role,role[:tenant,tenant]]",
// the form of testissuer's -client flag.
func ParseClient(s string) (Client, error) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 4 || parts[0] == "" || parts[1] == "" {
		return Client{}, errors.New("want id:secret[:role,role[:tenant,tenant]]")
	}
	c := Client{ID: parts[0], Secret: parts[1]}
	if len(parts) > 2 && parts[2] != "" {
		c.Roles = strings.Split(parts[2], ",")
	}
	if len(parts) > 3 && parts[3] != "" {
		c.Tenants = strings.Split(parts[3], ",")
	}
	return c, nil
}
