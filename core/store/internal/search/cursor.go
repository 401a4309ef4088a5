package search

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// signature names the sort a cursor was made for, so that a cursor is not
// used with another sort.
func (p *Plan[T]) signature() string {
	parts := make([]string, len(p.sort))
	for i, s := range p.sort {
		parts[i] = s.f.Name
		if s.desc {
			parts[i] += "-"
		}
	}
	return strings.Join(parts, ",")
}

// cursorOf encodes a row's sort values: base64 of a JSON array holding the
// sort's signature and then the values.
func (p *Plan[T]) cursorOf(row *T) string {
	vals := make([]any, 0, len(p.sort)+1)
	vals = append(vals, p.signature())
	for _, s := range p.sort {
		vals = append(vals, s.f.Get(row))
	}
	b, err := json.Marshal(vals)
	if err != nil {
		// Sort values are int64, string or bool: they always encode.
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

var errCursor = errors.New("not a cursor of this search")

func (p *Plan[T]) decodeCursor(c string) ([]any, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, errCursor
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var raw []any
	if err := d.Decode(&raw); err != nil || len(raw) != len(p.sort)+1 {
		return nil, errCursor
	}
	if sig, _ := raw[0].(string); sig != p.signature() {
		return nil, errors.New("the cursor belongs to a search with another sort")
	}
	out := make([]any, len(p.sort))
	for i, s := range p.sort {
		v := raw[i+1]
		switch s.f.Kind {
		case KindKey, KindInt, KindDate:
			n, ok := v.(json.Number)
			if !ok {
				return nil, errCursor
			}
			out[i], err = toInt(n)
		case KindString, KindState:
			if _, ok := v.(string); !ok {
				return nil, errCursor
			}
			out[i] = v
		case KindBool:
			if _, ok := v.(bool); !ok {
				return nil, errCursor
			}
			out[i] = v
		default:
			err = fmt.Errorf("field %s of unknown kind", s.f.Name)
		}
		if err != nil {
			return nil, errCursor
		}
	}
	return out, nil
}
