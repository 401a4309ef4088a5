package authtest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func TestCodeFlow(t *testing.T) {
	is, err := Start(Options{Clients: []Client{{ID: "app", Secret: "s3cret"}},
		Users: []User{{Name: "alice", Roles: []string{"user"}, Groups: []string{"clerks"}}, {Name: "olga", Roles: []string{"operator"}}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(is.Close)
	const verifier = "a-verifier-of-enough-length-0123456789-abcdefgh"
	sum := sha256.Sum256([]byte(verifier))
	type answer struct {
		status   int
		location string
		body     string
	}
	authorize := func(mod func(url.Values)) answer {
		t.Helper()
		q := url.Values{"response_type": {"code"}, "client_id": {"app"}, "redirect_uri": {"http://127.0.0.1:1/cb"},
			"scope": {"openid profile"}, "state": {"st"}, "nonce": {"nn"}, "code_challenge": {b64(sum[:])},
			"code_challenge_method": {"S256"}, "login_hint": {"alice"}}
		mod(q)
		resp, err := noRedirect.Get(is.URL() + AuthorizePath + "?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return answer{resp.StatusCode, resp.Header.Get("Location"), string(body)}
	}
	location := func(a answer) url.Values {
		t.Helper()
		u, err := url.Parse(a.location)
		if a.status != http.StatusFound || err != nil {
			t.Fatalf("authorize: %d %q", a.status, a.location)
		}
		return u.Query()
	}
	exchange := func(form url.Values, secret string) (int, map[string]any) {
		t.Helper()
		return postToken(t, is, form, "app", secret)
	}

	if q := location(authorize(func(q url.Values) { q.Del("code_challenge") })); q.Get("error") != "invalid_request" || q.Get("state") != "st" {
		t.Fatalf("no PKCE challenge: %v", q)
	}
	if q := location(authorize(func(q url.Values) { q.Set("code_challenge_method", "plain") })); q.Get("error") != "invalid_request" {
		t.Fatalf("plain PKCE: %v", q)
	}
	if q := location(authorize(func(q url.Values) { q.Set("login_hint", "mallory") })); q.Get("error") != "access_denied" {
		t.Fatalf("unknown user: %v", q)
	}
	page := authorize(func(q url.Values) { q.Del("login_hint") })
	if page.status != http.StatusOK || !strings.Contains(page.body, "Sign in as alice") || !strings.Contains(page.body, "Sign in as olga") {
		t.Fatalf("consent page: %d %s", page.status, page.body)
	}

	q := location(authorize(func(url.Values) {}))
	code := q.Get("code")
	if code == "" || q.Get("state") != "st" || q.Get("iss") != is.URL() {
		t.Fatalf("approval: %v", q)
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {"http://127.0.0.1:1/cb"}, "code_verifier": {"wrong"}}
	if status, body := exchange(form, "s3cret"); status != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Fatalf("wrong verifier: %d %v", status, body)
	}
	code = location(authorize(func(url.Values) {})).Get("code")
	form.Set("code", code)
	form.Set("code_verifier", verifier)
	if status, body := exchange(form, "wrong"); status != http.StatusUnauthorized {
		t.Fatalf("wrong client secret: %d %v", status, body)
	}
	code = location(authorize(func(url.Values) {})).Get("code")
	form.Set("code", code)
	status, tokens := exchange(form, "s3cret")
	if status != http.StatusOK || tokens["access_token"] == "" || tokens["id_token"] == "" || tokens["refresh_token"] == "" {
		t.Fatalf("exchange: %d %v", status, tokens)
	}
	var id map[string]any
	if err := decodeClaims(tokens["id_token"].(string), &id); err != nil || id["nonce"] != "nn" || id["aud"] != "app" || id["sub"] != "alice" {
		t.Fatalf("id token: %v %v", id, err)
	}
	var access map[string]any
	if err := decodeClaims(tokens["access_token"].(string), &access); err != nil || access["aud"] != "wf-engine" || access["azp"] != "app" ||
		access["client_id"] != nil || access["groups"].([]any)[0] != "clerks" {
		t.Fatalf("access token: %v %v", access, err)
	}
	if status, _ := exchange(form, "s3cret"); status != http.StatusBadRequest {
		t.Fatalf("a code used twice: %d", status)
	}
	refresh := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tokens["refresh_token"].(string)}}
	if status, body := exchange(refresh, "s3cret"); status != http.StatusOK || body["refresh_token"] == tokens["refresh_token"] {
		t.Fatalf("refresh: %d %v", status, body)
	}
	if status, _ := exchange(refresh, "s3cret"); status != http.StatusBadRequest {
		t.Fatalf("a rotated refresh token worked again: %d", status)
	}

	resp, err := noRedirect.Get(is.URL() + EndSessionPath + "?" + url.Values{"post_logout_redirect_uri": {"http://127.0.0.1:1/"}, "state": {"x"}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "http://127.0.0.1:1/?state=x" {
		t.Fatalf("end session: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func decodeClaims(token string, v any) error {
	parts := strings.Split(token, ".")
	raw, err := b64decode(parts[1])
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

func TestParseUser(t *testing.T) {
	u, err := ParseUser("alice:user,operator::clerks")
	if err != nil || u.Name != "alice" || strings.Join(u.Roles, "|") != "user|operator" || u.Tenants != nil || strings.Join(u.Groups, "|") != "clerks" {
		t.Fatalf("ParseUser = %+v, %v", u, err)
	}
	for _, s := range []string{"", ":user", "a:b:c:d:e"} {
		if _, err := ParseUser(s); err == nil {
			t.Errorf("ParseUser(%q) accepted", s)
		}
	}
}

func b64decode(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }
