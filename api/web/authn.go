package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/example/wf-engine/api/auth"
)

// csrfDetail is the 403 detail of a request without the right CSRF token.
const csrfDetail = "A request with the session cookie that changes state must send the " + CSRFHeader +
	" header with the value of the " + CSRFCookie + " cookie"

// sessionChallenge answers a browser script whose session is missing or
// over. It is not Basic, so that the browser shows no password dialog: the
// web app shows its own login.
const sessionChallenge = `Session realm="wf-engine"`

// SessionAuthenticator returns an authenticator that accepts the login's
// session cookie and hands every other request to next: a request with an
// Authorization header is next's whatever cookies it has. A cookie request
// that may change state must carry the CSRF token (403 otherwise). next
// must not be nil (auth.mode none has no sessions).
func (l *Login) SessionAuthenticator(next auth.Authenticator) auth.Authenticator {
	return &sessionAuthenticator{l: l, next: next}
}

type sessionAuthenticator struct {
	l    *Login
	next auth.Authenticator
}

func (a *sessionAuthenticator) Authenticate(ctx context.Context, r *http.Request) (*auth.Principal, error) {
	if r.Header.Get("Authorization") != "" {
		return a.next.Authenticate(ctx, r)
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		p, err := a.next.Authenticate(ctx, r)
		return p, browserChallenge(r, err)
	}
	sess, err := a.l.lookupSession(ctx, c.Value)
	if err != nil {
		return nil, storeUnavailable()
	}
	if sess == nil {
		return nil, sessionOver()
	}
	if changesState(r.Method) && !sess.csrfOK(r.Header.Get(CSRFHeader)) {
		return nil, &auth.Error{Status: http.StatusForbidden, Title: "FORBIDDEN", Detail: csrfDetail}
	}
	return a.l.principal(ctx, sess)
}

// principal is the session's principal: a basic login's, or the one its
// OIDC access token yields (refreshed first when it has expired).
func (l *Login) principal(ctx context.Context, sess *session) (*auth.Principal, error) {
	if sess.principal != nil {
		c := *sess.principal
		return &c, nil
	}
	if l.oidc == nil {
		_ = l.dropSession(ctx, sess)
		return nil, sessionOver()
	}
	for attempt := 0; ; attempt++ {
		before := sess.tokenSet()
		access, err := l.oidc.currentAccessToken(ctx, sess, l.cfg.Now(), attempt > 0)
		if err != nil {
			var ae *auth.Error
			if errors.As(err, &ae) {
				return nil, ae
			}
			l.log.InfoContext(ctx, "browser session ended: its access token expired and could not be refreshed", "reason", err.Error())
			_ = l.dropSession(ctx, sess)
			return nil, sessionOver()
		}
		if sess.tokenSet() != before {
			l.saveTokens(ctx, sess)
		}
		p, err := l.oidc.tokens.AuthenticateToken(ctx, access)
		var ae *auth.Error
		if !errors.As(err, &ae) || ae.Status != http.StatusUnauthorized {
			return p, err
		}
		if attempt > 0 || !sess.canRefresh() {
			l.log.InfoContext(ctx, "browser session ended: its access token is no longer accepted", "reason", ae.Detail)
			_ = l.dropSession(ctx, sess)
			return nil, sessionOver()
		}
		// Refused before the expiry the provider named (clocks differ):
		// refresh once.
	}
}

// storeUnavailable answers a session request whose session the shared
// store could not read.
func storeUnavailable() *auth.Error {
	return &auth.Error{Status: http.StatusServiceUnavailable, Title: "UNAVAILABLE",
		Detail: "The session store cannot be reached: try again shortly"}
}

func sessionOver() *auth.Error {
	return &auth.Error{Status: http.StatusUnauthorized, Title: "UNAUTHORIZED", Detail: "The session has ended or expired: log in again",
		Challenge: sessionChallenge}
}

// browserChallenge keeps a browser's script from getting a Basic
// challenge, which would make the browser ask for a password in its own
// dialog; other clients get next's answer as it was.
func browserChallenge(r *http.Request, err error) error {
	var ae *auth.Error
	if !errors.As(err, &ae) || !strings.HasPrefix(ae.Challenge, "Basic") {
		return err
	}
	if mode := r.Header.Get("Sec-Fetch-Mode"); mode == "" || mode == "navigate" {
		return err
	}
	c := *ae
	c.Challenge = sessionChallenge
	return &c
}

// changesState reports whether a method may change state (RFC 9110's
// unsafe methods).
func changesState(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return false
	}
	return true
}

// Interface guards
var _ auth.Authenticator = (*sessionAuthenticator)(nil)
