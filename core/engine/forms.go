package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// IsForm reports whether a deployed resource is a Camunda Form: its name
// ends in .form, as Camunda's deployments tell them apart.
func IsForm(resourceName string) bool {
	return strings.EqualFold(path.Ext(resourceName), ".form")
}

// maxFormIDBytes bounds a form id, as the ids of processes are bounded by
// what a store keeps comfortably in an indexed column.
const maxFormIDBytes = 256

// parsedForm is a .form resource read for deployment.
type parsedForm struct {
	res            record.Resource
	id, versionTag string
	checksum       string
	latest         *record.FormValue
}

// parseForm reads the id and optional versionTag of a Camunda Forms JSON
// document; it checks nothing else of the form.
func parseForm(res record.Resource) (parsedForm, error) {
	var doc struct {
		ID         *string `json:"id"`
		VersionTag *string `json:"versionTag"`
	}
	if err := json.Unmarshal(res.Content, &doc); err != nil {
		return parsedForm{}, fmt.Errorf("expected a Camunda Form (a JSON object with a string id), but it is not: %w", err)
	}
	if doc.ID == nil || strings.TrimSpace(*doc.ID) == "" {
		return parsedForm{}, fmt.Errorf("expected a Camunda Form with a non-empty string 'id', but it has none")
	}
	if len(*doc.ID) > maxFormIDBytes {
		return parsedForm{}, fmt.Errorf("expected a form id of at most %d bytes, but it has %d", maxFormIDBytes, len(*doc.ID))
	}
	f := parsedForm{res: res, id: *doc.ID}
	if doc.VersionTag != nil {
		f.versionTag = strings.TrimSpace(*doc.VersionTag)
	}
	sum := sha256.Sum256(res.Content)
	f.checksum = hex.EncodeToString(sum[:])
	return f, nil
}

// deployForms writes the forms of a deployment. A form identical to its
// latest version is a duplicate only when the whole deployment creates
// nothing new (createdProcess false and no form changed): a process
// deployed with its forms always finds them with bindingType deployment,
// as Camunda versions the resources of one deployment together.
func (p *Processor) deployForms(forms []parsedForm, tenant string, deploymentKey int64, createdProcess bool) ([]record.FormMetadata, error) {
	changed := createdProcess
	for i := range forms {
		f := &forms[i]
		f.latest = p.st.LatestForm(tenant, f.id)
		if f.latest == nil || f.latest.Checksum != f.checksum {
			changed = true
		}
	}
	out := make([]record.FormMetadata, 0, len(forms))
	for _, f := range forms {
		meta := record.FormMetadata{FormID: f.id, VersionTag: f.versionTag, ResourceName: f.res.Name, Checksum: f.checksum, TenantID: tenant}
		if !changed {
			meta.Version, meta.FormKey, meta.Duplicate = f.latest.Version, f.latest.FormKey, true
			out = append(out, meta)
			continue
		}
		meta.Version = p.st.LastFormVersion(tenant, f.id) + 1 // deleted versions are not reused
		meta.FormKey = p.newKey()
		v := &record.FormValue{FormID: f.id, Version: meta.Version, VersionTag: f.versionTag, FormKey: meta.FormKey,
			ResourceName: f.res.Name, Resource: f.res.Content, Checksum: f.checksum, DeploymentKey: deploymentKey, TenantID: tenant}
		if err := p.write(meta.FormKey, record.IntentFormCreated, v); err != nil {
			return nil, err
		}
		out = append(out, meta)
	}
	return out, nil
}

// linkForm resolves a user task's linked form (zeebe:formDefinition
// formId) when the task is created, as Camunda does: bindingType latest
// (the default), deployment (the version deployed with the process) or
// versionTag. The task keeps the form's key; no form is a FORM_NOT_FOUND
// failure.
func (p *Processor) linkForm(in *instance, spec *element.UserTaskSpec) error {
	ut := in.el.UserTask
	if ut == nil || ut.FormID == "" {
		return nil
	}
	f := LinkedForm(p.st, in.def, ut.FormID, ut.FormBindingType, ut.FormVersionTag)
	if f == nil {
		binding := ut.FormBindingType
		if binding == "" {
			binding = "latest"
		}
		return element.Failf(record.ErrorFormNotFound, "expected form with id '%s' to be deployed%s (binding %s), but not found",
			ut.FormID, inTenant(in.def.TenantID), binding)
	}
	spec.FormKey, spec.FormID = strconv.FormatInt(f.FormKey, 10), ut.FormID
	return nil
}

// LinkedForm finds the form a linked form definition names for a process
// definition, or nil: a user task's creation resolves its form with it,
// and the API a start event's.
func LinkedForm(st *state.State, def *state.ProcessDefinition, formID, binding, versionTag string) *record.FormValue {
	switch binding {
	case "deployment":
		return st.DeployedForm(def.TenantID, formID, def.DeploymentKey)
	case "versionTag":
		return st.TaggedForm(def.TenantID, formID, versionTag)
	}
	return st.LatestForm(def.TenantID, formID)
}
