package state

import "github.com/example/wf-engine/core/record"

// TenantOrDefault returns tenant, or record.DefaultTenant when it is empty:
// a request that names no tenant, and a record written before tenants were
// honoured, belong to the default tenant.
func TenantOrDefault(tenant string) string {
	if tenant == "" {
		return record.DefaultTenant
	}
	return tenant
}

// inTenant joins a tenant and a name into an index key. Tenant ids never
// contain NUL (the engine checks them), so keys of different tenants never
// collide.
func inTenant(tenant, name string) string { return TenantOrDefault(tenant) + "\x00" + name }

// msgKey is the index key of a message name and correlation key in a tenant.
func msgKey(tenant, name, correlationKey string) string {
	return inTenant(tenant, name+"\x00"+correlationKey)
}

// startedKey is the index key of the instance of a tenant's process that
// a message with a correlation key started.
func startedKey(tenant, bpmnProcessID, correlationKey string) string {
	return inTenant(tenant, bpmnProcessID+"\x00"+correlationKey)
}

// indexLatest makes p the latest version of its process in its tenant when
// it is newer than the one indexed.
func (s *State) indexLatest(p *ProcessDefinition) {
	k := inTenant(p.TenantID, p.BPMNProcessID)
	if cur := s.latest[k]; cur == nil || cur.Version < p.Version {
		s.latest[k] = p
	}
	noteVersion(s.dl.versions, k, p.Version)
}
