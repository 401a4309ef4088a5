package rest

import (
	"context"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/api/auth"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
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

// tenantsOf lists the tenants a principal may work on, with their names
// from tenant management (a tenant only named by a token or the
// configuration shows its id as name): every tenant for anonymous
// (auth.mode none) and, with multi-tenancy off, the default tenant only.
func (s *Server) tenantsOf(ctx context.Context, p *auth.Principal) ([]TenantResult, error) {
	if !s.cfg.Multitenancy {
		return []TenantResult{{TenantID: record.DefaultTenant, Name: defaultTenantName}}, nil
	}
	ids := s.principalTenants(p)
	var out []TenantResult
	err := s.eng.Read(ctx, func(st *state.State) {
		if ids == nil { // anonymous: every tenant
			for _, t := range st.Tenants() {
				ids = append(ids, t.Value.TenantID)
			}
		}
		out = make([]TenantResult, 0, len(ids))
		for _, id := range ids {
			r := TenantResult{TenantID: id, Name: id}
			if t := st.Tenant(id); t != nil {
				r.Name, r.Description = t.Value.Name, t.Value.Description
			}
			out = append(out, r)
		}
	})
	return out, err
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

// keyLookups find one entity by the key a route names in its path, with
// the caller's tenant restriction: guard uses them.
var keyLookups = map[string]func(s *Server, ctx context.Context, q store.Query) (int, error){
	"processInstanceKey": func(s *Server, ctx context.Context, q store.Query) (int, error) {
		p, err := s.q.SearchProcessInstances(ctx, q)
		return len(p.Items), err
	},
	"processDefinitionKey": func(s *Server, ctx context.Context, q store.Query) (int, error) {
		p, err := s.q.SearchProcessDefinitions(ctx, q)
		return len(p.Items), err
	},
	"elementInstanceKey": func(s *Server, ctx context.Context, q store.Query) (int, error) {
		p, err := s.q.SearchElementInstances(ctx, q)
		return len(p.Items), err
	},
	"variableKey": func(s *Server, ctx context.Context, q store.Query) (int, error) {
		p, err := s.q.SearchVariables(ctx, q)
		return len(p.Items), err
	},
	"jobKey": func(s *Server, ctx context.Context, q store.Query) (int, error) {
		p, err := s.q.SearchJobs(ctx, q)
		return len(p.Items), err
	},
	"incidentKey": func(s *Server, ctx context.Context, q store.Query) (int, error) {
		p, err := s.q.SearchIncidents(ctx, q)
		return len(p.Items), err
	},
	"userTaskKey": func(s *Server, ctx context.Context, q store.Query) (int, error) {
		p, err := s.q.SearchUserTasks(ctx, q)
		return len(p.Items), err
	},
}

// guard lets a request on one entity (a route with a key in its path)
// through only when the caller may see that entity: with multi-tenancy on,
// one of its tenants owns it; for a principal limited to its own user
// tasks, it is the task's assignee or a candidate. Others get 404, as for a key that does not
// exist, so that keys of other tenants leak nothing. It reads the store
// once per such request, and only with multi-tenancy on.
func (s *Server) guard(c *gin.Context) {
	ctx := c.Request.Context()
	tenants := s.readTenants(ctx)
	visible := taskVisibility(auth.FromContext(ctx))
	if tenants == nil && visible == nil {
		c.Next()
		return
	}
	for _, p := range c.Params {
		lookup := keyLookups[p.Key]
		if lookup == nil {
			continue
		}
		key, err := parseKey(p.Value)
		if err != nil {
			c.Next() // the handler names the bad key
			return
		}
		q := store.Query{Conditions: []store.Condition{{Field: p.Key, Op: store.OpEq, Value: key}}, Limit: 1, Tenants: tenants}
		if p.Key == "userTaskKey" {
			q.AnyOf = visible
		}
		n, err := lookup(s, ctx, q)
		if err != nil {
			s.fail(c, "", err)
			return
		}
		if n == 0 {
			notFound(c, "No %s %d among the tenants of the caller", p.Key, key)
			return
		}
	}
	c.Next()
}

// withMemberships adds to a principal the tenants the engine's tenant
// management assigned it (as a user by name, or as a client by client id),
// with multi-tenancy on.
func (s *Server) withMemberships(ctx context.Context, p *auth.Principal) (*auth.Principal, error) {
	if !s.cfg.Multitenancy || p == anonymous {
		return p, nil
	}
	var extra []string
	err := s.eng.Read(ctx, func(st *state.State) {
		if p.IsClient() {
			extra = st.TenantsOf(record.TenantEntityClient, p.ClientID)
		} else {
			extra = st.TenantsOf(record.TenantEntityUser, p.Name)
		}
	})
	if err != nil || len(extra) == 0 {
		return p, err
	}
	out := *p
	out.Tenants = append(slices.Clone(p.Tenants), extra...)
	slices.Sort(out.Tenants)
	out.Tenants = slices.Compact(out.Tenants)
	return &out, nil
}
