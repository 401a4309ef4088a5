package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/example/wf-engine/api/auth"
	"github.com/example/wf-engine/core/store"
)

// Authentication modes, as auth.mode names them.
const (
	ModeNone  = "none"
	ModeBasic = "basic"
	ModeOIDC  = "oidc"
)

// maxLoginBody bounds the JSON body of a basic login.
const maxLoginBody = 8 << 10

// minSecretBytes is the shortest secret shared sessions take (as
// cluster.secret).
const minSecretBytes = 16

// PasswordChecker checks a user name and password; auth.Basic is one.
type PasswordChecker interface {
	CheckPassword(ctx context.Context, user, password string) (*auth.Principal, error)
}

// LoginConfig configures browser login.
type LoginConfig struct {
	// Mode is ModeNone, ModeBasic or ModeOIDC.
	Mode string
	// Passwords checks basic logins (ModeBasic).
	Passwords PasswordChecker
	// OIDC configures the authorization-code flow (ModeOIDC); nil leaves
	// browser login off (bearer tokens still work on the API).
	OIDC *OIDCLogin
	// PublicURL is the engine's base URL as browsers reach it
	// (scheme://host[:port]): the OIDC redirect is PublicURL/auth/callback.
	PublicURL string
	// SecureCookies marks the cookies Secure (the engine, or a proxy in
	// front of it, serves HTTPS).
	SecureCookies bool
	// Sessions bound the sessions.
	Sessions SessionLimits
	// Now is the sessions' clock (default time.Now).
	Now func() time.Time
	// Logger receives logins, logouts and refused logins (default:
	// discarded). It never sees a password, token or session id.
	Logger *slog.Logger
	// Shared keeps the sessions in a store the engine nodes on one
	// database share, so that a browser logged in at one node is known at
	// every node (nil: in this process's memory only).
	Shared store.SessionKeeper
	// Secret is the nodes' shared secret (cluster.secret): the key of the
	// shared sessions' sealed data and of the OIDC login state, so that a
	// login started at one node completes at another. Shared needs it.
	Secret []byte
}

// Login serves /auth/ and keeps the sessions. It is safe for concurrent
// use.
type Login struct {
	cfg      LoginConfig
	sessions *sessions
	shared   *sharedSessions // nil: sessions in memory only
	sealer   *sealer
	oidc     *oidcClient
	log      *slog.Logger
}

// NewLogin checks cfg and returns the login routes and session store.
func NewLogin(cfg LoginConfig) (*Login, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	l := &Login{cfg: cfg, sessions: newSessions(cfg.Sessions, cfg.Now), log: cfg.Logger}
	if cfg.Shared != nil {
		if len(cfg.Secret) < minSecretBytes {
			return nil, fmt.Errorf("web login: sessions shared by several nodes need the nodes' secret of at least %d bytes", minSecretBytes)
		}
		aead, err := deriveKey(cfg.Secret, "browser sessions")
		if err != nil {
			return nil, err
		}
		l.shared = &sharedSessions{keeper: cfg.Shared, aead: aead, log: cfg.Logger}
	}
	switch cfg.Mode {
	case ModeNone:
	case ModeBasic:
		if cfg.Passwords == nil {
			return nil, errors.New("web login: basic mode needs a password checker")
		}
	case ModeOIDC:
		if cfg.OIDC == nil {
			break
		}
		if err := CheckPublicURL(cfg.PublicURL); err != nil {
			return nil, fmt.Errorf("web login: public URL: %w", err)
		}
		s, err := newSealer(cfg.Secret)
		if err != nil {
			return nil, err
		}
		l.sealer = s
		if l.oidc, err = newOIDCClient(*cfg.OIDC, strings.TrimSuffix(cfg.PublicURL, "/"), cfg.Logger); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("web login: unknown mode %q", cfg.Mode)
	}
	return l, nil
}

// CheckPublicURL checks the engine's public base URL: scheme://host[:port],
// http or https, with nothing after it but a slash.
func CheckPublicURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") ||
		u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("expected scheme://host[:port] such as https://wf.example.com, got %q", s)
	}
	return nil
}

// ServeHTTP serves the routes under /auth/.
func (l *Login) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	secure(w.Header())
	w.Header().Set("Cache-Control", "no-store")
	route := r.Method + " " + r.URL.Path
	switch {
	case route == "GET /auth/config" || route == "HEAD /auth/config":
		writeJSON(w, http.StatusOK, "application/json", map[string]string{"mode": l.cfg.Mode})
	case l.cfg.Mode == ModeBasic && route == "POST /auth/login":
		l.basicLogin(w, r)
	case l.cfg.Mode == ModeBasic && route == "GET /auth/login":
		http.Redirect(w, r, "/login?returnTo="+url.QueryEscape(safeReturnTo(r.URL.Query().Get("returnTo"))), http.StatusFound)
	case l.oidc != nil && route == "GET /auth/login":
		l.oidcLogin(w, r)
	case l.oidc != nil && route == "GET /auth/callback":
		l.oidcCallback(w, r)
	case l.cfg.Mode != ModeNone && route == "POST /auth/logout":
		l.logout(w, r)
	case l.cfg.Mode == ModeOIDC && l.oidc == nil && strings.HasSuffix(route, " /auth/login"):
		writeProblem(w, r, http.StatusNotFound, "NOT_FOUND",
			"Browser login is off: set auth.oidc.client_id and auth.oidc.client_secret (bearer tokens work without it)")
	default:
		writeProblem(w, r, http.StatusNotFound, "NOT_FOUND", "No endpoint "+r.Method+" "+clip(r.URL.Path))
	}
}

// basicLogin checks a user name and password and starts a session: 204
// with the session cookies, or 401.
func (l *Login) basicLogin(w http.ResponseWriter, r *http.Request) {
	if !l.sameOrigin(w, r) {
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		writeProblem(w, r, http.StatusUnsupportedMediaType, "INVALID_ARGUMENT", "Send the credentials as application/json")
		return
	}
	var body struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, maxLoginBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil || body.Username == "" {
		writeProblem(w, r, http.StatusBadRequest, "INVALID_ARGUMENT", `Expected {"username": "...", "password": "..."}`)
		return
	}
	p, err := l.cfg.Passwords.CheckPassword(r.Context(), body.Username, body.Password)
	if err != nil {
		var ae *auth.Error
		if errors.As(err, &ae) && ae.Status != http.StatusUnauthorized {
			writeProblem(w, r, ae.Status, ae.Title, ae.Detail)
			return
		}
		writeProblem(w, r, http.StatusUnauthorized, "UNAUTHORIZED", "The user name or password is wrong")
		return
	}
	if l.startSession(w, r, p.Name, p, nil) {
		w.WriteHeader(http.StatusNoContent)
	}
}

// startSession makes a new session (ending the one the browser had, so a
// session id never outlives a login) and sets its cookies; it reports
// false, having answered 503, when a shared session store cannot keep it.
// p is a basic login's principal (nil for OIDC: see Login.principal); name
// is for the log.
func (l *Login) startSession(w http.ResponseWriter, r *http.Request, name string, p *auth.Principal, tokens *tokenSet) bool {
	if c, err := r.Cookie(SessionCookie); err == nil {
		_ = l.endSession(r.Context(), c.Value) // the old id is never used again either way
	}
	id, sess, err := l.createSession(r.Context(), p, tokens)
	if err != nil {
		writeProblem(w, r, http.StatusServiceUnavailable, "UNAVAILABLE", "The session store cannot be reached: log in again shortly")
		return false
	}
	l.setSessionCookies(w, id, sess)
	l.log.InfoContext(r.Context(), "browser login", "mode", l.cfg.Mode, "principal", name)
	return true
}

// logout ends the session and answers where the browser goes next: the
// provider's end-session endpoint when it has one, else /.
func (l *Login) logout(w http.ResponseWriter, r *http.Request) {
	if !l.sameOrigin(w, r) {
		return
	}
	redirect := "/"
	if c, err := r.Cookie(SessionCookie); err == nil {
		sess, err := l.lookupSession(r.Context(), c.Value)
		if err == nil && sess != nil {
			if !sess.csrfOK(r.Header.Get(CSRFHeader)) {
				writeProblem(w, r, http.StatusForbidden, "FORBIDDEN", csrfDetail)
				return
			}
			err = l.dropSession(r.Context(), sess)
			if err == nil && l.oidc != nil {
				redirect = l.oidc.endSessionURL(r.Context(), sess.idToken())
			}
		}
		if err != nil {
			// The other nodes would still take the session: the browser
			// keeps its cookies and logs out again.
			writeProblem(w, r, http.StatusServiceUnavailable, "UNAVAILABLE", "The session store cannot be reached: log out again shortly")
			return
		}
	}
	l.clearSessionCookies(w)
	writeJSON(w, http.StatusOK, "application/json", map[string]string{"redirect": redirect})
}

// sameOrigin refuses (403) a request a page of another origin sent: its
// Origin header, when it has one, must name the engine.
func (l *Login) sameOrigin(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err == nil && u.Host != "" && (strings.EqualFold(u.Host, r.Host) || strings.EqualFold(strings.TrimSuffix(origin, "/"), l.publicOrigin())) {
		return true
	}
	writeProblem(w, r, http.StatusForbidden, "FORBIDDEN", "Logins from pages of other origins are refused")
	return false
}

func (l *Login) publicOrigin() string { return strings.TrimSuffix(l.cfg.PublicURL, "/") }

// safeReturnTo returns s when it is a path on this site ("/tasklist/12?x=1"),
// else "/": never another site, whatever the spelling ("//evil",
// "/\evil", "https://evil", control characters browsers drop).
func safeReturnTo(s string) string {
	if s == "" || len(s) > 2048 || s[0] != '/' || strings.HasPrefix(s, "//") || strings.ContainsRune(s, '\\') {
		return "/"
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c == 0x7f {
			return "/"
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") ||
		strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return s
}
