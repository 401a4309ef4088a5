package rest

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/api/auth"
)

// CamundaUserResult answers GET /v2/authentication/me.
type CamundaUserResult struct {
	Username             *string           `json:"username"`
	DisplayName          *string           `json:"displayName"`
	Email                *string           `json:"email"`
	AuthorizedComponents []string          `json:"authorizedComponents"`
	Tenants              []TenantResult    `json:"tenants"`
	Groups               []string          `json:"groups"`
	Roles                []string          `json:"roles"`
	SalesPlanType        string            `json:"salesPlanType"`
	C8Links              map[string]string `json:"c8Links"`
	CanLogout            bool              `json:"canLogout"`
	// ClientID is ours: set for machine clients.
	ClientID *string `json:"clientId,omitempty"`
	// AuthenticationMode is ours: none, basic or oidc.
	AuthenticationMode string `json:"authenticationMode"`
}

// me answers who the caller is: name, roles, tenants and the parts of the
// web app it may use. It never shows credentials.
func (s *Server) me(c *gin.Context) {
	p := auth.FromContext(c.Request.Context())
	out := CamundaUserResult{
		AuthorizedComponents: components(p), Groups: nonNil(p.Groups), Roles: []string{},
		Tenants: []TenantResult{}, C8Links: map[string]string{}, AuthenticationMode: s.authMode(),
		CanLogout: s.cfg.Authenticator != nil,
	}
	for _, r := range p.Roles {
		out.Roles = append(out.Roles, string(r))
	}
	name := p.Name
	if name == "" {
		name = p.Subject
	}
	if p.IsClient() {
		out.ClientID = &p.ClientID
	} else {
		out.Username = &name
	}
	out.DisplayName = &name
	if p.Email != "" {
		out.Email = &p.Email
	}
	tenants, err := s.tenantsOf(c.Request.Context(), p)
	if err != nil {
		s.fail(c, "", err)
		return
	}
	out.Tenants = tenants
	c.PureJSON(http.StatusOK, out)
}

// components are the parts of the web app a principal may use.
func components(p *auth.Principal) []string {
	out := []string{}
	if p.Has(auth.RoleAdmin) || p.Has(auth.RoleOperator) || p.Has(auth.RoleUser) {
		out = append(out, "tasklist")
	}
	if p.Has(auth.RoleAdmin) || p.Has(auth.RoleOperator) {
		out = append(out, "operate")
	}
	if p.Has(auth.RoleAdmin) {
		out = append(out, "admin")
	}
	return out
}

func (s *Server) authMode() string {
	if s.cfg.AuthMode != "" {
		return s.cfg.AuthMode
	}
	if s.cfg.Authenticator == nil {
		return "none"
	}
	return "unknown"
}
