package rest

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/api/auth"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/store"
)

func (s *Server) searchUserTasks(c *gin.Context) {
	q, ok := s.parseSearch(c, userTaskSearch)
	if !ok {
		return
	}
	q.AnyOf = taskVisibility(auth.FromContext(c.Request.Context()))
	page, err := s.q.SearchUserTasks(c.Request.Context(), q)
	if err != nil {
		s.fail(c, "", err)
		return
	}
	out := SearchResult[UserTaskResult]{Items: make([]UserTaskResult, 0, len(page.Items)), Page: pageOf(page)}
	for _, t := range page.Items {
		r, err := s.userTaskResult(c.Request.Context(), t)
		if err != nil {
			s.fail(c, "", err)
			return
		}
		out.Items = append(out.Items, r)
	}
	c.PureJSON(http.StatusOK, out)
}

func (s *Server) getUserTask(c *gin.Context) {
	key, ok := pathKey(c, "userTaskKey")
	if !ok {
		return
	}
	t, err := s.userTask(c.Request.Context(), key)
	if err != nil {
		s.fail(c, "", err)
		return
	}
	r, err := s.userTaskResult(c.Request.Context(), t)
	if err != nil {
		s.fail(c, "", err)
		return
	}
	c.PureJSON(http.StatusOK, r)
}

// userTask reads one user task.
func (s *Server) userTask(ctx context.Context, key int64) (store.UserTask, error) {
	p, err := s.q.SearchUserTasks(ctx, byKey("userTaskKey", key))
	return first(p, err, "User task", key)
}

func (s *Server) assignUserTask(c *gin.Context) {
	key, ok := pathKey(c, "userTaskKey")
	if !ok {
		return
	}
	var req UserTaskAssignmentRequest
	if !s.bind(c, &req, false) {
		return
	}
	if req.Assignee == "" {
		s.fail(c, "", bindErrorf("assignee: expected a user, but it is empty (DELETE /v2/user-tasks/%d/assignee unassigns)", key))
		return
	}
	if err := checkAssignee(c.Request.Context(), req.Assignee); err != nil {
		s.fail(c, "", err)
		return
	}
	override := req.AllowOverride == nil || *req.AllowOverride
	if _, limited := taskUser(auth.FromContext(c.Request.Context())); limited {
		override = false // a user claims a free task; it never takes one from someone else
	}
	err := s.eng.AssignUserTask(c.Request.Context(), engine.AssignUserTaskRequest{
		Key: key, Assignee: req.Assignee, AllowOverride: override, Action: action(req.Action, "assign"),
	})
	s.done(c, "ASSIGN", err)
}

func (s *Server) unassignUserTask(c *gin.Context) {
	key, ok := pathKey(c, "userTaskKey")
	if !ok {
		return
	}
	err := s.checkOwnTask(c.Request.Context(), key)
	if err == nil {
		err = s.eng.AssignUserTask(c.Request.Context(), engine.AssignUserTaskRequest{Key: key, AllowOverride: true, Action: "unassign"})
	}
	s.done(c, "ASSIGN", err)
}

func (s *Server) completeUserTask(c *gin.Context) {
	key, ok := pathKey(c, "userTaskKey")
	if !ok {
		return
	}
	var req UserTaskCompletionRequest
	if !s.bind(c, &req, true) {
		return
	}
	err := s.checkOwnTask(c.Request.Context(), key)
	var vars map[string]any
	if err == nil {
		vars, err = s.variables(req.Variables)
	}
	if err == nil {
		err = s.eng.CompleteUserTask(c.Request.Context(), engine.CompleteUserTaskRequest{Key: key, Variables: vars, Action: action(req.Action, "complete")})
	}
	s.done(c, "COMPLETE", err)
}

func (s *Server) updateUserTask(c *gin.Context) {
	key, ok := pathKey(c, "userTaskKey")
	if !ok {
		return
	}
	var req UserTaskUpdateRequest
	if !s.bind(c, &req, true) {
		return
	}
	ur, err := userTaskUpdate(key, &req)
	if err == nil {
		err = s.eng.UpdateUserTask(c.Request.Context(), ur)
	}
	s.done(c, "UPDATE", err)
}

// userTaskUpdate turns an update request into the engine's: Changed lists
// the changeset members that are given and not null.
func userTaskUpdate(key int64, req *UserTaskUpdateRequest) (engine.UpdateUserTaskRequest, error) {
	ur := engine.UpdateUserTaskRequest{Key: key, Action: action(req.Action, "update")}
	if ch := req.Changeset; ch != nil {
		if ch.CandidateGroups != nil {
			ur.Changed, ur.CandidateGroups = append(ur.Changed, "candidateGroups"), *ch.CandidateGroups
		}
		if ch.CandidateUsers != nil {
			ur.Changed, ur.CandidateUsers = append(ur.Changed, "candidateUsers"), *ch.CandidateUsers
		}
		if ch.DueDate != nil {
			ur.Changed, ur.DueDate = append(ur.Changed, "dueDate"), *ch.DueDate
		}
		if ch.FollowUpDate != nil {
			ur.Changed, ur.FollowUpDate = append(ur.Changed, "followUpDate"), *ch.FollowUpDate
		}
		if ch.Priority != nil {
			ur.Changed, ur.Priority = append(ur.Changed, "priority"), *ch.Priority
		}
	}
	switch {
	case len(ur.Changed) == 0 && (req.Action == nil || *req.Action == ""):
		return ur, bindErrorf("expected a changeset with at least one attribute or an action, but got neither")
	case !isDateOrEmpty(ur.DueDate):
		return ur, bindErrorf("changeset.dueDate: expected an RFC 3339 date-time or \"\" to clear it, got '%s'", ur.DueDate)
	case !isDateOrEmpty(ur.FollowUpDate):
		return ur, bindErrorf("changeset.followUpDate: expected an RFC 3339 date-time or \"\" to clear it, got '%s'", ur.FollowUpDate)
	}
	return ur, nil
}

// searchUserTaskVariables searches the variables a user task sees: those of
// its element instance and of every enclosing scope up to the process
// instance, as Camunda does.
func (s *Server) searchUserTaskVariables(c *gin.Context) {
	key, ok := pathKey(c, "userTaskKey")
	if !ok {
		return
	}
	q, ok := s.parseSearch(c, userTaskVariableSearch)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	t, err := s.userTask(ctx, key)
	if err != nil {
		s.fail(c, "", err)
		return
	}
	scopes, err := s.scopeChain(ctx, t.ElementInstanceKey)
	if err != nil {
		s.fail(c, "", err)
		return
	}
	q.Conditions = append(q.Conditions, store.Condition{Field: "scopeKey", Op: store.OpIn, Value: scopes})
	page, err := s.q.SearchVariables(ctx, q)
	if err != nil {
		s.fail(c, "", err)
		return
	}
	c.PureJSON(http.StatusOK, variablePage(page))
}

// maxScopeDepth bounds the walk from an element instance to its process
// instance.
const maxScopeDepth = 1000

// scopeChain returns an element instance's key and those of its enclosing
// flow scopes, up to and with the process instance.
func (s *Server) scopeChain(ctx context.Context, key int64) ([]any, error) {
	var out []any
	for key > 0 && len(out) < maxScopeDepth {
		out = append(out, key)
		p, err := s.q.SearchElementInstances(ctx, byKey("elementInstanceKey", key))
		if err != nil {
			return nil, err
		}
		if len(p.Items) == 0 {
			break
		}
		key = p.Items[0].ElementInstanceScopeKey
	}
	return out, nil
}

func (s *Server) userTaskResult(ctx context.Context, t store.UserTask) (UserTaskResult, error) {
	def, err := s.defs.get(ctx, t.ProcessDefinitionKey)
	if err != nil {
		return UserTaskResult{}, err
	}
	r := UserTaskResult{
		UserTaskKey: Key(t.UserTaskKey), Name: def.elementName(t.ElementID), State: t.State, Assignee: t.Assignee,
		ElementID: t.ElementID, CandidateGroups: nonNil(t.CandidateGroups), CandidateUsers: nonNil(t.CandidateUsers),
		ProcessDefinitionID: t.ProcessDefinitionID, CreationDate: dateTime(t.CreationDate), CompletionDate: dateTime(t.CompletionDate),
		FollowUpDate: isoDate(t.FollowUpDate), DueDate: isoDate(t.DueDate), TenantID: tenantOr(t.TenantID),
		ExternalFormReference: t.ExternalFormReference, ProcessDefinitionVersion: t.ProcessDefinitionVer,
		CustomHeaders: t.CustomHeaders, Priority: t.Priority, ElementInstanceKey: Key(t.ElementInstanceKey),
		ProcessName: t.ProcessDefinitionID, ProcessDefinitionKey: Key(t.ProcessDefinitionKey),
		ProcessInstanceKey: Key(t.ProcessInstanceKey),
	}
	if def != nil {
		r.ProcessName = def.displayName()
	}
	if t.Name != "" {
		r.Name = t.Name
	}
	if r.CustomHeaders == nil {
		r.CustomHeaders = map[string]string{}
	}
	// Camunda's formKey is the key of a deployed form; a form referenced
	// otherwise has none.
	if k, err := strconv.ParseInt(t.FormKey, 10, 64); err == nil {
		r.FormKey = optKey(k)
	}
	return r, nil
}

// action returns the action a request names, or the command's default.
func action(a *string, fallback string) string {
	if a == nil || *a == "" {
		return fallback
	}
	return *a
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// isoDate formats an ISO 8601 date-time as Camunda does; "" and text that
// is not a date-time give "".
func isoDate(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return ""
	}
	return dateTime(t)
}

func isDateOrEmpty(s string) bool {
	if s == "" {
		return true
	}
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}
