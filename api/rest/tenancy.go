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
	if p.Tenants == nil {
		return []string{}
	}
	return p.Tenants // sorted and unique: the authenticators and withMemberships make them so
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

// keyLookups find the tenant of one entity by the key a route names in its
// path: guard uses them.
var keyLookups = map[string]func(s *Server, ctx context.Context, q store.Query) (string, bool, error){
	"processInstanceKey": func(s *Server, ctx context.Context, q store.Query) (string, bool, error) {
		return tenantOfFirst(s.q.SearchProcessInstances(ctx, q))(func(r store.ProcessInstance) string { return r.TenantID })
	},
	"processDefinitionKey": func(s *Server, ctx context.Context, q store.Query) (string, bool, error) {
		return tenantOfFirst(s.q.SearchProcessDefinitions(ctx, q))(func(r store.ProcessDefinition) string { return r.TenantID })
	},
	"resourceKey": (*Server).resourceTenant,
	"elementInstanceKey": func(s *Server, ctx context.Context, q store.Query) (string, bool, error) {
		return tenantOfFirst(s.q.SearchElementInstances(ctx, q))(func(r store.ElementInstance) string { return r.TenantID })
	},
	"adHocSubProcessInstanceKey": func(s *Server, ctx context.Context, q store.Query) (string, bool, error) {
		q.Conditions = []store.Condition{{Field: "elementInstanceKey", Op: store.OpEq, Value: q.Conditions[0].Value}}
		return tenantOfFirst(s.q.SearchElementInstances(ctx, q))(func(r store.ElementInstance) string { return r.TenantID })
	},
	"variableKey": func(s *Server, ctx context.Context, q store.Query) (string, bool, error) {
		return tenantOfFirst(s.q.SearchVariables(ctx, q))(func(r store.Variable) string { return r.TenantID })
	},
	"jobKey": func(s *Server, ctx context.Context, q store.Query) (string, bool, error) {
		return tenantOfFirst(s.q.SearchJobs(ctx, q))(func(r store.Job) string { return r.TenantID })
	},
	"incidentKey": func(s *Server, ctx context.Context, q store.Query) (string, bool, error) {
		return tenantOfFirst(s.q.SearchIncidents(ctx, q))(func(r store.Incident) string { return r.TenantID })
	},
	"userTaskKey": func(s *Server, ctx context.Context, q store.Query) (string, bool, error) {
		return tenantOfFirst(s.q.SearchUserTasks(ctx, q))(func(r store.UserTask) string { return r.TenantID })
	},
}

// tenantOfFirst reads the tenant of a page's first row, when it has one.
func tenantOfFirst[T any](p store.Page[T], err error) func(tenant func(T) string) (string, bool, error) {
	return func(tenant func(T) string) (string, bool, error) {
		if err != nil || len(p.Items) == 0 {
			return "", false, err
		}
		t := tenant(p.Items[0])
		if t == "" {
			t = record.DefaultTenant
		}
		return t, true, nil
	}
}

// guard lets a request on one entity (a route with a key in its path)
// through only when the caller may see that entity: with multi-tenancy on,
// one of its tenants owns it; for a principal limited to its own user
// tasks, it is the task's assignee or a candidate. Others get 404, as for
// a key that does not exist, so that keys of other tenants leak nothing.
// An entity's tenant never changes, so tenants are remembered by key
// (keyTenants; job activation fills it too): a worker's completion costs no
// store read.
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
		ok, err := s.mayUse(ctx, lookup, p.Key, key, tenants, visible)
		if err != nil {
			s.fail(c, "", err)
			return
		}
		if !ok {
			notFound(c, "No %s %d among the tenants of the caller", p.Key, key)
			return
		}
	}
	c.Next()
}

// mayUse reports whether the entity field=key exists and the caller may use
// it: one of tenants (nil: any) owns it and, for user tasks of a limited
// principal, one of visible holds.
func (s *Server) mayUse(ctx context.Context, lookup func(*Server, context.Context, store.Query) (string, bool, error),
	field string, key int64, tenants []string, visible []store.Condition) (bool, error) {
	byKey := store.Query{Conditions: []store.Condition{{Field: field, Op: store.OpEq, Value: key}}, Limit: 1}
	if field == "userTaskKey" && visible != nil {
		byKey.Tenants, byKey.AnyOf = tenants, visible // who may see a task changes: never remembered
		_, found, err := lookup(s, ctx, byKey)
		return found, err
	}
	tenant, found := s.keyTenants.get(field, key)
	if !found {
		var err error
		if tenant, found, err = lookup(s, ctx, byKey); err != nil || !found {
			return false, err
		}
		s.keyTenants.put(field, key, tenant)
	}
	return tenants == nil || slices.Contains(tenants, tenant), nil
}

// withMemberships adds to a principal the tenants the engine's tenant
// management assigned it (as a user by name, or as a client by client id),
// with multi-tenancy on.
func (s *Server) withMemberships(ctx context.Context, p *auth.Principal) (*auth.Principal, error) {
	if !s.cfg.Multitenancy || p == anonymous {
		return p, nil
	}
	entityType, entityID := record.TenantEntityUser, p.Name
	if p.IsClient() {
		entityType, entityID = record.TenantEntityClient, p.ClientID
	}
	extra, err := s.members.of(ctx, s.eng, entityType, entityID)
	if err != nil || len(extra) == 0 {
		return p, err
	}
	out := *p
	out.Tenants = append(slices.Clone(p.Tenants), extra...)
	slices.Sort(out.Tenants)
	out.Tenants = slices.Compact(out.Tenants)
	return &out, nil
}
