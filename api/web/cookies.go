package web

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Cookie and header names the web app relies on.
const (
	// SessionCookie holds the session id (HttpOnly, SameSite=Lax).
	SessionCookie = "wf_session"
	// CSRFCookie holds the session's CSRF token for the web app's script to
	// read (SameSite=Strict, not HttpOnly).
	CSRFCookie = "wf_csrf"
	// CSRFHeader must carry the CSRF token on every cookie-authenticated
	// request that may change state.
	CSRFHeader = "X-CSRF-Token"
	// loginCookie holds a pending OIDC login's state, sealed (HttpOnly,
	// SameSite=Lax so that it comes back with the provider's redirect, and
	// only to /auth/callback).
	loginCookie = "wf_login"
)

// loginStateTTL bounds the time between the start of an OIDC login and
// the provider's redirect back.
const loginStateTTL = 10 * time.Minute

// setCookie sets a cookie on the whole site; maxAge -1 deletes it.
func (l *Login) setCookie(w http.ResponseWriter, name, value, path string, maxAge int, httpOnly bool, sameSite http.SameSite) {
	// #nosec G124 -- Secure follows http.public_url's scheme (plain http
	// on loopback), and the CSRF cookie is meant to be readable by the page.
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: path, MaxAge: maxAge, HttpOnly: httpOnly,
		Secure: l.cfg.SecureCookies, SameSite: sameSite})
}

// setSessionCookies hands a new session to the browser.
func (l *Login) setSessionCookies(w http.ResponseWriter, id string, sess *session) {
	l.setCookie(w, SessionCookie, id, "/", 0, true, http.SameSiteLaxMode)
	l.setCookie(w, CSRFCookie, sess.csrf, "/", 0, false, http.SameSiteStrictMode)
}

// clearSessionCookies deletes the session cookies.
func (l *Login) clearSessionCookies(w http.ResponseWriter) {
	l.setCookie(w, SessionCookie, "", "/", -1, true, http.SameSiteLaxMode)
	l.setCookie(w, CSRFCookie, "", "/", -1, false, http.SameSiteStrictMode)
}

// loginState is what the browser keeps, sealed, between the start of an
// OIDC login and the provider's redirect back.
type loginState struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	ReturnTo string `json:"r"`
	Expires  int64  `json:"e"`
}

// sealer encrypts and authenticates login states: the browser can neither
// read nor forge one. Its key is derived from the nodes' shared secret
// when there is one, so that the provider's redirect may reach any node;
// else it is made at start, and a restart voids the pending logins.
type sealer struct{ aead cipher.AEAD }

func newSealer(secret []byte) (*sealer, error) {
	if len(secret) > 0 {
		aead, err := deriveKey(secret, "login state")
		if err != nil {
			return nil, err
		}
		return &sealer{aead: aead}, nil
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("make the login state key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("make the login state key: %w", err)
	}
	return &sealer{aead: aead}, nil
}

func (s *sealer) seal(st loginState) (string, error) {
	plain, err := json.Marshal(st)
	if err != nil {
		return "", fmt.Errorf("encode the login state: %w", err)
	}
	nonce := make([]byte, s.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, plain, []byte(loginCookie))), nil
}

var errBadLoginState = errors.New("the login state is missing, forged or from before a restart")

func (s *sealer) open(v string, now time.Time) (loginState, error) {
	raw, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return loginState{}, errBadLoginState
	}
	plain, err := s.aead.Open(nil, raw[:s.aead.NonceSize()], raw[s.aead.NonceSize():], []byte(loginCookie))
	if err != nil {
		return loginState{}, errBadLoginState
	}
	var st loginState
	if json.Unmarshal(plain, &st) != nil {
		return loginState{}, errBadLoginState
	}
	if now.Unix() > st.Expires {
		return loginState{}, errors.New("the login took too long: start again")
	}
	return st, nil
}
