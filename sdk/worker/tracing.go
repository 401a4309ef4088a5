package worker

import (
	"context"
	"encoding/json"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Span and attribute names of a job's span.
const (
	// tracerName names the instrumentation scope.
	tracerName = "github.com/example/wf-engine/sdk/worker"
	// SpanPrefix starts the name of each job's span: "job <type>".
	SpanPrefix = "job "

	AttrJobKey             = attribute.Key("wf.job.key")
	AttrJobType            = attribute.Key("wf.job.type")
	AttrJobRetries         = attribute.Key("wf.job.retries")
	AttrWorker             = attribute.Key("wf.worker")
	AttrProcessInstanceKey = attribute.Key("wf.process_instance.key")
	AttrProcessID          = attribute.Key("wf.process.id")
	AttrElementID          = attribute.Key("wf.element.id")
	// AttrOutcome is completed, failed, error_thrown, requeued or
	// none (auto-completion off).
	AttrOutcome = attribute.Key("wf.job.outcome")
)

// Names of the trace context the worker looks for in a job's custom
// headers, then in its variables.
const (
	traceparent = "traceparent"
	tracestate  = "tracestate"
)

// jobTraceContext returns ctx with the remote span context the job carries,
// if any: from the custom headers, else from the variables. Without one,
// the job's span starts a new trace rather than joining whatever span Run's
// context holds.
func jobTraceContext(ctx context.Context, p propagation.TextMapPropagator, job *Job) context.Context {
	ctx = trace.ContextWithSpanContext(ctx, trace.SpanContext{})
	carrier := propagation.MapCarrier{}
	if tp := job.CustomHeaders[traceparent]; tp != "" {
		carrier[traceparent] = tp
		if ts := job.CustomHeaders[tracestate]; ts != "" {
			carrier[tracestate] = ts
		}
	} else if tp := stringVar(job, traceparent); tp != "" {
		carrier[traceparent] = tp
		if ts := stringVar(job, tracestate); ts != "" {
			carrier[tracestate] = ts
		}
	}
	if len(carrier) == 0 {
		return ctx
	}
	return p.Extract(ctx, carrier)
}

// stringVar reads a string variable of a job; "" when absent or no string.
func stringVar(job *Job, name string) string {
	raw, ok := job.Variables[name]
	if !ok {
		return ""
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return ""
	}
	return s
}

// startSpan starts the span of one job.
func (w *Worker) startSpan(ctx context.Context, job *Job) (context.Context, trace.Span) {
	ctx = jobTraceContext(ctx, w.cfg.propagator, job)
	return w.tracer.Start(ctx, SpanPrefix+job.Type,
		trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(
			AttrJobKey.String(strconv.FormatInt(job.JobKey, 10)),
			AttrJobType.String(job.Type),
			AttrJobRetries.Int(int(job.Retries)),
			AttrWorker.String(w.cfg.name),
			AttrProcessInstanceKey.String(strconv.FormatInt(job.ProcessInstanceKey, 10)),
			AttrProcessID.String(job.ProcessDefinitionID),
			AttrElementID.String(job.ElementID),
		))
}
