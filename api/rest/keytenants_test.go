package rest

import "testing"

func TestKeyTenantsRemembersWithinItsBound(t *testing.T) {
	k := keyTenants{max: 3}
	if _, ok := k.get("jobKey", 1); ok {
		t.Fatal("an empty cache hit")
	}
	k.put("jobKey", 1, "acme")
	k.put("incidentKey", 1, "beta")
	if got, ok := k.get("jobKey", 1); !ok || got != "acme" {
		t.Fatalf("jobKey 1: %q %v", got, ok)
	}
	if got, _ := k.get("incidentKey", 1); got != "beta" {
		t.Fatalf("the same key of another entity must not collide: %q", got)
	}
	for i := int64(10); i < 20; i++ {
		k.put("jobKey", i, "acme")
	}
	if len(k.m) > 3 {
		t.Fatalf("%d entries, more than the bound 3", len(k.m))
	}
}
