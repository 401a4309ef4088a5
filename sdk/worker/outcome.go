package worker

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"go.opentelemetry.io/otel/codes"

	"github.com/example/wf-engine/sdk/client"
)

// Outcomes of a job, as the span's wf.job.outcome attribute names them.
const (
	outcomeCompleted   = "completed"
	outcomeFailed      = "failed"
	outcomeErrorThrown = "error_thrown"
	outcomeRequeued    = "requeued"
	outcomeNone        = "none"
)

// handle runs the handler for one job and reports its outcome.
func (w *Worker) handle(ctx context.Context, r *running) {
	job := r.job
	ctx, span := w.startSpan(ctx, &job)
	defer span.End()
	log := w.cfg.log.With("job_key", job.JobKey, "instance_key", job.ProcessInstanceKey, "element_id", job.ElementID)

	began := time.Now()
	vars, herr := w.call(ctx, job)
	took := time.Since(began)

	w.mu.Lock()
	if r.state == stateAbandoned {
		w.mu.Unlock()
		span.SetAttributes(AttrOutcome.String(outcomeRequeued))
		span.SetStatus(codes.Error, "handed back unfinished at shutdown")
		return
	}
	r.state = stateReporting
	w.reports.Add(1)
	w.mu.Unlock()
	defer w.reports.Done()

	// The report gets its own time: the job's context may have ended.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.cfg.reportTimeout)
	defer cancel()
	outcome, err := w.report(rctx, job, vars, herr)
	span.SetAttributes(AttrOutcome.String(outcome))
	if herr != nil {
		span.RecordError(herr)
		span.SetStatus(codes.Error, herr.Error())
	}
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
		log.Warn("report job outcome", "outcome", outcome, "error", err)
		return
	}
	switch outcome {
	case outcomeCompleted:
		w.cfg.metrics.JobCompleted(w.jobType, took)
	case outcomeFailed:
		log.Info("job failed", "error", herr)
		w.cfg.metrics.JobFailed(w.jobType, took)
	case outcomeErrorThrown:
		w.cfg.metrics.JobErrorThrown(w.jobType, took)
	}
}

// call runs the handler; a panic becomes an error.
func (w *Worker) call(ctx context.Context, job Job) (vars any, err error) {
	defer func() {
		if v := recover(); v != nil {
			w.cfg.log.Error("job handler panicked", "job_key", job.JobKey, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			vars, err = nil, fmt.Errorf("job handler panicked: %v", v)
		}
	}()
	return w.h.Handle(ctx, job)
}

// report sends a handler's outcome to the engine.
func (w *Worker) report(ctx context.Context, job Job, vars any, herr error) (string, error) {
	if herr == nil {
		if !w.cfg.autoComplete {
			return outcomeNone, nil
		}
		return outcomeCompleted, w.c.CompleteJob(ctx, job.JobKey, client.CompleteJobRequest{Variables: vars})
	}
	if b, ok := asBPMNError(herr); ok && b.Code != "" {
		return outcomeErrorThrown, w.c.ThrowJobError(ctx, job.JobKey, client.ThrowJobErrorRequest{
			ErrorCode: b.Code, ErrorMessage: b.Message, Variables: b.Variables,
		})
	}
	// A BPMN error without a code cannot be thrown: it fails the job.
	req := client.FailJobRequest{Retries: max(job.Retries-1, 0), ErrorMessage: herr.Error()}
	var f *Failure
	if errors.As(herr, &f) {
		if f.Retries != nil {
			req.Retries = max(*f.Retries, 0)
		}
		if f.Backoff != nil {
			req.RetryBackoff = *f.Backoff
		}
		req.Variables = f.Variables
	}
	if req.Retries > 0 && (f == nil || f.Backoff == nil) {
		req.RetryBackoff = w.cfg.backoff(job)
	}
	return outcomeFailed, w.c.FailJob(ctx, job.JobKey, req)
}

// asBPMNError finds a BPMNError, value or pointer, in err's chain.
func asBPMNError(err error) (BPMNError, bool) {
	var v BPMNError
	if errors.As(err, &v) {
		return v, true
	}
	var p *BPMNError
	if errors.As(err, &p) && p != nil {
		return *p, true
	}
	return BPMNError{}, false
}
