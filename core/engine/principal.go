package engine

import (
	"context"

	"github.com/example/wf-engine/core/record"
)

// principalKey is the context key of the principal a command is sent for.
type principalKey struct{}

// WithPrincipal returns ctx carrying p: every command sent through the
// Client with it records p in its command record, the audit trail of the
// log. The API sets it from the authenticated request; commands sent
// without one (authentication off, the engine's own timers and deadlines)
// record none. Processing never reads it, and p must not change afterwards.
func WithPrincipal(ctx context.Context, p *record.Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// principalOf returns the principal ctx carries, or nil.
func principalOf(ctx context.Context) *record.Principal {
	p, _ := ctx.Value(principalKey{}).(*record.Principal)
	return p
}
