package web

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/example/wf-engine/api/auth"
	"github.com/example/wf-engine/core/store"
)

// Shared sessions (ADR 35): with several engine nodes on one database a
// browser's requests reach any node, so the sessions live in the store as
// well as in each node's memory. The store keeps the id's SHA-256 and the
// rest sealed with a key derived from the nodes' shared secret; a node
// trusts its memory copy for recheckAfter and then reads the store again
// (a logout at another node ends the session here within that time), and
// records a session's use in the store at most every touchEvery (so the
// idle timeout is kept across nodes to within it).
const (
	recheckAfter = 10 * time.Second
	touchEvery   = time.Minute
	// purgeEvery is how often a login also ends the store's expired
	// sessions.
	purgeEvery = time.Minute
)

// errSessionStore is the answer to a login or request whose session the
// store could not read or keep.
var errSessionStore = errors.New("the session store cannot be reached")

// sharedSessions keeps sessions in a store several nodes share.
type sharedSessions struct {
	keeper store.SessionKeeper
	aead   cipher.AEAD
	log    *slog.Logger

	mu        sync.Mutex
	lastPurge time.Time
}

// deriveKey derives a 32-byte AES key for purpose from the nodes' secret.
func deriveKey(secret []byte, purpose string) (cipher.AEAD, error) {
	key, err := hkdf.Key(sha256.New, secret, nil, "wf-engine "+purpose, 32)
	if err != nil {
		return nil, fmt.Errorf("derive the %s key: %w", purpose, err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("derive the %s key: %w", purpose, err)
	}
	return cipher.NewGCM(block)
}

// sealedSession is what the store keeps of a session, sealed.
type sealedSession struct {
	CSRF      string          `json:"c"`
	Principal *auth.Principal `json:"p,omitempty"`
	Access    string          `json:"a,omitempty"`
	Refresh   string          `json:"r,omitempty"`
	IDToken   string          `json:"i,omitempty"`
	Expires   int64           `json:"e,omitempty"` // Unix ms; 0: the provider did not say
}

// row seals sess for the store.
func (sh *sharedSessions) row(sess *session) (store.Session, error) {
	v := sealedSession{CSRF: sess.csrf, Principal: sess.principal}
	if ts := sess.tokenSet(); ts != nil {
		v.Access, v.Refresh, v.IDToken = ts.access, ts.refresh, ts.id
		if !ts.expires.IsZero() {
			v.Expires = ts.expires.UnixMilli()
		}
	}
	plain, err := json.Marshal(v)
	if err != nil {
		return store.Session{}, fmt.Errorf("encode a session: %w", err)
	}
	nonce := make([]byte, sh.aead.NonceSize())
	_, _ = rand.Read(nonce)
	sess.mu.Lock()
	used := sess.lastUsed
	sess.mu.Unlock()
	// The id's hash is the additional data: a sealed session read under
	// another id does not open.
	return store.Session{IDHash: sess.id[:], Created: sess.created, LastUsed: used, Data: sh.aead.Seal(nonce, nonce, plain, sess.id[:])}, nil
}

// open unseals a session the store kept.
func (sh *sharedSessions) open(row store.Session) (*session, error) {
	n := sh.aead.NonceSize()
	if len(row.IDHash) != sha256.Size || len(row.Data) < n {
		return nil, errors.New("malformed session row")
	}
	var id sessionID
	copy(id[:], row.IDHash)
	plain, err := sh.aead.Open(nil, row.Data[:n], row.Data[n:], id[:])
	if err != nil {
		return nil, errors.New("the session does not open with this node's key (is cluster.secret the same on every node?)")
	}
	var v sealedSession
	if err := json.Unmarshal(plain, &v); err != nil {
		return nil, fmt.Errorf("decode a session: %w", err)
	}
	sess := &session{id: id, csrf: v.CSRF, created: row.Created, lastUsed: row.LastUsed, principal: v.Principal}
	if v.Access != "" || v.Refresh != "" {
		sess.tokens = &tokenSet{access: v.Access, refresh: v.Refresh, id: v.IDToken}
		if v.Expires != 0 {
			sess.tokens.expires = time.UnixMilli(v.Expires)
		}
	}
	return sess, nil
}

// tokenSet returns the session's current tokens.
func (sess *session) tokenSet() *tokenSet {
	sess.tokenMu.Lock()
	defer sess.tokenMu.Unlock()
	return sess.tokens
}

// createSession makes a session for a login, kept in the store too when
// the sessions are shared.
func (l *Login) createSession(ctx context.Context, p *auth.Principal, tokens *tokenSet) (string, *session, error) {
	id, sess := l.sessions.create(p, tokens)
	sh := l.shared
	if sh == nil {
		return id, sess, nil
	}
	now := l.cfg.Now()
	sess.checked, sess.touched = now, now
	row, err := sh.row(sess)
	if err == nil {
		err = sh.keeper.PutSession(ctx, row)
	}
	if err != nil {
		l.sessions.drop(sess)
		sh.log.ErrorContext(ctx, "browser login refused: the session could not be kept in the store", "error", err.Error())
		return "", nil, errSessionStore
	}
	sh.purge(ctx, now, l.sessions.limits)
	return id, sess, nil
}

// purge ends the store's expired sessions, at most every purgeEvery.
func (sh *sharedSessions) purge(ctx context.Context, now time.Time, limits SessionLimits) {
	sh.mu.Lock()
	due := now.Sub(sh.lastPurge) >= purgeEvery
	if due {
		sh.lastPurge = now
	}
	sh.mu.Unlock()
	if !due {
		return
	}
	if _, err := sh.keeper.DeleteSessions(ctx, now.Add(-limits.IdleTimeout), now.Add(-limits.MaxLifetime)); err != nil {
		sh.log.WarnContext(ctx, "could not end the store's expired browser sessions; the next login tries again", "error", err.Error())
	}
}

// lookupSession returns the live session of a cookie's id, or nil; an
// error when the shared store could not be read.
func (l *Login) lookupSession(ctx context.Context, id string) (*session, error) {
	sh := l.shared
	if sh == nil || id == "" {
		return l.sessions.lookup(id), nil
	}
	now := l.cfg.Now()
	sess := l.sessions.lookup(id)
	if sess != nil && now.Sub(sess.checkedAt()) < recheckAfter {
		l.touch(ctx, sess, now)
		return sess, nil
	}
	key := hashID(id)
	row, found, err := sh.keeper.GetSession(ctx, key[:])
	if err != nil {
		sh.log.WarnContext(ctx, "could not read a browser session from the store", "error", err.Error())
		return nil, errSessionStore
	}
	if !found {
		if sess != nil {
			l.sessions.drop(sess) // ended at another node
		}
		return nil, nil
	}
	kept, err := sh.open(row)
	if err != nil {
		// Not ended: a node with another secret must not end the sessions
		// of the nodes configured right.
		sh.log.WarnContext(ctx, "a browser session in the store cannot be read here", "error", err.Error())
		return nil, nil
	}
	if sess == nil {
		if sess = l.sessions.adopt(kept, now); sess == nil {
			_ = sh.keeper.DeleteSession(ctx, key[:]) // expired
			return nil, nil
		}
	} else {
		sess.refreshFrom(kept)
	}
	sess.mu.Lock()
	sess.checked = now
	sess.mu.Unlock()
	l.touch(ctx, sess, now)
	return sess, nil
}

// touch records the session's use in the store at most every touchEvery.
func (l *Login) touch(ctx context.Context, sess *session, now time.Time) {
	sess.mu.Lock()
	due := now.Sub(sess.touched) >= touchEvery
	if due {
		sess.touched = now
	}
	sess.mu.Unlock()
	if !due {
		return
	}
	if err := l.shared.keeper.TouchSession(ctx, sess.id[:], now); err != nil {
		l.shared.log.WarnContext(ctx, "could not record a browser session's use in the store", "error", err.Error())
	}
}

// checkedAt is when the session was last read from the store.
func (sess *session) checkedAt() time.Time {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	return sess.checked
}

// refreshFrom takes what another node changed: a later use and refreshed
// tokens.
func (sess *session) refreshFrom(kept *session) {
	sess.mu.Lock()
	if kept.lastUsed.After(sess.lastUsed) {
		sess.lastUsed = kept.lastUsed
	}
	sess.mu.Unlock()
	sess.tokenMu.Lock()
	defer sess.tokenMu.Unlock()
	if kept.tokens != nil && (sess.tokens == nil || !sess.tokens.same(kept.tokens)) {
		sess.tokens = kept.tokens
	}
}

// same reports whether two token sets are the same. A refreshed access
// token can equal the one it replaced, to the byte (the same claims within
// one second): the refresh token and the expiry tell them apart.
func (ts *tokenSet) same(o *tokenSet) bool {
	return ts.access == o.access && ts.refresh == o.refresh && ts.id == o.id && ts.expires.Equal(o.expires)
}

// saveTokens keeps a session's refreshed tokens in the store, so that the
// other nodes use them instead of refreshing again.
func (l *Login) saveTokens(ctx context.Context, sess *session) {
	if l.shared == nil {
		return
	}
	row, err := l.shared.row(sess)
	if err == nil {
		err = l.shared.keeper.PutSession(ctx, row)
	}
	if err != nil {
		l.shared.log.WarnContext(ctx, "could not keep a browser session's refreshed tokens in the store", "error", err.Error())
	}
}

// endSession ends the session of a cookie's id, here and in the store.
func (l *Login) endSession(ctx context.Context, id string) error {
	l.sessions.end(id)
	if l.shared == nil {
		return nil
	}
	return l.dropShared(ctx, hashID(id))
}

// dropSession ends sess, here and in the store.
func (l *Login) dropSession(ctx context.Context, sess *session) error {
	l.sessions.drop(sess)
	if l.shared == nil {
		return nil
	}
	return l.dropShared(ctx, sess.id)
}

// dropShared ends a session in the store: other nodes forget it at their
// next look (recheckAfter).
func (l *Login) dropShared(ctx context.Context, key sessionID) error {
	if err := l.shared.keeper.DeleteSession(ctx, key[:]); err != nil {
		l.shared.log.WarnContext(ctx, "could not end a browser session in the store", "error", err.Error())
		return errSessionStore
	}
	return nil
}
