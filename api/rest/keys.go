package rest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// Key is an entity key on the wire: written as a JSON string of a decimal
// int64; read from a JSON string or number.
type Key int64

// MarshalJSON implements json.Marshaler.
func (k Key) MarshalJSON() ([]byte, error) {
	return []byte(`"` + strconv.FormatInt(int64(k), 10) + `"`), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (k *Key) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		b = b[1 : len(b)-1]
	}
	n, err := parseKey(string(b))
	if err != nil {
		return err
	}
	*k = Key(n)
	return nil
}

func parseKey(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("expected a key (a decimal 64-bit integer), got %q", s)
	}
	return n, nil
}

// optKey returns a pointer to k, or nil when k is not a key (0 or -1).
func optKey(k int64) *Key {
	if k <= 0 {
		return nil
	}
	kk := Key(k)
	return &kk
}

// Interface guards
var (
	_ json.Marshaler   = Key(0)
	_ json.Unmarshaler = (*Key)(nil)
)

// Long is an int64 in a request: a JSON number, or a decimal string as
// Camunda's JavaScript client writes a BigInt (numbers.go).
type Long int64

// UnmarshalJSON implements json.Unmarshaler.
func (l *Long) UnmarshalJSON(b []byte) error {
	n, err := integerValue(b, 64)
	if err != nil {
		return fmt.Errorf("expected a 64-bit integer, got %s", b)
	}
	*l = Long(n)
	return nil
}

// Interface guards
var _ json.Unmarshaler = (*Long)(nil)
