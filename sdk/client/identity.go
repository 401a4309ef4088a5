package client

import (
	"context"
	"net/http"
)

// CurrentUser is who the engine takes the caller for: the answer of
// GET /v2/authentication/me. It never holds credentials.
type CurrentUser struct {
	// Username is the user's name; empty for a machine client.
	Username string `json:"username"`
	// DisplayName is the name to show.
	DisplayName string `json:"displayName"`
	// Email is the user's email, when the token has one.
	Email string `json:"email,omitempty"`
	// ClientID is set for machine clients (OAuth2 client credentials).
	ClientID string `json:"clientId,omitempty"`
	// Roles are the caller's roles: admin, operator, worker, user.
	Roles []string `json:"roles"`
	// Tenants are the tenants the caller works on.
	Tenants []TenantRef `json:"tenants"`
	// Groups are the caller's groups (user-task candidate groups).
	Groups []string `json:"groups"`
	// AuthorizedComponents are the parts of the web app the caller may use.
	AuthorizedComponents []string `json:"authorizedComponents"`
	// AuthenticationMode is the engine's auth.mode: none, basic or oidc.
	AuthenticationMode string `json:"authenticationMode"`
}

// TenantRef names a tenant.
type TenantRef struct {
	TenantID string `json:"tenantId"`
	Name     string `json:"name"`
}

// Me returns who the engine takes the caller for
// (GET /v2/authentication/me). Without credentials, or with credentials the
// engine refuses, it returns a *Problem with status 401.
func (c *Client) Me(ctx context.Context) (*CurrentUser, error) {
	var out CurrentUser
	if err := c.doJSON(ctx, call{method: http.MethodGet, path: "/v2/authentication/me", retry: retrySafe}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
