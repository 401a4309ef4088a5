package engine

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/example/wf-engine/core/record"
)

// Span names and attributes of the engine. Spans never carry variables,
// only keys, types, intents and counts. They take wall-clock time outside
// command processing; processing itself never reads it.
const (
	tracerName = "github.com/example/wf-engine/core/engine"

	// SpanCommand is a command's stay in the engine, from enqueue to
	// answer: "wf.engine.command <VALUE_TYPE> <INTENT>". Its attributes
	// say how long it waited in the queue and how long its batch took to
	// process; its child:
	SpanCommand = "wf.engine.command"
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
	// SpanMessageCorrelated is a message reaching a waiting process
	// instance, in the instance's trace, linked to the span of the command
	// that sent the message when that one is traced.
	SpanMessageCorrelated = "wf.engine.message.correlated"

	AttrValueType     = attribute.Key("wf.command.value_type")
	AttrIntent        = attribute.Key("wf.command.intent")
	AttrRejection     = attribute.Key("wf.command.rejection_type")
	AttrQueuedMs      = attribute.Key("wf.command.queued_ms")
	AttrProcessMs     = attribute.Key("wf.batch.process_ms")
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
	AttrMessageName   = attribute.Key("wf.message.name")
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

// remoteContext returns the remote span context of a W3C traceparent of
// version 00 (the only one the engine writes), invalid for anything else.
// It runs on the loop for traced instances, so it parses without the
// propagator's allocations.
func remoteContext(traceParent string) trace.SpanContext {
	// 00-<32 hex trace id>-<16 hex span id>-<2 hex flags>
	if len(traceParent) != 55 || traceParent[:3] != "00-" || traceParent[35] != '-' || traceParent[52] != '-' {
		return trace.SpanContext{}
	}
	tid, err := trace.TraceIDFromHex(traceParent[3:35])
	if err != nil {
		return trace.SpanContext{}
	}
	sid, err := trace.SpanIDFromHex(traceParent[36:52])
	if err != nil {
		return trace.SpanContext{}
	}
	var flags trace.TraceFlags
	switch traceParent[53:] {
	case "01":
		flags = trace.FlagsSampled
	case "00":
	default:
		return trace.SpanContext{}
	}
	return trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: flags, Remote: true})
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
	if sc.IsSampled() {
		switch v := cmd.Value.(type) {
		case *record.ProcessInstanceCreationValue:
			v.TraceParent = formatTraceParent(sc)
		case *record.MessageValue:
			v.TraceParent = formatTraceParent(sc)
		}
	}
	return tr
}

// endTrace ends a command's span with its answer at the time answered;
// bt, when the batch was processed, adds the queue and processing times
// and the commit's span.
func (e *Engine) endTrace(tr *commandTrace, rep reply, bt *batchTimes, answered time.Time) {
	if bt != nil && !bt.began.IsZero() {
		tr.span.SetAttributes(AttrQueuedMs.Float64(millis(bt.began.Sub(tr.queued))),
			AttrProcessMs.Float64(millis(bt.ran.Sub(bt.began))),
			AttrBatchCommands.Int(bt.commands), AttrBatchRecords.Int(bt.records))
		if !bt.commitStart.IsZero() {
			_, s := e.tracer.Start(tr.ctx, SpanCommit, trace.WithTimestamp(bt.commitStart),
				trace.WithAttributes(AttrBatchRecords.Int(bt.records)))
			s.End(trace.WithTimestamp(bt.commitEnd))
		}
	}
	switch {
	case rep.err != nil:
		tr.span.SetStatus(codes.Error, "the engine did not apply the command")
	case rep.res != nil && rep.res.Rejection != nil:
		tr.span.SetAttributes(AttrRejection.String(rep.res.Rejection.Type.String()))
	}
	tr.span.End(trace.WithTimestamp(answered))
}

// millis is d in milliseconds.
func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// untrace ends the span of a command that never reached the queue.
func (e *Engine) untrace(r *request, err error) {
	if r.tr != nil {
		e.endTrace(r.tr, reply{err: err}, nil, time.Now())
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
// process instance, and returns the traceparent of its span when sampled
// (an instance the timer starts keeps it), else "".
func (e *Engine) traceTimer(key int64) string {
	if e.tracer == nil {
		return ""
	}
	st := e.proc.State()
	t := st.Timer(key)
	if t == nil {
		return ""
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
	if sc := span.SpanContext(); sc.IsSampled() && t.Value.ProcessInstanceKey <= 0 {
		return formatTraceParent(sc)
	}
	return ""
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

// traceCorrelated records a message command's correlations: each waiting
// process instance it reached that has a trace gets a
// SpanMessageCorrelated span in that trace (whether or not the command is
// traced, as job activations do); a traced command also counts them
// (wf.message.correlated) and links to those traces.
func (e *Engine) traceCorrelated(r *request, records []*record.Record) {
	if e.tracer == nil || r.cmd == nil || r.cmd.ValueType != record.TypeMessage {
		return
	}
	st := e.proc.State()
	n := 0
	var links []trace.Link
	if r.tr != nil {
		links = []trace.Link{{SpanContext: r.tr.span.SpanContext()}}
	}
	for _, rec := range records {
		if rec.Kind != record.KindEvent || rec.ValueType != record.TypeMessageSubscription || rec.Intent != record.IntentMessageSubscriptionCorrelated {
			continue
		}
		n++
		v, ok := rec.Value.(*record.MessageSubscriptionValue)
		if !ok {
			continue
		}
		root := st.Element(v.ProcessInstanceKey)
		if root == nil {
			continue
		}
		sc := remoteContext(root.TraceParent)
		if !sc.IsValid() {
			continue
		}
		_, span := e.tracer.Start(trace.ContextWithRemoteSpanContext(context.Background(), sc), SpanMessageCorrelated,
			trace.WithSpanKind(trace.SpanKindConsumer), trace.WithLinks(links...),
			trace.WithAttributes(AttrMessageName.String(v.MessageName), AttrInstanceKey.Int64(v.ProcessInstanceKey),
				AttrElementID.String(v.ElementID), AttrProcessID.String(v.BPMNProcessID)))
		span.End()
		if r.tr != nil && sc.TraceID() != r.tr.span.SpanContext().TraceID() {
			r.tr.span.AddLink(trace.Link{SpanContext: sc})
		}
	}
	if r.tr != nil {
		r.tr.span.SetAttributes(AttrCorrelated.Int(n))
	}
}
