package rest

import (
	"context"
	"sync"

	"github.com/example/wf-engine/core/state"
)

// memberships caches the tenant memberships of the engine's tenant
// management, so that a request does not wait for a read between two of
// the engine's batches to learn its principal's tenants. Memberships
// change only through this server's tenant routes, which invalidate the
// cache after every command; the next request loads it again whole. (With
// several engine nodes, a node would also have to learn of the others'
// changes: the cache would then need a time to live.)
type memberships struct {
	mu    sync.Mutex
	gen   uint64              // bumped by every invalidation
	valid bool                // byKey reflects generation gen
	byKey map[string][]string // entity type + "\x00" + entity id → tenant ids, sorted
}

func memberKey(entityType, entityID string) string { return entityType + "\x00" + entityID }

// invalidate drops the cache; call it after every tenant command, failed
// ones included.
func (m *memberships) invalidate() {
	m.mu.Lock()
	m.gen++
	m.valid = false
	m.byKey = nil
	m.mu.Unlock()
}

// of returns the tenants an entity (a user by name, a client by id) is a
// member of, loading the cache from the engine's state when it is not
// valid. A load that an invalidation overtook is used once but not kept.
func (m *memberships) of(ctx context.Context, eng Engine, entityType, entityID string) ([]string, error) {
	m.mu.Lock()
	if m.valid {
		ids := m.byKey[memberKey(entityType, entityID)]
		m.mu.Unlock()
		return ids, nil
	}
	gen := m.gen
	m.mu.Unlock()
	byKey := map[string][]string{}
	err := eng.Read(ctx, func(st *state.State) {
		for _, t := range st.Tenants() {
			for _, mb := range st.TenantMembers(t.Value.TenantID) {
				k := memberKey(mb.Value.EntityType, mb.Value.EntityID)
				byKey[k] = append(byKey[k], t.Value.TenantID) // Tenants() is sorted, so each list is
			}
		}
	})
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	if m.gen == gen {
		m.byKey, m.valid = byKey, true
	}
	m.mu.Unlock()
	return byKey[memberKey(entityType, entityID)], nil
}
