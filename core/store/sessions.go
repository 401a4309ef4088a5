package store

import (
	"context"
	"time"
)

// Session is a browser session (api/web) as a store shared by several
// engine nodes keeps it, so that a browser logged in at one node is known
// at every node and after a failover. The store never sees a session id:
// it keeps the id's SHA-256. Data is sealed by the engine (encrypted and
// authenticated with a key the store does not have): the principal, the
// CSRF token and an OIDC login's tokens.
type Session struct {
	// IDHash is the SHA-256 of the session id (32 bytes).
	IDHash []byte
	// Created is the login's time; LastUsed the last request's, as the
	// engine last recorded it (it records it at most every so often).
	Created, LastUsed time.Time
	// Data is the sealed rest of the session.
	Data []byte
}

// SessionKeeper is a store that keeps browser sessions for several
// engine nodes. Its calls are independent of the log and of commits.
type SessionKeeper interface {
	// PutSession keeps s, replacing the session of the same IDHash (its
	// tokens were refreshed).
	PutSession(ctx context.Context, s Session) error
	// GetSession returns the session of idHash; false when there is none.
	GetSession(ctx context.Context, idHash []byte) (Session, bool, error)
	// TouchSession records a later use of the session of idHash; a session
	// that is not kept stays so, and a use earlier than the recorded one
	// is ignored.
	TouchSession(ctx context.Context, idHash []byte, at time.Time) error
	// DeleteSession ends the session of idHash, if it is kept.
	DeleteSession(ctx context.Context, idHash []byte) error
	// DeleteSessions ends every session last used before idleBefore or
	// created before createdBefore, and returns how many it ended.
	DeleteSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int64, error)
}
