package replaycheck

import (
	"encoding/json"
	"fmt"
	"sort"
)

// tables are the dump's row lists and the field that keys their rows.
var tables = []struct{ name, key string }{
	{"processes", "processDefinitionKey"},
	{"elements", "Key"},
	{"variables", "Key"},
	{"jobs", "Key"},
	{"incidents", "Key"},
}

// diff lists the first differences between two state dumps: a is the
// replayed state, b the stored one.
func diff(a, b []byte) ([]string, error) {
	var da, db map[string]json.RawMessage
	if err := json.Unmarshal(a, &da); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &db); err != nil {
		return nil, err
	}
	var out []string
	add := func(format string, args ...any) bool {
		out = append(out, fmt.Sprintf(format, args...))
		return len(out) < maxDiffs
	}
	for _, f := range []string{"lastKey", "lastPosition"} {
		if string(da[f]) != string(db[f]) && !add("%s: log %s, rows %s", f, da[f], db[f]) {
			return out, nil
		}
	}
	seen := map[string]bool{"lastKey": true, "lastPosition": true}
	for _, t := range tables {
		seen[t.name] = true
		ra, err := rowsByKey(da[t.name], t.key)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t.name, err)
		}
		rb, err := rowsByKey(db[t.name], t.key)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t.name, err)
		}
		if !diffMaps(t.name, ra, rb, add) {
			return out, nil
		}
	}
	// The indexes (activatable, deadlines, backoffs, latest, scopes) are maps.
	var rest []string
	for f := range da {
		if !seen[f] {
			rest = append(rest, f)
		}
	}
	for f := range db {
		if _, ok := da[f]; !ok && !seen[f] {
			rest = append(rest, f)
		}
	}
	sort.Strings(rest)
	for _, f := range rest {
		var ma, mb map[string]json.RawMessage
		_ = json.Unmarshal(da[f], &ma)
		_ = json.Unmarshal(db[f], &mb)
		if !diffMaps(f, ma, mb, add) {
			return out, nil
		}
	}
	if len(out) == 0 {
		// Same content in another order or encoding: say so rather than nothing.
		out = append(out, "the dumps differ in encoding only")
	}
	return out, nil
}

// rowsByKey indexes a JSON array of objects by the key field.
func rowsByKey(raw json.RawMessage, key string) (map[string]json.RawMessage, error) {
	var rows []map[string]json.RawMessage
	if len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &rows); err != nil {
			return nil, err
		}
	}
	out := make(map[string]json.RawMessage, len(rows))
	for _, r := range rows {
		b, err := json.Marshal(r)
		if err != nil {
			return nil, err
		}
		out[string(r[key])] = b
	}
	return out, nil
}

// diffMaps reports entries only on one side and entries that differ, in key
// order; it stops when add returns false.
func diffMaps(name string, a, b map[string]json.RawMessage, add func(string, ...any) bool) bool {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		va, inA := a[k]
		vb, inB := b[k]
		switch {
		case !inB:
			if !add("%s %s: only in the log replay", name, k) {
				return false
			}
		case !inA:
			if !add("%s %s: only in the stored rows", name, k) {
				return false
			}
		case string(va) != string(vb):
			if !add("%s %s: differs in %s", name, k, firstField(va, vb)) {
				return false
			}
		}
	}
	return true
}

// firstField names the first top-level field in which two JSON objects
// differ, or "value" when they are not objects.
func firstField(a, b json.RawMessage) string {
	var ma, mb map[string]json.RawMessage
	if json.Unmarshal(a, &ma) != nil || json.Unmarshal(b, &mb) != nil {
		return "value"
	}
	fields := make([]string, 0, len(ma))
	for f := range ma {
		fields = append(fields, f)
	}
	for f := range mb {
		if _, ok := ma[f]; !ok {
			fields = append(fields, f)
		}
	}
	sort.Strings(fields)
	for _, f := range fields {
		if string(ma[f]) != string(mb[f]) {
			return f
		}
	}
	return "value"
}
