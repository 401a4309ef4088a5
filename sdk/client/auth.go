package client

import (
	"context"
	"fmt"
	"net/http"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// Auth adds credentials to each request the client sends (each attempt of
// a retried request included).
type Auth interface {
	Authorize(ctx context.Context, req *http.Request) error
}

// AuthFunc adapts a function to Auth.
type AuthFunc func(ctx context.Context, req *http.Request) error

// Authorize implements Auth.
func (f AuthFunc) Authorize(ctx context.Context, req *http.Request) error { return f(ctx, req) }

// BearerToken authenticates with a static bearer token.
func BearerToken(token string) Auth {
	return AuthFunc(func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+token)
		return nil
	})
}

// BasicAuth authenticates with a user name and password.
func BasicAuth(user, password string) Auth {
	return AuthFunc(func(_ context.Context, req *http.Request) error {
		req.SetBasicAuth(user, password)
		return nil
	})
}

// OAuth2ClientCredentials authenticates with access tokens fetched from
// cfg.TokenURL with the OAuth 2.0 client credentials grant. Tokens are
// cached and fetched again shortly before they expire. To fetch tokens
// through a particular HTTP client, use TokenSource with
// cfg.TokenSource(context.WithValue(ctx, oauth2.HTTPClient, hc)).
func OAuth2ClientCredentials(cfg clientcredentials.Config) Auth {
	return TokenSource(cfg.TokenSource(context.Background()))
}

// TokenSource authenticates with the tokens of an OAuth2 token source (wrap
// it in oauth2.ReuseTokenSource unless it caches tokens itself).
func TokenSource(ts oauth2.TokenSource) Auth {
	return AuthFunc(func(_ context.Context, req *http.Request) error {
		tok, err := ts.Token()
		if err != nil {
			return fmt.Errorf("get an OAuth2 access token: %w", err)
		}
		tok.SetAuthHeader(req)
		return nil
	})
}

// Interface guards
var _ Auth = AuthFunc(nil)
