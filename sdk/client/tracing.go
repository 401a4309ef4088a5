package client

import (
	"context"
	"net/http"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// tracerName names the instrumentation scope of the client's spans.
const tracerName = "github.com/example/wf-engine/sdk/client"

// WithTracerProvider sets where the client's spans go (default: the
// global provider, otel.GetTracerProvider(), looked up at each call).
// Each call is a client span "METHOD /path" (keys in the path read
// {key}) with http.request.method and http.response.status_code.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *Client) { c.tracer = tp }
}

// WithPropagator sets how the trace context travels on each request
// (default: W3C traceparent, tracestate and baggage headers).
func WithPropagator(p propagation.TextMapPropagator) Option {
	return func(c *Client) { c.propagator = p }
}

// startSpan starts the client span of one call.
func (c *Client) startSpan(ctx context.Context, r *call) (context.Context, trace.Span) {
	tp := c.tracer
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	route := pathTemplate(r.path)
	return tp.Tracer(tracerName).Start(ctx, r.method+" "+route, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("http.request.method", r.method), attribute.String("wf.client.route", route)))
}

// endSpan ends a call's span with its answer.
func endSpan(span trace.Span, res *answer, err error) {
	if res != nil {
		span.SetAttributes(attribute.Int("http.response.status_code", res.status))
	}
	if p, ok := err.(*Problem); ok { //nolint:errorlint // send returns the problem itself
		span.SetAttributes(attribute.Int("http.response.status_code", p.Status))
	}
	if err != nil {
		span.SetStatus(codes.Error, "the call failed")
	}
	span.End()
}

// inject writes ctx's trace context into a request's headers.
func (c *Client) inject(ctx context.Context, h http.Header) {
	p := c.propagator
	if p == nil {
		p = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
	}
	p.Inject(ctx, propagation.HeaderCarrier(h))
}

// pathTemplate replaces the numeric segments (keys) of a path with {key}.
func pathTemplate(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if s != "" && strings.Trim(s, "0123456789") == "" {
			segs[i] = "{key}"
		}
	}
	return strings.Join(segs, "/")
}
