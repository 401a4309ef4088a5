package runtime

import (
	"context"
	"time"

	"github.com/example/wf-engine/core/engine"
)

// Jobs is the runtime's way to the engine: the four job commands a worker
// needs. EngineJobs adapts an engine.Client.
type Jobs interface {
	// Activate hands out up to req.MaxJobs jobs of req.Type, waiting up to
	// req.RequestTimeout for one to appear; no jobs and no error is a
	// timeout.
	Activate(ctx context.Context, req ActivateRequest) ([]Job, error)
	// Complete completes a job with result variables.
	Complete(ctx context.Context, key int64, variables map[string]any) error
	// Fail reports a failed attempt; with no retries left the engine raises
	// an incident with the message.
	Fail(ctx context.Context, req engine.FailJobRequest) error
	// ThrowError raises a BPMN error from a job.
	ThrowError(ctx context.Context, req engine.ThrowErrorRequest) error
}

// ActivateRequest asks for jobs of one type.
type ActivateRequest struct {
	Type    string
	Worker  string
	MaxJobs int32
	// Timeout is how long the jobs stay locked to this worker.
	Timeout time.Duration
	// RequestTimeout is the long-poll wait.
	RequestTimeout time.Duration
}

// Job is one activated job.
type Job struct {
	Key                int64
	Type               string
	ProcessInstanceKey int64
	BPMNProcessID      string
	ElementID          string
	// Retries left, counting this attempt.
	Retries int32
	// Headers are the task headers (zeebe:taskHeaders).
	Headers map[string]string
	// Variables are the variables visible at the task, input mappings
	// included.
	Variables map[string]any
}

// EngineJobs adapts an engine.Client (the in-process engine) to Jobs; it
// activates the default tenant's jobs.
func EngineJobs(c engine.Client) Jobs { return engineJobs{c: c} }

// EngineJobsForTenants is EngineJobs for an engine with multi-tenancy on:
// each activation asks for the jobs of the tenants tenants returns then
// (every tenant the engine knows), so a tenant created later is served
// from the next poll on.
func EngineJobsForTenants(c engine.Client, tenants func(ctx context.Context) ([]string, error)) Jobs {
	return engineJobs{c: c, tenants: tenants}
}

type engineJobs struct {
	c       engine.Client
	tenants func(ctx context.Context) ([]string, error)
}

func (e engineJobs) Activate(ctx context.Context, req ActivateRequest) ([]Job, error) {
	ar := engine.ActivateJobsRequest{
		Type: req.Type, Worker: req.Worker, Timeout: req.Timeout, MaxJobs: req.MaxJobs, RequestTimeout: req.RequestTimeout,
	}
	if e.tenants != nil {
		ids, err := e.tenants(ctx)
		if err != nil {
			return nil, err
		}
		ar.TenantIDs = ids
	}
	activated, err := e.c.ActivateJobs(ctx, ar)
	if err != nil {
		return nil, err
	}
	jobs := make([]Job, len(activated))
	for i, a := range activated {
		v := a.Value
		jobs[i] = Job{
			Key: a.Key, Type: v.Type, ProcessInstanceKey: v.ProcessInstanceKey, BPMNProcessID: v.BPMNProcessID,
			ElementID: v.ElementID, Retries: v.Retries, Headers: v.CustomHeaders, Variables: v.Variables,
		}
	}
	return jobs, nil
}

func (e engineJobs) Complete(ctx context.Context, key int64, variables map[string]any) error {
	return e.c.CompleteJob(ctx, engine.CompleteJobRequest{Key: key, Variables: variables})
}

func (e engineJobs) Fail(ctx context.Context, req engine.FailJobRequest) error {
	return e.c.FailJob(ctx, engine.FailJobRequest{Key: req.Key, Retries: req.Retries, ErrorMessage: req.ErrorMessage, RetryBackoff: req.RetryBackoff, Variables: req.Variables})
}

func (e engineJobs) ThrowError(ctx context.Context, req engine.ThrowErrorRequest) error {
	return e.c.ThrowError(ctx, engine.ThrowErrorRequest{Key: req.Key, ErrorCode: req.ErrorCode, ErrorMessage: req.ErrorMessage, Variables: req.Variables})
}

// Interface guards
var _ Jobs = engineJobs{}
