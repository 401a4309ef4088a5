package processtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
)

// maxShown bounds how much of one value a failure message prints.
const maxShown = 200

// number is a JSON number in canonical form (an exact fraction), so that
// 3, int64(3), 3.0 and json.Number("3e0") compare equal.
type number string

// normalize turns v into what its JSON form decodes to, with every number
// made canonical: maps of string keys, slices, strings, bools, nil and
// numbers. Structs become maps as encoding/json renders them.
func normalize(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode value as JSON: %w", err)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var out any
	if err := d.Decode(&out); err != nil {
		return nil, fmt.Errorf("decode value from JSON: %w", err)
	}
	return canonical(out), nil
}

func canonical(v any) any {
	switch x := v.(type) {
	case json.Number:
		r, ok := new(big.Rat).SetString(x.String())
		if !ok {
			return number(x.String())
		}
		return number(r.RatString())
	case map[string]any:
		for k, e := range x {
			x[k] = canonical(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = canonical(e)
		}
		return x
	}
	return v
}

// sameValue reports whether want and got are deeply equal once both are
// normalised; got must be normalised already.
func sameValue(want, got any) (bool, error) {
	w, err := normalize(want)
	if err != nil {
		return false, err
	}
	return reflect.DeepEqual(w, got), nil
}

// display renders v as JSON for a failure message, shortened when long.
func display(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("<%T: %v>", v, err)
	}
	if len(b) > maxShown {
		return string(b[:maxShown]) + "…"
	}
	return string(b)
}

// jsonCopy returns a copy of v decoded from its JSON form, numbers as
// float64, so that callers never share a document with the engine. A value
// JSON cannot encode is returned as it is.
func jsonCopy(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return v
	}
	return out
}

// copyVars returns a JSON copy of a variable document; never nil.
func copyVars(vars map[string]any) map[string]any {
	if m, ok := jsonCopy(vars).(map[string]any); ok {
		return m
	}
	return map[string]any{}
}
