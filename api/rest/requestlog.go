package rest

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/api/auth"
	"github.com/example/wf-engine/api/idempotency"
	"github.com/example/wf-engine/api/telemetry"
)

// requestIDHeader carries a request's id: the caller's when it sends a
// usable one, else one the server makes; the answer echoes it.
const requestIDHeader = "X-Request-Id"

// requestLog writes one log line per request once it is answered: method,
// route template (never the path with its keys), status, duration,
// principal and request id. Probes and scrapes log at debug level, server
// errors at warn, everything else at info. It also counts the requests in
// flight.
func (s *Server) requestLog(c *gin.Context) {
	start := time.Now()
	done := s.metrics.RequestStarted()
	defer done()
	id := c.GetHeader(requestIDHeader)
	if !usableRequestID(id) {
		id = newRequestID()
	}
	c.Header(requestIDHeader, id)
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	status := loggedStatus(c)
	level := slog.LevelInfo
	switch {
	case status >= 500:
		level = slog.LevelWarn
	case route == "/healthz" || route == "/readyz" || route == "/metrics":
		level = slog.LevelDebug
	}
	ctx := c.Request.Context()
	if !s.log.Enabled(ctx, level) {
		return
	}
	s.log.LogAttrs(ctx, level, "request", slog.String("method", c.Request.Method), slog.String("route", route),
		slog.Int("status", status), slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
		slog.String("principal", principalName(auth.FromContext(ctx))), slog.String("request_id", id))
}

// principalName names a principal in the request log: the user or
// subject, or client:<id> for a machine client; "" when unauthenticated.
func principalName(p *auth.Principal) string {
	switch {
	case p == nil:
		return ""
	case p.ClientID != "" && (p.Subject == "" || p.Subject == p.ClientID):
		return "client:" + p.ClientID
	}
	return p.Subject
}

// usableRequestID accepts a caller's request id of 1 to 128 letters,
// digits and -_.: so that it cannot forge log lines or headers.
func usableRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, r := range id {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' || r == ':'
		if !ok {
			return false
		}
	}
	return true
}

// newRequestID returns 16 random bytes in hex.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24)
	return hex.EncodeToString(b[:])
}

// idempotencyOutcome names an Idempotency-Key outcome for the metrics.
func idempotencyOutcome(o idempotency.Outcome) string {
	switch o {
	case idempotency.Replay:
		return telemetry.IdempotencyReplayed
	case idempotency.Mismatch:
		return telemetry.IdempotencyMismatch
	case idempotency.InFlight:
		return telemetry.IdempotencyInFlight
	}
	return telemetry.IdempotencyFirst
}
