package rest

import (
	"strings"

	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/example/wf-engine/api/auth"
)

// Attributes of a request's span: OpenTelemetry's HTTP semantic
// conventions, and the principal's roles. Never path values, query values,
// variables or bodies.
const (
	attrHTTPMethod = attribute.Key("http.request.method")
	attrHTTPRoute  = attribute.Key("http.route")
	attrHTTPStatus = attribute.Key("http.response.status_code")
	attrRoles      = attribute.Key("wf.principal.roles")
	// tracerName names the instrumentation scope of the API's spans.
	tracerName = "github.com/example/wf-engine/api/rest"
)

// Tracing is how the API traces requests (rest.Config.Tracing).
type Tracing struct {
	// Provider makes the request spans; nil: requests are not traced.
	Provider trace.TracerProvider
	// Propagator reads the caller's trace context (default: W3C trace
	// context and baggage).
	Propagator propagation.TextMapPropagator
}

// traceRequests returns the middleware that gives each request a server
// span named "METHOD route-template", continuing the caller's trace when
// the request carries a W3C traceparent. The engine's spans for the
// request's commands are its children. Without a tracer provider it only
// passes the request on.
func (s *Server) traceRequests() gin.HandlerFunc {
	if s.cfg.Tracing.Provider == nil {
		return func(c *gin.Context) { c.Next() }
	}
	tracer := s.cfg.Tracing.Provider.Tracer(tracerName)
	prop := s.cfg.Tracing.Propagator
	if prop == nil {
		prop = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
	}
	return func(c *gin.Context) {
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		method := c.Request.Method
		ctx := prop.Extract(c.Request.Context(), propagation.HeaderCarrier(c.Request.Header))
		// The span is named and given attributes only once the sampler
		// has said it records: most requests are not sampled, and their
		// spans should cost as little as possible.
		ctx, span := tracer.Start(ctx, "HTTP request", trace.WithSpanKind(trace.SpanKindServer))
		defer span.End()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
		if !span.IsRecording() {
			return
		}
		span.SetName(method + " " + route)
		span.SetAttributes(attrHTTPMethod.String(method), attrHTTPRoute.String(route))
		status := c.Writer.Status()
		span.SetAttributes(attrHTTPStatus.Int(status))
		if p := auth.FromContext(c.Request.Context()); p != nil && len(p.Roles) > 0 {
			roles := make([]string, len(p.Roles))
			for i, r := range p.Roles {
				roles[i] = string(r)
			}
			span.SetAttributes(attrRoles.String(strings.Join(roles, ",")))
		}
		if status >= 500 {
			span.SetStatus(codes.Error, "")
		}
	}
}
