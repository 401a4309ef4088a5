package engine

import (
	"context"
	"time"

	"github.com/example/wf-engine/core/record"
)

// Client is how everything outside the kernel talks to it: REST, CLI, SDK
// test kit, scheduler and connector runtime. Every method can block and
// honours ctx; a refused command returns a *Rejection.
type Client interface {
	Deploy(ctx context.Context, req DeployRequest) (*Deployment, error)
	CreateInstance(ctx context.Context, req CreateInstanceRequest) (*CreatedInstance, error)
	CancelInstance(ctx context.Context, processInstanceKey int64) error
	MigrateInstance(ctx context.Context, req MigrateInstanceRequest) error
	ModifyInstance(ctx context.Context, req ModifyInstanceRequest) error
	// ActivateChildren activates elements inside a running ad-hoc
	// subprocess instance (activateAdHocSubProcessActivities).
	ActivateChildren(ctx context.Context, req ActivateChildrenRequest) error
	ActivateJobs(ctx context.Context, req ActivateJobsRequest) ([]ActivatedJob, error)
	CompleteJob(ctx context.Context, req CompleteJobRequest) error
	FailJob(ctx context.Context, req FailJobRequest) error
	ThrowError(ctx context.Context, req ThrowErrorRequest) error
	UpdateJobRetries(ctx context.Context, jobKey int64, retries int32) error
	UpdateJobTimeout(ctx context.Context, jobKey int64, timeout time.Duration) error
	ResolveIncident(ctx context.Context, incidentKey int64) error
	SetVariables(ctx context.Context, req SetVariablesRequest) error
	PublishMessage(ctx context.Context, req PublishMessageRequest) (*PublishedMessage, error)
	CorrelateMessage(ctx context.Context, req PublishMessageRequest) (*PublishedMessage, error)
	BroadcastSignal(ctx context.Context, req BroadcastSignalRequest) (*BroadcastedSignal, error)
	AssignUserTask(ctx context.Context, req AssignUserTaskRequest) error
	UpdateUserTask(ctx context.Context, req UpdateUserTaskRequest) error
	CompleteUserTask(ctx context.Context, req CompleteUserTaskRequest) error
	DeleteResource(ctx context.Context, req DeleteResourceRequest) error
}

// AssignUserTaskRequest assigns a user task; an empty Assignee unassigns it.
// Without AllowOverride, a task assigned to someone else is not reassigned.
type AssignUserTaskRequest struct {
	Key           int64
	Assignee      string
	AllowOverride bool
	Action        string
}

// UpdateUserTaskRequest changes the attributes named in Changed
// ("candidateGroups", "candidateUsers", "dueDate", "followUpDate", "priority").
type UpdateUserTaskRequest struct {
	Key             int64
	Changed         []string
	CandidateGroups []string
	CandidateUsers  []string
	DueDate         string
	FollowUpDate    string
	Priority        int32
	Action          string
}

// CompleteUserTaskRequest completes a user task with result variables.
type CompleteUserTaskRequest struct {
	Key       int64
	Variables map[string]any
	Action    string
}

// PublishMessageRequest publishes a message: it reaches every process waiting
// for its name and correlation key (one subscription per process) and starts
// processes with a matching message start event; with a time to live it is
// buffered for subscriptions that open later.
type PublishMessageRequest struct {
	Name           string
	CorrelationKey string
	TimeToLive     time.Duration
	MessageID      string
	Variables      map[string]any
	TenantID       string
}

// SetVariablesRequest sets variables on an element instance's scope: in the
// scope itself when Local, else merged the Camunda way from there outward.
type SetVariablesRequest struct {
	ScopeKey  int64
	Variables map[string]any
	Local     bool
}

// DeployRequest deploys resources (BPMN files) together.
type DeployRequest struct {
	Resources []record.Resource
	TenantID  string
}

// CreateInstanceRequest starts a process instance: by definition key, or by
// process id and version (0 = latest).
type CreateInstanceRequest struct {
	ProcessDefinitionKey int64
	BPMNProcessID        string
	Version              int32
	Variables            map[string]any
	TenantID             string
	// Tags are the instance's tags (Camunda 8.8); the command carries them
	// and the store keeps them.
	Tags []string
	// AwaitEnd watches the instance's end from its creation on: the answer's
	// Ended reports it, with the final variables.
	AwaitEnd bool
}

// ActivateJobsRequest asks for up to MaxJobs jobs of a type. With a
// RequestTimeout, it waits that long for jobs to appear (long polling).
type ActivateJobsRequest struct {
	Type           string
	Worker         string
	Timeout        time.Duration
	MaxJobs        int32
	FetchVariables []string
	RequestTimeout time.Duration
	TenantIDs      []string
}

// CompleteJobRequest completes a job with result variables.
type CompleteJobRequest struct {
	Key       int64
	Variables map[string]any
}

// FailJobRequest reports a failed attempt at a job.
type FailJobRequest struct {
	Key          int64
	Retries      int32
	ErrorMessage string
	RetryBackoff time.Duration
	Variables    map[string]any
}

// ThrowErrorRequest raises a BPMN error from a job.
type ThrowErrorRequest struct {
	Key          int64
	ErrorCode    string
	ErrorMessage string
	Variables    map[string]any
}

// Deploy implements Client.
func (e *Engine) Deploy(ctx context.Context, req DeployRequest) (*Deployment, error) {
	// Parsing and validating are pure functions of the bytes: done here,
	// off the loop, the loop only uses their results (and a replay never
	// runs them). Valid models warm the state's cache, so the loop does not
	// parse them again when it opens their start events.
	checked := make([]checkedResource, len(req.Resources))
	for i, res := range req.Resources {
		if len(res.Content) == 0 || IsForm(res.Name) {
			continue
		}
		checked[i] = checkResource(e.cfg.Registry, res.Content)
		if c := checked[i]; c.parseErr == nil && len(c.checks) == 0 {
			e.models.add(res.Content, c.defs)
		}
	}
	res, err := e.submitChecked(ctx, &record.Record{ValueType: record.TypeDeployment, Intent: record.IntentDeploymentCreate, Version: 1,
		Value: &record.DeploymentValue{Resources: req.Resources, TenantID: req.TenantID}}, checked)
	if err != nil {
		return nil, err
	}
	return res.Response.(*Deployment), nil
}

// CreateInstance implements Client.
func (e *Engine) CreateInstance(ctx context.Context, req CreateInstanceRequest) (*CreatedInstance, error) {
	var await chan InstanceEnd
	if req.AwaitEnd {
		await = make(chan InstanceEnd, 1)
	}
	res, awaiting, err := e.submitAwaiting(ctx, &record.Record{ValueType: record.TypeProcessInstanceCreation, Intent: record.IntentProcessInstanceCreate, Version: 1,
		Value: &record.ProcessInstanceCreationValue{
			BPMNProcessID: req.BPMNProcessID, Version: req.Version, ProcessDefinitionKey: req.ProcessDefinitionKey,
			Variables: req.Variables, TenantID: req.TenantID, Tags: req.Tags,
		}}, await)
	if err != nil {
		if await != nil {
			e.stopAwaiting(0, await) // registered, perhaps, before the commit failed
		}
		return nil, err
	}
	ci := *res.Response.(*CreatedInstance) // a copy: an idempotent answer is kept
	if awaiting {
		key := ci.ProcessInstanceKey
		ci.Ended, ci.StopAwaiting = await, func() { e.stopAwaiting(key, await) }
	}
	return &ci, nil
}

// CancelInstance implements Client.
func (e *Engine) CancelInstance(ctx context.Context, key int64) error {
	_, err := e.submit(ctx, &record.Record{Key: key, ValueType: record.TypeProcessInstance, Intent: record.IntentProcessInstanceCancel, Version: 1,
		Value: &record.ProcessInstanceValue{ProcessInstanceKey: key}})
	return err
}

// activateJobs is ActivateJobs without its span. A long poll that finds
// no job is parked by the loop (jobwait.go) and answered by the batch
// that makes jobs of its type activatable, with their activation.
func (e *Engine) activateJobs(ctx context.Context, req ActivateJobsRequest) ([]ActivatedJob, error) {
	var deadline <-chan time.Time
	if req.RequestTimeout > 0 {
		t := time.NewTimer(req.RequestTimeout)
		defer t.Stop()
		deadline = t.C
	}
	for {
		r := &request{cmd: &record.Record{ValueType: record.TypeJobBatch, Intent: record.IntentJobBatchActivate, Version: 1,
			Value: &record.JobBatchValue{
				Type: req.Type, Worker: req.Worker, Timeout: req.Timeout.Milliseconds(), MaxJobsToActivate: req.MaxJobs,
				FetchVariables: req.FetchVariables, TenantIDs: req.TenantIDs,
			}}}
		if deadline != nil {
			r.poll = ctx
		}
		res, err := e.submitRequest(ctx, r)
		if err != nil {
			if ctx.Err() == nil && r.parked != nil {
				// Answered with an error (its batch was not committed)
				// after the loop parked it.
				e.unpark(r.parked)
			}
			// Else its context ended; the loop drops whatever it parks.
			return nil, err
		}
		jobs, _ := res.Response.([]ActivatedJob)
		if len(jobs) > 0 || r.parked == nil {
			return jobs, nil
		}
		select {
		case rep := <-r.parked.done:
			if res, err = rep.result(); err != nil {
				return nil, err
			}
			if jobs, _ = res.Response.([]ActivatedJob); len(jobs) > 0 {
				return jobs, nil
			}
			// Another poll took the jobs first: wait again.
		case <-deadline:
			if e.unpark(r.parked) {
				return nil, nil
			}
			return parkedJobs(r.parked) // the loop took it: its answer follows its batch's commit
		case <-ctx.Done():
			if e.unpark(r.parked) {
				return nil, ctx.Err()
			}
			// The loop took it: the jobs it activates go to the caller
			// (a server draining its long polls still answers).
			return parkedJobs(r.parked)
		}
	}
}

// parkedJobs waits for the answer of a parked activation the loop took.
func parkedJobs(parked *request) ([]ActivatedJob, error) {
	res, err := (<-parked.done).result()
	if err != nil {
		return nil, err
	}
	jobs, _ := res.Response.([]ActivatedJob)
	return jobs, nil
}

// CompleteJob implements Client.
func (e *Engine) CompleteJob(ctx context.Context, req CompleteJobRequest) error {
	_, err := e.submit(ctx, &record.Record{Key: req.Key, ValueType: record.TypeJob, Intent: record.IntentJobComplete, Version: 1,
		Value: &record.JobValue{Variables: req.Variables}})
	return err
}

// FailJob implements Client.
func (e *Engine) FailJob(ctx context.Context, req FailJobRequest) error {
	_, err := e.submit(ctx, &record.Record{Key: req.Key, ValueType: record.TypeJob, Intent: record.IntentJobFail, Version: 1,
		Value: &record.JobValue{Retries: req.Retries, ErrorMessage: req.ErrorMessage, RetryBackoff: req.RetryBackoff.Milliseconds(), Variables: req.Variables}})
	return err
}

// ThrowError implements Client.
func (e *Engine) ThrowError(ctx context.Context, req ThrowErrorRequest) error {
	_, err := e.submit(ctx, &record.Record{Key: req.Key, ValueType: record.TypeJob, Intent: record.IntentJobThrowError, Version: 1,
		Value: &record.JobValue{ErrorCode: req.ErrorCode, ErrorMessage: req.ErrorMessage, Variables: req.Variables}})
	return err
}

// UpdateJobRetries implements Client.
func (e *Engine) UpdateJobRetries(ctx context.Context, key int64, retries int32) error {
	_, err := e.submit(ctx, &record.Record{Key: key, ValueType: record.TypeJob, Intent: record.IntentJobUpdateRetries, Version: 1,
		Value: &record.JobValue{Retries: retries}})
	return err
}

// UpdateJobTimeout implements Client: an activated job's deadline becomes
// now plus timeout.
func (e *Engine) UpdateJobTimeout(ctx context.Context, key int64, timeout time.Duration) error {
	_, err := e.submit(ctx, &record.Record{Key: key, ValueType: record.TypeJob, Intent: record.IntentJobUpdateTimeout, Version: 1,
		Value: &record.JobValue{Timeout: timeout.Milliseconds()}})
	return err
}

// ResolveIncident implements Client.
func (e *Engine) ResolveIncident(ctx context.Context, key int64) error {
	_, err := e.submit(ctx, &record.Record{Key: key, ValueType: record.TypeIncident, Intent: record.IntentIncidentResolve, Version: 1,
		Value: &record.IncidentValue{}})
	return err
}

// SetVariables implements Client.
func (e *Engine) SetVariables(ctx context.Context, req SetVariablesRequest) error {
	_, err := e.submit(ctx, &record.Record{Key: req.ScopeKey, ValueType: record.TypeVariableDocument, Intent: record.IntentVariableDocumentUpdate, Version: 1,
		Value: &record.VariableDocumentValue{ScopeKey: req.ScopeKey, Local: req.Local, Variables: req.Variables}})
	return err
}

// PublishMessage implements Client.
func (e *Engine) PublishMessage(ctx context.Context, req PublishMessageRequest) (*PublishedMessage, error) {
	return e.message(ctx, record.IntentMessagePublish, req)
}

// CorrelateMessage implements Client: it publishes with no time to live and
// is rejected with NOT_FOUND when nothing waits for the message.
func (e *Engine) CorrelateMessage(ctx context.Context, req PublishMessageRequest) (*PublishedMessage, error) {
	return e.message(ctx, record.IntentMessageCorrelate, req)
}

func (e *Engine) message(ctx context.Context, intent record.Intent, req PublishMessageRequest) (*PublishedMessage, error) {
	res, err := e.submit(ctx, &record.Record{ValueType: record.TypeMessage, Intent: intent, Version: 1,
		Value: &record.MessageValue{Name: req.Name, CorrelationKey: req.CorrelationKey, TimeToLive: req.TimeToLive.Milliseconds(),
			MessageID: req.MessageID, Variables: req.Variables, TenantID: req.TenantID}})
	if err != nil {
		return nil, err
	}
	return res.Response.(*PublishedMessage), nil
}

// AssignUserTask implements Client.
func (e *Engine) AssignUserTask(ctx context.Context, req AssignUserTaskRequest) error {
	_, err := e.submit(ctx, &record.Record{Key: req.Key, ValueType: record.TypeUserTask, Intent: record.IntentUserTaskAssign, Version: 1,
		Value: &record.UserTaskValue{Assignee: req.Assignee, AllowOverride: req.AllowOverride, Action: req.Action}})
	return err
}

// UpdateUserTask implements Client.
func (e *Engine) UpdateUserTask(ctx context.Context, req UpdateUserTaskRequest) error {
	_, err := e.submit(ctx, &record.Record{Key: req.Key, ValueType: record.TypeUserTask, Intent: record.IntentUserTaskUpdate, Version: 1,
		Value: &record.UserTaskValue{ChangedAttributes: req.Changed, CandidateGroups: req.CandidateGroups, CandidateUsers: req.CandidateUsers,
			DueDate: req.DueDate, FollowUpDate: req.FollowUpDate, Priority: req.Priority, Action: req.Action}})
	return err
}

// CompleteUserTask implements Client.
func (e *Engine) CompleteUserTask(ctx context.Context, req CompleteUserTaskRequest) error {
	_, err := e.submit(ctx, &record.Record{Key: req.Key, ValueType: record.TypeUserTask, Intent: record.IntentUserTaskComplete, Version: 1,
		Value: &record.UserTaskValue{Variables: req.Variables, Action: req.Action}})
	return err
}

// Interface guards
var _ Client = (*Engine)(nil)
