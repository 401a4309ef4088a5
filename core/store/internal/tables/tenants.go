package tables

import (
	"fmt"

	"github.com/example/wf-engine/core/state"
)

// Tenants holds the tenants of Camunda's tenant management; live is 1
// until the tenant is deleted (migration 8).
var Tenants = &Table{Name: "tenants", Upsert: true, Columns: []Column{
	{"key", Int}, {"live", Int}, {"tenant_id", Text}, {"name", Text}, {"description", Text},
}}

// TenantMembers holds the users and clients assigned to tenants, keyed by
// membership; live is 1 until the membership is removed.
var TenantMembers = &Table{Name: "tenant_members", Upsert: true, Columns: []Column{
	{"key", Int}, {"live", Int}, {"tenant_key", Int}, {"tenant_id", Text}, {"entity_type", Text}, {"entity_id", Text},
}}

// The statements that read the live tenants and memberships in key order.
var (
	LoadTenants       = Tenants.Select("WHERE live = 1 ORDER BY key")
	LoadTenantMembers = TenantMembers.Select("WHERE live = 1 ORDER BY key")
)

func tenantRows(ts []state.TenantRow) *Rows {
	ts = lastOfEachKey(ts, func(t *state.TenantRow) int64 { return t.Key })
	r := newRows(Tenants, len(ts))
	for i := range ts {
		t := &ts[i]
		r.i(t.Key)
		r.i(flag(t.Live))
		r.s(t.Value.TenantID)
		r.s(t.Value.Name)
		r.s(t.Value.Description)
		r.end()
	}
	return r
}

func tenantMemberRows(ms []state.TenantMemberRow) *Rows {
	ms = lastOfEachKey(ms, func(m *state.TenantMemberRow) int64 { return m.Key })
	r := newRows(TenantMembers, len(ms))
	for i := range ms {
		m := &ms[i]
		r.i(m.Key)
		r.i(flag(m.Live))
		r.i(m.Value.TenantKey)
		r.s(m.Value.TenantID)
		r.s(m.Value.EntityType)
		r.s(m.Value.EntityID)
		r.end()
	}
	return r
}

// ScanTenant reads a tenants row.
func ScanTenant(scan Scan) (state.Tenant, error) {
	var t state.Tenant
	var live int64
	if err := scan(&t.Key, &live, &t.Value.TenantID, &t.Value.Name, &t.Value.Description); err != nil {
		return t, fmt.Errorf("read tenant: %w", err)
	}
	t.Value.TenantKey = t.Key
	return t, nil
}

// ScanTenantMember reads a tenant_members row.
func ScanTenantMember(scan Scan) (state.TenantMember, error) {
	var m state.TenantMember
	var live int64
	v := &m.Value
	if err := scan(&m.Key, &live, &v.TenantKey, &v.TenantID, &v.EntityType, &v.EntityID); err != nil {
		return m, fmt.Errorf("read tenant membership: %w", err)
	}
	return m, nil
}
