package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/expr"
	"github.com/example/wf-engine/sdk/connector"
)

// maxMessageLength bounds the messages written into failures and incidents.
const maxMessageLength = 6000

// outcome is the command an execution ends with.
type outcome struct {
	label     string // an Outcome* constant
	variables map[string]any
	code      string
	message   string
	retries   int32
	backoff   time.Duration
}

// execute runs one job through the middleware and reports its outcome.
func (r *Runtime) execute(ctx context.Context, reg *registration, job Job) {
	start := r.cfg.Now()
	labels := []string{reg.desc.ID, job.Type}
	r.metrics.inFlight.WithLabelValues(labels...).Inc()
	defer r.metrics.inFlight.WithLabelValues(labels...).Dec()
	ctx, span := r.tracer.Start(jobTraceContext(ctx, job), SpanExecute, trace.WithSpanKind(trace.SpanKindConsumer), trace.WithAttributes(
		attribute.String("wf.connector.id", reg.desc.ID),
		attribute.String("wf.job.type", job.Type),
		attribute.Int64("wf.job.key", job.Key),
		attribute.Int64("wf.process_instance.key", job.ProcessInstanceKey),
		attribute.String("wf.bpmn_process_id", job.BPMNProcessID),
		attribute.String("wf.element.id", job.ElementID),
	))
	defer span.End()
	log := r.log.With("connector_id", reg.desc.ID, "job_type", job.Type, "job_key", job.Key,
		"instance_key", job.ProcessInstanceKey, "element_id", job.ElementID)

	out := r.run(ctx, reg, job)
	r.metrics.duration.WithLabelValues(labels...).Observe(r.cfg.Now().Sub(start).Seconds())
	r.metrics.executions.WithLabelValues(reg.desc.ID, job.Type, out.label).Inc()
	span.SetAttributes(attribute.String("wf.connector.outcome", out.label))
	if out.label != OutcomeCompleted {
		span.SetStatus(codes.Error, out.message)
	}
	r.report(ctx, job, out, log)
}

// run decides the outcome of one job. Every message it returns is redacted.
func (r *Runtime) run(ctx context.Context, reg *registration, job Job) outcome {
	a, out, ok := r.prepare(reg, job)
	if !ok {
		return out
	}
	execCtx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	result, execErr := safeExecute(execCtx, reg.conn, a.req)
	timedOut := execErr != nil && errors.Is(execCtx.Err(), context.DeadlineExceeded)
	cancel()
	switch {
	case execErr == nil:
		return a.success(result)
	case ctx.Err() != nil && r.stopping():
		return outcome{label: OutcomeAbandoned, retries: job.Retries,
			message: "the connector runtime stopped during the execution; the job is offered again without using a retry"}
	case timedOut:
		execErr = &timeoutError{connector: reg.desc.ID, after: r.cfg.Timeout, err: execErr}
	}
	return a.failure(execErr)
}

// attempt is one job on its way through the middleware.
type attempt struct {
	job       Job
	req       connector.Request
	backoff   time.Duration // the retryBackoff header
	resultExp *expr.Expression
	errorExp  *expr.Expression
	red       redactor
	now       time.Time
}

// prepare reads the task headers and resolves the secrets; a problem is an
// outcome with no retries (ok false).
func (r *Runtime) prepare(reg *registration, job Job) (a *attempt, out outcome, ok bool) {
	noRetries := func(err error) (*attempt, outcome, bool) {
		return nil, outcome{label: OutcomeIncident, message: clip(err.Error())}, false
	}
	a = &attempt{job: job, now: r.cfg.Now()}
	if h := strings.TrimSpace(job.Headers[HeaderRetryBackoff]); h != "" {
		d, err := parseISODuration(h)
		if err != nil {
			return noRetries(&headerError{HeaderRetryBackoff, err})
		}
		a.backoff = d
	}
	var err error
	if a.resultExp, err = r.exprs.compile(job.Headers[HeaderResultExpression]); err != nil {
		return noRetries(&headerError{HeaderResultExpression, err})
	}
	if a.errorExp, err = r.exprs.compile(job.Headers[HeaderErrorExpression]); err != nil {
		return noRetries(&headerError{HeaderErrorExpression, err})
	}
	res := &resolver{source: r.cfg.Secrets, connector: reg.desc.ID,
		allowed: func(name string) bool { return reg.allSecrets || reg.declared[name] }}
	input, err := res.resolve(job.Variables)
	if err != nil {
		return noRetries(err)
	}
	a.red = newRedactor(res.used)
	a.req = connector.Request{
		JobKey: job.Key, JobType: job.Type, ProcessInstanceKey: job.ProcessInstanceKey, BPMNProcessID: job.BPMNProcessID,
		ElementID: job.ElementID, Retries: job.Retries, Input: input, Headers: copyHeaders(job.Headers),
		SecretHosts: secretHosts(r.cfg.Secrets, res.used),
	}
	return a, outcome{}, true
}

// success maps a result: the errorExpression may still turn it into an
// error; else the job completes with the mapped variables.
func (a *attempt) success(result connector.Result) outcome {
	response, err := normalize(result.Response)
	if err != nil {
		return a.failed(err.Error(), 0, 0)
	}
	vars, err := mapResult(response, a.job.Headers, a.resultExp, a.now)
	if err != nil {
		return a.failed(err.Error(), 0, 0)
	}
	if a.errorExp != nil {
		d, err := evalErrorExpression(a.errorExp, response, nil, a.job.Retries, a.now)
		if err != nil {
			return a.failed(err.Error(), 0, 0)
		}
		if d.kind != "" {
			return a.decide(d)
		}
	}
	return outcome{label: OutcomeCompleted, variables: vars}
}

// failure maps a connector's error.
func (a *attempt) failure(execErr error) outcome {
	if b, ok := connector.AsBPMNError(execErr); ok && strings.TrimSpace(b.Code) != "" {
		return outcome{label: OutcomeBPMNError, code: b.Code, message: clip(a.red.String(b.Message)), variables: a.red.Map(b.Variables)}
	}
	message := execErr.Error()
	if a.errorExp != nil {
		errCtx, response := errorContext(execErr, a.red)
		d, err := evalErrorExpression(a.errorExp, response, errCtx, a.job.Retries, a.now)
		if err != nil {
			return a.failed(err.Error()+" (evaluating it for the error: "+message+")", 0, 0)
		}
		if d.kind != "" {
			return a.decide(d)
		}
	}
	var inputErr *connector.InputError
	if errors.As(execErr, &inputErr) {
		return a.failed(message, 0, 0)
	}
	backoff := a.backoff
	var retryable *connector.RetryableError
	if errors.As(execErr, &retryable) && retryable.Backoff > 0 {
		backoff = retryable.Backoff
	}
	return a.failed(message, a.job.Retries-1, backoff)
}

// failed is a failure with retries left (at least zero) and a back-off.
func (a *attempt) failed(msg string, retries int32, backoff time.Duration) outcome {
	retries = max(retries, 0)
	label := OutcomeFailed
	if retries == 0 {
		label = OutcomeIncident
	}
	return outcome{label: label, message: clip(a.red.String(msg)), retries: retries, backoff: backoff}
}

// decide turns an errorExpression's bpmnError or jobError into an outcome.
func (a *attempt) decide(d decision) outcome {
	if d.kind == expr.ErrorTypeBPMN {
		return outcome{label: OutcomeBPMNError, code: d.code, message: clip(a.red.String(d.message)), variables: a.red.Map(d.variables)}
	}
	retries, backoff := a.job.Retries-1, a.backoff
	if d.retries != nil {
		retries = *d.retries
	}
	if d.retryBackoff != nil {
		backoff = *d.retryBackoff
	}
	msg := d.message
	if msg == "" {
		msg = "jobError without a message"
	}
	out := a.failed(msg, retries, backoff)
	out.variables = a.red.Map(d.variables)
	return out
}

// timeoutError is an execution that ran out of the runtime's time limit.
type timeoutError struct {
	connector string
	after     time.Duration
	err       error
}

func (e *timeoutError) Error() string {
	return fmt.Sprintf("connector %s timed out after %s: %v", e.connector, e.after, e.err)
}
func (e *timeoutError) Unwrap() error { return e.err }

// errorContext builds the `error` an errorExpression sees, with secrets
// masked, and the response it carries (nil when none). A *connector.Error in
// err's chain gives error.code, error.variables (its "response" entry also
// as error.response, and that response's fields at the top level) and
// error.message (its Message); any other error gives its text as
// error.message and a null code.
func errorContext(err error, red redactor) (map[string]any, any) {
	ec := map[string]any{"message": red.String(err.Error()), "code": nil, "variables": map[string]any{}, "type": errorType(err)}
	var ce *connector.Error
	if !errors.As(err, &ce) {
		return ec, nil
	}
	if ce.Message != "" {
		ec["message"] = red.String(ce.Message)
	}
	if ce.Code != "" {
		ec["code"] = ce.Code
	}
	var response any
	if vars, nerr := normalize(ce.Variables); nerr == nil {
		if m, ok := red.Value(vars).(map[string]any); ok {
			ec["variables"] = m
			if resp, ok := m["response"]; ok {
				ec["response"] = resp
				response = resp
			}
		}
	}
	return ec, response
}

// errorType names the SDK's error kinds for error.type.
func errorType(err error) string {
	var inputErr *connector.InputError
	var retryable *connector.RetryableError
	switch {
	case errors.As(err, &inputErr):
		return "input"
	case errors.As(err, &retryable):
		return "retryable"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	}
	return "error"
}

// safeExecute runs the connector and turns a panic into an error.
func safeExecute(ctx context.Context, c connector.Connector, req connector.Request) (res connector.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("connector panicked: %v", p)
		}
	}()
	return c.Execute(ctx, req)
}

// report sends the outcome's command and logs the outcome (redacted, with
// variable names only).
func (r *Runtime) report(ctx context.Context, job Job, out outcome, log *slog.Logger) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.cfg.ReportTimeout)
	defer cancel()
	// Log before sending, so that the log tells what was sent even when
	// the engine does not answer.
	var err error
	switch out.label {
	case OutcomeCompleted:
		log.Debug("connector job completed", "variables", variableNames(out.variables))
		err = r.cfg.Jobs.Complete(rctx, job.Key, out.variables)
	case OutcomeBPMNError:
		log.Info("connector job threw a BPMN error", "error_code", out.code, "error_message", out.message, "variables", variableNames(out.variables))
		err = r.cfg.Jobs.ThrowError(rctx, engine.ThrowErrorRequest{Key: job.Key, ErrorCode: out.code, ErrorMessage: out.message, Variables: out.variables})
	default:
		level := slog.LevelWarn
		if out.label == OutcomeIncident {
			level = slog.LevelError
		}
		log.Log(rctx, level, "connector job failed", "outcome", out.label, "retries", out.retries,
			"retry_backoff", out.backoff.String(), "error", out.message)
		err = r.cfg.Jobs.Fail(rctx, engine.FailJobRequest{Key: job.Key, Retries: out.retries, ErrorMessage: out.message, RetryBackoff: out.backoff, Variables: out.variables})
	}
	if err != nil {
		r.metrics.reportErrors.WithLabelValues(job.Type).Inc()
		log.Warn("report connector outcome", "outcome", out.label, "error", err.Error())
	}
}

func variableNames(vars map[string]any) []string {
	names := make([]string, 0, len(vars))
	for k := range vars {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

func copyHeaders(h map[string]string) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		out[k] = v
	}
	return out
}

// clip bounds a message to maxMessageLength bytes, on a rune boundary.
func clip(s string) string {
	if len(s) <= maxMessageLength {
		return s
	}
	cut := maxMessageLength
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "… (" + strconv.Itoa(len(s)-cut) + " more bytes)"
}

// jobTraceContext returns ctx with the trace context the job carries in
// its traceparent (and tracestate) header, which the engine sets from the
// request that created the instance: the execution's span joins the
// instance's trace. Without one, the span starts a trace of its own.
func jobTraceContext(ctx context.Context, job Job) context.Context {
	ctx = trace.ContextWithSpanContext(ctx, trace.SpanContext{})
	tp := job.Headers["traceparent"]
	if tp == "" {
		return ctx
	}
	carrier := propagation.MapCarrier{"traceparent": tp}
	if ts := job.Headers["tracestate"]; ts != "" {
		carrier["tracestate"] = ts
	}
	return propagation.TraceContext{}.Extract(ctx, carrier)
}
