package search

import (
	"fmt"
	"slices"
	"strings"

	"github.com/example/wf-engine/core/store"
)

// tenantField names the field that holds a row's tenant in every entity.
const tenantField = "tenantId"

// compileTenants checks a query's tenant restriction. A tenant id must be
// one element of the comma-separated list that PostgreSQL's row-level
// security reads (pgstore), so it must not be empty, hold a comma or be the
// "*" that stands for every tenant there.
func (p *Plan[T]) compileTenants(tenants []string) error {
	if tenants == nil {
		return nil
	}
	if p.e.field(tenantField) == nil {
		// Every entity has one; a new entity without it must not pass as
		// unrestricted.
		return fmt.Errorf("%s have no %s field to restrict by tenant", p.e.Name, tenantField)
	}
	for _, t := range tenants {
		if t == "" || t == "*" || strings.Contains(t, ",") {
			return &store.QueryError{Field: "tenantIds", Msg: fmt.Sprintf("tenant id %q is not allowed: tenant ids are not empty, have no comma and are not *", t)}
		}
	}
	p.restricted = true
	p.tenants = slices.Clone(tenants)
	return nil
}

// tenantSQL returns the condition that a row belongs to one of the plan's
// tenants, or "" when the plan is not restricted.
func (p *Plan[T]) tenantSQL(b *builder) string {
	if !p.restricted {
		return ""
	}
	if len(p.tenants) == 0 {
		return "1=0"
	}
	ps := make([]string, len(p.tenants))
	for i, t := range p.tenants {
		ps[i] = b.arg(t)
	}
	list := "(" + strings.Join(ps, ", ") + ")"
	if p.e.InTenants != nil {
		return p.e.InTenants(list)
	}
	return p.e.field(tenantField).Expr + " IN " + list
}

// inTenants reports whether a row in memory belongs to one of the plan's
// tenants; every row does when the plan is not restricted.
func (p *Plan[T]) inTenants(row *T) bool {
	if !p.restricted {
		return true
	}
	t, _ := p.e.field(tenantField).Get(row).(string)
	return slices.Contains(p.tenants, t)
}
