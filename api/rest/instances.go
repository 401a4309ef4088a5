package rest

import (
	"context"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/store"
)

func (s *Server) createInstance(c *gin.Context) {
	body, ok := s.createBody(c)
	if !ok {
		return
	}
	req := &body.req
	ci, err := s.createRequest(c.Request.Context(), body)
	if err != nil {
		s.fail(c, "CREATE", err)
		return
	}
	if req.AwaitCompletion { // the place to wait is taken before the instance exists
		if !s.hold(c) {
			return
		}
		defer s.unhold()
	}
	created, err := s.eng.CreateInstance(c.Request.Context(), ci)
	if err != nil {
		s.fail(c, "CREATE", err)
		return
	}
	out := CreateProcessInstanceResult{
		ProcessDefinitionID: created.BPMNProcessID, ProcessDefinitionVersion: created.Version, TenantID: created.TenantID,
		ProcessDefinitionKey: Key(created.ProcessDefinitionKey), ProcessInstanceKey: Key(created.ProcessInstanceKey),
		Variables: map[string]jsonText{},
	}
	if req.AwaitCompletion {
		if out.Variables, err = s.awaitCompletion(c.Request.Context(), created, req.RequestTimeout, req.FetchVariables); err != nil {
			s.fail(c, "", err)
			return
		}
	}
	s.writeAnswer(c, http.StatusOK, func(b []byte) ([]byte, error) { return appendCreated(b, &out), nil })
}

// createBody returns the create request the validator decoded on its fast
// path, or binds it.
func (s *Server) createBody(c *gin.Context) (*createBody, bool) {
	if b, ok := decoded[*createBody](c); ok {
		return b, true
	}
	b := &createBody{}
	return b, s.bind(c, &b.req, false)
}

// createRequest checks a create request and turns it into the engine's.
func (s *Server) createRequest(ctx context.Context, body *createBody) (engine.CreateInstanceRequest, error) {
	var out engine.CreateInstanceRequest
	req := &body.req
	switch {
	case req.ProcessDefinitionKey != nil && req.ProcessDefinitionID != "":
		return out, bindErrorf("expected either processDefinitionId or processDefinitionKey, but both were given")
	case req.ProcessDefinitionKey == nil && req.ProcessDefinitionID == "":
		return out, bindErrorf("expected either processDefinitionId or processDefinitionKey, but neither was given")
	case len(req.StartInstructions) > 0:
		return out, bindErrorf("startInstructions: starting at other elements than the none start event is not supported yet")
	case len(req.RuntimeInstructions) > 0:
		return out, bindErrorf("runtimeInstructions: terminating the instance after an element is not supported yet")
	case len(req.FetchVariables) > 0 && !req.AwaitCompletion:
		return out, bindErrorf("fetchVariables: only allowed together with awaitCompletion")
	}
	tenant, err := s.requestTenant(ctx, req.TenantID)
	if err != nil {
		return out, err
	}
	vars := body.vars
	if !body.decoded {
		if vars, err = s.variables(req.Variables); err != nil {
			return out, err
		}
	}
	out = engine.CreateInstanceRequest{BPMNProcessID: req.ProcessDefinitionID, Variables: vars, TenantID: tenant, Tags: tagSet(req.Tags),
		AwaitEnd: req.AwaitCompletion}
	if req.ProcessDefinitionKey != nil {
		out.ProcessDefinitionKey = int64(*req.ProcessDefinitionKey)
		if out.ProcessDefinitionKey <= 0 {
			return out, bindErrorf("processDefinitionKey: expected a positive key, got %d", out.ProcessDefinitionKey)
		}
	}
	if v := req.ProcessDefinitionVersion; v != nil && *v > 0 {
		out.Version = *v
	}
	return out, nil
}

func (s *Server) cancelInstance(c *gin.Context) {
	s.keyCommand(c, "processInstanceKey", "CANCEL", s.eng.CancelInstance)
}

// keyCommand runs a command that takes only the key in the path (and an
// optional operationReference) and answers 204.
func (s *Server) keyCommand(c *gin.Context, param, action string, command func(context.Context, int64) error) {
	key, ok := pathKey(c, param)
	if !ok {
		return
	}
	var body OperationReferenceRequest
	if !s.bind(c, &body, true) {
		return
	}
	if err := command(c.Request.Context(), key); err != nil {
		s.fail(c, action, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) searchInstances(c *gin.Context) {
	q, ok := s.parseSearch(c, instanceSearch)
	if !ok {
		return
	}
	page, err := s.q.SearchProcessInstances(c.Request.Context(), q)
	if err != nil {
		s.fail(c, "", err)
		return
	}
	out := SearchResult[ProcessInstanceResult]{Items: make([]ProcessInstanceResult, 0, len(page.Items)), Page: pageOf(page)}
	for _, p := range page.Items {
		r, err := s.instanceResult(c.Request.Context(), p)
		if err != nil {
			s.fail(c, "", err)
			return
		}
		out.Items = append(out.Items, r)
	}
	c.PureJSON(http.StatusOK, out)
}

func (s *Server) getInstance(c *gin.Context) {
	key, ok := pathKey(c, "processInstanceKey")
	if !ok {
		return
	}
	p, err := s.q.SearchProcessInstances(c.Request.Context(), byKey("processInstanceKey", key))
	row, err := first(p, err, "Process instance", key)
	if err != nil {
		s.fail(c, "", err)
		return
	}
	r, err := s.instanceResult(c.Request.Context(), row)
	if err != nil {
		s.fail(c, "", err)
		return
	}
	c.PureJSON(http.StatusOK, r)
}

func (s *Server) instanceResult(ctx context.Context, p store.ProcessInstance) (ProcessInstanceResult, error) {
	def, err := s.defs.get(ctx, p.ProcessDefinitionKey)
	if err != nil {
		return ProcessInstanceResult{}, err
	}
	r := ProcessInstanceResult{
		ProcessDefinitionID: p.ProcessDefinitionID, ProcessDefinitionName: p.ProcessDefinitionID,
		ProcessDefinitionVersion: p.ProcessDefinitionVersion, StartDate: dateTime(p.StartDate), EndDate: dateTime(p.EndDate),
		State: p.State, HasIncident: p.HasIncident, TenantID: p.TenantID, ProcessInstanceKey: Key(p.ProcessInstanceKey),
		ProcessDefinitionKey: Key(p.ProcessDefinitionKey), ParentProcessInstanceKey: optKey(p.ParentProcessInstanceKey),
		ParentElementInstanceKey: optKey(p.ParentElementInstanceKey), Tags: p.Tags,
	}
	if def != nil {
		r.ProcessDefinitionName, r.ProcessDefinitionVersionTag = def.displayName(), def.VersionTag
	}
	return r, nil
}

// tagSet returns tags without repeats, in their first order (Camunda's
// tags are a set; api/openapi.yaml checks each tag and their number).
func tagSet(tags []string) []string {
	var out []string
	for _, t := range tags {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}
