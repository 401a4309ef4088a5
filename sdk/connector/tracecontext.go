package connector

import (
	"context"

	"go.opentelemetry.io/otel/propagation"
	"google.golang.org/grpc/metadata"
)

// The trace context of an execution crosses the plugin boundary as gRPC
// metadata (W3C traceparent, tracestate and baggage keys): the host writes
// the span of the execution into the call, and the plugin side puts it
// into the ctx its connector gets, so a plugin that traces (or sends the
// context on, for example in HTTP headers) continues the job's trace.

// tracePropagator is how the trace context is written into the metadata.
func tracePropagator() propagation.TextMapPropagator {
	return propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
}

// mdCarrier adapts gRPC metadata to a propagation.TextMapCarrier.
type mdCarrier metadata.MD

func (c mdCarrier) Get(key string) string {
	if v := metadata.MD(c).Get(key); len(v) > 0 {
		return v[0]
	}
	return ""
}

func (c mdCarrier) Set(key, value string) { metadata.MD(c).Set(key, value) }

func (c mdCarrier) Keys() []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	return keys
}

// withOutgoingTrace returns ctx with its trace context in the outgoing
// metadata of a call.
func withOutgoingTrace(ctx context.Context) context.Context {
	md := metadata.MD{}
	tracePropagator().Inject(ctx, mdCarrier(md))
	if len(md) == 0 {
		return ctx
	}
	out, _ := metadata.FromOutgoingContext(ctx)
	return metadata.NewOutgoingContext(ctx, metadata.Join(out, md))
}

// withIncomingTrace returns ctx with the trace context of the call's
// incoming metadata, if any.
func withIncomingTrace(ctx context.Context) context.Context {
	md, ok := metadata.FromIncomingContext(ctx)
	if !ok {
		return ctx
	}
	return tracePropagator().Extract(ctx, mdCarrier(md))
}

// Interface guards
var _ propagation.TextMapCarrier = mdCarrier(nil)
