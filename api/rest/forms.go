package rest

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// FormResult is a Camunda Form as Camunda 8.8 answers it: the form-js
// JSON in schema. An embedded form (zeebe:userTaskForm) has the task's
// form key ("camunda-forms:bpmn:<id>") and no version.
type FormResult struct {
	FormKey  string `json:"formKey"`
	TenantID string `json:"tenantId"`
	FormID   string `json:"formId"`
	Schema   string `json:"schema"`
	Version  *int32 `json:"version,omitempty"`
}

// DeploymentFormResult is one deployed form in a deployment's answer.
type DeploymentFormResult struct {
	FormID       string `json:"formId"`
	Version      int32  `json:"version"`
	ResourceName string `json:"resourceName"`
	TenantID     string `json:"tenantId"`
	FormKey      Key    `json:"formKey"`
}

// embeddedFormPrefix starts the form key of an embedded form.
const embeddedFormPrefix = "camunda-forms:bpmn:"

// getUserTaskForm serves GET /v2/user-tasks/{userTaskKey}/form: the task's
// form, embedded or linked (resolved when the task was created); 204 when
// it has none.
func (s *Server) getUserTaskForm(c *gin.Context) {
	key, ok := pathKey(c, "userTaskKey")
	if !ok {
		return
	}
	t, err := s.userTask(c.Request.Context(), key)
	if err != nil {
		s.fail(c, "", err)
		return
	}
	var form *FormResult
	err = s.eng.Read(c.Request.Context(), func(st *state.State) {
		form = taskForm(st, t.ProcessDefinitionKey, t.FormKey)
	})
	s.answerForm(c, form, err)
}

// taskForm finds the form of a task's form key: a linked form's key or an
// embedded form of the process; nil for none (another kind of form key is
// not a Camunda Form the API can serve).
func taskForm(st *state.State, definitionKey int64, formKey string) *FormResult {
	if id, ok := strings.CutPrefix(formKey, embeddedFormPrefix); ok {
		def := st.Process(definitionKey)
		if def == nil {
			return nil
		}
		return embeddedForm(st, def, formKey, id)
	}
	k, err := strconv.ParseInt(formKey, 10, 64)
	if err != nil {
		return nil
	}
	return linkedFormResult(st.Form(k))
}

func embeddedForm(st *state.State, def *state.ProcessDefinition, formKey, id string) *FormResult {
	m, err := st.Model(def)
	if err != nil {
		return nil
	}
	body, ok := m.Forms[id]
	if !ok {
		return nil
	}
	return &FormResult{FormKey: formKey, TenantID: tenantOr(def.TenantID), FormID: id, Schema: body}
}

func linkedFormResult(f *record.FormValue) *FormResult {
	if f == nil {
		return nil
	}
	v := f.Version
	return &FormResult{FormKey: strconv.FormatInt(f.FormKey, 10), TenantID: tenantOr(f.TenantID), FormID: f.FormID,
		Schema: string(f.Resource), Version: &v}
}

// getDefinitionForm serves GET /v2/process-definitions/{processDefinitionKey}/form:
// the form of the process's none start event (zeebe:formDefinition), the
// latest, deployed or tagged version of a linked one as the binding says;
// 204 when it has none.
func (s *Server) getDefinitionForm(c *gin.Context) {
	key, ok := pathKey(c, "processDefinitionKey")
	if !ok {
		return
	}
	var form *FormResult
	var err error
	if rerr := s.eng.Read(c.Request.Context(), func(st *state.State) { form, err = startForm(st, key) }); rerr != nil {
		err = rerr
	}
	s.answerForm(c, form, err)
}

// startForm finds the start form of a definition: nil without one, an
// error when the definition or its linked form is missing.
func startForm(st *state.State, key int64) (*FormResult, error) {
	def := st.Process(key)
	if def == nil {
		return nil, &errNotFound{what: "Process definition with key '" + strconv.FormatInt(key, 10) + "'"}
	}
	m, err := st.Model(def)
	if err != nil {
		return nil, err
	}
	fd := startFormOf(m)
	switch {
	case fd == nil:
		return nil, nil
	case fd.FormID != "":
		f := engine.LinkedForm(st, def, fd.FormID, fd.BindingType, fd.VersionTag)
		if f == nil {
			return nil, &errNotFound{what: "Form '" + fd.FormID + "' linked to the start event of process definition '" + strconv.FormatInt(key, 10) + "'"}
		}
		return linkedFormResult(f), nil
	}
	id, ok := strings.CutPrefix(fd.FormKey, embeddedFormPrefix)
	if !ok {
		return nil, nil
	}
	return embeddedForm(st, def, fd.FormKey, id), nil
}

// startFormOf returns the form definition of a process's none start
// event, or nil.
func startFormOf(m *model.Process) *model.FormDefinition {
	for _, el := range m.Root.Children {
		if el.Kind == model.KindStartEvent && el.StartForm != nil && el.Timer == nil && el.Message == nil {
			return el.StartForm
		}
	}
	return nil
}

// answerForm answers a form, 204 for none.
func (s *Server) answerForm(c *gin.Context, form *FormResult, err error) {
	switch {
	case err != nil:
		s.fail(c, "", err)
	case form == nil:
		c.Status(http.StatusNoContent)
	default:
		c.PureJSON(http.StatusOK, form)
	}
}

// formsOfDeployment maps a deployment's forms to its answer.
func formsOfDeployment(fs []record.FormMetadata) []DeploymentMetadataResult {
	out := make([]DeploymentMetadataResult, 0, len(fs))
	for _, f := range fs {
		out = append(out, DeploymentMetadataResult{Form: &DeploymentFormResult{FormID: f.FormID, Version: f.Version,
			ResourceName: f.ResourceName, TenantID: tenantOr(f.TenantID), FormKey: Key(f.FormKey)}})
	}
	return out
}
