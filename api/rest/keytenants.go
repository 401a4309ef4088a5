package rest

import (
	"strconv"
	"sync"
)

// keyTenants remembers the tenants of entities by key, for guard. A
// tenant never changes while its entity lives, and keys are never reused,
// so an entry never goes stale; the map is emptied when it reaches max
// entries, which costs one store read per entity used again.
type keyTenants struct {
	mu  sync.Mutex
	m   map[string]string
	max int
}

// keyTenantsMax bounds the remembered keys (about 100 bytes each).
const keyTenantsMax = 200000

func (k *keyTenants) get(field string, key int64) (string, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	t, ok := k.m[field+strconv.FormatInt(key, 10)]
	return t, ok
}

func (k *keyTenants) put(field string, key int64, tenant string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil || len(k.m) >= k.max {
		k.m = make(map[string]string, 1024)
	}
	k.m[field+strconv.FormatInt(key, 10)] = tenant
}
