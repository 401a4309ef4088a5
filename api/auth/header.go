package auth

import (
	"encoding/base64"
	"errors"
	"strings"
	"unicode/utf8"
)

// Bounds on what the parsers read. A longer header is refused before any
// decoding, so a client cannot make the engine do unbounded work.
const (
	// maxAuthorization bounds the whole Authorization header: bearer tokens
	// with many group claims (Azure, Keycloak) run to several KiB.
	maxAuthorization = 16 << 10
	// maxBasicCredentials bounds the base64 credentials of basic auth.
	maxBasicCredentials = 4 << 10
)

// The header parsers' errors. They are fixed strings: an error never holds
// any part of what the client sent.
var (
	errNoAuthorization      = errors.New("no authorization header")
	errAuthorizationTooLong = errors.New("authorization header too long")
	errMalformedScheme      = errors.New("malformed authorization scheme")
	errNoCredentials        = errors.New("authorization header has no credentials")
	errMalformedCredentials = errors.New("malformed credentials")
	errBasicTooLong         = errors.New("basic credentials too long")
	errBasicEncoding        = errors.New("basic credentials are not base64")
	errBasicNoColon         = errors.New("basic credentials have no colon between user and password")
	errBasicUTF8            = errors.New("basic credentials are not valid UTF-8")
	errBasicEmptyUser       = errors.New("basic credentials have an empty user name")
	errBasicControl         = errors.New("basic credentials hold a control character")
)

// ParseAuthorization splits an Authorization header value into its scheme,
// lower-cased ("basic", "bearer"), and its credentials (RFC 9110 §11.6.2:
// the scheme, one or more spaces, the credentials). Spaces around the value
// are ignored. A header without credentials, with a scheme that is not an
// HTTP token, or with control or non-ASCII characters in the credentials is
// an error; the error never holds the credentials.
func ParseAuthorization(h string) (scheme, credentials string, err error) {
	if len(h) > maxAuthorization {
		return "", "", errAuthorizationTooLong
	}
	h = strings.Trim(h, " \t")
	if h == "" {
		return "", "", errNoAuthorization
	}
	scheme, rest, found := strings.Cut(h, " ")
	if !isToken(scheme) {
		return "", "", errMalformedScheme
	}
	credentials = strings.TrimLeft(rest, " ")
	if !found || credentials == "" {
		return "", "", errNoCredentials
	}
	for i := 0; i < len(credentials); i++ {
		if c := credentials[i]; c < 0x20 || c > 0x7e {
			return "", "", errMalformedCredentials
		}
	}
	return strings.ToLower(scheme), credentials, nil
}

// isToken reports whether s is a non-empty HTTP token (RFC 9110 §5.6.2).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// parseBasic decodes the credentials of HTTP basic authentication (RFC
// 7617): standard base64 of user ":" password, split at the first colon.
// Both parts must be UTF-8 without control characters, the user non-empty.
func parseBasic(credentials string) (user, password string, err error) {
	if len(credentials) > maxBasicCredentials {
		return "", "", errBasicTooLong
	}
	raw, err := base64.StdEncoding.DecodeString(credentials)
	if err != nil {
		return "", "", errBasicEncoding
	}
	s := string(raw)
	user, password, found := strings.Cut(s, ":")
	switch {
	case !found:
		return "", "", errBasicNoColon
	case !utf8.ValidString(s):
		return "", "", errBasicUTF8
	case user == "":
		return "", "", errBasicEmptyUser
	case hasControl(s):
		return "", "", errBasicControl
	}
	return user, password, nil
}

// hasControl reports whether s holds an ASCII control character or DEL.
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return true
		}
	}
	return false
}
