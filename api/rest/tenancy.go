package rest

import (
	"context"
	"slices"

	"github.com/example/wf-engine/api/auth"
	"github.com/example/wf-engine/core/record"
)

// TenantResult is one tenant, as Camunda 8.8 answers it.
type TenantResult struct {
	TenantKey   string `json:"tenantKey,omitempty"`
	TenantID    string `json:"tenantId"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// defaultTenantName is the name Camunda gives the default tenant.
const defaultTenantName = "Default"

// tenantsOf lists the tenants a principal may work on: every tenant for
// anonymous (auth.mode none) and, with multi-tenancy off, the default
// tenant only.
func (s *Server) tenantsOf(_ context.Context, p *auth.Principal) ([]TenantResult, error) {
	if !s.cfg.Multitenancy {
		return []TenantResult{{TenantID: record.DefaultTenant, Name: defaultTenantName}}, nil
	}
	ids := s.principalTenants(p)
	out := make([]TenantResult, 0, len(ids))
	for _, id := range ids {
		name := id
		if id == record.DefaultTenant {
			name = defaultTenantName
		}
		out = append(out, TenantResult{TenantID: id, Name: name})
	}
	return out, nil
}

// principalTenants are the tenant ids a principal may see and change, with
// multi-tenancy on; nil means every tenant (auth.mode none).
func (s *Server) principalTenants(p *auth.Principal) []string {
	if p == anonymous || p == nil {
		return nil
	}
	ids := slices.Clone(p.Tenants)
	if ids == nil {
		ids = []string{}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// readTenants restricts a search to what the caller may see: nil (no
// restriction) with multi-tenancy off or for anonymous.
func (s *Server) readTenants(ctx context.Context) []string {
	if !s.cfg.Multitenancy {
		return nil
	}
	return s.principalTenants(auth.FromContext(ctx))
}

// requestTenant checks the tenant a command names and returns it, the
// default tenant when it names none. With multi-tenancy off only the
// default tenant exists; with it on the caller must be a member.
func (s *Server) requestTenant(ctx context.Context, tenant string) (string, error) {
	if tenant == "" {
		tenant = record.DefaultTenant
	}
	if !s.cfg.Multitenancy {
		if tenant != record.DefaultTenant {
			return "", bindErrorf("tenantId: expected '%s' (multi-tenancy is not enabled), got '%s'", record.DefaultTenant, tenant)
		}
		return tenant, nil
	}
	if allowed := s.principalTenants(auth.FromContext(ctx)); allowed != nil && !slices.Contains(allowed, tenant) {
		return "", &forbiddenError{msg: "Not allowed to work on tenant '" + tenant + "': the caller is not a member"}
	}
	return tenant, nil
}

// forbiddenError is an authorization refusal found by a handler; fail
// answers it with 403.
type forbiddenError struct{ msg string }

func (e *forbiddenError) Error() string { return e.msg }
