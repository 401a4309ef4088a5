package rest

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
)

// Headers a cross-origin page may send and read.
const (
	corsAllowHeaders  = "Authorization, Content-Type, Idempotency-Key"
	corsExposeHeaders = "Retry-After, WWW-Authenticate, Idempotent-Replayed"
	corsAllowMethods  = "GET, POST, PUT, PATCH, DELETE"
)

// origins refuses browser requests from pages of other origins, so that a
// web page the user visits cannot send commands with the user's access:
// a request whose Origin is neither the server's own (the web app it
// serves) nor listed in Config.AllowedOrigins gets 403. Listed origins get
// CORS headers, and their preflight requests are answered here.
func (s *Server) origins(c *gin.Context) {
	origin := c.GetHeader("Origin")
	if origin == "" || sameOrigin(origin, c.Request.Host) {
		c.Next()
		return
	}
	if !s.allowedOrigin(origin) {
		writeProblem(c, http.StatusForbidden, titleForbidden,
			"Cross-origin requests from "+originForDetail(origin)+" are refused; list the origin in http.allowed_origins to allow them")
		return
	}
	h := c.Writer.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Add("Vary", "Origin")
	h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
	if c.Request.Method == http.MethodOptions && c.GetHeader("Access-Control-Request-Method") != "" {
		h.Set("Access-Control-Allow-Methods", corsAllowMethods)
		h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
		h.Set("Access-Control-Max-Age", "600")
		c.AbortWithStatus(http.StatusNoContent)
		return
	}
	c.Next()
}

// sameOrigin reports whether origin names the host the request was sent to
// (the server's own pages).
func sameOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, host)
}

func (s *Server) allowedOrigin(origin string) bool {
	return slices.ContainsFunc(s.cfg.AllowedOrigins, func(o string) bool { return strings.EqualFold(o, origin) })
}

// originForDetail quotes an origin for a problem detail, cut short: it is
// what a client sent.
func originForDetail(origin string) string {
	if len(origin) > 100 {
		origin = origin[:100] + "…"
	}
	return "'" + origin + "'"
}

// CheckOrigin checks an entry of http.allowed_origins: scheme://host[:port]
// with nothing after it, as browsers send Origin.
func CheckOrigin(o string) error {
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return bindErrorf("expected an origin such as https://app.example.com or http://localhost:5173, got %q", o)
	}
	return nil
}
