package auth

import (
	"context"
	"net/http"
	"reflect"
	"testing"

	"github.com/example/wf-engine/api/auth/authtest"
)

// TestCheckPasswordIsBasicWithoutTheHeader: the login form's check answers
// as the header's, and shares its cache.
func TestCheckPasswordIsBasicWithoutTheHeader(t *testing.T) {
	b, calls := testBasic(t)
	ctx := context.Background()
	fromHeader, err := b.Authenticate(ctx, basicRequest("alice", alicePassword))
	if err != nil {
		t.Fatal(err)
	}
	n := calls.Load()
	fromForm, err := b.CheckPassword(ctx, "alice", alicePassword)
	if err != nil || !reflect.DeepEqual(fromForm, fromHeader) {
		t.Fatalf("CheckPassword = %+v, %v; want %+v", fromForm, err, fromHeader)
	}
	if calls.Load() != n {
		t.Fatal("a password the header proved was compared again: the cache is not shared")
	}
	for _, tc := range [][2]string{{"alice", "wrong"}, {"mallory", alicePassword}} {
		_, err := b.CheckPassword(ctx, tc[0], tc[1])
		_ = wantAuthError(t, err, http.StatusUnauthorized, basicChallenge)
	}
}

// TestAuthenticateTokenIsBearerWithoutTheHeader: a session's access token
// gets the principal and the refusals the same token gets in a header.
func TestAuthenticateTokenIsBearerWithoutTheHeader(t *testing.T) {
	e := startOIDC(t, false, nil)
	tok := e.is.Token("olga", "operator")
	fromHeader, err := e.auth(tok)
	if err != nil {
		t.Fatal(err)
	}
	fromSession, err := e.o.AuthenticateToken(context.Background(), tok)
	if err != nil || !reflect.DeepEqual(fromSession, fromHeader) {
		t.Fatalf("AuthenticateToken = %+v, %v; want %+v", fromSession, err, fromHeader)
	}
	c := e.is.Claims("olga")
	c["aud"] = "someone-else"
	_, err = e.o.AuthenticateToken(context.Background(), e.is.Sign(c, authtest.SignOptions{}))
	wantRefused(t, err, "wrong audience")
}
