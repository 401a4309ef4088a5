package auth

import (
	"context"
	"net/http"
	"slices"

	"github.com/example/wf-engine/core/record"
)

// Role is what a principal may do; api/rest's permission table maps each
// route to the roles that may call it.
type Role string

// The roles. A principal with several roles may do what any of them may.
const (
	// RoleAdmin may do everything, tenants and users included.
	RoleAdmin Role = "admin"
	// RoleOperator runs and repairs processes: deploy, instances, jobs,
	// messages, incidents, variables, searches.
	RoleOperator Role = "operator"
	// RoleWorker activates and finishes jobs, and nothing else.
	RoleWorker Role = "worker"
	// RoleUser works on the user tasks it may see and their variables.
	RoleUser Role = "user"
)

// Roles lists every role, most powerful first.
var Roles = []Role{RoleAdmin, RoleOperator, RoleWorker, RoleUser}

// ParseRole returns the role named s, or false.
func ParseRole(s string) (Role, bool) {
	r := Role(s)
	return r, slices.Contains(Roles, r)
}

// Principal is an authenticated caller.
type Principal struct {
	// Subject is the user name (basic) or the token's sub claim (OIDC).
	Subject string
	// ClientID is set for machine clients (OAuth2 client credentials): the
	// token's azp or client_id claim.
	ClientID string
	// Name is what to show for the principal: the user name, the token's
	// preferred_username or name, else Subject.
	Name string
	// Email is the token's email claim, when it has one.
	Email string
	// Roles are the principal's roles, sorted and without duplicates.
	Roles []Role
	// Tenants are the tenant ids from configuration or the token, sorted
	// and without duplicates; the API adds tenant memberships kept by the
	// engine.
	Tenants []string
	// Groups are the principal's groups (for user-task candidate groups).
	Groups []string
}

// Has reports whether the principal has the role.
func (p *Principal) Has(r Role) bool { return p != nil && slices.Contains(p.Roles, r) }

// IsClient reports whether the principal is a machine client: the
// authenticators set ClientID only for those.
func (p *Principal) IsClient() bool { return p != nil && p.ClientID != "" }

// Record returns what the audit trail keeps of the principal.
func (p *Principal) Record() *record.Principal {
	if p == nil {
		return nil
	}
	roles := make([]string, len(p.Roles))
	for i, r := range p.Roles {
		roles[i] = string(r)
	}
	return &record.Principal{Subject: p.Subject, ClientID: p.ClientID, Roles: roles, Tenants: slices.Clone(p.Tenants)}
}

// Authenticator checks a request's credentials.
type Authenticator interface {
	// Authenticate returns the request's principal, or an *Error: 401 for
	// missing or bad credentials, 503 when the credentials cannot be
	// checked now (the OIDC issuer has not answered yet). It never calls
	// out to the network per request beyond what its rate limits allow.
	Authenticate(ctx context.Context, r *http.Request) (*Principal, error)
}

// Error is why a request was not authenticated. Its Detail is safe to send
// to the caller and to log: it never holds the credentials.
type Error struct {
	// Status is the HTTP status to answer: 401 or 503 (403 from api/web's
	// CSRF check of a cookie session).
	Status int
	// Title is the problem title: UNAUTHORIZED or UNAVAILABLE.
	Title string
	// Detail says what was wrong, without the credentials.
	Detail string
	// Challenge is the WWW-Authenticate header value for a 401.
	Challenge string
}

func (e *Error) Error() string { return e.Detail }

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal ctx carries, or nil.
func FromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}
