package state

import (
	"fmt"
	"sort"

	"github.com/example/wf-engine/core/record"
)

// DefaultTenantName is the name of the default tenant, record.DefaultTenant,
// which always exists: no event creates it and none may delete it.
const DefaultTenantName = "Default"

// Tenant is a tenant of Camunda's tenant management. Value holds its key,
// id, name and description.
type Tenant struct {
	Key   int64
	Value record.TenantValue
}

// TenantMember is a user or a client assigned to a tenant. Key is the
// membership's own key (that of the event that added it); Value names the
// tenant (key and id) and the member (entity type and id).
type TenantMember struct {
	Key   int64
	Value record.TenantValue
}

// TenantRow is the stored form of a tenant; Live false marks a deleted one.
type TenantRow struct {
	Tenant
	Live bool
}

// TenantMemberRow is the stored form of a membership; Live false marks a
// removed one.
type TenantMemberRow struct {
	TenantMember
	Live bool
}

// memberID names a membership by what it joins.
type memberID struct{ tenant, entityType, entityID string }

// tenants holds the tenants and their members with the indexes the kernel
// and the API read.
type tenants struct {
	byID     map[string]*Tenant
	members  map[int64]*TenantMember
	byTenant map[string]map[int64]struct{} // tenant id -> membership keys
	byEntity map[string]map[int64]struct{} // entity type \x00 entity id -> membership keys
	byMember map[memberID]int64
}

func newTenants() tenants {
	return tenants{byID: map[string]*Tenant{}, members: map[int64]*TenantMember{}, byTenant: map[string]map[int64]struct{}{},
		byEntity: map[string]map[int64]struct{}{}, byMember: map[memberID]int64{}}
}

func entityName(entityType, entityID string) string { return entityType + "\x00" + entityID }

// defaultTenant returns the built-in default tenant (key 0).
func defaultTenant() *Tenant {
	return &Tenant{Value: record.TenantValue{TenantID: record.DefaultTenant, Name: DefaultTenantName}}
}

// Tenant returns the tenant with the given id, or nil. The default tenant
// always exists.
func (s *State) Tenant(id string) *Tenant {
	if t := s.tn.byID[id]; t != nil {
		return t
	}
	if id == record.DefaultTenant {
		return defaultTenant()
	}
	return nil
}

// Tenants returns every tenant, the default tenant included, sorted by id.
func (s *State) Tenants() []*Tenant {
	out := make([]*Tenant, 0, len(s.tn.byID)+1)
	for _, t := range s.tn.byID {
		out = append(out, t)
	}
	if s.tn.byID[record.DefaultTenant] == nil {
		out = append(out, defaultTenant())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Value.TenantID < out[j].Value.TenantID })
	return out
}

// TenantMembers returns the members of a tenant, sorted by entity type and
// id.
func (s *State) TenantMembers(id string) []*TenantMember {
	out := pickAll(s.tn.members, s.tn.byTenant[id])
	sort.Slice(out, func(i, j int) bool {
		a, b := &out[i].Value, &out[j].Value
		if a.EntityType != b.EntityType {
			return a.EntityType < b.EntityType
		}
		return a.EntityID < b.EntityID
	})
	return out
}

// TenantMember returns a tenant's membership of a user or client, or nil.
func (s *State) TenantMember(tenantID, entityType, entityID string) *TenantMember {
	k, ok := s.tn.byMember[memberID{tenantID, entityType, entityID}]
	if !ok {
		return nil
	}
	return s.tn.members[k]
}

// TenantsOf returns the ids of the tenants a user or client is assigned to,
// sorted.
func (s *State) TenantsOf(entityType, entityID string) []string {
	keys := s.tn.byEntity[entityName(entityType, entityID)]
	out := make([]string, 0, len(keys))
	for k := range keys {
		out = append(out, s.tn.members[k].Value.TenantID)
	}
	sort.Strings(out)
	return out
}

func (s *State) markTenant(t *Tenant, live bool) {
	s.changes.tenants[t.Key] = TenantRow{Tenant: *t, Live: live}
	s.changes.dirty = true
}

func (s *State) markTenantMember(m *TenantMember, live bool) {
	s.changes.tenantMembers[m.Key] = TenantMemberRow{TenantMember: *m, Live: live}
	s.changes.dirty = true
}

func (s *State) tenant(id string) (*Tenant, error) {
	t := s.tn.byID[id]
	if t == nil {
		return nil, fmt.Errorf("tenant %q does not exist", id)
	}
	return t, nil
}

func applyTenantCreated(s *State, r *record.Record) error {
	v := r.Value.(*record.TenantValue)
	if v.TenantID == record.DefaultTenant || s.tn.byID[v.TenantID] != nil {
		return fmt.Errorf("tenant %q exists already", v.TenantID)
	}
	t := &Tenant{Key: r.Key, Value: record.TenantValue{TenantKey: r.Key, TenantID: v.TenantID, Name: v.Name, Description: v.Description}}
	s.tn.byID[v.TenantID] = t
	s.markTenant(t, true)
	return nil
}

func applyTenantUpdated(s *State, r *record.Record) error {
	v := r.Value.(*record.TenantValue)
	t, err := s.tenant(v.TenantID)
	if err != nil {
		return err
	}
	t.Value.Name, t.Value.Description = v.Name, v.Description
	s.markTenant(t, true)
	return nil
}

func applyTenantDeleted(s *State, r *record.Record) error {
	v := r.Value.(*record.TenantValue)
	t, err := s.tenant(v.TenantID)
	if err != nil {
		return err
	}
	if n := len(s.tn.byTenant[v.TenantID]); n > 0 {
		return fmt.Errorf("tenant %q still has %d members", v.TenantID, n)
	}
	delete(s.tn.byID, v.TenantID)
	s.markTenant(t, false)
	return nil
}

func applyTenantEntityAdded(s *State, r *record.Record) error {
	v := r.Value.(*record.TenantValue)
	if s.Tenant(v.TenantID) == nil {
		return fmt.Errorf("tenant %q does not exist", v.TenantID)
	}
	id := memberID{v.TenantID, v.EntityType, v.EntityID}
	if _, ok := s.tn.byMember[id]; ok {
		return fmt.Errorf("%s %q is a member of tenant %q already", v.EntityType, v.EntityID, v.TenantID)
	}
	m := &TenantMember{Key: r.Key, Value: record.TenantValue{TenantKey: v.TenantKey, TenantID: v.TenantID, EntityType: v.EntityType, EntityID: v.EntityID}}
	s.tn.members[r.Key] = m
	s.tn.byMember[id] = r.Key
	addToName(s.tn.byTenant, v.TenantID, r.Key)
	addToName(s.tn.byEntity, entityName(v.EntityType, v.EntityID), r.Key)
	s.markTenantMember(m, true)
	return nil
}

func applyTenantEntityRemoved(s *State, r *record.Record) error {
	m := s.tn.members[r.Key]
	if m == nil {
		return fmt.Errorf("tenant membership %d does not exist", r.Key)
	}
	v := &m.Value
	delete(s.tn.members, r.Key)
	delete(s.tn.byMember, memberID{v.TenantID, v.EntityType, v.EntityID})
	removeFrom(s.tn.byTenant, v.TenantID, r.Key)
	removeFrom(s.tn.byEntity, entityName(v.EntityType, v.EntityID), r.Key)
	s.markTenantMember(m, false)
	return nil
}

// checkTenants verifies that the membership indexes agree with the
// memberships and that every member's tenant exists.
func (s *State) checkTenants() error {
	for id, t := range s.tn.byID {
		if t.Value.TenantID != id || t.Value.TenantKey != t.Key {
			return fmt.Errorf("tenant %d is indexed as %q but is %q with tenant key %d", t.Key, id, t.Value.TenantID, t.Value.TenantKey)
		}
	}
	for _, k := range sortedKeys(s.tn.members) {
		v := &s.tn.members[k].Value
		if s.Tenant(v.TenantID) == nil {
			return fmt.Errorf("tenant membership %d outlives tenant %q", k, v.TenantID)
		}
		if _, ok := s.tn.byTenant[v.TenantID][k]; !ok {
			return fmt.Errorf("tenant membership %d is not indexed by tenant %q", k, v.TenantID)
		}
		if _, ok := s.tn.byEntity[entityName(v.EntityType, v.EntityID)][k]; !ok {
			return fmt.Errorf("tenant membership %d is not indexed by %s %q", k, v.EntityType, v.EntityID)
		}
		if s.tn.byMember[memberID{v.TenantID, v.EntityType, v.EntityID}] != k {
			return fmt.Errorf("tenant membership %d is not indexed by what it joins", k)
		}
	}
	n := 0
	for _, keys := range s.tn.byTenant {
		n += len(keys)
	}
	m := 0
	for _, keys := range s.tn.byEntity {
		m += len(keys)
	}
	if n != len(s.tn.members) || m != len(s.tn.members) || len(s.tn.byMember) != len(s.tn.members) {
		return fmt.Errorf("tenant membership indexes hold %d, %d and %d entries for %d memberships", n, m, len(s.tn.byMember), len(s.tn.members))
	}
	return nil
}
