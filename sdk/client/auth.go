package client

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// Auth adds credentials to each request the client sends (each attempt of
// a retried request included).
type Auth interface {
	Authorize(ctx context.Context, req *http.Request) error
}

// Renewer is an optional capability of an Auth whose credentials can go
// stale before they say so: an access token the engine no longer accepts
// (it expired on the engine's clock, or its keys were rotated). When the
// engine answers 401, the client calls Renew with the request that was
// refused; when Renew reports true, the client sends the request once more
// with the credentials Authorize then adds. A request answered 401 was not
// run, so sending it again is safe for any request.
type Renewer interface {
	// Renew drops the credentials the refused request carried, if they are
	// still the current ones, and reports whether other credentials can be
	// tried.
	Renew(refused *http.Request) bool
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
// cfg.TokenURL with the OAuth 2.0 client credentials grant. One token
// serves every request until shortly before it expires, or until the
// engine refuses it (401): then the next request fetches a new one, and
// the refused request is sent once more with it (the Auth is a Renewer).
// Tokens are fetched with the context of the request that needs them, so
// an oauth2.HTTPClient value in that context picks the HTTP client; to
// fetch them otherwise, use TokenSource.
func OAuth2ClientCredentials(cfg clientcredentials.Config) Auth {
	return &clientCredentials{cfg: cfg, fetch: make(chan struct{}, 1)}
}

// clientCredentials caches the token of a client credentials grant.
type clientCredentials struct {
	cfg clientcredentials.Config
	// fetch is held while a token is fetched, so that concurrent requests
	// share one fetch; a channel so that waiting ends with the context.
	fetch chan struct{}

	mu  sync.Mutex
	tok *oauth2.Token
}

// Authorize implements Auth.
func (c *clientCredentials) Authorize(ctx context.Context, req *http.Request) error {
	tok, err := c.token(ctx)
	if err != nil {
		return err
	}
	tok.SetAuthHeader(req)
	return nil
}

// token returns the cached token while it is valid, else fetches one.
func (c *clientCredentials) token(ctx context.Context) (*oauth2.Token, error) {
	if tok := c.current(); tok.Valid() {
		return tok, nil
	}
	select {
	case c.fetch <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("get an OAuth2 access token: %w", ctx.Err())
	}
	defer func() { <-c.fetch }()
	// Another request may have fetched one while this one waited.
	if tok := c.current(); tok.Valid() {
		return tok, nil
	}
	tok, err := c.cfg.Token(ctx)
	if err != nil {
		return nil, fmt.Errorf("get an OAuth2 access token: %w", err)
	}
	c.mu.Lock()
	c.tok = tok
	c.mu.Unlock()
	return tok, nil
}

func (c *clientCredentials) current() *oauth2.Token {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tok
}

// Renew implements Renewer: it drops the cached token when it is the one
// the engine refused.
func (c *clientCredentials) Renew(refused *http.Request) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tok != nil && refused.Header.Get("Authorization") == c.tok.Type()+" "+c.tok.AccessToken {
		c.tok = nil
	}
	return true
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

// CredentialsError is returned when the client could not get the
// credentials of a request, for example because an OAuth2 token endpoint
// refused the client or could not be reached; the request was not sent.
type CredentialsError struct {
	// Method and Path name the request.
	Method, Path string
	// Err is the Auth's error.
	Err error
}

// Error implements error.
func (e *CredentialsError) Error() string {
	return fmt.Sprintf("%s %s: authorize: %v", e.Method, e.Path, e.Err)
}

// Unwrap returns the Auth's error.
func (e *CredentialsError) Unwrap() error { return e.Err }

// Interface guards
var (
	_ Auth    = AuthFunc(nil)
	_ Auth    = (*clientCredentials)(nil)
	_ Renewer = (*clientCredentials)(nil)
)
