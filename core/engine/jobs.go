package engine

import (
	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

func (p *Processor) createJob(in *instance, spec element.JobSpec) error {
	v := &record.JobValue{
		Type: spec.Type, Retries: spec.Retries, CustomHeaders: spec.CustomHeaders,
		ElementID: in.el.ID, ElementInstanceKey: in.ei.Key, BPMNProcessID: in.def.BPMNProcessID,
		ProcessDefinitionVersion: in.def.Version, ProcessDefinitionKey: in.def.ProcessDefinitionKey,
		ProcessInstanceKey: in.ei.Value.ProcessInstanceKey, TenantID: in.def.TenantID,
	}
	if v.CustomHeaders == nil {
		v.CustomHeaders = map[string]string{}
	}
	v.CustomHeaders = p.withTraceParent(v.CustomHeaders, v.ProcessInstanceKey)
	return p.write(p.newKey(), record.IntentJobCreated, v)
}

// ActivatedJob is a job handed to a worker.
type ActivatedJob struct {
	Key   int64
	Value record.JobValue
}

func (p *Processor) activateJobs(v *record.JobBatchValue) ([]ActivatedJob, error) {
	if v.Type == "" {
		return nil, reject(record.RejectionInvalidArgument, "expected a job type, but it is empty")
	}
	if v.MaxJobsToActivate < 1 {
		return nil, reject(record.RejectionInvalidArgument, "expected maxJobsToActivate to be at least 1, but it is %d", v.MaxJobsToActivate)
	}
	if v.Timeout < 1 {
		return nil, reject(record.RejectionInvalidArgument, "expected a job timeout of at least 1 ms, but it is %d", v.Timeout)
	}
	if err := requestTenants(v.TenantIDs); err != nil {
		return nil, err
	}
	// Only jobs of the tenants asked for; none named is the default tenant.
	jobs := p.st.Activatable(v.Type, v.TenantIDs, int(v.MaxJobsToActivate))
	if len(jobs) == 0 {
		return nil, nil
	}
	batch := &record.JobBatchValue{
		Type: v.Type, Worker: v.Worker, Timeout: v.Timeout, MaxJobsToActivate: v.MaxJobsToActivate,
		FetchVariables: v.FetchVariables, TenantIDs: v.TenantIDs,
		JobKeys: make([]int64, len(jobs)), Jobs: make([]record.JobValue, len(jobs)),
	}
	deadline := p.cmd.Timestamp + v.Timeout
	for i, j := range jobs {
		jv := j.Value
		jv.Worker = v.Worker
		jv.Deadline = deadline
		jv.Variables = p.jobVariables(jv.ElementInstanceKey, v.FetchVariables)
		batch.JobKeys[i] = j.Key
		batch.Jobs[i] = jv
	}
	if err := p.write(p.newKey(), record.IntentJobBatchActivated, batch); err != nil {
		return nil, err
	}
	out := make([]ActivatedJob, len(jobs))
	for i := range jobs {
		out[i] = ActivatedJob{Key: batch.JobKeys[i], Value: batch.Jobs[i]}
	}
	return out, nil
}

// jobVariables collects the variables visible at a scope (inner shadows
// outer), limited to names when names is not empty.
func (p *Processor) jobVariables(scope int64, names []string) map[string]any {
	out := map[string]any{}
	if len(names) > 0 {
		for _, n := range names {
			if v, ok := p.lookup(scope, n); ok {
				out[n] = v
			}
		}
		return out
	}
	for s := p.st.Element(scope); s != nil; s = p.st.Element(s.Value.FlowScopeKey) {
		for n, v := range p.st.LocalVariables(s.Key) {
			if _, shadowed := out[n]; !shadowed {
				out[n] = v.Value
			}
		}
		if s.Value.FlowScopeKey <= 0 {
			break
		}
	}
	return out
}

// jobFor returns a job that a worker may complete, fail or throw on.
func (p *Processor) jobFor(key int64, action string) (*state.Job, error) {
	j := p.st.Job(key)
	if j == nil {
		return nil, reject(record.RejectionNotFound, "expected to %s job with key '%d', but no such job was found", action, key)
	}
	if j.State != state.JobActivatable && j.State != state.JobActivated {
		return nil, reject(record.RejectionInvalidState, "expected to %s job with key '%d', but it is in state '%s'", action, key, j.State)
	}
	return j, nil
}

func (p *Processor) completeJob(key int64, v *record.JobValue) error {
	j, err := p.jobFor(key, "complete")
	if err != nil {
		return err
	}
	in, err := p.instance(j.Value.ElementInstanceKey)
	if err != nil {
		return err
	}
	if in == nil || in.ei.State != state.ElementActivated {
		return reject(record.RejectionInvalidState, "expected to complete job with key '%d', but its element instance is not active", key)
	}
	done := j.Value
	done.Variables = v.Variables
	if err := p.write(key, record.IntentJobCompleted, &done); err != nil {
		return err
	}
	if len(v.Variables) > 0 {
		if len(in.el.Outputs) > 0 {
			err = p.setLocals(in.ei, v.Variables)
		} else {
			err = p.propagate(in.ei, v.Variables)
		}
		if err != nil {
			return err
		}
	}
	p.push(step{kind: stepComplete, key: in.ei.Key})
	return nil
}

func (p *Processor) failJob(key int64, v *record.JobValue) error {
	j, err := p.jobFor(key, "fail")
	if err != nil {
		return err
	}
	if v.RetryBackoff < 0 {
		return reject(record.RejectionInvalidArgument, "expected a retry back-off of at least 0 ms, but it is %d", v.RetryBackoff)
	}
	in, err := p.instance(j.Value.ElementInstanceKey)
	if err != nil {
		return err
	}
	failed := j.Value
	failed.Retries = v.Retries
	failed.ErrorMessage = v.ErrorMessage
	failed.RetryBackoff = v.RetryBackoff
	failed.RecurringTime = 0
	if v.Retries > 0 && v.RetryBackoff > 0 {
		failed.RecurringTime = p.cmd.Timestamp + v.RetryBackoff
	}
	failed.Variables = nil
	if err := p.write(key, record.IntentJobFailed, &failed); err != nil {
		return err
	}
	if in != nil && len(v.Variables) > 0 {
		if err := p.setLocals(in.ei, v.Variables); err != nil {
			return err
		}
	}
	if v.Retries > 0 || in == nil {
		return nil
	}
	msg := v.ErrorMessage
	if msg == "" {
		msg = "No more retries left."
	}
	return p.raiseIncident(in, &element.Failure{Type: record.ErrorJobNoRetries, Message: msg}, key)
}

func (p *Processor) throwJobError(key int64, v *record.JobValue) error {
	j, err := p.jobFor(key, "throw an error for")
	if err != nil {
		return err
	}
	if v.ErrorCode == "" {
		return reject(record.RejectionInvalidArgument, "expected an error code, but it is empty")
	}
	in, err := p.instance(j.Value.ElementInstanceKey)
	if err != nil {
		return err
	}
	thrown := j.Value
	thrown.ErrorCode = v.ErrorCode
	thrown.ErrorMessage = v.ErrorMessage
	if err := p.write(key, record.IntentJobErrorThrown, &thrown); err != nil {
		return err
	}
	if in == nil {
		return nil
	}
	return p.throwError(in, v.ErrorCode, v.ErrorMessage, v.Variables, key)
}

func (p *Processor) updateRetries(key int64, v *record.JobValue) error {
	j := p.st.Job(key)
	if j == nil {
		return reject(record.RejectionNotFound, "expected to update retries of job with key '%d', but no such job was found", key)
	}
	if v.Retries < 1 {
		return reject(record.RejectionInvalidArgument, "expected retries to be at least 1, but it is %d", v.Retries)
	}
	upd := j.Value
	upd.Retries = v.Retries
	return p.write(key, record.IntentJobRetriesUpdated, &upd)
}

func (p *Processor) timeOutJob(key int64) error {
	j := p.st.Job(key)
	if j == nil || j.State != state.JobActivated {
		return reject(record.RejectionNotFound, "expected to time out activated job with key '%d', but no such job was found", key)
	}
	if j.Value.Deadline > p.cmd.Timestamp {
		return reject(record.RejectionInvalidState, "expected to time out job with key '%d', but its deadline has not passed", key)
	}
	v := j.Value
	return p.write(key, record.IntentJobTimedOut, &v)
}

func (p *Processor) recurJob(key int64) error {
	j := p.st.Job(key)
	if j == nil || j.State != state.JobBackingOff {
		return reject(record.RejectionNotFound, "expected to recur job with key '%d' after its back-off, but no such job was found", key)
	}
	v := j.Value
	return p.write(key, record.IntentJobRecurredAfterBack, &v)
}

func (p *Processor) updateTimeout(key int64, v *record.JobValue) error {
	j := p.st.Job(key)
	if j == nil {
		return reject(record.RejectionNotFound, "expected to update the timeout of job with key '%d', but no such job was found", key)
	}
	if j.State != state.JobActivated {
		return reject(record.RejectionInvalidState, "expected to update the timeout of job with key '%d', but it is not activated", key)
	}
	if v.Timeout < 1 {
		return reject(record.RejectionInvalidArgument, "expected a job timeout of at least 1 ms, but it is %d", v.Timeout)
	}
	upd := j.Value
	upd.Deadline = p.cmd.Timestamp + v.Timeout
	return p.write(key, record.IntentJobTimeoutUpdated, &upd)
}
