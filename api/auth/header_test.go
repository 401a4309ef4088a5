package auth

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestParseAuthorization(t *testing.T) {
	tests := []struct {
		name        string
		header      string
		scheme      string
		credentials string
		wantErr     bool
	}{
		{name: "basic", header: "Basic dXNlcjpwdw==", scheme: "basic", credentials: "dXNlcjpwdw=="},
		{name: "scheme in any case", header: "bEaReR abc.def.ghi", scheme: "bearer", credentials: "abc.def.ghi"},
		{name: "several spaces after the scheme", header: "Bearer    tok", scheme: "bearer", credentials: "tok"},
		{name: "spaces around the value", header: "  Bearer tok  ", scheme: "bearer", credentials: "tok"},
		{name: "auth params keep their inner spaces", header: `Digest a="1", b="2"`, scheme: "digest", credentials: `a="1", b="2"`},
		{name: "empty", header: "", wantErr: true},
		{name: "only spaces", header: "   ", wantErr: true},
		{name: "scheme without credentials", header: "Bearer", wantErr: true},
		{name: "scheme and spaces only", header: "Bearer   ", wantErr: true},
		{name: "tab instead of space", header: "Bearer\ttok", wantErr: true},
		{name: "scheme is not a token", header: "Bea(rer tok", wantErr: true},
		{name: "control character in credentials", header: "Bearer to\x01k", wantErr: true},
		{name: "tab inside credentials", header: "Bearer to\tk", wantErr: true},
		{name: "non-ASCII credentials", header: "Bearer tök", wantErr: true},
		{name: "too long", header: "Bearer " + strings.Repeat("a", maxAuthorization), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			scheme, creds, err := ParseAuthorization(tt.header)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParseAuthorization(%q) = %q, %q; want an error", tt.header, scheme, creds)
				}
				return
			}
			if err != nil || scheme != tt.scheme || creds != tt.credentials {
				t.Fatalf("ParseAuthorization(%q) = %q, %q, %v; want %q, %q", tt.header, scheme, creds, err, tt.scheme, tt.credentials)
			}
		})
	}
}

func TestParseAuthorizationErrorsNeverHoldCredentials(t *testing.T) {
	secret := "Sup3rSecretValue"
	for _, h := range []string{"Bea(rer " + secret, "Bearer " + secret + "\x01", "Bearer " + secret + "ö", "Bearer " + strings.Repeat(secret, 2000)} {
		_, _, err := ParseAuthorization(h)
		if err == nil {
			t.Fatalf("ParseAuthorization(%q) accepted", h)
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q holds the credentials", err)
		}
	}
}

func TestParseBasic(t *testing.T) {
	enc := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name, credentials, user, password string
		wantErr                           bool
	}{
		{name: "user and password", credentials: enc("alice:pw"), user: "alice", password: "pw"},
		{name: "password with colons splits at the first", credentials: enc("alice:a:b:c"), user: "alice", password: "a:b:c"},
		{name: "empty password", credentials: enc("alice:"), user: "alice", password: ""},
		{name: "UTF-8 user and password", credentials: enc("zoë:pässwörd"), user: "zoë", password: "pässwörd"},
		{name: "no colon", credentials: enc("alice"), wantErr: true},
		{name: "empty user", credentials: enc(":pw"), wantErr: true},
		{name: "not base64", credentials: "not*base64", wantErr: true},
		{name: "base64 without padding", credentials: strings.TrimRight(enc("alice:p"), "="), wantErr: true},
		{name: "invalid UTF-8", credentials: enc("alice:\xff\xfe"), wantErr: true},
		{name: "control character", credentials: enc("ali\x00ce:pw"), wantErr: true},
		{name: "too long", credentials: enc("alice:" + strings.Repeat("p", maxBasicCredentials)), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			user, password, err := parseBasic(tt.credentials)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("parseBasic(%q) = %q, %q; want an error", tt.credentials, user, password)
				}
				if strings.Contains(err.Error(), "alice") || strings.Contains(err.Error(), tt.credentials) {
					t.Errorf("error %q holds the credentials", err)
				}
				return
			}
			if err != nil || user != tt.user || password != tt.password {
				t.Fatalf("parseBasic(%q) = %q, %q, %v; want %q, %q", tt.credentials, user, password, err, tt.user, tt.password)
			}
		})
	}
}

func FuzzParseAuthorization(f *testing.F) {
	for _, s := range []string{"Basic dXNlcjpwdw==", "Bearer a.b.c", "bearer   x", " Digest a=1, b=2 ", "", "Bearer", "B\x00 x", "Basic Og=="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		scheme, creds, err := ParseAuthorization(h)
		if err != nil {
			if scheme != "" || creds != "" {
				t.Fatalf("error with results %q, %q", scheme, creds)
			}
			return
		}
		if scheme == "" || creds == "" || scheme != strings.ToLower(scheme) {
			t.Fatalf("accepted %q as %q, %q", h, scheme, creds)
		}
		s2, c2, err := ParseAuthorization(scheme + " " + creds)
		if err != nil || s2 != scheme || c2 != creds {
			t.Fatalf("round trip of %q: %q, %q, %v; want %q, %q", h, s2, c2, err, scheme, creds)
		}
		if scheme == "basic" {
			user, password, err := parseBasic(creds)
			if err == nil && (user == "" || hasControl(user+password)) {
				t.Fatalf("parseBasic accepted %q as %q, %q", creds, user, password)
			}
		}
	})
}
