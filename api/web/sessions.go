package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"sync"
	"time"

	"github.com/example/wf-engine/api/auth"
)

// Session defaults.
const (
	DefaultSessionIdleTimeout = 30 * time.Minute
	DefaultSessionMaxLifetime = 12 * time.Hour
	DefaultMaxSessions        = 10000
)

// SessionLimits bound the sessions. Zero values take the defaults.
type SessionLimits struct {
	// IdleTimeout ends a session that made no request for this long
	// (default 30 minutes).
	IdleTimeout time.Duration
	// MaxLifetime ends a session this long after its login, however busy
	// (default 12 hours).
	MaxLifetime time.Duration
	// MaxSessions bounds the sessions kept; a login beyond it ends the
	// least recently used one (default 10000).
	MaxSessions int
}

func (l SessionLimits) withDefaults() SessionLimits {
	if l.IdleTimeout <= 0 {
		l.IdleTimeout = DefaultSessionIdleTimeout
	}
	if l.MaxLifetime <= 0 {
		l.MaxLifetime = DefaultSessionMaxLifetime
	}
	if l.MaxSessions <= 0 {
		l.MaxSessions = DefaultMaxSessions
	}
	return l
}

// sessionID is what the store keeps of a session id: its SHA-256, so that
// the store holds nothing a browser could present.
type sessionID [sha256.Size]byte

// session is one logged-in browser.
type session struct {
	id      sessionID
	csrf    string
	created time.Time

	// principal is a basic login's principal (fixed by configuration);
	// nil for an OIDC session, whose principal comes from its access token.
	principal *auth.Principal

	// mu guards the last use and, for shared sessions, when this node last
	// read the session from the store and last recorded its use there.
	mu               sync.Mutex
	lastUsed         time.Time
	checked, touched time.Time

	// tokenMu guards an OIDC session's tokens, which a refresh replaces;
	// it is held across the refresh, so concurrent requests of the session
	// wait for one refresh instead of each making their own.
	tokenMu sync.Mutex
	tokens  *tokenSet
}

// canRefresh reports whether an OIDC session has a refresh token.
func (sess *session) canRefresh() bool {
	sess.tokenMu.Lock()
	defer sess.tokenMu.Unlock()
	return sess.tokens != nil && sess.tokens.refresh != ""
}

// idToken is an OIDC session's ID token (for the provider's logout), or "".
func (sess *session) idToken() string {
	sess.tokenMu.Lock()
	defer sess.tokenMu.Unlock()
	if sess.tokens == nil {
		return ""
	}
	return sess.tokens.id
}

// tokenSet is what an OIDC login obtained from the provider.
type tokenSet struct {
	access, refresh, id string
	// expires is when the access token expires, on the sessions' clock;
	// zero when the provider did not say.
	expires time.Time
}

// sessions is the in-memory session store. It is safe for concurrent use.
type sessions struct {
	limits SessionLimits
	now    func() time.Time

	mu sync.Mutex
	m  map[sessionID]*session
}

func newSessions(limits SessionLimits, now func() time.Time) *sessions {
	return &sessions{limits: limits.withDefaults(), now: now, m: map[sessionID]*session{}}
}

// newToken returns 32 random bytes, base64url: a session id or CSRF token.
func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashID(id string) sessionID { return sha256.Sum256([]byte(id)) }

// create keeps a new session and returns its id. When the store is full,
// expired sessions go first, then the least recently used.
func (s *sessions) create(principal *auth.Principal, tokens *tokenSet) (string, *session) {
	id := newToken()
	now := s.now()
	sess := &session{id: hashID(id), csrf: newToken(), created: now, lastUsed: now, principal: principal, tokens: tokens}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.m) >= s.limits.MaxSessions {
		s.evict(now)
	}
	s.m[sess.id] = sess
	return id, sess
}

// evict drops every expired session and, if none was, the least recently
// used one. s.mu is held.
func (s *sessions) evict(now time.Time) {
	var oldest *session
	var oldestUse time.Time
	dropped := false
	for id, sess := range s.m {
		sess.mu.Lock()
		used := sess.lastUsed
		sess.mu.Unlock()
		if s.expired(sess, used, now) {
			delete(s.m, id)
			dropped = true
			continue
		}
		if oldest == nil || used.Before(oldestUse) {
			oldest, oldestUse = sess, used
		}
	}
	if !dropped && oldest != nil {
		delete(s.m, oldest.id)
	}
}

func (s *sessions) expired(sess *session, lastUsed, now time.Time) bool {
	return !now.Before(lastUsed.Add(s.limits.IdleTimeout)) || !now.Before(sess.created.Add(s.limits.MaxLifetime))
}

// lookup returns the live session of an id and marks it used, or nil.
func (s *sessions) lookup(id string) *session {
	if id == "" {
		return nil
	}
	key := hashID(id)
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.m[key]
	if sess == nil {
		return nil
	}
	sess.mu.Lock()
	defer sess.mu.Unlock()
	if s.expired(sess, sess.lastUsed, now) {
		delete(s.m, key)
		return nil
	}
	sess.lastUsed = now
	return sess
}

// adopt keeps a session read from a store shared with other nodes, unless
// it has expired; it returns the session kept, or nil.
func (s *sessions) adopt(sess *session, now time.Time) *session {
	if s.expired(sess, sess.lastUsed, now) {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if kept := s.m[sess.id]; kept != nil {
		return kept // another request of the session adopted it first
	}
	if len(s.m) >= s.limits.MaxSessions {
		s.evict(now)
	}
	s.m[sess.id] = sess
	return sess
}

// end drops the session of an id, if any.
func (s *sessions) end(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, hashID(id))
}

// drop drops sess (a session found to be over).
func (s *sessions) drop(sess *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, sess.id)
}

// len is the number of sessions kept, expired ones included.
func (s *sessions) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}

// csrfOK reports whether token is the session's CSRF token.
func (sess *session) csrfOK(token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(sess.csrf)) == 1
}
