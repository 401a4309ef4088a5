package rest

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/api/auth"
)

// Problem titles of authentication and authorization.
const (
	titleUnauthorized = "UNAUTHORIZED"
	titleForbidden    = "FORBIDDEN"
)

// anonymous is the principal of every request when authentication is off
// (auth.mode none, loopback only): it may do everything, on every tenant.
var anonymous = &auth.Principal{Name: "anonymous", Roles: []auth.Role{auth.RoleAdmin}}

// authorize authenticates a request and lets it through when its principal
// may call the route (a). It answers 401 with WWW-Authenticate without (or
// with bad) credentials, 403 when the principal lacks the role, 503 when
// the credentials cannot be checked now. Open routes skip it.
func (s *Server) authorize(a access) gin.HandlerFunc {
	return func(c *gin.Context) {
		if a.open || (a.metrics && s.cfg.MetricsOpen) {
			c.Next()
			return
		}
		p, ok := s.principal(c)
		if !ok {
			return
		}
		if !a.allows(p) {
			writeProblem(c, http.StatusForbidden, titleForbidden, forbiddenDetail(c, p))
			return
		}
		p, err := s.withMemberships(c.Request.Context(), p)
		if err != nil {
			s.fail(c, "", err)
			return
		}
		ctx := auth.WithPrincipal(c.Request.Context(), p)
		if s.cfg.Authenticator != nil && s.cfg.WithPrincipal != nil {
			ctx = s.cfg.WithPrincipal(ctx, p)
		}
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

// principal authenticates the request, or answers it and returns false.
func (s *Server) principal(c *gin.Context) (*auth.Principal, bool) {
	if s.cfg.Authenticator == nil {
		if !s.loopbackRequest(c) {
			return nil, false
		}
		return anonymous, true
	}
	p, err := s.cfg.Authenticator.Authenticate(c.Request.Context(), c.Request)
	if err == nil {
		return p, true
	}
	var ae *auth.Error
	if !errors.As(err, &ae) {
		// Never the error text: it might hold what the client sent.
		s.log.Error("authentication failed unexpectedly", "route", c.FullPath())
		ae = &auth.Error{Status: http.StatusUnauthorized, Title: titleUnauthorized, Detail: "The credentials could not be checked", Challenge: `Bearer realm="wf-engine"`}
	}
	s.metrics.CountAuthFailure(ae.Status)
	if ae.Challenge != "" {
		c.Header("WWW-Authenticate", ae.Challenge)
	}
	if ae.Status == http.StatusServiceUnavailable {
		c.Header("Retry-After", retryAfterSeconds(s.cfg.RetryAfter))
	}
	title := ae.Title
	if title == "" {
		title = http.StatusText(ae.Status)
	}
	writeProblem(c, ae.Status, title, ae.Detail)
	return nil, false
}

func forbiddenDetail(c *gin.Context, p *auth.Principal) string {
	roles := make([]string, len(p.Roles))
	for i, r := range p.Roles {
		roles[i] = string(r)
	}
	have := "no role"
	if len(roles) > 0 {
		have = "the roles " + strings.Join(roles, ", ")
	}
	route := c.FullPath()
	if route == "" {
		route = c.Request.URL.Path
	}
	return "Not allowed: " + c.Request.Method + " " + openAPIPath(route) + " needs another role; the caller has " + have
}

// loopbackRequest guards auth.mode none, where anybody who reaches the
// server may do anything: a request must name a loopback host, so that a
// web page cannot reach the engine through DNS rebinding (other sites'
// pages are refused by origins). Otherwise it answers 403.
func (s *Server) loopbackRequest(c *gin.Context) bool {
	if !auth.LoopbackHost(c.Request.Host) {
		writeProblem(c, http.StatusForbidden, titleForbidden,
			"Authentication is off (auth.mode none): requests must name a loopback host such as 127.0.0.1 or localhost")
		return false
	}
	return true
}
