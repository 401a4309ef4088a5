package search

import "encoding/base64"

func encode(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
