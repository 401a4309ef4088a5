package engine

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/example/wf-engine/core/record"
)

// Span names and attributes of the engine. Spans never carry variables,
// only keys, types, intents and counts. They take wall-clock time outside
// command processing; processing itself never reads it.
const (
	tracerName = "github.com/example/wf-engine/core/engine"

	// SpanCommand is a command's stay in the engine, from enqueue to
	// answer: "wf.engine.command <VALUE_TYPE> <INTENT>". Its children:
	SpanCommand = "wf.engine.command"
	// SpanQueued is the wait in the engine's queue.
	SpanQueued = "wf.engine.queued"
	// SpanProcess is the processing of the command's batch.
	SpanProcess = "wf.engine.process"
	// SpanCommit is the store commit of the command's batch.
	SpanCommit = "wf.store.commit"
	// SpanActivateJobs is a job activation, long poll included.
	SpanActivateJobs = "wf.engine.jobs.activate"
	// SpanJobActivated is a job handed to a worker, in its process
	// instance's trace, linked to the activation.
	SpanJobActivated = "wf.engine.job.activated"
	// SpanTimerTriggered is a timer firing, linked to its process
	// instance's trace rather than a child of it (the trace may be days
	// old).
	SpanTimerTriggered = "wf.engine.timer.triggered"

	AttrValueType     = attribute.Key("wf.command.value_type")
	AttrIntent        = attribute.Key("wf.command.intent")
	AttrRejection     = attribute.Key("wf.command.rejection_type")
	AttrBatchCommands = attribute.Key("wf.batch.commands")
	AttrBatchRecords  = attribute.Key("wf.batch.records")
	AttrJobType       = attribute.Key("wf.job.type")
	AttrJobKey        = attribute.Key("wf.job.key")
	AttrJobsActivated = attribute.Key("wf.jobs.activated")
	AttrInstanceKey   = attribute.Key("wf.process_instance.key")
	AttrElementID     = attribute.Key("wf.element.id")
	AttrProcessID     = attribute.Key("wf.process.id")
	AttrPartition     = attribute.Key("wf.partition")
	AttrCorrelated    = attribute.Key("wf.message.correlated")
)

// commandTrace is the span of one command's stay in the engine.
type commandTrace struct {
	ctx    context.Context // holds span
	span   trace.Span
	queued time.Time
}

// batchTimes are the wall-clock times of a batch with a traced command.
type batchTimes struct {
	began, ran             time.Time // processing
	commitStart, commitEnd time.Time
	commands, records      int
}

// formatTraceParent returns sc as a W3C traceparent (version 00), "" when
// invalid.
func formatTraceParent(sc trace.SpanContext) string {
	if !sc.IsValid() {
		return ""
	}
	return "00-" + sc.TraceID().String() + "-" + sc.SpanID().String() + "-" + sc.TraceFlags().String()
}

// remoteContext returns the span context of a W3C traceparent.
func remoteContext(traceParent string) trace.SpanContext {
	if traceParent == "" {
		return trace.SpanContext{}
	}
	ctx := propagation.TraceContext{}.Extract(context.Background(), propagation.MapCarrier{"traceparent": traceParent})
	return trace.SpanContextFromContext(ctx)
}

// traceCommand starts the span of cmd's stay in the engine, a child of
// ctx's span; nil when the engine does not trace or the span is not
// sampled. A caller's span that was not sampled is followed without
// asking the sampler: the engine's spans share the request's decision. A
// creation command gets the traceparent its instance keeps, only from a
// sampled span (the command's, or the caller's when the engine does not
// trace): an unsampled instance's jobs then carry nothing, which keeps the
// cost of tracing at a low ratio in proportion to the ratio.
func (e *Engine) traceCommand(ctx context.Context, cmd *record.Record) *commandTrace {
	sc := trace.SpanContextFromContext(ctx)
	var tr *commandTrace
	if e.tracer != nil && (!sc.IsValid() || sc.IsSampled()) {
		sctx, span := e.tracer.Start(ctx, SpanCommand+" "+cmd.ValueType.String()+" "+cmd.Intent.String(),
			trace.WithSpanKind(trace.SpanKindInternal),
			trace.WithAttributes(AttrValueType.String(cmd.ValueType.String()), AttrIntent.String(cmd.Intent.String()),
				AttrPartition.Int(int(e.cfg.Partition))))
		if span.IsRecording() {
			tr = &commandTrace{ctx: sctx, span: span, queued: time.Now()}
			sc = span.SpanContext()
		} else {
			span.End()
		}
	}
	if v, ok := cmd.Value.(*record.ProcessInstanceCreationValue); ok && sc.IsSampled() {
		v.TraceParent = formatTraceParent(sc)
	}
	return tr
}

// endTrace ends a command's span with its answer; bt, when the batch was
// committed, adds the queued, process and commit spans.
func (e *Engine) endTrace(tr *commandTrace, rep reply, bt *batchTimes) {
	if bt != nil && !bt.began.IsZero() {
		child := func(name string, from, to time.Time, attrs ...attribute.KeyValue) {
			_, s := e.tracer.Start(tr.ctx, name, trace.WithTimestamp(from), trace.WithAttributes(attrs...))
			s.End(trace.WithTimestamp(to))
		}
		child(SpanQueued, tr.queued, bt.began)
		child(SpanProcess, bt.began, bt.ran, AttrBatchCommands.Int(bt.commands), AttrBatchRecords.Int(bt.records))
		if !bt.commitStart.IsZero() {
			child(SpanCommit, bt.commitStart, bt.commitEnd, AttrBatchRecords.Int(bt.records))
		}
		tr.span.SetAttributes(AttrBatchCommands.Int(bt.commands))
	}
	switch {
	case rep.err != nil:
		tr.span.SetStatus(codes.Error, "the engine did not apply the command")
	case rep.res != nil && rep.res.Rejection != nil:
		tr.span.SetAttributes(AttrRejection.String(rep.res.Rejection.Type.String()))
	}
	tr.span.End()
}

// untrace ends the span of a command that never reached the queue.
func (e *Engine) untrace(r *request, err error) {
	if r.tr != nil {
		e.endTrace(r.tr, reply{err: err}, nil)
		r.tr = nil
	}
}

// startBatchTimes returns the times of a batch when one of its commands is
// traced, else nil.
func startBatchTimes(batch []*request) *batchTimes {
	for _, r := range batch {
		if r.tr != nil {
			return &batchTimes{began: time.Now()}
		}
	}
	return nil
}

// traceTimer records a due timer's firing, linked to the trace of its
// process instance.
func (e *Engine) traceTimer(key int64) {
	if e.tracer == nil {
		return
	}
	st := e.proc.State()
	t := st.Timer(key)
	if t == nil {
		return
	}
	var links []trace.Link
	if root := st.Element(t.Value.ProcessInstanceKey); root != nil {
		if sc := remoteContext(root.TraceParent); sc.IsValid() {
			links = append(links, trace.Link{SpanContext: sc})
		}
	}
	_, span := e.tracer.Start(context.Background(), SpanTimerTriggered, trace.WithNewRoot(), trace.WithLinks(links...),
		trace.WithAttributes(AttrInstanceKey.Int64(t.Value.ProcessInstanceKey), AttrElementID.String(t.Value.ElementID),
			AttrProcessID.String(t.Value.BPMNProcessID)))
	span.End()
}

// traceActivated records each activated job that carries a traceparent
// in its instance's trace, linked to the activation's span in ctx.
func (e *Engine) traceActivated(ctx context.Context, jobs []ActivatedJob) {
	if e.tracer == nil {
		return
	}
	var links []trace.Link
	if l := trace.LinkFromContext(ctx); l.SpanContext.IsValid() {
		links = append(links, l)
	}
	for _, j := range jobs {
		sc := remoteContext(j.Value.CustomHeaders[HeaderTraceParent])
		if !sc.IsValid() {
			continue
		}
		_, span := e.tracer.Start(trace.ContextWithRemoteSpanContext(context.Background(), sc), SpanJobActivated,
			trace.WithSpanKind(trace.SpanKindProducer), trace.WithLinks(links...),
			trace.WithAttributes(AttrJobKey.Int64(j.Key), AttrJobType.String(j.Value.Type),
				AttrInstanceKey.Int64(j.Value.ProcessInstanceKey), AttrElementID.String(j.Value.ElementID)))
		span.End()
	}
}

// ActivateJobs implements Client. With tracing on it is a span
// (SpanActivateJobs, long poll included), and each job it hands out that
// carries a traceparent gets a SpanJobActivated in its instance's trace.
func (e *Engine) ActivateJobs(ctx context.Context, req ActivateJobsRequest) ([]ActivatedJob, error) {
	if e.tracer == nil {
		return e.activateJobs(ctx, req)
	}
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() && !sc.IsSampled() {
		jobs, err := e.activateJobs(ctx, req)
		e.traceActivated(ctx, jobs)
		return jobs, err
	}
	ctx, span := e.tracer.Start(ctx, SpanActivateJobs, trace.WithAttributes(AttrJobType.String(req.Type)))
	defer span.End()
	jobs, err := e.activateJobs(ctx, req)
	span.SetAttributes(AttrJobsActivated.Int(len(jobs)))
	if err != nil {
		span.SetStatus(codes.Error, "job activation failed")
	}
	e.traceActivated(ctx, jobs)
	return jobs, err
}

// linkInstance links the span of a traced command that acts on a process
// instance of another trace (a user task completed days after the instance
// started, a job completed by a worker that started a trace of its own, a
// cancellation) to the instance's trace, rather than making it a child of
// a span long ended. It runs on the loop, before the command is processed.
func (e *Engine) linkInstance(r *request) {
	if r.tr == nil || r.cmd == nil {
		return
	}
	st := e.proc.State()
	var pi int64
	switch r.cmd.ValueType {
	case record.TypeUserTask:
		if u := st.UserTask(r.cmd.Key); u != nil {
			pi = u.Value.ProcessInstanceKey
		}
	case record.TypeJob:
		if j := st.Job(r.cmd.Key); j != nil {
			pi = j.Value.ProcessInstanceKey
		}
	case record.TypeProcessInstance:
		pi = r.cmd.Key
	default:
		return
	}
	root := st.Element(pi)
	if root == nil {
		return
	}
	if sc := remoteContext(root.TraceParent); sc.IsValid() && sc.TraceID() != r.tr.span.SpanContext().TraceID() {
		r.tr.span.AddLink(trace.Link{SpanContext: sc})
	}
}

// linkCorrelated records a traced message command's correlations: how many
// waiting subscriptions it reached (wf.message.correlated) and a link to
// the trace of each instance it reached that has one.
func (e *Engine) linkCorrelated(r *request, records []*record.Record) {
	if r.tr == nil || r.cmd == nil || r.cmd.ValueType != record.TypeMessage {
		return
	}
	st := e.proc.State()
	n := 0
	own := r.tr.span.SpanContext().TraceID()
	for _, rec := range records {
		if rec.Kind != record.KindEvent || rec.ValueType != record.TypeMessageSubscription || rec.Intent != record.IntentMessageSubscriptionCorrelated {
			continue
		}
		n++
		v, ok := rec.Value.(*record.MessageSubscriptionValue)
		if !ok {
			continue
		}
		if root := st.Element(v.ProcessInstanceKey); root != nil {
			if sc := remoteContext(root.TraceParent); sc.IsValid() && sc.TraceID() != own {
				r.tr.span.AddLink(trace.Link{SpanContext: sc})
			}
		}
	}
	r.tr.span.SetAttributes(AttrCorrelated.Int(n))
}
