package memstore

import "github.com/example/wf-engine/core/state"

// tenantRows holds the latest rows of tenants and their memberships;
// deleted tenants and removed memberships stay, as in the durable stores.
type tenantRows struct {
	tenants map[int64]state.TenantRow
	members map[int64]state.TenantMemberRow
}

func (t *tenantRows) commit(c *state.Changes) {
	upsert(&t.tenants, c.Tenants, func(r *state.TenantRow) int64 { return r.Key })
	upsert(&t.members, c.TenantMembers, func(r *state.TenantMemberRow) int64 { return r.Key })
}

// load adds the live rows, in key order, to snap.
func (t *tenantRows) load(snap *state.Snapshot) {
	for _, k := range sortedKeys(t.tenants) {
		if r := t.tenants[k]; r.Live {
			snap.Tenants = append(snap.Tenants, r.Tenant)
		}
	}
	for _, k := range sortedKeys(t.members) {
		if r := t.members[k]; r.Live {
			snap.TenantMembers = append(snap.TenantMembers, r.TenantMember)
		}
	}
}
