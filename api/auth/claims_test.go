package auth

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestClaimPath(t *testing.T) {
	var claims map[string]any
	err := json.Unmarshal([]byte(`{
		"roles": ["admin"],
		"realm_access": {"roles": ["operator", "offline_access"]},
		"resource_access": {"wf-engine": {"roles": ["worker"]}, "wf": {"engine": {"roles": ["user"]}}},
		"https://example.com/roles": ["admin", "user"],
		"https://example.com": {"roles": ["wrong"]},
		"a.b": {"c": "split at the first dot"},
		"a": {"b.c": "split at the second dot", "b": {"c": "split at both dots"}},
		"scalar": "x"
	}`), &claims)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		want any
		ok   bool
	}{
		{name: "top-level key", path: "roles", want: []any{"admin"}, ok: true},
		{name: "Keycloak realm roles", path: "realm_access.roles", want: []any{"operator", "offline_access"}, ok: true},
		{name: "Keycloak client roles with a dash", path: "resource_access.wf-engine.roles", want: []any{"worker"}, ok: true},
		{name: "Auth0 namespaced key tried whole first", path: "https://example.com/roles", want: []any{"admin", "user"}, ok: true},
		{name: "longest prefix key first", path: "a.b.c", want: "split at the first dot", ok: true},
		{name: "missing key", path: "realm_access.groups", ok: false},
		{name: "through a scalar", path: "scalar.x", ok: false},
		{name: "empty path", path: "", ok: false},
		{name: "trailing dot", path: "roles.", ok: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ClaimPath(claims, tt.path)
			if ok != tt.ok || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ClaimPath(%q) = %#v, %v; want %#v, %v", tt.path, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestClaimPathFallsBackToShorterPrefixes(t *testing.T) {
	claims := map[string]any{
		"a.b": map[string]any{"x": 1.0},
		"a":   map[string]any{"b": map[string]any{"c": "found"}},
	}
	got, ok := ClaimPath(claims, "a.b.c")
	if !ok || got != "found" {
		t.Fatalf("ClaimPath = %v, %v; want found", got, ok)
	}
}

func TestClaimPathBoundsItsWork(t *testing.T) {
	// Every prefix of a long dotted path is a key holding an object, so an
	// unbounded search would try every way to split the path.
	inner := map[string]any{}
	for i := 1; i < 40; i++ {
		inner[strings.TrimSuffix(strings.Repeat("a.", i), ".")] = inner
	}
	path := strings.TrimSuffix(strings.Repeat("a.", 40), ".") + ".missing"
	if _, ok := ClaimPath(inner, path); ok {
		t.Fatal("found a missing claim")
	}
}

func TestClaimStrings(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want []string
	}{
		{name: "space separated", v: "admin operator", want: []string{"admin", "operator"}},
		{name: "comma separated with spaces", v: "admin, operator,,user", want: []string{"admin", "operator", "user"}},
		{name: "JSON array", v: []any{"admin", 3.0, "", "user", nil}, want: []string{"admin", "user"}},
		{name: "string slice", v: []string{"a", "", "b"}, want: []string{"a", "b"}},
		{name: "empty string", v: "", want: nil},
		{name: "number", v: 1.0, want: nil},
		{name: "object", v: map[string]any{"roles": "admin"}, want: nil},
		{name: "nil", v: nil, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := claimStrings(tt.v); (len(got) > 0 || len(tt.want) > 0) && !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("claimStrings(%#v) = %#v; want %#v", tt.v, got, tt.want)
			}
		})
	}
}

func FuzzClaimPath(f *testing.F) {
	f.Add(`{"realm_access":{"roles":["a"]}}`, "realm_access.roles")
	f.Add(`{"https://x.com/roles":"a b","https://x":{"com/roles":1}}`, "https://x.com/roles")
	f.Add(`{"a.b":{"c":[1,"x"]},"a":{"b":{"c":"y"}}}`, "a.b.c")
	f.Add(`{"":{"":{"":""}}}`, "..")
	f.Fuzz(func(t *testing.T, doc, path string) {
		var claims map[string]any
		if json.Unmarshal([]byte(doc), &claims) != nil {
			return
		}
		v, ok := ClaimPath(claims, path)
		if !ok && v != nil {
			t.Fatalf("not found but returned %#v", v)
		}
		if whole, present := claims[path]; present && path != "" && !reflect.DeepEqual(v, whole) {
			t.Fatalf("key %q present but ClaimPath returned %#v", path, v)
		}
		for _, s := range claimStrings(v) {
			if s == "" {
				t.Fatal("claimStrings returned an empty string")
			}
		}
	})
}
