package rest

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/store"
)

func (s *Server) activateJobs(c *gin.Context) {
	var req JobActivationRequest
	if d, ok := decoded[*JobActivationRequest](c); ok {
		req = *d
	} else if !s.bind(c, &req, false) {
		return
	}
	// None named is the default tenant, as in Camunda: with multi-tenancy
	// on, the caller must be a member of it as of any tenant it names.
	named := req.TenantIDs
	if len(named) == 0 {
		named = []string{""}
	}
	tenants := make([]string, 0, len(named))
	for _, t := range named {
		t, err := s.requestTenant(c.Request.Context(), t)
		if err != nil {
			s.fail(c, "", err)
			return
		}
		tenants = append(tenants, t)
	}
	ar := engine.ActivateJobsRequest{
		Type: req.Type, Worker: req.Worker, Timeout: time.Duration(req.Timeout) * time.Millisecond, MaxJobs: req.MaxJobsToActivate,
		FetchVariables: req.FetchVariable, TenantIDs: tenants, RequestTimeout: s.longPoll(req.RequestTimeout),
	}
	if ar.RequestTimeout > 0 {
		if !s.hold(c) {
			return
		}
		defer s.unhold()
	}
	// A long poll ends early when the server shuts down.
	ctx, cancel := context.WithCancel(c.Request.Context())
	defer cancel()
	defer context.AfterFunc(s.quit, cancel)()
	start := time.Now()
	jobs, err := s.eng.ActivateJobs(ctx, ar)
	shuttingDown := errors.Is(err, context.Canceled) && s.quit.Err() != nil
	if err != nil && !shuttingDown {
		s.fail(c, "ACTIVATE", err)
		return
	}
	s.metrics.ObserveActivation(len(jobs), time.Since(start))
	out := JobActivationResult{Jobs: make([]ActivatedJobResult, 0, len(jobs))}
	for _, j := range jobs {
		out.Jobs = append(out.Jobs, activatedJob(j))
		if s.cfg.Multitenancy {
			s.keyTenants.put("jobKey", j.Key, tenantOr(j.Value.TenantID))
		}
	}
	s.writeAnswer(c, http.StatusOK, func(b []byte) ([]byte, error) { return appendActivated(b, out.Jobs) })
}

// longPoll turns requestTimeout (ms; 0 = server default, < 0 = none) into
// how long activation waits for jobs.
func (s *Server) longPoll(ms int64) time.Duration {
	switch {
	case ms < 0:
		return 0
	case ms == 0:
		return s.cfg.LongPollTimeout
	}
	return min(time.Duration(ms)*time.Millisecond, s.cfg.MaxLongPollTimeout)
}

func activatedJob(j engine.ActivatedJob) ActivatedJobResult {
	v := j.Value
	headers, vars := v.CustomHeaders, v.Variables
	if headers == nil {
		headers = map[string]string{}
	}
	if vars == nil {
		vars = map[string]any{}
	}
	return ActivatedJobResult{
		JobKey: Key(j.Key), Type: v.Type, ProcessDefinitionID: v.BPMNProcessID, ProcessDefinitionVersion: v.ProcessDefinitionVersion,
		ProcessDefinitionKey: Key(v.ProcessDefinitionKey), ProcessInstanceKey: Key(v.ProcessInstanceKey), ElementID: v.ElementID,
		ElementInstanceKey: Key(v.ElementInstanceKey), CustomHeaders: headers, Worker: v.Worker, Retries: v.Retries,
		Deadline: v.Deadline, Variables: vars, TenantID: tenantOr(v.TenantID), Kind: "BPMN_ELEMENT", ListenerEventType: "UNSPECIFIED",
	}
}

func (s *Server) completeJob(c *gin.Context) {
	key, ok := pathKey(c, "jobKey")
	if !ok {
		return
	}
	var vars map[string]any
	var err error
	if d, ok := decoded[*completionBody](c); ok {
		vars = d.vars
	} else {
		var req JobCompletionRequest
		if !s.bind(c, &req, true) {
			return
		}
		vars, err = s.variables(req.Variables)
	}
	if err == nil {
		err = s.eng.CompleteJob(c.Request.Context(), engine.CompleteJobRequest{Key: key, Variables: vars})
	}
	s.done(c, "COMPLETE", err)
}

func (s *Server) failJob(c *gin.Context) {
	key, ok := pathKey(c, "jobKey")
	if !ok {
		return
	}
	var req JobFailRequest
	if !s.bind(c, &req, true) {
		return
	}
	vars, err := s.variables(req.Variables)
	if err == nil {
		err = s.eng.FailJob(c.Request.Context(), engine.FailJobRequest{Key: key, Retries: req.Retries, ErrorMessage: req.ErrorMessage,
			RetryBackoff: time.Duration(req.RetryBackOff) * time.Millisecond, Variables: vars})
	}
	s.done(c, "FAIL", err)
}

func (s *Server) throwError(c *gin.Context) {
	key, ok := pathKey(c, "jobKey")
	if !ok {
		return
	}
	var req JobErrorRequest
	if !s.bind(c, &req, false) {
		return
	}
	vars, err := s.variables(req.Variables)
	if err == nil {
		msg := ""
		if req.ErrorMessage != nil {
			msg = *req.ErrorMessage
		}
		err = s.eng.ThrowError(c.Request.Context(), engine.ThrowErrorRequest{Key: key, ErrorCode: req.ErrorCode, ErrorMessage: msg, Variables: vars})
	}
	s.done(c, "THROW_ERROR", err)
}

func (s *Server) updateJob(c *gin.Context) {
	key, ok := pathKey(c, "jobKey")
	if !ok {
		return
	}
	var req JobUpdateRequest
	if !s.bind(c, &req, false) {
		return
	}
	ch := req.Changeset
	if ch.Retries == nil && ch.Timeout == nil {
		s.fail(c, "", bindErrorf("changeset: expected retries or timeout to be set, but it is empty"))
		return
	}
	// Two commands: the timeout first, as it is the one a job's state can
	// refuse (it must be activated), so that a refusal changes nothing.
	var err error
	if ch.Timeout != nil {
		err = s.eng.UpdateJobTimeout(c.Request.Context(), key, time.Duration(*ch.Timeout)*time.Millisecond)
	}
	if err == nil && ch.Retries != nil {
		err = s.eng.UpdateJobRetries(c.Request.Context(), key, *ch.Retries)
	}
	s.done(c, "UPDATE", err)
}

// done answers a command that returns no body.
func (s *Server) done(c *gin.Context, command string, err error) {
	if err != nil {
		s.fail(c, command, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) searchJobs(c *gin.Context) {
	q, ok := s.parseSearch(c, jobSearch)
	if !ok {
		return
	}
	if !resolveJobFilters(&q) {
		c.PureJSON(http.StatusOK, SearchResult[JobSearchResult]{Items: []JobSearchResult{}})
		return
	}
	page, err := s.q.SearchJobs(c.Request.Context(), q)
	if err != nil {
		s.fail(c, "", err)
		return
	}
	out := SearchResult[JobSearchResult]{Items: make([]JobSearchResult, 0, len(page.Items)), Page: pageOf(page)}
	for _, j := range page.Items {
		out.Items = append(out.Items, jobResult(j))
	}
	c.PureJSON(http.StatusOK, out)
}

func jobResult(j store.Job) JobSearchResult {
	headers := j.CustomHeaders
	if headers == nil {
		headers = map[string]string{}
	}
	return JobSearchResult{
		CustomHeaders: headers, Deadline: dateTime(j.Deadline), ElementID: j.ElementID, ElementInstanceKey: Key(j.ElementInstanceKey),
		ErrorCode: j.ErrorCode, ErrorMessage: j.ErrorMessage,
		HasFailedWithRetriesLeft: j.State == store.JobStateFailed && j.Retries > 0,
		JobKey:                   Key(j.JobKey), Kind: "BPMN_ELEMENT", ListenerEventType: "UNSPECIFIED",
		ProcessDefinitionID: j.ProcessDefinitionID, ProcessDefinitionKey: Key(j.ProcessDefinitionKey),
		ProcessInstanceKey: Key(j.ProcessInstanceKey), Retries: j.Retries, State: j.State, TenantID: tenantOr(j.TenantID),
		Type: j.Type, Worker: j.Worker,
	}
}
