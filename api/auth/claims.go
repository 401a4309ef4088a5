package auth

import (
	"slices"
	"strings"
)

// claimPathBudget bounds the lookups ClaimPath makes: a path with many dots
// over claims whose keys themselves hold dots could otherwise branch into
// every way of splitting the path.
const claimPathBudget = 256

// ClaimPath returns the value at a dotted path in a token's claims:
// "roles", "realm_access.roles" (Keycloak realm roles),
// "resource_access.wf-engine.roles" (Keycloak client roles). A key that
// itself holds dots, such as Auth0's "https://example.com/roles", is tried
// whole first; then the path is split at a dot, the longest prefix that is
// a key holding an object first, and the rest looked up in that object.
func ClaimPath(claims map[string]any, path string) (any, bool) {
	if path == "" {
		return nil, false
	}
	budget := claimPathBudget
	return claimPath(claims, path, &budget)
}

func claimPath(m map[string]any, path string, budget *int) (any, bool) {
	if *budget <= 0 {
		return nil, false
	}
	*budget--
	if v, ok := m[path]; ok {
		return v, true
	}
	for i := strings.LastIndexByte(path, '.'); i >= 0; i = strings.LastIndexByte(path[:i], '.') {
		inner, ok := m[path[:i]].(map[string]any)
		if !ok {
			continue
		}
		if v, ok := claimPath(inner, path[i+1:], budget); ok {
			return v, true
		}
	}
	return nil, false
}

// claimStrings returns the strings a claim holds: a string split at spaces
// and commas (the scope style of Keycloak and Azure: "admin operator"), or
// the strings of an array. Empty strings are dropped; a value of any other
// kind holds none.
func claimStrings(v any) []string {
	var out []string
	switch v := v.(type) {
	case string:
		out = strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' })
	case []string:
		for _, s := range v {
			if s != "" {
				out = append(out, s)
			}
		}
	case []any:
		for _, e := range v {
			if s, ok := e.(string); ok && s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// sortedUnique sorts s and drops duplicates, in place.
func sortedUnique[S ~[]E, E ~string](s S) S {
	slices.Sort(s)
	return slices.Compact(s)
}
